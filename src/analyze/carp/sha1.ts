// SHA-1 compression (FIPS 180-4) on 32-bit words and HMAC-SHA1 (RFC 2104) with the key's inner
// and outer states precomputed once:
//   HMAC(K, M) = SHA1((K0 ^ opad) || SHA1((K0 ^ ipad) || M))      K0 = K zero-padded to 64 bytes
// A CARP key is at most 19 bytes, so K0 is one block: per message only the blocks of M and one
// outer block are compressed (2 compressions for M <= 55 bytes), no objects are allocated and the
// digest is compared as five words. Per advert (HmacKey.matchesInner) the message comes as its
// padded blocks, built once per candidate (innerWords), with only the counter written in
// (setMessageU64): no byte of it is read. The per-message compressions are sha1-unrolled.ts's
// (about twice this loop's speed on V8).

import { compressAt, outerState } from './sha1-unrolled.js';

const K_5a827999 = 0x5a827999 | 0;
const K_6ed9eba1 = 0x6ed9eba1 | 0;
const K_8f1bbcdc = 0x8f1bbcdc | 0;
const K_ca62c1d6 = 0xca62c1d6 | 0;
export const SHA1_IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0] as const;

/** One SHA-1 compression of the 16-word block (big-endian words) into state `s`; `w` is scratch (80 words). */
export function compress(s: Int32Array, block: Int32Array, w: Int32Array): void {
  for (let i = 0; i < 16; i++) w[i] = block[i]!;
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!, e = s[4]!, t = 0;
  for (let i = 0; i < 20; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + ((e + w[i]!) | 0) + K_5a827999) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
  }
  for (let i = 20; i < 40; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + ((e + w[i]!) | 0) + K_6ed9eba1) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
  }
  for (let i = 40; i < 60; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + ((e + w[i]!) | 0) + K_8f1bbcdc) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
  }
  for (let i = 60; i < 80; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + ((e + w[i]!) | 0) + K_ca62c1d6) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
  }
  s[0] = (s[0]! + a) | 0; s[1] = (s[1]! + b) | 0; s[2] = (s[2]! + c) | 0;
  s[3] = (s[3]! + d) | 0; s[4] = (s[4]! + e) | 0;
}

/** M after the 64-byte key block, padded: blocks of 16 big-endian words. */
export function innerBlocks(message: Uint8Array): Int32Array[] {
  const total = 64 + message.length;
  const padded = Math.ceil((message.length + 9) / 64) * 64;
  const bytes = new Uint8Array(padded);
  bytes.set(message);
  bytes[message.length] = 0x80;
  const view = new DataView(bytes.buffer);
  view.setUint32(padded - 4, (total * 8) >>> 0, false);
  view.setUint32(padded - 8, Math.floor((total * 8) / 2 ** 32), false);
  const blocks: Int32Array[] = [];
  for (let o = 0; o < padded; o += 64) {
    const blk = new Int32Array(16);
    for (let i = 0; i < 16; i++) blk[i] = view.getInt32(o + 4 * i, false);
    blocks.push(blk);
  }
  return blocks;
}

/**
 * M's padded blocks after the 64-byte key block (innerBlocks) as one array of big-endian words,
 * 16 per block: what HmacKey.matchesInner compresses. Built once per candidate message; the
 * bytes that change per advert (the counter) are written in with setMessageBytes.
 */
export function innerWords(message: Uint8Array): Int32Array {
  const blocks = innerBlocks(message);
  const out = new Int32Array(16 * blocks.length);
  for (let i = 0; i < blocks.length; i++) out.set(blocks[i]!, 16 * i);
  return out;
}

/**
 * Message bytes [at, at + 8) of innerWords' `words` set to the big-endian u64 (hi, lo), at any
 * alignment: at = 4q + r puts its first 4 - r bytes in the low end of word q, and its last r
 * bytes in the high end of word q + 2; the other bytes of those words are kept.
 */
export function setMessageU64(words: Int32Array, at: number, hi: number, lo: number): void {
  const q = at >> 2, r = at & 3;
  if (r === 0) { words[q] = hi; words[q + 1] = lo; return; }
  const sh = r << 3, low = (1 << (32 - sh)) - 1; // low: the 4 - r low bytes of a word
  words[q] = (words[q]! & ~low) | (hi >>> sh);
  words[q + 1] = (hi << (32 - sh)) | (lo >>> sh);
  words[q + 2] = (lo << (32 - sh)) | (words[q + 2]! & low);
}

/** The 20-byte digest as five big-endian words. */
export function digestWords(md: Uint8Array): Int32Array {
  const v = new DataView(md.buffer, md.byteOffset, md.byteLength);
  return Int32Array.of(v.getInt32(0), v.getInt32(4), v.getInt32(8), v.getInt32(12), v.getInt32(16));
}

/** Inner and outer states of a key of at most 64 bytes into `iState` / `oState`. */
export function keyStates(key: Uint8Array, iState: Int32Array, oState: Int32Array, w: Int32Array): void {
  const ipad = new Int32Array(16);
  const opad = new Int32Array(16);
  for (let i = 0; i < 16; i++) {
    const kw = ((key[4 * i] ?? 0) << 24) | ((key[4 * i + 1] ?? 0) << 16) | ((key[4 * i + 2] ?? 0) << 8) | (key[4 * i + 3] ?? 0);
    ipad[i] = kw ^ 0x36363636;
    opad[i] = kw ^ 0x5c5c5c5c;
  }
  iState.set(SHA1_IV); compress(iState, ipad, w);
  oState.set(SHA1_IV); compress(oState, opad, w);
}

const scratchW = new Int32Array(80);
const scratchS = new Int32Array(5);
const scratchBlock = new Int32Array(16);

/** HMAC-SHA1 with one key (at most 64 bytes), its pad states computed once. */
export class HmacKey {
  private readonly iState = new Int32Array(5);
  private readonly oState = new Int32Array(5);

  constructor(key: Uint8Array) {
    if (key.length > 64) throw new RangeError('HmacKey: key longer than one block');
    keyStates(key, this.iState, this.oState, scratchW);
  }

  /** The MAC of `message` as five words into `out` (no allocation for messages up to 119 bytes). */
  macWords(message: Uint8Array, out: Int32Array): void {
    const s = out;
    s.set(this.iState);
    const len = message.length;
    const total = 64 + len;
    const blk = scratchBlock;
    // process M in 64-byte blocks, padding built in place
    const padded = Math.ceil((len + 9) / 64) * 64;
    for (let o = 0; o < padded; o += 64) {
      for (let i = 0; i < 16; i++) {
        let word = 0;
        for (let j = 0; j < 4; j++) {
          const p = o + 4 * i + j;
          const byte = p < len ? message[p]! : p === len ? 0x80 : 0;
          word = (word << 8) | byte;
        }
        blk[i] = word;
      }
      if (o + 64 === padded) {
        blk[14] = Math.floor((total * 8) / 2 ** 32) | 0;
        blk[15] = (total * 8) | 0;
      }
      compressAt(s, blk, 0);
    }
    this.outer(s);
  }

  /**
   * HMAC(key, M) == the five words of `md`, M given as innerWords(M): its blocks compressed as
   * they are, no byte of M read (per advert, the counter is set in them with setMessageBytes).
   */
  matchesInner(words: Int32Array, md: Int32Array): boolean {
    const s = scratchS, i = this.iState;
    s[0] = i[0]!; s[1] = i[1]!; s[2] = i[2]!; s[3] = i[3]!; s[4] = i[4]!;
    for (let o = 0; o < words.length; o += 16) compressAt(s, words, o);
    this.outer(s);
    return s[0] === md[0] && s[1] === md[1] && s[2] === md[2] && s[3] === md[3] && s[4] === md[4];
  }

  /**
   * The outer hash: `s` holds the inner digest and gets the MAC. sha1-unrolled.ts's outerState,
   * whose block is the digest and SHA-1's padding of 84 bytes as constants (the wordlist audit's):
   * no block written and no state copied per advert.
   */
  private outer(s: Int32Array): void {
    outerState(s, this.oState, s);
  }

  /** HMAC(key, message) == the five words of `md`. */
  matchesWords(message: Uint8Array, md: Int32Array): boolean {
    const s = scratchS;
    this.macWords(message, s);
    return s[0] === md[0] && s[1] === md[1] && s[2] === md[2] && s[3] === md[3] && s[4] === md[4];
  }

  /** HMAC(key, message) as 20 bytes. */
  mac(message: Uint8Array): Uint8Array {
    const s = new Int32Array(5);
    this.macWords(message, s);
    const out = new Uint8Array(20);
    const v = new DataView(out.buffer);
    for (let i = 0; i < 5; i++) v.setInt32(4 * i, s[i]!, false);
    return out;
  }
}
