// The --wordlist audit across worker threads, driven synchronously from the analyzer.
//
// The analyzer is synchronous (the audit runs inside onFrame), so the main thread does not await:
// it posts chunks of words to N workers over MessageChannels, blocks in Atomics.wait on a shared
// counter the workers bump after each reply, and reads the replies with receiveMessageOnPort.
// This is the simplest design that keeps the analyzer's contract (one call, one answer) without
// an event loop turn; the workers run the very same auditWordlist (src/analyze/carp/wordlist.ts).
//
// Identical results whatever the thread count: chunks are numbered in list order and concluded in
// that order, so the hit reported is the lowest-index one, and `words` counts up to it as on one
// thread. A worker that finds a hit lowers the shared STOP to its chunk; workers give up chunks
// above it (checked every 256 words). At most two chunks per worker are in flight and the words
// are streamed from the file in blocks, so memory stays flat in the list's size.
//
// The worker's file is a sibling of the module this code is compiled into: under tsc
// dist/src/analyze/carp/wordlist-worker.js, in the esbuild bundle dist/wordlist-worker.js next to
// dist/carpdump.js (bin/bundle.mjs emits it). When it is missing or does not start, the audit
// runs on the calling thread (same results, slower).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { AuditResult, AuditTarget } from './audit-types.js';

export const WORDLIST_WORKER_FILE = 'wordlist-worker.js';
/** Shared Int32 slots: replies posted (notified), lowest chunk with a hit, current run id. */
export const DONE = 0, STOP = 1, RUN = 2;
export const NO_STOP = 0x7fffffff;
const IN_FLIGHT = 2;
const START_TIMEOUT_MS = 10_000;

export interface ChunkReply { run: number; chunk: number; hit: { index: number; target: number } | null; aborted: boolean; error?: string }
interface Chunk { base: number; words: readonly string[] }

export function wordlistWorkerPath(): string {
  return fileURLToPath(new URL(`./${WORDLIST_WORKER_FILE}`, import.meta.url));
}

class Pool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(12));
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly load: number[] = [];
  private run = 0;
  private chunks: Iterator<Chunk> | undefined;
  private exhausted = true;
  private next = 1;
  private readonly pending = new Map<number, Chunk>();

  constructor(readonly size: number, file: string) {
    this.ctrl[STOP] = NO_STOP;
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(file, { workerData: { port: port2, ctrl: this.ctrl.buffer }, transferList: [port2] });
      w.unref();
      port1.unref();
      this.workers.push(w);
      this.ports.push(port1);
      this.load.push(0);
    }
  }

  /** Wait for every worker's ready message; false if one does not start in time. */
  ready(): boolean {
    const up = new Set<number>();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (up.size < this.size) {
      const seen = Atomics.load(this.ctrl, DONE);
      this.ports.forEach((p, i) => { while (receiveMessageOnPort(p)) up.add(i); });
      if (up.size === this.size) break;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.ctrl, DONE, seen, left);
    }
    return true;
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
    this.chunks = undefined;
  }

  private dispatch(): void {
    while (!this.exhausted && Atomics.load(this.ctrl, STOP) === NO_STOP) {
      let w = 0;
      for (let i = 1; i < this.size; i++) if (this.load[i]! < this.load[w]!) w = i;
      if (this.load[w]! >= IN_FLIGHT) return;
      const c = this.chunks!.next();
      if (c.done) { this.exhausted = true; return; }
      const chunk = this.next++;
      this.pending.set(chunk, c.value);
      sent++;
      this.load[w]!++;
      this.ports[w]!.postMessage({ run: this.run, chunk, words: c.value.words });
    }
  }

  /** Conclude chunks 1.. in order; `words` = how many the caller's chunk 0 held. */
  finish(words: number): AuditResult {
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
          return { hit: { index: c.base + r.hit.index, target: r.hit.target, word: c.words[r.hit.index]! }, words: c.base + r.hit.index + 1 };
        }
        if (r.aborted) { this.cancel(); throw new Error(`wordlist worker gave up chunk ${conclude} with no lower hit`); }
        words = c.base + c.words.length;
        conclude++;
      }
      if (this.exhausted && this.pending.size === 0) return { hit: undefined, words };
      this.dispatch();
      const seen = Atomics.load(this.ctrl, DONE);
      let got = false;
      this.ports.forEach((p, i) => {
        for (let m = receiveMessageOnPort(p); m; m = receiveMessageOnPort(p)) {
          const r = m.message as ChunkReply;
          if (r.run !== this.run || r.chunk === undefined) continue;
          this.load[i]!--;
          results.set(r.chunk, r);
          got = true;
        }
      });
      if (!got) Atomics.wait(this.ctrl, DONE, seen, 1000);
    }
  }
}

let pool: Pool | undefined;
let sent = 0;
/** Chunks handed to workers so far in this process (tests check the workers really ran). */
export function wordlistChunksSent(): number { return sent; }
let unavailable = false;

/** The shared pool of `threads` workers, started on first use; undefined when workers cannot run. */
export function wordlistPool(threads: number): Pool | undefined {
  if (pool && pool.size === threads) return pool;
  if (unavailable) return undefined;
  pool?.terminate();
  pool = undefined;
  const file = wordlistWorkerPath();
  if (!existsSync(file)) { unavailable = true; return undefined; }
  const p = new Pool(threads, file);
  if (!p.ready()) { p.terminate(); unavailable = true; return undefined; }
  pool = p;
  return pool;
}
