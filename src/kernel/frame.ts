// The shared kernel: the few types every layer uses (capture/, decode/, analyze/, output/ import
// them from here; the kernel imports nothing of the project). What a capture source yields: one
// raw frame at a time.

export interface RawFrame {
  /** 1-based position in the capture. */
  readonly number: number;
  /** Seconds since the epoch (integer). */
  readonly tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  readonly tsNsec: number;
  /** Decimal digits of the source's timestamp precision (6 for microsecond pcap, 9 for nanosecond). */
  readonly tsDigits: number;
  /** LINKTYPE_* value of the interface the frame was captured on. */
  readonly linktype: number;
  /** Interface index (pcapng IDB number; 0 for pcap and live capture). */
  readonly interfaceId: number;
  /** Bytes actually captured (== data.length). */
  readonly capturedLength: number;
  /** Length of the packet on the wire. */
  readonly originalLength: number;
  /**
   * The captured bytes. May be a view into a reader buffer that is reused after the
   * frame callback returns: copy it to keep it.
   */
  readonly data: Uint8Array;
  /** Where it was captured, when several captures are merged (-r a -r b): the file's name. */
  readonly capturePoint?: string;
  /**
   * Set when the file's timestamp lies outside what carpdump can show (beyond ±MAX_TIME_SEC of
   * capture/types.ts, e.g. a huge pcapng if_tsoffset): the exact time in decimal seconds; tsSec
   * and tsNsec are then 0.
   */
  readonly timeOutOfRange?: string;
}

/**
 * A record of a file (capture/types.ts RecordTaker: one the prefilter passed) before a RawFrame
 * is made for it: its bytes are bytes[start, start + capturedLength), valid only during the
 * RecordTaker's call (the reader's block, reused); the other fields are the RawFrame's. One
 * object per reader, rewritten per record.
 */
export interface RecordView extends Writable<FramePlace> {
  bytes: Uint8Array;
  start: number;
  capturedLength: number;
  originalLength: number;
}

/**
 * A frame's place in the capture: its number, time and interface, what a lane frame or a
 * record (RecordView) carries without a RawFrame.
 */
export type FramePlace = Pick<RawFrame, 'number' | 'tsSec' | 'tsNsec' | 'tsDigits' | 'linktype' | 'interfaceId'>;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * `f` with another number (and capture point, bytes): every field written out. Not
 * `{ ...f, number }`: V8 (Node 20) takes a slow path for an object spread followed by more
 * properties, about 100 times the cost of a literal, and this runs once per frame of a live
 * capture read from tcpdump or dumpcap and of merged files. The mapped type makes the compiler
 * demand every field of RawFrame here, the optional ones too, so a new field is not lost.
 */
export function renumbered(f: RawFrame, number: number, capturePoint = f.capturePoint, data = f.data): RawFrame {
  const copy: { [K in keyof Required<RawFrame>]: RawFrame[K] } = {
    number,
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    tsDigits: f.tsDigits,
    linktype: f.linktype,
    interfaceId: f.interfaceId,
    capturedLength: f.capturedLength,
    originalLength: f.originalLength,
    data,
    capturePoint,
    timeOutOfRange: f.timeOutOfRange,
  };
  return copy;
}
