// The --wordlist audit across worker threads, driven synchronously from the analyzer.
//
// The analyzer is synchronous (the audit runs inside onFrame), so the main thread does not await:
// on N threads it posts chunks of words to N-1 workers over MessageChannels, audits chunks itself
// while they are busy (each worker has two queued), blocks in Atomics.wait on a shared counter
// the workers bump after each reply when nothing is left to take, and reads the replies with
// receiveMessageOnPort. This is the simplest design that keeps the analyzer's contract (one call,
// one answer) without an event loop turn; every thread runs the same auditBlock (wordlist-hmac.ts).
//
// Identical results whatever the thread count: chunks are numbered in list order and concluded in
// that order, so the hit reported is the lowest-index one, and `words` counts up to it as on one
// thread. A thread that finds a hit lowers the shared STOP to its chunk; the others give up chunks
// above it (checked every 256 words). At most two chunks per worker are in flight and the words
// are streamed from the file in blocks, so memory stays flat in the list's size. A chunk goes to
// its worker as the bytes of its lines and their bounds, in buffers transferred (not cloned) and
// sent back with the reply for the next chunk.
//
// The worker's file is a sibling of the module this code is compiled into: under tsc
// dist/src/analyze/carp/wordlist-worker.js, in the esbuild bundle dist/wordlist-worker.js next to
// dist/carpdump.js (bin/bundle.mjs emits it). When it is missing or does not start, the audit
// runs on the calling thread (same results, slower). Workers are not waited for: the calling
// thread audits chunks while they start (~0.1 s), so a pool costs little wall time on a list
// barely above the threshold.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { MessagePort, Worker } from 'node:worker_threads';
import type { AuditResult, AuditTarget } from './audit-types.js';
import { auditBlock, chunkWord, copyBlock, type Chunk, type PreparedTarget } from './wordlist-hmac.js';

/** node:worker_threads costs start-up (bin/bundle.mjs): loaded when the first pool is made. */
const lazyRequire = createRequire(import.meta.url);
let workerThreadsModule: typeof import('node:worker_threads') | undefined;
const workerThreads = (): typeof import('node:worker_threads') =>
  (workerThreadsModule ??= lazyRequire('node:worker_threads') as typeof import('node:worker_threads'));

export const WORDLIST_WORKER_FILE = 'wordlist-worker.js';
/** Shared Int32 slots: replies posted (notified), lowest chunk with a hit, current run id. */
export const DONE = 0, STOP = 1, RUN = 2;
export const NO_STOP = 0x7fffffff;
const IN_FLIGHT = 2;
const START_TIMEOUT_MS = 10_000;

export interface ChunkReply {
  run: number; chunk: number; hit: { index: number; target: number } | null; aborted: boolean; error?: string;
  /** The hit's line as text. */
  word?: string;
  /** The chunk's buffers, sent back for the next chunk. */
  bytes?: Uint8Array; bounds?: Int32Array;
}
/** What stays on this thread of a chunk sent: where it starts, how many lines, their text if the list was strings. */
type Sent = Pick<Chunk, 'base' | 'words'> & { count: number };

export function wordlistWorkerPath(): string {
  return fileURLToPath(new URL(`./${WORDLIST_WORKER_FILE}`, import.meta.url));
}

class Pool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(12));
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly load: number[] = [];
  /** Worker i has said it is ready: only those are sent chunks (this thread works meanwhile). */
  private readonly up: boolean[] = [];
  private run = 0;
  private chunks: Iterator<Chunk> | undefined;
  private exhausted = true;
  private next = 1;
  private readonly pending = new Map<number, Sent>();
  /** Buffers the workers sent back, reused for the next chunks (memory flat in the list's size). */
  private readonly spare: Array<{ bytes: Uint8Array; bounds: Int32Array }> = [];

  /** `lanes` threads: lanes - 1 workers and the caller's (see finish). */
  constructor(readonly lanes: number, file: string) {
    this.ctrl[STOP] = NO_STOP;
    const { MessageChannel, Worker } = workerThreads();
    for (let i = 0; i < lanes - 1; i++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(file, { workerData: { port: port2, ctrl: this.ctrl.buffer }, transferList: [port2] });
      w.unref();
      port1.unref();
      this.workers.push(w);
      this.ports.push(port1);
      this.load.push(0);
      this.up.push(false);
    }
  }

  /** Tests only: wait until every worker is ready (or `timeoutMs` passed), so that a small list reaches them. */
  waitReady(timeoutMs = START_TIMEOUT_MS): void {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.ctrl, DONE);
      this.receive(new Map());
      const left = deadline - Date.now();
      if (this.up.every(Boolean) || left <= 0) return;
      Atomics.wait(this.ctrl, DONE, seen, left);
    }
  }

  /** Messages from the workers: ready ones, and this run's chunk replies into `results`; true if a reply came. */
  private receive(results: Map<number, ChunkReply>): boolean {
    let got = false;
    const { receiveMessageOnPort } = workerThreads();
    this.ports.forEach((p, i) => {
      for (let m = receiveMessageOnPort(p); m; m = receiveMessageOnPort(p)) {
        const r = m.message as ChunkReply | { ready: true };
        if ('ready' in r) { this.up[i] = true; continue; }
        if (r.bytes && r.bounds && this.spare.length < 2 * this.workers.length * IN_FLIGHT) this.spare.push({ bytes: r.bytes, bounds: r.bounds });
        if (r.run !== this.run) continue; // an earlier run's chunk, given up
        this.load[i]!--;
        results.set(r.chunk, r);
        got = true;
      }
    });
    return got;
  }

  terminate(): void {
    for (const w of this.workers) void w.terminate();
  }

  /** A new run: chunks 1.. from `chunks` go to the workers (chunk 0 is the caller's). */
  start(targets: readonly AuditTarget[], chunks: Iterator<Chunk>): void {
    this.run++;
    Atomics.store(this.ctrl, RUN, this.run);
    Atomics.store(this.ctrl, STOP, NO_STOP);
    this.chunks = chunks;
    this.exhausted = false;
    this.next = 1;
    this.pending.clear();
    this.load.fill(0);
    const t = targets.map((x) => ({ message: x.message, md: x.md }));
    for (const p of this.ports) p.postMessage({ run: this.run, targets: t });
    this.dispatch();
  }

  /** The caller found a hit in chunk 0: the workers give up this run. */
  cancel(): void {
    Atomics.store(this.ctrl, STOP, 0);
    this.exhausted = true;
    this.chunks?.return?.(undefined); // closes the file
    this.chunks = undefined;
  }

  private dispatch(): void {
    while (!this.exhausted && Atomics.load(this.ctrl, STOP) === NO_STOP) {
      let w = -1;
      for (let i = 0; i < this.workers.length; i++) if (this.up[i] && (w < 0 || this.load[i]! < this.load[w]!)) w = i;
      if (w < 0 || this.load[w]! >= IN_FLIGHT) return;
      const c = this.chunks!.next();
      if (c.done) { this.exhausted = true; return; }
      const chunk = this.next++;
      this.pending.set(chunk, { base: c.value.base, count: c.value.block.count, ...(c.value.words ? { words: c.value.words } : {}) });
      sent++;
      this.load[w]!++;
      // the lines' bytes in buffers of their own, moved (not cloned) to the worker, which sends them back
      const own = copyBlock(c.value.block, this.spare.pop());
      this.ports[w]!.postMessage({ run: this.run, chunk, bytes: own.bytes, bounds: own.bounds, count: own.count },
        [own.bytes.buffer as ArrayBuffer, own.bounds.buffer as ArrayBuffer]);
    }
  }

  /**
   * Conclude chunks 1.. in order; `words` = how many the caller's chunk 0 held. This thread is one
   * of the lanes: while the workers have their chunks, it audits the next chunk itself (with
   * `targets`, prepared here), so N threads are N-1 workers and this one.
   */
  finish(words: number, targets: readonly PreparedTarget[]): AuditResult {
    const results = new Map<number, ChunkReply>();
    let conclude = 1;
    for (;;) {
      for (let r = results.get(conclude); r; r = results.get(conclude)) {
        const c = this.pending.get(conclude)!;
        results.delete(conclude);
        this.pending.delete(conclude);
        if (r.error) { this.cancel(); throw new Error(`wordlist worker: ${r.error}`); }
        if (r.hit) {
          this.cancel();
          return { hit: { index: c.base + r.hit.index, target: r.hit.target, word: c.words?.[r.hit.index] ?? r.word! }, words: c.base + r.hit.index + 1 };
        }
        if (r.aborted) { this.cancel(); throw new Error(`wordlist worker gave up chunk ${conclude} with no lower hit`); }
        words = c.base + c.count;
        conclude++;
      }
      if (this.exhausted && this.pending.size === 0) return { hit: undefined, words };
      this.dispatch();
      const seen = Atomics.load(this.ctrl, DONE);
      if (this.receive(results)) continue;
      if (!this.exhausted && Atomics.load(this.ctrl, STOP) === NO_STOP) {
        // the workers are busy (or still starting): this thread takes the next chunk (the reader's block, no copy)
        const c = this.chunks!.next();
        if (c.done) { this.exhausted = true; continue; }
        const chunk = this.next++;
        this.pending.set(chunk, { base: c.value.base, count: c.value.block.count, ...(c.value.words ? { words: c.value.words } : {}) });
        const stop = (): boolean => Atomics.load(this.ctrl, STOP) < chunk;
        const hit = auditBlock(c.value.block, targets, stop);
        if (hit) lowerStop(this.ctrl, chunk);
        results.set(chunk, { run: this.run, chunk, hit: hit ?? null, aborted: !hit && stop(), ...(hit ? { word: chunkWord(c.value, hit.index) } : {}) });
        continue;
      }
      Atomics.wait(this.ctrl, DONE, seen, 1000);
    }
  }
}

/** A hit in `chunk`: STOP goes down to it (workers give up the chunks above). */
export function lowerStop(ctrl: Int32Array, chunk: number): void {
  for (let cur = Atomics.load(ctrl, STOP); chunk < cur; cur = Atomics.load(ctrl, STOP)) {
    if (Atomics.compareExchange(ctrl, STOP, cur, chunk) === cur) break;
  }
}

let pool: Pool | undefined;
let sent = 0;
/** Chunks handed to workers so far in this process (tests check the workers really ran). */
export function wordlistChunksSent(): number { return sent; }
let unavailable = false;

/** The shared pool of `threads` workers, started on first use; undefined when workers cannot run. */
export function wordlistPool(threads: number): Pool | undefined {
  if (threads < 2) return undefined;
  if (pool && pool.lanes === threads) return pool;
  if (unavailable) return undefined;
  pool?.terminate();
  pool = undefined;
  const file = wordlistWorkerPath();
  if (!existsSync(file)) { unavailable = true; return undefined; }
  // not waited for: chunks go to the workers once they say they are ready, this thread works
  // meanwhile (and alone if they never start)
  pool = new Pool(threads, file);
  return pool;
}
