// The contract between the push parser (parser.ts) and the per-format record readers
// (pcap.ts, pcapng.ts). A reader parses as many complete records as a buffer holds and says
// how many bytes the next one needs; the parser keeps the incomplete tail and feeds it back.

import { CaptureFormatError } from '../errors.js';
import type { FrameSink, RecordPrefilter, RecordTaker, RecordView } from './types.js';
import { LIMITS } from '../limits.js';

/** Largest captured length / block accepted before the file is declared corrupt. */
export const MAX_RECORD_BYTES = LIMITS['record-bytes'].default;

/** State shared by the parser and its reader: the sink, the frame counter, the stop flag. */
export class ReadState {
  /** Frames emitted so far (the next frame is number frames + 1). */
  frames = 0;
  /** Set by CaptureParser.stop(): readers return after the current frame. */
  stopped = false;
  /** Records it rejects are counted (frames++) but not emitted. */
  prefilter: RecordPrefilter | undefined = undefined;
  /** Offered each record the prefilter passes, as `record`; what it takes is counted but not emitted. */
  taker: RecordTaker | undefined = undefined;
  /** The record offered to the taker (rewritten per record). */
  readonly record: RecordView = {
    bytes: new Uint8Array(0), start: 0, number: 0, tsSec: 0, tsNsec: 0, tsDigits: 6, linktype: 0, interfaceId: 0,
    capturedLength: 0, originalLength: 0,
  };
  /**
   * The record at bytes[start, start + capturedLength) offered to the taker, as the next frame
   * would be numbered: true when it took it (counted here, not emitted). Only with a taker.
   */
  offer(bytes: Uint8Array, start: number, tsSec: number, tsNsec: number, tsDigits: number, linktype: number,
    interfaceId: number, capturedLength: number, originalLength: number): boolean {
    const r = this.record;
    r.bytes = bytes; r.start = start; r.number = this.frames + 1; r.tsSec = tsSec; r.tsNsec = tsNsec;
    r.tsDigits = tsDigits; r.linktype = linktype; r.interfaceId = interfaceId; r.capturedLength = capturedLength;
    r.originalLength = originalLength;
    if (!this.taker!(r)) return false;
    this.frames++;
    return true;
  }

  /** pcapng: Interface Description Blocks accepted per section (limits.ts interfaces-per-section). */
  maxInterfacesPerSection: number = LIMITS['interfaces-per-section'].default;
  /** Largest captured length of a record (pcapng: block length less its 4 KiB of headroom) (limits.ts record-bytes). */
  maxRecordBytes: number = MAX_RECORD_BYTES;
  constructor(readonly sink: FrameSink) {}
}

export interface RecordReader {
  /**
   * Parses the complete records of buf[off, end), emitting frames, and returns the offset
   * just after the last record consumed. `absOff` is the stream offset of buf[off].
   * Throws CaptureFormatError for structural damage.
   */
  parse(buf: Uint8Array, off: number, end: number, absOff: number): number;
  /** Total bytes the next record needs, counted from the offset parse() returned. */
  readonly need: number;
  /** The error for an input that ends with `have` bytes of an incomplete record at `absOff`. */
  truncated(have: number, absOff: number): CaptureFormatError;
}

/** "truncated <what> at byte N: header says X bytes, Y present" (or "need X" before a length is known). */
export function truncatedError(what: string, lengthKnown: boolean, need: number, have: number, absOff: number): CaptureFormatError {
  const says = lengthKnown ? `header says ${need} bytes` : `need ${need} bytes`;
  return new CaptureFormatError(`truncated ${what} at byte ${absOff}: ${says}, ${have} present`, absOff);
}
