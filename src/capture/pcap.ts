// Classic libpcap file format (draft-ietf-opsawg-pcap; pcap-savefile(5)).
//
// File header, 24 bytes, in the writer's byte order (told by the magic):
//    0                   1                   2                   3
//   +---------------------------------------------------------------+
//   |  magic: a1b2c3d4 (us) or a1b23c4d (ns)                        |  0
//   |  version major (2)            |  version minor (4)            |  4
//   |  thiszone (unused, 0)                                         |  8
//   |  sigfigs (unused, 0)                                          | 12
//   |  snaplen                                                      | 16
//   |  FCS len (4 bits) | F | reserved (10) | linktype (16)         | 20
//   +---------------------------------------------------------------+
// Record header, 16 bytes, followed by caplen bytes of packet data:
//   |  ts seconds  |  ts microseconds or nanoseconds  |  caplen  |  original length  |

import { CaptureFormatError } from '../errors.js';
import { type ReadState, type RecordReader, truncatedError } from './reader.js';
import { subsecondToTime, type TimeOut } from './timestamp.js';

export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Magic numbers as read little-endian from the first four bytes. */
export const PCAP_MAGIC = {
  microLE: 0xa1b2c3d4,
  microBE: 0xd4c3b2a1,
  nanoLE: 0xa1b23c4d,
  nanoBE: 0x4d3cb2a1,
} as const;

/** The link type proper: the low 16 bits (the top bits carry the FCS length). */
export const LINKTYPE_MASK = 0xffff;

/** Returns the reader for a classic pcap magic (first 4 bytes read little-endian), else undefined. */
export function pcapReaderFor(magicLE: number, state: ReadState): PcapReader | undefined {
  switch (magicLE) {
    case PCAP_MAGIC.microLE:
      return new PcapReader(state, true, 6);
    case PCAP_MAGIC.microBE:
      return new PcapReader(state, false, 6);
    case PCAP_MAGIC.nanoLE:
      return new PcapReader(state, true, 9);
    case PCAP_MAGIC.nanoBE:
      return new PcapReader(state, false, 9);
    default:
      return undefined;
  }
}

export class PcapReader implements RecordReader {
  need = PCAP_FILE_HEADER_BYTES;
  private headerDone = false;
  private linktype = 0;
  /** Snapshot length from the file header (informational). */
  snaplen = 0;

  /** The file header's link type and snap length, once read. */
  get header(): { readonly linktype: number; readonly snaplen: number } | undefined {
    return this.headerDone ? { linktype: this.linktype, snaplen: this.snaplen } : undefined;
  }
  private readonly time: TimeOut = { sec: 0, nsec: 0 };

  constructor(
    private readonly state: ReadState,
    readonly littleEndian: boolean,
    readonly tsDigits: 6 | 9,
  ) {}

  parse(buf: Uint8Array, off: number, end: number, absOff: number): number {
    const le = this.littleEndian;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const start = off;
    if (!this.headerDone) {
      if (end - off < PCAP_FILE_HEADER_BYTES) {
        this.need = PCAP_FILE_HEADER_BYTES;
        return off;
      }
      this.snaplen = view.getUint32(off + 16, le);
      this.linktype = view.getUint32(off + 20, le) & LINKTYPE_MASK;
      this.headerDone = true;
      off += PCAP_FILE_HEADER_BYTES;
    }
    const state = this.state;
    const sink = state.sink;
    const digits = this.tsDigits;
    const linktype = this.linktype;
    const time = this.time;
    while (end - off >= PCAP_RECORD_HEADER_BYTES) {
      const caplen = view.getUint32(off + 8, le);
      if (caplen > state.maxRecordBytes) {
        const at = absOff + (off - start);
        throw new CaptureFormatError(
          `corrupt record at byte ${at}: captured length ${caplen} exceeds ${state.maxRecordBytes} bytes (limit record-bytes)`,
          at,
        );
      }
      const total = PCAP_RECORD_HEADER_BYTES + caplen;
      if (end - off < total) {
        this.need = total;
        return off;
      }
      subsecondToTime(view.getUint32(off, le), view.getUint32(off + 4, le), digits, time);
      const dataStart = off + PCAP_RECORD_HEADER_BYTES;
      const prefilter = state.prefilter;
      if (prefilter !== undefined && !prefilter(buf, dataStart, dataStart + caplen, linktype, time.sec, time.nsec)) {
        state.frames++;
        off += total;
        continue;
      }
      if (state.taker !== undefined && state.offer(buf, dataStart, time.sec, time.nsec, digits, linktype, 0, caplen, view.getUint32(off + 12, le))) {
        off += total;
        if (state.stopped) return off;
        continue;
      }
      sink({
        number: ++state.frames,
        tsSec: time.sec,
        tsNsec: time.nsec,
        tsDigits: digits,
        linktype,
        interfaceId: 0,
        capturedLength: caplen,
        originalLength: view.getUint32(off + 12, le),
        data: new Uint8Array(buf.buffer, buf.byteOffset + dataStart, caplen),
      });
      off += total;
      if (state.stopped) return off;
    }
    this.need = PCAP_RECORD_HEADER_BYTES;
    return off;
  }

  truncated(have: number, absOff: number): CaptureFormatError {
    if (!this.headerDone) return truncatedError('file header', false, this.need, have, absOff);
    if (have < PCAP_RECORD_HEADER_BYTES) return truncatedError('record header', false, this.need, have, absOff);
    // The record header's caplen counts the packet bytes that follow it.
    const dataNeed = this.need - PCAP_RECORD_HEADER_BYTES;
    return truncatedError('record', true, dataNeed, have - PCAP_RECORD_HEADER_BYTES, absOff);
  }
}
