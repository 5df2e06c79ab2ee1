// pcapng (draft-ietf-opsawg-pcapng). Every block has the same frame, in the byte order of
// its section (told by the Section Header Block's byte-order magic):
//
//   +---------------------------------------------------------------+
//   |  block type                                                   |  0
//   |  block total length (multiple of 4, >= 12)                    |  4
//   /  block body (variable, padded to 32 bits)                     /  8
//   |  block total length (again)                                   |
//   +---------------------------------------------------------------+
//
// Bodies used here (offsets from the block start):
//   SHB 0x0A0D0D0A  8 byte-order magic 1A2B3C4D | 12 major u16 | 14 minor u16 | 16 section length i64 | 24 options
//   IDB 0x00000001  8 linktype u16 | 10 reserved | 12 snaplen u32 | 16 options (if_tsresol=9, if_tsoffset=14)
//   EPB 0x00000006  8 interface id | 12 ts high | 16 ts low | 20 caplen | 24 original length | 28 data, options
//   SPB 0x00000003  8 original length | 12 data (interface 0; captured = min(orig, snaplen, room))
//   PB  0x00000002  8 interface id u16 | 10 drops u16 | 12 ts high | 16 ts low | 20 caplen | 24 len | 28 data
// Other block types are skipped by their length. Interface ids are the IDB numbers within
// their section, as the format defines them and as tshark 4.0 shows frame.interface_id
// (a new section starts again at 0, with its own interfaces).

import { CaptureFormatError } from '../errors.js';
import { type ReadState, type RecordReader, truncatedError } from './reader.js';
import { timeScaleOf, unitsToTime, type TimeOut, type TimeScale } from './timestamp.js';
import { MAX_TIME_SEC } from './types.js';

export const PCAPNG_BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  PB: 0x00000002,
  SPB: 0x00000003,
  EPB: 0x00000006,
} as const;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const PCAPNG_OPTION = { endOfOpt: 0, ifTsresol: 9, ifTsoffset: 14 } as const;

const BLOCK_HEADER_BYTES = 12; // type + length + trailing length
const SHB_MIN_BYTES = 28;
const IDB_MIN_BYTES = 20;
const EPB_MIN_BYTES = 32; // also the obsolete Packet Block's
const SPB_MIN_BYTES = 16;
/** Headroom of a block over its packet data (block header, EPB fields, options). */
const BLOCK_HEADROOM_BYTES = 4096;

interface Interface {
  readonly linktype: number;
  /** 0 = no limit. */
  readonly snaplen: number;
  readonly scale: TimeScale;
  /** if_tsoffset exactly (scale.offsetSec is its nearest double). */
  readonly offsetBig: bigint;
}

const BLOCK_NAMES: Record<number, string> = {
  [PCAPNG_BLOCK.SHB]: 'section header block',
  [PCAPNG_BLOCK.IDB]: 'interface description block',
  [PCAPNG_BLOCK.PB]: 'packet block',
  [PCAPNG_BLOCK.SPB]: 'simple packet block',
  [PCAPNG_BLOCK.EPB]: 'enhanced packet block',
};

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `block (type 0x${type.toString(16).padStart(8, '0')})`;
}

export class PcapngReader implements RecordReader {
  need = BLOCK_HEADER_BYTES;
  /** Byte order of the current section. */
  private le = true;
  private interfaces: Interface[] = [];
  /** Link type and snap length of the file's first interface (tcpdump's "reading from" line). */
  firstInterface: { readonly linktype: number; readonly snaplen: number } | undefined;
  /** Type of the block being waited for (for the truncation message), or -1 for a header. */
  private pendingType = -1;
  private readonly time: TimeOut = { sec: 0, nsec: 0 };

  constructor(private readonly state: ReadState) {}

  parse(buf: Uint8Array, off: number, end: number, absOff: number): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const start = off;
    const state = this.state;
    while (end - off >= BLOCK_HEADER_BYTES) {
      const at = absOff + (off - start);
      let type = view.getUint32(off, this.le);
      if (type === PCAPNG_BLOCK.SHB) {
        // The type is a palindrome; the byte-order magic decides how to read the rest.
        const bom = view.getUint32(off + 8, true);
        if (bom === PCAPNG_BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          throw new CaptureFormatError(
            `corrupt section header block at byte ${at}: byte-order magic 0x${bom.toString(16).padStart(8, '0')}`,
            at,
          );
        }
        type = PCAPNG_BLOCK.SHB;
      }
      const le = this.le;
      const length = view.getUint32(off + 4, le);
      const maxBlockBytes = state.maxRecordBytes + BLOCK_HEADROOM_BYTES;
      if (length < BLOCK_HEADER_BYTES || length % 4 !== 0 || length > maxBlockBytes) {
        throw new CaptureFormatError(
          `corrupt ${blockName(type)} at byte ${at}: block length ${length} ` +
            (length > maxBlockBytes
              ? `exceeds ${maxBlockBytes} bytes (limit record-bytes)`
              : length < BLOCK_HEADER_BYTES
                ? `is below the minimum of ${BLOCK_HEADER_BYTES}`
                : 'is not a multiple of 4'),
          at,
        );
      }
      if (end - off < length) {
        this.need = length;
        this.pendingType = type;
        return off;
      }
      const trailing = view.getUint32(off + length - 4, le);
      if (trailing !== length) {
        throw new CaptureFormatError(
          `corrupt ${blockName(type)} at byte ${at}: block length ${length} but trailing length ${trailing}`,
          at,
        );
      }
      switch (type) {
        case PCAPNG_BLOCK.EPB:
        case PCAPNG_BLOCK.PB: {
          if (length < EPB_MIN_BYTES) throw this.tooShort(type, length, EPB_MIN_BYTES, at);
          const ifId = type === PCAPNG_BLOCK.EPB ? view.getUint32(off + 8, le) : view.getUint16(off + 8, le);
          const caplen = view.getUint32(off + 20, le);
          if (caplen > length - EPB_MIN_BYTES) {
            throw new CaptureFormatError(
              `corrupt ${blockName(type)} at byte ${at}: captured length ${caplen} does not fit in a block of ${length} bytes`,
              at,
            );
          }
          const iface = this.interfaceOf(ifId, type, at);
          unitsToTime(iface.scale, view.getUint32(off + 12, le), view.getUint32(off + 16, le), this.time);
          let timeOutOfRange: string | undefined;
          if (!(Math.abs(this.time.sec) <= MAX_TIME_SEC)) {
            timeOutOfRange = exactTime(iface, view.getUint32(off + 12, le), view.getUint32(off + 16, le));
            this.time.sec = 0;
            this.time.nsec = 0;
          }
          const prefilter = state.prefilter;
          if (prefilter !== undefined && !prefilter(buf, off + 28, off + 28 + caplen, iface.linktype, this.time.sec, this.time.nsec)) {
            state.frames++;
            break;
          }
          if (state.taker !== undefined && timeOutOfRange === undefined
            && state.offer(buf, off + 28, this.time.sec, this.time.nsec, iface.scale.digits, iface.linktype, ifId, caplen, view.getUint32(off + 24, le))) {
            break;
          }
          state.sink({
            number: ++state.frames,
            tsSec: this.time.sec,
            tsNsec: this.time.nsec,
            tsDigits: iface.scale.digits,
            linktype: iface.linktype,
            interfaceId: ifId,
            capturedLength: caplen,
            originalLength: view.getUint32(off + 24, le),
            data: new Uint8Array(buf.buffer, buf.byteOffset + off + 28, caplen),
            ...(timeOutOfRange !== undefined ? { timeOutOfRange } : {}),
          });
          break;
        }
        case PCAPNG_BLOCK.SPB: {
          if (length < SPB_MIN_BYTES) throw this.tooShort(type, length, SPB_MIN_BYTES, at);
          const iface = this.interfaceOf(0, type, at);
          const originalLength = view.getUint32(off + 8, le);
          let caplen = Math.min(originalLength, length - SPB_MIN_BYTES);
          if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
          // No timestamp in an SPB: time 0, as Wireshark shows it.
          state.sink({
            number: ++state.frames,
            tsSec: 0,
            tsNsec: 0,
            tsDigits: iface.scale.digits,
            linktype: iface.linktype,
            interfaceId: 0,
            capturedLength: caplen,
            originalLength,
            data: new Uint8Array(buf.buffer, buf.byteOffset + off + 12, caplen),
          });
          break;
        }
        case PCAPNG_BLOCK.IDB:
          if (length < IDB_MIN_BYTES) throw this.tooShort(type, length, IDB_MIN_BYTES, at);
          if (this.interfaces.length >= state.maxInterfacesPerSection) {
            // tcpdump and Wireshark cap interfaces too: a section of millions of tiny IDBs is an attack on memory.
            throw new CaptureFormatError(
              `too many interfaces at byte ${at}: the section describes more than ${state.maxInterfacesPerSection} ` +
                '(limit interfaces-per-section; --limit interfaces-per-section=N raises it)',
              at,
            );
          }
          this.interfaces.push(this.readInterface(view, off, length, le));
          this.firstInterface ??= this.interfaces[this.interfaces.length - 1];
          break;
        case PCAPNG_BLOCK.SHB:
          if (length < SHB_MIN_BYTES) throw this.tooShort(type, length, SHB_MIN_BYTES, at);
          this.interfaces = [];
          break;
        default:
          break; // name resolution, statistics, decryption secrets, custom blocks: not needed
      }
      off += length;
      if (state.stopped) break;
    }
    if (end - off < BLOCK_HEADER_BYTES) {
      this.need = BLOCK_HEADER_BYTES;
      this.pendingType = -1;
    }
    return off;
  }

  truncated(have: number, absOff: number): CaptureFormatError {
    if (this.pendingType < 0 || have < BLOCK_HEADER_BYTES) {
      return truncatedError('block header', false, BLOCK_HEADER_BYTES, have, absOff);
    }
    return truncatedError(blockName(this.pendingType), true, this.need, have, absOff);
  }

  private interfaceOf(id: number, type: number, at: number): Interface {
    const iface = this.interfaces[id];
    if (iface === undefined) {
      throw new CaptureFormatError(
        `corrupt ${blockName(type)} at byte ${at}: interface ${id} not described (the section has ${this.interfaces.length})`,
        at,
      );
    }
    return iface;
  }

  private tooShort(type: number, length: number, min: number, at: number): CaptureFormatError {
    return new CaptureFormatError(`corrupt ${blockName(type)} at byte ${at}: ${length} bytes, at least ${min} needed`, at);
  }

  private readInterface(view: DataView, off: number, length: number, le: boolean): Interface {
    const linktype = view.getUint16(off + 8, le);
    const snaplen = view.getUint32(off + 12, le);
    let tsresol: number | undefined;
    let offsetBig = 0n;
    // Options: code u16, length u16, value padded to 32 bits; a malformed list ends the scan.
    let p = off + 16;
    const optEnd = off + length - 4;
    while (p + 4 <= optEnd) {
      const code = view.getUint16(p, le);
      const len = view.getUint16(p + 2, le);
      if (code === PCAPNG_OPTION.endOfOpt || p + 4 + len > optEnd) break;
      if (code === PCAPNG_OPTION.ifTsresol && len >= 1) tsresol = view.getUint8(p + 4);
      else if (code === PCAPNG_OPTION.ifTsoffset && len >= 8) {
        // Signed 64-bit seconds, kept exact (a huge offset must not become NaN or a rounded date).
        offsetBig = view.getBigInt64(p + 4, le);
      }
      p += 4 + ((len + 3) & ~3);
    }
    return { linktype, snaplen, scale: timeScaleOf(tsresol, Number(offsetBig)), offsetBig };
  }
}

/** The exact time of a 64-bit unit count on `iface`, as decimal seconds (for out-of-range times). */
function exactTime(iface: Interface, high: number, low: number): string {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const s = iface.scale;
  const perSecond = s.kind === 'dec' ? 10n ** BigInt(s.exp) : 1n << BigInt(s.exp);
  const sec = units / perSecond + iface.offsetBig;
  const frac = ((units % perSecond) * 10n ** BigInt(s.digits)) / perSecond;
  return s.digits > 0 ? `${sec}.${frac.toString().padStart(s.digits, '0')}` : `${sec}`;
}
