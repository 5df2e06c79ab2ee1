// The byte stream from the capture worker (live-worker.ts) to carpdump (live.ts), over the
// worker's stdout pipe. Records, little-endian:
//
//   0      1      4        8         12               16               20
//   +------+------+--------+---------+----------------+----------------+----------------+
//   | type | 0 0 0| sec    | usec    | originalLength | payloadLength  | payload ...     |
//   +------+------+--------+---------+----------------+----------------+----------------+
//
//   FRAME  payload = the captured bytes (already cut at the snap length)
//   TICK   no payload: the worker's clock at sec.usec, in order with the frames;
//          originalLength = frames dropped so far because the queue was full
//   READY  payload = JSON {linktypeName}
//   STATS  payload = JSON WorkerStats: the socket's kernel counters at stop, the worker's counts
//   ERROR  payload = JSON {message}: the worker could not capture

export const RECORD = { frame: 1, tick: 2, ready: 3, stats: 4, error: 5 } as const;
export type RecordType = (typeof RECORD)[keyof typeof RECORD];

export const HEADER_LENGTH = 20;

export interface WireRecord {
  readonly type: RecordType;
  readonly sec: number;
  readonly usec: number;
  readonly originalLength: number;
  /** A view into the parser's buffer, valid until the callback returns. */
  readonly payload: Uint8Array;
}

export function encodeHeader(type: RecordType, sec: number, usec: number, originalLength: number, payloadLength: number): Buffer {
  const h = Buffer.alloc(HEADER_LENGTH);
  writeHeader(h, 0, type, sec, usec, originalLength, payloadLength);
  return h;
}

/** Write a record header into BUF at OFFSET (the capture worker packs records into chunks). */
export function writeHeader(
  buf: Buffer, offset: number, type: RecordType, sec: number, usec: number, originalLength: number, payloadLength: number,
): void {
  buf.writeUInt32LE(type, offset);
  buf.writeUInt32LE(sec >>> 0, offset + 4);
  buf.writeUInt32LE(usec >>> 0, offset + 8);
  buf.writeUInt32LE(originalLength >>> 0, offset + 12);
  buf.writeUInt32LE(payloadLength >>> 0, offset + 16);
}

/** The STATS record: the kernel counters read when the capture stopped, and the worker's own. */
export interface WorkerStats {
  /** False when the kernel counters could not be read (then packets and drops are 0). */
  readonly known: boolean;
  /** Received by filter (kernel drops included) and dropped by the kernel. */
  readonly packets: number;
  readonly drops: number;
  /** Frames libpcap handed over that the kernel counted; frames written to the pipe. */
  readonly read: number;
  readonly sent: number;
  /** Frames dropped because the queue to carpdump was full. */
  readonly queueDrops: number;
  /** An interim reading while the capture runs (--metrics), not the counters at stop. */
  readonly interim?: boolean;
}

export function isWorkerStats(v: unknown): v is WorkerStats {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.known === 'boolean' && ['packets', 'drops', 'read', 'sent', 'queueDrops'].every((k) => typeof o[k] === 'number');
}

export function encodeJsonRecord(type: RecordType, value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([encodeHeader(type, 0, 0, 0, body.length), body]);
}

function isRecordType(t: number): t is RecordType {
  return t >= RECORD.frame && t <= RECORD.error;
}

/** Splits the pipe's chunks into records, whatever the chunk boundaries. */
export class WireParser {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onRecord: (r: WireRecord) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= HEADER_LENGTH) {
      const type = buf.readUInt8(off);
      const payloadLength = buf.readUInt32LE(off + 16);
      if (!isRecordType(type)) throw new Error(`capture worker stream: bad record type ${type} at offset ${off}`);
      if (buf.length - off < HEADER_LENGTH + payloadLength) break;
      this.onRecord({
        type,
        sec: buf.readUInt32LE(off + 4),
        usec: buf.readUInt32LE(off + 8),
        originalLength: buf.readUInt32LE(off + 12),
        payload: buf.subarray(off + HEADER_LENGTH, off + HEADER_LENGTH + payloadLength),
      });
      off += HEADER_LENGTH + payloadLength;
    }
    buf = buf.subarray(off);
    // Copy the tail: the chunk it points into may be large and is otherwise garbage.
    this.pending = buf.length > 0 ? Buffer.from(buf) : Buffer.alloc(0);
  }

  /** Bytes of an incomplete record at the end of the stream. */
  get leftover(): number {
    return this.pending.length;
  }
}

export function decodeJson(payload: Uint8Array): unknown {
  return JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
}
