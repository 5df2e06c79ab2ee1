// Streaming push parser for capture files: feed() it chunks of any size, it emits RawFrames
// in order as soon as each record is complete. Memory stays bounded by the largest record:
// complete records are read in place from the chunk (frame.data is a view into it), and only
// an incomplete tail is copied into a reusable pending buffer.
//
// The format is told by the first four bytes: a classic pcap magic (pcap.ts) or a pcapng
// Section Header Block type (pcapng.ts). Errors are CarpdumpError (not a capture) or
// CaptureFormatError (damage, with the byte offset), thrown only after every complete record
// before the damage was emitted; nothing else is thrown (except what the sink itself throws).

import { CarpdumpError } from '../errors.js';
import { pcapReaderFor, type PcapReader } from './pcap.js';
import { PCAPNG_BLOCK, PcapngReader } from './pcapng.js';
import { ReadState, type RecordReader } from './reader.js';
import type { FrameSink, RecordPrefilter, RecordTaker } from './types.js';

export type CaptureFormat = 'pcap' | 'pcapng';

const MAGIC_BYTES = 4;
const SHRINK_ABOVE = 16 * 1024 * 1024;

export class CaptureParser {
  private readonly state: ReadState;
  private reader: RecordReader | undefined;
  private kind: CaptureFormat | undefined;
  /** Bytes of an incomplete record, waiting for the next chunk. */
  private pending = new Uint8Array(0);
  private pendingLen = 0;
  /** Bytes the next unit needs (counted from the start of pending). */
  private need = MAGIC_BYTES;
  private consumed = 0;
  private done = false;

  constructor(sink: FrameSink, maxInterfacesPerSection?: number, maxRecordBytes?: number) {
    this.state = new ReadState(sink);
    if (maxInterfacesPerSection !== undefined) this.state.maxInterfacesPerSection = maxInterfacesPerSection;
    if (maxRecordBytes !== undefined) this.state.maxRecordBytes = maxRecordBytes;
  }

  /** 'pcap' or 'pcapng' once the first four bytes were seen. */
  get format(): CaptureFormat | undefined {
    return this.kind;
  }

  /** Stream offset just after the last complete record (or header) consumed. */
  get bytesConsumed(): number {
    return this.consumed;
  }

  /** Frames emitted so far. */
  get frameCount(): number {
    return this.state.frames;
  }

  /** Link type and snap length of the file header (pcap) or first interface (pcapng), once read. */
  get header(): { readonly linktype: number; readonly snaplen: number } | undefined {
    if (this.reader === undefined) return undefined;
    return this.kind === 'pcap' ? (this.reader as PcapReader).header : (this.reader as PcapngReader).firstInterface;
  }

  /** True for classic pcap files with nanosecond timestamps. */
  get nanosecond(): boolean {
    return this.kind === 'pcap' && (this.reader as PcapReader).tsDigits === 9;
  }

  /** Skip records the prefilter rejects (see RecordPrefilter); they are still numbered. */
  setPrefilter(prefilter: RecordPrefilter | undefined): void {
    this.state.prefilter = prefilter;
  }

  /** Offer the records the prefilter passes to `taker` first (see RecordTaker); what it takes is still numbered. */
  setRecordTaker(taker: RecordTaker | undefined): void {
    this.state.taker = taker;
  }

  /** Stops emitting: the frame being delivered is the last one; later feed()/end() do nothing. */
  stop(): void {
    this.state.stopped = true;
  }

  get stopped(): boolean {
    return this.state.stopped;
  }

  /** Parses a chunk. The chunk is not kept after feed() returns: the caller may reuse it. */
  feed(chunk: Uint8Array): void {
    if (this.done || this.state.stopped) return;
    let off = 0;
    const end = chunk.length;
    // Complete the pending unit first, taking from the chunk only the bytes it needs.
    while (this.pendingLen > 0 && off < end) {
      const take = Math.min(this.need - this.pendingLen, end - off);
      this.appendPending(chunk, off, take);
      off += take;
      if (this.pendingLen < this.need) return;
      const used = this.step(this.pending, 0, this.pendingLen);
      if (used > 0) {
        this.pending.copyWithin(0, used, this.pendingLen);
        this.pendingLen -= used;
        // Give back a buffer grown for one huge record.
        if (this.pendingLen === 0 && this.pending.length > SHRINK_ABOVE) this.pending = new Uint8Array(0);
      }
      if (this.state.stopped) return;
    }
    if (off < end) {
      const next = this.step(chunk, off, end);
      if (this.state.stopped) return;
      if (next < end) this.appendPending(chunk, next, end - next);
    }
  }

  /** Declares the end of input: throws if the input ends inside a header or record. */
  end(): void {
    if (this.done || this.state.stopped) return;
    this.done = true;
    if (this.pendingLen === 0 && this.reader !== undefined) return;
    if (this.reader === undefined) {
      if (this.pendingLen === 0) throw new CarpdumpError('empty file: no pcap or pcapng header');
      throw new CarpdumpError(`not a pcap or pcapng file (only ${this.pendingLen} bytes)`);
    }
    const error = this.reader.truncated(this.pendingLen, this.consumed);
    this.pendingLen = 0;
    throw error;
  }

  /** Parses whole units of buf[off, end); returns the offset after the last one consumed. */
  private step(buf: Uint8Array, off: number, end: number): number {
    try {
      if (this.reader === undefined) {
        if (end - off < MAGIC_BYTES) {
          this.need = MAGIC_BYTES;
          return off;
        }
        this.reader = this.detect(buf, off);
      }
      const next = this.reader.parse(buf, off, end, this.consumed);
      this.consumed += next - off;
      this.need = this.reader.need;
      return next;
    } catch (error) {
      // Damage (or a throwing sink) ends the stream: later feed()/end() calls do nothing.
      this.done = true;
      throw error;
    }
  }

  private detect(buf: Uint8Array, off: number): RecordReader {
    const magic = ((buf[off] as number) | ((buf[off + 1] as number) << 8) | ((buf[off + 2] as number) << 16) | ((buf[off + 3] as number) << 24)) >>> 0;
    if (magic === PCAPNG_BLOCK.SHB) {
      this.kind = 'pcapng';
      return new PcapngReader(this.state);
    }
    const pcap = pcapReaderFor(magic, this.state);
    if (pcap !== undefined) {
      this.kind = 'pcap';
      return pcap;
    }
    const hex = Array.from(buf.subarray(off, off + MAGIC_BYTES), (b) => b.toString(16).padStart(2, '0')).join('');
    const hint = buf[off] === 0x1f && buf[off + 1] === 0x8b ? ', gzip-compressed data' : '';
    throw new CarpdumpError(`not a pcap or pcapng file (magic 0x${hex}${hint})`);
  }

  private appendPending(src: Uint8Array, off: number, len: number): void {
    const needed = this.pendingLen + len;
    if (needed > this.pending.length) {
      // Grow geometrically, but not past what the record needs: a corrupt length near the
      // cap must not allocate its size before the bytes actually arrive.
      const size = Math.min(Math.max(needed, this.pending.length * 2, 4096), Math.max(needed, this.need));
      const grown = new Uint8Array(size);
      grown.set(this.pending.subarray(0, this.pendingLen));
      this.pending = grown;
    }
    this.pending.set(src.subarray(off, off + len), this.pendingLen);
    this.pendingLen = needed;
  }
}
