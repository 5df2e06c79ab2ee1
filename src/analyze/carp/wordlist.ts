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
import { availableParallelism } from 'node:os';
import { compress, innerBlocks, SHA1_IV as IV } from './sha1.js';
import { wordlistPool } from './wordlist-pool.js';
import type { AuditHit, AuditResult, AuditTarget, StreamHit } from './audit-types.js';

export type { AuditHit, AuditResult, AuditTarget, StreamHit };

/** A wordlist read in blocks (the CLI streams the file; tests pass arrays). */
export interface WordlistSource {
  blocks(): Iterable<readonly string[]>;
  /** About how many words (for the estimate line; the file's line count). */
  count?(): number;
}
export type Wordlist = readonly string[] | WordlistSource;

export function blocksOf(list: Wordlist): Iterable<readonly string[]> {
  return Array.isArray(list) ? [list as readonly string[]] : (list as WordlistSource).blocks();
}

function countOf(list: Wordlist): number | undefined {
  return Array.isArray(list) ? list.length : (list as WordlistSource).count?.();
}


/** How a run is spread over threads and announced. */
export interface AuditRunOptions {
  /** Worker threads (default: CARPDUMP_WORDLIST_THREADS, else os.availableParallelism()); 1 = this thread only. */
  readonly threads?: number;
  /** Called once at the start of a large run with the estimate line (the CLI writes it to stderr). */
  readonly progress?: (line: string) => void;
  /** Tests only: HMACs per chunk and the parallel threshold (defaults CHUNK_HMACS, PARALLEL_MIN_HMACS). */
  readonly chunkHmacs?: number;
  readonly parallelMin?: number;
}

/** Below this many HMACs (words x address sets) the run stays on this thread: starting workers costs more. */
export const PARALLEL_MIN_HMACS = 200_000;
/** From this many HMACs on (~1 s on one core) the run announces its size, rate and estimate. */
export const ANNOUNCE_MIN_HMACS = 2_000_000;
/** Words per chunk handed to a worker: about this many HMACs, so a few address sets still spread. */
const CHUNK_HMACS = 262_144;
/** ...and at most this many words, so the chunks in flight (two per worker) stay small. */
const CHUNK_WORDS = 16_384;

/** The words of `list` in chunks of about CHUNK_HMACS HMACs, each with the index of its first word. */
function* chunksOf(list: Wordlist, targets: number, chunkHmacs = CHUNK_HMACS): Generator<{ base: number; words: readonly string[] }> {
  const size = Math.min(CHUNK_WORDS, Math.max(64, Math.floor(chunkHmacs / Math.max(1, targets))));
  let base = 0;
  for (const block of blocksOf(list)) {
    for (let o = 0; o < block.length; o += size) {
      const words = o === 0 && block.length <= size ? block : block.slice(o, o + size);
      yield { base: base + o, words };
    }
    base += block.length;
  }
}

function threadsWanted(opts: AuditRunOptions): number {
  if (opts.threads !== undefined) return Math.max(1, Math.floor(opts.threads));
  const env = Number(process.env['CARPDUMP_WORDLIST_THREADS']);
  return Number.isInteger(env) && env >= 1 ? env : availableParallelism();
}

const fmtM = (n: number): string => `${(n / 1e6).toFixed(1)} M`;

/**
 * auditWordlist over every word of `list`; `index` counts from the first word; `words` = how many
 * were tried (up to and including the hit). The lowest-index hit wins whatever the thread count:
 * with workers, chunks are concluded in order (see wordlist-pool below).
 */
export function auditWordlistBlocks(list: Wordlist, targets: readonly AuditTarget[], opts: AuditRunOptions = {}): AuditResult {
  const count = countOf(list);
  const product = count !== undefined ? count * targets.length : undefined;
  const threads = threadsWanted(opts);
  const chunks = chunksOf(list, targets.length, opts.chunkHmacs);
  const first = chunks.next();
  if (first.done) return { hit: undefined, words: 0 };
  // single-threaded when small (or unknown and ending in the first chunk), or when no worker can start
  const big = product === undefined ? true : product > (opts.parallelMin ?? PARALLEL_MIN_HMACS);
  const pool = threads > 1 && big && targets.length > 0 ? wordlistPool(threads) : undefined;
  const lanes = pool ? pool.size : 1;
  if (pool) pool.start(targets, chunks);
  const t0 = performance.now();
  const h0 = auditWordlist(first.value.words, targets);
  const ms = performance.now() - t0;
  const announce = product !== undefined && product >= ANNOUNCE_MIN_HMACS && opts.progress;
  if (announce) {
    const rate = (first.value.words.length * targets.length) / Math.max(ms, 0.001) * 1000 * lanes;
    opts.progress!(`wordlist: ${count} passphrases x ${targets.length} address sets = ${fmtM(product)} HMACs,` +
      ` ~${fmtM(rate)}/s on ${lanes} thread${lanes > 1 ? 's' : ''}, about ${Math.max(1, Math.round(product / rate))} s`);
  }
  if (h0) {
    pool?.cancel();
    return { hit: { ...h0, word: first.value.words[h0.index]! }, words: h0.index + 1 };
  }
  if (pool) return pool.finish(first.value.words.length);
  let words = first.value.words.length;
  for (const c of chunks) {
    const hit = auditWordlist(c.words, targets);
    if (hit) return { hit: { index: c.base + hit.index, target: hit.target, word: c.words[hit.index]! }, words: c.base + hit.index + 1 };
    words = c.base + c.words.length;
  }
  return { hit: undefined, words };
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
export function auditWordlist(words: readonly string[], targets: readonly AuditTarget[], stop?: () => boolean): AuditHit | undefined {
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
    if (stop && (idx & 255) === 0 && stop()) return undefined; // a worker told to give up (a lower hit exists)
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
