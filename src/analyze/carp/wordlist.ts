// Passphrase audit (--wordlist): try many candidate passphrases against a few fixed HMAC messages.
//
// HMAC-SHA1 (RFC 2104) with a key of at most 19 bytes is
//   SHA1((K0 ^ opad) || SHA1((K0 ^ ipad) || M))       K0 = key zero-padded to one 64-byte block
// The message M of an advert is fixed, so per candidate only four SHA-1 compressions are needed
// (ipad block, M's block(s), opad block, inner digest block); the ipad/opad states are shared
// by every message tried. Done here with a plain SHA-1 compression on 32-bit words, which avoids
// the per-call object and Buffer allocations of crypto.createHmac (measured ~3 us per call on
// Node 20; see test/analyze/carp/wordlist.test.ts for this implementation's figure).

import { CARP_KEY_BYTES } from './hmac.js';

const K_5a827999 = 0x5a827999 | 0;
const K_6ed9eba1 = 0x6ed9eba1 | 0;
const K_8f1bbcdc = 0x8f1bbcdc | 0;
const K_ca62c1d6 = 0xca62c1d6 | 0;
const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0] as const;

/** One SHA-1 compression of the 16-word block `w` (big-endian words) into state `s`. */
function compress(s: Int32Array, block: Int32Array, w: Int32Array): void {
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
function innerBlocks(message: Uint8Array): Int32Array[] {
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

export interface AuditTarget {
  readonly message: Uint8Array;
  /** The advert's 20-byte md. */
  readonly md: Uint8Array;
}

export interface AuditHit {
  /** Index into the wordlist. */
  readonly index: number;
  /** Index into the targets. */
  readonly target: number;
}

/** Encode the first 19 UTF-8 bytes of `word` into `key` (zeroed first); returns false if empty. */
function fillKey(word: string, key: Uint8Array): void {
  key.fill(0);
  let ascii = true;
  const n = Math.min(word.length, CARP_KEY_BYTES);
  for (let i = 0; i < n; i++) {
    const c = word.charCodeAt(i);
    if (c > 0x7f) { ascii = false; break; }
    key[i] = c;
  }
  if (!ascii) {
    key.fill(0);
    const b = Buffer.from(word, 'utf8');
    key.set(b.subarray(0, CARP_KEY_BYTES));
  }
}

/**
 * Try every word as the passphrase against every target; returns the first hit (lowest word
 * index) or undefined. The result is exactly HMAC-SHA1(first 19 bytes of word, message) == md.
 */
export function auditWordlist(words: readonly string[], targets: readonly AuditTarget[]): AuditHit | undefined {
  if (targets.length === 0) return undefined;
  const prepared = targets.map((t) => {
    const v = new DataView(t.md.buffer, t.md.byteOffset, t.md.byteLength);
    return {
      blocks: innerBlocks(t.message),
      md: Int32Array.of(v.getInt32(0), v.getInt32(4), v.getInt32(8), v.getInt32(12), v.getInt32(16)),
    };
  });
  const key = new Uint8Array(64);
  const ipadBlk = new Int32Array(16);
  const opadBlk = new Int32Array(16);
  const iState = new Int32Array(5);
  const oState = new Int32Array(5);
  const s = new Int32Array(5);
  const outer = new Int32Array(16);
  const w = new Int32Array(80);
  outer[5] = 0x80000000 | 0;
  outer[15] = (64 + 20) * 8;
  for (let idx = 0; idx < words.length; idx++) {
    fillKey(words[idx]!, key);
    for (let i = 0; i < 16; i++) {
      const kw = (key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!;
      ipadBlk[i] = kw ^ 0x36363636;
      opadBlk[i] = kw ^ 0x5c5c5c5c;
    }
    iState.set(IV); compress(iState, ipadBlk, w);
    oState.set(IV); compress(oState, opadBlk, w);
    for (let t = 0; t < prepared.length; t++) {
      const p = prepared[t]!;
      s.set(iState);
      for (const blk of p.blocks) compress(s, blk, w);
      for (let i = 0; i < 5; i++) outer[i] = s[i]!;
      s.set(oState);
      compress(s, outer, w);
      if (s[0] === p.md[0] && s[1] === p.md[1] && s[2] === p.md[2] && s[3] === p.md[3] && s[4] === p.md[4]) {
        return { index: idx, target: t };
      }
    }
  }
  return undefined;
}
