// The shared kernel: packet time (what analyzers reason with, never the wall clock) and the
// epoch text every output shows.

import type { RawFrame } from './frame.js';

/** A point in packet time. `digits` is the precision to print it with (6 or 9). */
export interface PacketTime {
  readonly sec: number;
  readonly nsec: number;
  readonly digits: number;
}

/** The packet time of a raw frame, or of anything that carries one (a decoded frame). */
export function timeOf(frame: RawFrame | { readonly raw: RawFrame }): PacketTime {
  return timeAt('raw' in frame ? frame.raw : frame);
}

/**
 * The packet time of anything with a frame's time fields: a raw frame, a lane frame or a record
 * (kernel/frame.ts FramePlace), without reading a lane's `raw` (which a CARP lane frame read
 * from a record makes when read).
 */
export function timeAt(t: Pick<RawFrame, 'tsSec' | 'tsNsec' | 'tsDigits'>): PacketTime {
  return { sec: t.tsSec, nsec: t.tsNsec, digits: t.tsDigits };
}

/** Seconds as a double, for interval arithmetic (microsecond-exact for current dates). */
export function toSeconds(t: PacketTime): number {
  return t.sec + t.nsec / 1e9;
}

/** ".000123": nanoseconds cut to `digits` decimals (0..9); '' for no decimals. */
export function fractionText(nsec: number, digits: number): string {
  const d = Math.max(0, Math.min(9, digits));
  if (d === 0) return '';
  return `.${String(nsec).padStart(9, '0').slice(0, d)}`;
}

/** The SPEC's timestamp string: decimal epoch seconds with the source's precision. */
export function formatEpoch(t: PacketTime): string {
  return `${t.sec}${fractionText(t.nsec, t.digits)}`;
}
