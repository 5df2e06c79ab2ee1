// The one RawFrame builder of the tests: bytes plus the capture record around them, as the
// capture readers yield it. Everything but the data is named, so no argument order can be
// mixed up; the defaults are frame 1, 2023-11-14T22:13:20Z, Ethernet, microsecond stamps, the
// whole frame captured.

import type { RawFrame } from '../../src/capture/types.js';

export const DEFAULT_TS_SEC = 1700000000;

export interface RawFrameOptions {
  readonly number?: number;
  readonly tsSec?: number;
  readonly tsNsec?: number;
  /** 6 (micro) or 9 (nano) digits of the capture's time stamps. */
  readonly tsDigits?: number;
  /** DLT/LINKTYPE of the frame (default 1, Ethernet). */
  readonly linktype?: number;
  readonly interfaceId?: number;
  /** Length on the wire (default: the data's length, nothing cut). */
  readonly originalLength?: number;
}

export function rawFrame(data: Uint8Array, o: RawFrameOptions = {}): RawFrame {
  return {
    number: o.number ?? 1,
    tsSec: o.tsSec ?? DEFAULT_TS_SEC,
    tsNsec: o.tsNsec ?? 0,
    tsDigits: o.tsDigits ?? 6,
    linktype: o.linktype ?? 1,
    interfaceId: o.interfaceId ?? 0,
    capturedLength: data.length,
    originalLength: o.originalLength ?? data.length,
    data,
  };
}

/** The time stamp AT seconds (fractions allowed) after T0, for RawFrameOptions: `{ ...timeAt(T0, 1.5) }`. */
export function timeAt(t0: number, at: number): { tsSec: number; tsNsec: number } {
  const whole = Math.floor(at);
  return { tsSec: t0 + whole, tsNsec: Math.round((at - whole) * 1e9) };
}
