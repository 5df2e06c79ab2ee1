// Writes frames as a classic pcap file (pcap-savefile(5)), readable by tcpdump and tshark.
// Layout: see pcap.ts. Always written little-endian (readers tell the byte order from the
// magic), microsecond magic a1b2c3d4 by default or nanosecond a1b23c4d. Output is buffered (one write per ~1 MiB);
// flush() pushes it out (-l), close() flushes and closes so a Ctrl-C handler leaves a
// complete file. A frame of another link type cannot go into a one-linktype file: it is
// skipped and counted.

import { closeSync, openSync, writeSync } from 'node:fs';
import { CarpdumpError } from '../errors.js';
import { describeFsError } from './open.js';
import { PCAP_FILE_HEADER_BYTES, PCAP_MAGIC, PCAP_RECORD_HEADER_BYTES } from './pcap.js';
import type { RawFrame } from './types.js';

export const DEFAULT_SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;
const BUFFER_BYTES = 1024 * 1024;
const STDOUT_FD = 1;

export interface PcapWriterOptions {
  /**
   * LINKTYPE_* of the file. Undefined: taken from the first frame (LINKTYPE_ETHERNET if the
   * file is closed without frames).
   */
  linktype?: number;
  /** Snapshot length in the header; longer frames are cut to it. Default 262144. */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d). Default: microseconds. */
  nanosecond?: boolean;
}

/**
 * A file ('-' = standard output) written through a 1 MiB buffer: the pcapng writer's output,
 * and the base of PcapWriter (which builds its records in place in `buf`).
 */
export class FileOutput {
  closed = false;
  private readonly fd: number;
  protected readonly buf = new Uint8Array(BUFFER_BYTES);
  protected used = 0;

  /** Opens (creates/truncates) `path`, or standard output for '-'. Throws CarpdumpError. */
  constructor(readonly path: string) {
    this.fd = openOutput(path);
  }

  write(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buf.length) this.flush();
    if (bytes.length > this.buf.length) { this.writeAll(bytes); return; }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Writes the buffered bytes out (for -l, and before close). */
  flush(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.writeAll(this.buf.subarray(0, n));
  }

  /** Flushes and closes; the file is complete afterwards. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeOutput(this.fd, this.path);
  }

  protected writeAll(bytes: Uint8Array): void {
    try {
      writeAllSync(this.fd, bytes, this.path);
    } catch (error) {
      this.closed = true;
      throw error;
    }
  }
}

export class PcapWriter extends FileOutput {
  /** Frames written. */
  packetsWritten = 0;
  /** Frames skipped because their link type differs from the file's. */
  skippedOtherLinktype = 0;
  private readonly view = new DataView(this.buf.buffer);
  private linktype: number | undefined;
  private readonly snaplen: number;
  private readonly nanosecond: boolean;
  private headerWritten = false;

  /** Opens (creates/truncates) `path`, or standard output for '-'. Throws CarpdumpError. */
  constructor(path: string, options: PcapWriterOptions = {}) {
    super(path);
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    this.nanosecond = options.nanosecond ?? false;
    this.linktype = options.linktype;
    if (this.linktype !== undefined) this.writeHeader(this.linktype);
  }

  writeFrame(frame: RawFrame): void {
    if (this.closed) return;
    if (this.linktype === undefined) {
      this.linktype = frame.linktype;
      this.writeHeader(frame.linktype);
    }
    if (frame.linktype !== this.linktype) {
      this.skippedOtherLinktype++;
      return;
    }
    const caplen = Math.min(frame.data.length, this.snaplen);
    const total = PCAP_RECORD_HEADER_BYTES + caplen;
    if (this.used + total > this.buf.length) this.flush();
    const fraction = this.nanosecond ? frame.tsNsec : Math.floor(frame.tsNsec / 1000);
    // A record larger than the whole buffer (header = -1): its header goes through the
    // (now empty) buffer and its data is written directly.
    const header = this.used + total <= this.buf.length ? this.used : -1;
    const at = header >= 0 ? header : 0;
    this.view.setUint32(at, frame.tsSec >>> 0, true);
    this.view.setUint32(at + 4, fraction, true);
    this.view.setUint32(at + 8, caplen, true);
    this.view.setUint32(at + 12, frame.originalLength >>> 0, true); // as read, even if odd
    if (header >= 0) {
      this.buf.set(frame.data.subarray(0, caplen), at + PCAP_RECORD_HEADER_BYTES);
      this.used += total;
    } else {
      this.used = PCAP_RECORD_HEADER_BYTES;
      this.flush();
      this.writeAll(frame.data.subarray(0, caplen));
    }
    this.packetsWritten++;
  }

  /** Flushes and closes (a file with no frame still gets its header). Idempotent. */
  override close(): void {
    if (this.closed) return;
    if (!this.headerWritten) this.writeHeader(this.linktype ?? LINKTYPE_ETHERNET);
    super.close();
  }

  private writeHeader(linktype: number): void {
    const v = this.view;
    const at = this.used;
    v.setUint32(at, this.nanosecond ? PCAP_MAGIC.nanoLE : PCAP_MAGIC.microLE, true);
    v.setUint16(at + 4, 2, true); // version major
    v.setUint16(at + 6, 4, true); // version minor
    v.setInt32(at + 8, 0, true); // thiszone
    v.setUint32(at + 12, 0, true); // sigfigs
    v.setUint32(at + 16, this.snaplen, true);
    v.setUint32(at + 20, linktype, true);
    this.used += PCAP_FILE_HEADER_BYTES;
    this.headerWritten = true;
  }
}

/** Opens `path` for writing ('-' = standard output); throws CarpdumpError. */
function openOutput(path: string): number {
  if (path === '-') return STDOUT_FD;
  try {
    return openSync(path, 'w');
  } catch (error) {
    throw new CarpdumpError(`cannot write ${path}: ${describeFsError(error)}`);
  }
}

/** Closes what openOutput opened (standard output stays open). */
function closeOutput(fd: number, path: string): void {
  if (fd === STDOUT_FD) return;
  try {
    closeSync(fd);
  } catch (error) {
    throw new CarpdumpError(`cannot write ${path}: ${describeFsError(error)}`);
  }
}

/** Writes all of `bytes` to `fd`, retrying a full non-blocking pipe; throws CarpdumpError. */
export function writeAllSync(fd: number, bytes: Uint8Array, path: string): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (error) {
      // A non-blocking stdout pipe that is full: wait a little and retry.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        sleepMs(1);
        continue;
      }
      throw new CarpdumpError(`cannot write ${path === '-' ? 'standard output' : path}: ${describeFsError(error)}`);
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
