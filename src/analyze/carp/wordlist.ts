// Passphrase audit (--wordlist): try many candidate passphrases against a few fixed HMAC messages.
//
// HMAC-SHA1 (RFC 2104) with a key of at most 19 bytes is
//   SHA1((K0 ^ opad) || SHA1((K0 ^ ipad) || M))       K0 = key zero-padded to one 64-byte block
// The message M of an advert is fixed, so per candidate only four SHA-1 compressions are needed
// (ipad block, M's block(s), opad block, inner digest block); the ipad/opad states are shared
// by every message tried, and M's message schedule is computed once. The inner loop is in
// wordlist-hmac.ts: candidates as byte ranges of a buffer (the file's blocks as read, or words
// encoded once), SHA-1 fully unrolled (sha1-unrolled.ts), nothing allocated per candidate, which
// avoids the per-call objects and Buffers of crypto.createHmac (~3 us per call on Node 20).

import { availableParallelism } from 'node:os';
import { auditBlock, chunkWord, copyBlock, encodeWords, prepareTarget, subBlock, type Chunk, type WordBlock } from './wordlist-hmac.js';
import { wordlistPool } from './wordlist-pool.js';
import type { AuditHit, AuditResult, AuditTarget, StreamHit } from './audit-types.js';

export type { AuditHit, AuditResult, AuditTarget, StreamHit };

/** A wordlist read in blocks (the CLI streams the file; tests pass arrays). */
export interface WordlistSource {
  blocks(): Iterable<readonly string[]>;
  /** The same lines as byte ranges (the file reader's; the audit uses these when present); a block is valid until the next is asked for. */
  wordBlocks?(): Iterable<WordBlock>;
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
  /** Tests only: wait for the workers to start before the first chunk, so that a small list reaches them. */
  readonly waitForWorkers?: boolean;
}

/**
 * Below this many HMACs (words x address sets, ~1 s on one core) the run stays on this thread: a
 * worker's start and JIT warm-up cost 0.2-0.5 s of CPU in a fresh process (measured on the loaded
 * 2-core development machine, where two threads did not beat one on 1M candidates).
 */
export const PARALLEL_MIN_HMACS = 2_000_000;
/** From this many HMACs on (~1 s on one core) the run announces its size, rate and estimate. */
export const ANNOUNCE_MIN_HMACS = 2_000_000;
/** Words per chunk handed to a worker: about this many HMACs, so a few address sets still spread. */
const CHUNK_HMACS = 262_144;
/** ...and at most this many words, so the chunks in flight (two per worker) stay small. */
const CHUNK_WORDS = 16_384;

/** The words of `list` in chunks of about CHUNK_HMACS HMACs, each with the index of its first word. */
function* chunksOf(list: Wordlist, targets: number, chunkHmacs = CHUNK_HMACS): Generator<Chunk> {
  const size = Math.min(CHUNK_WORDS, Math.max(64, Math.floor(chunkHmacs / Math.max(1, targets))));
  let base = 0;
  const source = Array.isArray(list) ? undefined : (list as WordlistSource);
  if (source?.wordBlocks) {
    for (const block of source.wordBlocks()) {
      for (let o = 0; o < block.count; o += size) {
        yield { base: base + o, block: o === 0 && block.count <= size ? block : subBlock(block, o, Math.min(block.count, o + size)) };
      }
      base += block.count;
    }
    return;
  }
  for (const strings of blocksOf(list)) {
    for (let o = 0; o < strings.length; o += size) {
      const words = o === 0 && strings.length <= size ? strings : strings.slice(o, o + size);
      yield { base: base + o, block: encodeWords(words), words };
    }
    base += strings.length;
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
  const lanes = pool ? pool.lanes : 1;
  if (pool && opts.waitForWorkers) pool.waitReady();
  // the workers are handed the next chunks at once: the file's reader then reuses its buffer
  const c0 = pool ? { ...first.value, block: copyBlock(first.value.block) } : first.value;
  if (pool) pool.start(targets, chunks);
  const prepared = targets.map(prepareTarget);
  // the rate is timed on the second half of the first chunk: the first half warms the JIT up
  const split = c0.block.count >> 1;
  const hA = auditBlock(subBlock(c0.block, 0, split), prepared);
  const t0 = performance.now();
  const hB = hA ? undefined : auditBlock(subBlock(c0.block, split, c0.block.count), prepared);
  const ms = performance.now() - t0;
  const h0 = hA ?? (hB ? { index: split + hB.index, target: hB.target } : undefined);
  const announce = product !== undefined && product >= ANNOUNCE_MIN_HMACS && opts.progress;
  if (announce) {
    const rate = ((c0.block.count - split) * targets.length) / Math.max(ms, 0.001) * 1000 * lanes;
    opts.progress!(`wordlist: ${count} passphrases x ${targets.length} address sets = ${fmtM(product)} HMACs,` +
      ` ~${fmtM(rate)}/s on ${lanes} thread${lanes > 1 ? 's' : ''}, about ${Math.max(1, Math.round(product / rate))} s`);
  }
  if (h0) {
    pool?.cancel();
    chunks.return(undefined); // closes the file
    return { hit: { ...h0, word: chunkWord(c0, h0.index) }, words: h0.index + 1 };
  }
  if (pool) return pool.finish(c0.block.count, prepared);
  let words = c0.block.count;
  for (const c of chunks) {
    const hit = auditBlock(c.block, prepared);
    if (hit) return { hit: { index: c.base + hit.index, target: hit.target, word: chunkWord(c, hit.index) }, words: c.base + hit.index + 1 };
    words = c.base + c.block.count;
  }
  return { hit: undefined, words };
}

/**
 * Try every word as the passphrase against every target; returns the first hit (lowest word
 * index) or undefined. The result is exactly HMAC-SHA1(first 19 bytes of word, message) == md.
 */
export function auditWordlist(words: readonly string[], targets: readonly AuditTarget[], stop?: () => boolean): AuditHit | undefined {
  if (targets.length === 0) return undefined;
  return auditBlock(encodeWords(words), targets.map(prepareTarget), stop);
}
