// The --wordlist audit's inner loop: candidate passphrases as byte ranges of one buffer (a block
// of the file, or words encoded once), tried against a few fixed messages.
//
// HMAC-SHA1(K, M) = SHA1((K0 ^ opad) || SHA1((K0 ^ ipad) || M)); a CARP key is the first 19 bytes
// of the passphrase, so K0 is five words k0..k4 then zeros. Per candidate: the ipad and opad
// states (one compression each, from the key's five words: sha1-unrolled.ts folds the constant
// rest), then per message its block(s) with the schedule precomputed once per message
// (compressScheduled: M is the same for every candidate) and the outer block. No allocation per
// candidate, no string per line: the key words are read from the bytes; a line with a byte >= 0x80
// in its first 19 bytes is decoded and re-encoded (the key of the string the line decodes to, as
// StringDecoder + Buffer.from gave: invalid UTF-8 becomes U+FFFD), and a string is made only for a hit.

import { CARP_KEY_BYTES } from './hmac.js';
import { compress, innerBlocks } from './sha1.js';
import { compressScheduled, ipadState, opadState, outerState } from './sha1-unrolled.js';
import type { AuditHit, AuditTarget } from './audit-types.js';

/** Lines of a wordlist as byte ranges: line i is bytes[bounds[2i], bounds[2i+1]) (no \r\n, never empty). */
export interface WordBlock {
  readonly bytes: Uint8Array;
  readonly bounds: Int32Array;
  readonly count: number;
}

/** The line as text (the passphrase of a hit). */
export function wordAt(block: WordBlock, i: number): string {
  return Buffer.from(block.bytes.buffer, block.bytes.byteOffset, block.bytes.byteLength).toString('utf8', block.bounds[2 * i]!, block.bounds[2 * i + 1]!);
}

/** Lines of the list handed out together, from line `base` on; `words` when the list was strings (the hit's text is taken from it). */
export interface Chunk { base: number; block: WordBlock; words?: readonly string[] }

/** The text of line `i` of a chunk. */
export const chunkWord = (c: Chunk, i: number): string => c.words?.[i] ?? wordAt(c.block, i);

/** Words as one block of their UTF-8 bytes (lists passed as arrays, chunks for the workers). */
export function encodeWords(words: readonly string[]): WordBlock {
  let size = 0;
  for (const w of words) size += w.length * 3;
  const bytes = Buffer.allocUnsafe(Math.max(1, size));
  const bounds = new Int32Array(2 * words.length);
  let o = 0;
  for (let i = 0; i < words.length; i++) {
    bounds[2 * i] = o;
    o += bytes.write(words[i]!, o, 'utf8');
    bounds[2 * i + 1] = o;
  }
  return { bytes, bounds, count: words.length };
}

/** Lines from..to of `block`, in the same buffer (no copy). */
export function subBlock(block: WordBlock, from: number, to: number): WordBlock {
  return { bytes: block.bytes, bounds: block.bounds.subarray(2 * from, 2 * to), count: to - from };
}

/**
 * `block` copied into buffers of its own, `spare`'s when they are large enough (the pool recycles
 * the buffers its workers send back): a block that can be transferred to a worker, or kept while
 * the file's reader reuses its buffer.
 */
export function copyBlock(block: WordBlock, spare?: { bytes: Uint8Array; bounds: Int32Array }): WordBlock {
  const { count } = block;
  const base = count > 0 ? block.bounds[0]! : 0;
  const end = count > 0 ? block.bounds[2 * count - 1]! : base;
  const bytes = spare && spare.bytes.length >= end - base ? spare.bytes : new Uint8Array(Math.max(end - base, 1 << 18));
  const bounds = spare && spare.bounds.length >= 2 * count ? spare.bounds : new Int32Array(Math.max(2 * count, 1 << 15));
  bytes.set(block.bytes.subarray(base, end));
  for (let i = 0; i < 2 * count; i++) bounds[i] = block.bounds[i]! - base;
  return { bytes, bounds, count };
}

/** A target prepared once: the schedule (plus round constants) of each block of M, the md as words. */
export interface PreparedTarget {
  readonly wk: Int32Array;
  readonly blocks: number;
  readonly md: Int32Array;
}

const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6].map((x) => x | 0);

/** The 80 schedule words of `block` plus their round constants into wk[off..off+79]. */
export function scheduleWithK(block: Int32Array, wk: Int32Array, off: number): void {
  const w = new Int32Array(80);
  compress(new Int32Array(5), block, w); // fills w with the schedule
  for (let i = 0; i < 80; i++) wk[off + i] = (w[i]! + K[Math.floor(i / 20)]!) | 0;
}

export function prepareTarget(t: AuditTarget): PreparedTarget {
  const blocks = innerBlocks(t.message);
  const wk = new Int32Array(80 * blocks.length);
  blocks.forEach((b, i) => scheduleWithK(b, wk, 80 * i));
  const v = new DataView(t.md.buffer, t.md.byteOffset, t.md.byteLength);
  return { wk, blocks: blocks.length, md: Int32Array.of(v.getInt32(0), v.getInt32(4), v.getInt32(8), v.getInt32(12), v.getInt32(16)) };
}

const kw = new Int32Array(5);
const iState = new Int32Array(5);
const oState = new Int32Array(5);
const s = new Int32Array(5);

/** The key words of a line with a byte >= 0x80: UTF-8 of its decoded text, first 19 bytes. */
function slowKey(block: WordBlock, i: number): void {
  const key = Buffer.from(wordAt(block, i), 'utf8');
  kw.fill(0);
  const n = Math.min(key.length, CARP_KEY_BYTES);
  for (let j = 0; j < n; j++) kw[j >> 2]! |= key[j]! << (24 - 8 * (j & 3));
}

/**
 * Lines from..count-1 of `block` tried against every target; the first hit (lowest line, then
 * lowest target) or undefined. `stop` is polled every 256 lines (a worker told to give up).
 */
export function auditBlock(block: WordBlock, targets: readonly PreparedTarget[], stop?: () => boolean, from = 0): AuditHit | undefined {
  const { bytes, bounds, count } = block;
  const nt = targets.length;
  if (nt === 0) return undefined;
  for (let idx = from; idx < count; idx++) {
    if (stop !== undefined && (idx & 255) === 0 && stop()) return undefined;
    const st = bounds[2 * idx]!;
    const n = Math.min(bounds[2 * idx + 1]! - st, CARP_KEY_BYTES);
    kw[0] = 0; kw[1] = 0; kw[2] = 0; kw[3] = 0; kw[4] = 0;
    let high = 0;
    for (let j = 0; j < n; j++) {
      const c = bytes[st + j]!;
      high |= c;
      kw[j >> 2]! |= c << (24 - ((j & 3) << 3));
    }
    if (high & 0x80) slowKey(block, idx);
    ipadState(iState, kw);
    opadState(oState, kw);
    for (let t = 0; t < nt; t++) {
      const p = targets[t]!;
      s[0] = iState[0]!; s[1] = iState[1]!; s[2] = iState[2]!; s[3] = iState[3]!; s[4] = iState[4]!;
      for (let b = 0; b < p.blocks; b++) compressScheduled(s, p.wk, 80 * b);
      outerState(s, oState, s);
      const md = p.md;
      if (s[0] === md[0] && s[1] === md[1] && s[2] === md[2] && s[3] === md[3] && s[4] === md[4]) return { index: idx, target: t };
    }
  }
  return undefined;
}
