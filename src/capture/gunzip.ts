// gzip (RFC 1952) decompression that keeps what it decompressed. zlib's Gunzip fails a whole
// write when the bytes after a member are not another member (trailing garbage), losing the
// output of that write: a 15-frame .pcap.gz with 100 bytes appended gave 0 frames. Here each
// member's header is parsed by hand and its deflate data inflated raw, which stops at the end of
// the deflate stream and says how much input it used; then the 8-byte trailer (CRC-32, ISIZE)
// is checked. Several members are concatenated (as `gzip -dc` does); anything after the last
// member that is not a gzip header is trailing garbage, reported once all data is out.
//
//   member: 1f 8b | CM=8 | FLG | MTIME u32 | XFL | OS | [FEXTRA len u16le, data] [FNAME\0]
//           [FCOMMENT\0] [FHCRC u16] | deflate data | CRC-32 u32le | ISIZE u32le

import { createInflateRaw, crc32 } from 'node:zlib';
import { CarpdumpError } from '../errors.js';

export interface GunzipResult {
  /** Bytes after the last gzip member that are not a gzip member (0 = none). */
  trailingGarbage: number;
  /** Compressed offset where the garbage starts. */
  garbageAt: number;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** Length of the member header at the start of `b`; undefined when more bytes are needed; -1 when not a gzip header. */
function headerLength(b: Uint8Array): number | undefined {
  if (b.length >= 1 && b[0] !== 0x1f) return -1;
  if (b.length >= 2 && b[1] !== 0x8b) return -1;
  if (b.length >= 3 && b[2] !== 8) return -1;
  if (b.length < 10) return undefined;
  const flg = b[3]!;
  let p = 10;
  if (flg & FEXTRA) {
    if (b.length < p + 2) return undefined;
    p += 2 + (b[p]! | (b[p + 1]! << 8));
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flg & f) {
      const z = b.indexOf(0, p);
      if (z < 0) return undefined;
      p = z + 1;
    }
  }
  if (flg & FHCRC) p += 2;
  return b.length >= p ? p : undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Resolves when `start`'s callback runs or the stream fails, whichever comes first (a failed write never calls back). */
function settled(stream: NodeJS.EventEmitter, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('error', done);
      resolve();
    };
    stream.once('error', done);
    start(done);
  });
}

const corrupt = (what: string): CarpdumpError => new CarpdumpError(`gzip data is corrupt or truncated (${what})`);

/**
 * Decompresses `input` member by member, yielding the output as it comes. Damage inside a
 * member throws (after everything before it was yielded); garbage after the last member is
 * counted into `result` and ends the output normally.
 */
export async function* gunzipMembers(input: AsyncIterable<Uint8Array>, result: GunzipResult): AsyncGenerator<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  let pending: Uint8Array = new Uint8Array(0);
  let consumed = 0; // compressed bytes before pending[0]
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done === true) {
      eof = true;
      return false;
    }
    pending = concat(pending, r.value);
    return true;
  };
  const take = (n: number): void => {
    pending = pending.subarray(n);
    consumed += n;
  };
  try {
    for (let member = 0; ; member++) {
      let hlen = headerLength(pending);
      while (hlen === undefined && (await more())) hlen = headerLength(pending);
      if (member > 0 && pending.length === 0) return;
      if (hlen === undefined || hlen < 0) {
        if (member === 0) throw corrupt(hlen === undefined ? 'unexpected end of file' : 'incorrect header check');
        result.garbageAt = consumed;
        let garbage = pending.length;
        while (await more()) {
          garbage += pending.length;
          pending = new Uint8Array(0);
        }
        result.trailingGarbage = garbage;
        return;
      }
      take(hlen);
      const inflate = createInflateRaw({ chunkSize: 256 * 1024 });
      const out: Uint8Array[] = [];
      let ended = false;
      let error: Error | undefined;
      inflate.on('data', (d: Uint8Array) => out.push(d));
      inflate.on('end', () => { ended = true; });
      inflate.on('error', (e: Error) => { error = e; });
      let crc = 0;
      let size = 0;
      let written = 0;
      for (;;) {
        if (pending.length === 0 && !(await more())) {
          // Input ended inside the deflate data: flush what can be had, then say so.
          await settled(inflate, (done) => inflate.end(done));
          await new Promise<void>((resolve) => setImmediate(resolve));
          for (const d of out) yield d;
          throw corrupt('unexpected end of file');
        }
        const chunk = pending;
        await settled(inflate, (done) => inflate.write(chunk, done));
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const d of out) {
          crc = crc32(d, crc);
          size = (size + d.length) >>> 0;
          yield d;
        }
        out.length = 0;
        if (error !== undefined) throw corrupt(error.message);
        const used = inflate.bytesWritten - written;
        written = inflate.bytesWritten;
        take(used);
        if (ended || used < chunk.length) break;
      }
      inflate.destroy();
      while (pending.length < 8 && (await more()));
      if (pending.length < 8) throw corrupt('unexpected end of file in the gzip trailer');
      const v = new DataView(pending.buffer, pending.byteOffset, 8);
      if (v.getUint32(0, true) !== crc >>> 0) throw corrupt('CRC mismatch');
      if (v.getUint32(4, true) !== size) throw corrupt('length mismatch');
      take(8);
    }
  } finally {
    await it.return?.().catch(() => undefined);
  }
}
