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
import { compress, innerBlocks, SHA1_IV as IV } from './sha1.js';

/** A wordlist read in blocks (the CLI streams the file; tests pass arrays). */
export interface WordlistSource {
  blocks(): Iterable<readonly string[]>;
}
export type Wordlist = readonly string[] | WordlistSource;

export function blocksOf(list: Wordlist): Iterable<readonly string[]> {
  return Array.isArray(list) ? [list as readonly string[]] : (list as WordlistSource).blocks();
}

export interface StreamHit extends AuditHit {
  readonly word: string;
}

/** auditWordlist over every block of `list`; `index` counts from the first word; `words` = how many were tried. */
export function auditWordlistBlocks(list: Wordlist, targets: readonly AuditTarget[]): { hit: StreamHit | undefined; words: number } {
  let base = 0;
  for (const block of blocksOf(list)) {
    const hit = auditWordlist(block, targets);
    if (hit) return { hit: { index: base + hit.index, target: hit.target, word: block[hit.index]! }, words: base + hit.index + 1 };
    base += block.length;
  }
  return { hit: undefined, words: base };
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
