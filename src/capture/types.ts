// What every capture source (pcap, pcapng, live) yields: one raw frame at a time.

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
}

export type FrameSink = (frame: RawFrame) => void;
