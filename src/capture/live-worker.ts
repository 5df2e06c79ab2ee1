// The capture worker: a child process that owns the libpcap handle (`cap`) and streams what
// it captures to carpdump over its stdout (records of live-wire.ts).
//
// Why a separate process: cap 0.2.x aborts the whole process (an assert in its poll
// callback) when the capture socket reports an error, which happens whenever the interface
// goes down or disappears; here that ends only the worker, and carpdump reports it in one
// line, completes the -w file and prints its summaries. The worker also drains the kernel
// ring while carpdump is busy decoding, and its stderr keeps cap's own libpcap warnings
// ("no IPv4 address assigned") away from the user.
//
//   node live-worker.js check   '{"iface","filter","bufferSize"}'  -> one JSON line: CheckResult
//   node live-worker.js capture '{"iface","filter","bufferSize","snaplen"}'
//       stdout: READY, then FRAME and TICK records until "stop" arrives on stdin (or stdin
//       ends: carpdump is gone), then STATS, and exit 0. SIGINT is ignored: Ctrl-C reaches the
//       whole process group, and carpdump decides when the capture stops.

import { Buffer } from 'node:buffer';
import { loadCap, type CapHandle } from './cap-binding.js';
import { encodeHeader, encodeJsonRecord, HEADER_LENGTH, RECORD } from './live-wire.js';
import { nowMicros, TICK_INTERVAL_MS, CAP_MAX_SNAPLEN } from './live-clock.js';
import { newSocketInode, packetSocketInodes, PacketSocketStats } from './socket-drops.js';

export interface WorkerConfig {
  readonly iface: string;
  readonly filter: string;
  readonly bufferSize: number;
  readonly snaplen?: number;
  /** Send a STATS record this often while capturing (the last one still comes at the stop). */
  readonly statsIntervalMs?: number;
}

export type CheckResult =
  | { readonly ok: true; readonly linktypeName: string }
  | { readonly ok: false; readonly kind: 'device' | 'filter'; readonly message: string };

/** Flush queued records once this many bytes are waiting (else at the end of the burst). */
const FLUSH_BYTES = 256 * 1024;

const handles: { handle: CapHandle; buffer: Buffer }[] = [];

function openHandle(cfg: WorkerConfig, filter: string): { handle: CapHandle; buffer: Buffer; linktypeName: string } {
  const cap = loadCap();
  // Kept reachable: cap does not keep its buffer alive, nor uv_close() its poll handle.
  const entry = { handle: new cap.Cap(), buffer: Buffer.alloc(CAP_MAX_SNAPLEN) };
  handles.push(entry);
  const linktypeName = entry.handle.open(cfg.iface, filter, cfg.bufferSize, entry.buffer);
  return { ...entry, linktypeName };
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/** Open and close: does the device open, and does the filter compile? */
export function check(cfg: WorkerConfig): CheckResult {
  let opened: ReturnType<typeof openHandle>;
  try {
    opened = openHandle(cfg, cfg.filter);
  } catch (err) {
    const message = messageOf(err);
    if (cfg.filter === '') return { ok: false, kind: 'device', message };
    // Tell a bad filter from a device problem: cap cannot compile a filter on its own.
    try {
      openHandle(cfg, '').handle.close();
    } catch {
      return { ok: false, kind: 'device', message };
    }
    return { ok: false, kind: 'filter', message };
  }
  opened.handle.close();
  return { ok: true, linktypeName: opened.linktypeName };
}

function capture(cfg: WorkerConfig): void {
  const snaplen = cfg.snaplen ?? CAP_MAX_SNAPLEN;
  const out: Buffer[] = [];
  let outBytes = 0;
  let flushScheduled = false;
  let stopping = false;
  let frames = 0;

  const flush = (): void => {
    flushScheduled = false;
    if (out.length === 0) return;
    const data = out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out, outBytes);
    out.length = 0;
    outBytes = 0;
    // Synchronous for pipes on Linux: a slow reader holds the worker back, and the kernel
    // ring (whose drops are counted) absorbs the rest.
    process.stdout.write(data);
  };
  const queue = (b: Buffer): void => {
    out.push(b);
    outBytes += b.length;
    if (outBytes >= FLUSH_BYTES) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  process.stdout.on('error', () => process.exit(0));
  const before = packetSocketInodes();
  let opened: ReturnType<typeof openHandle>;
  try {
    opened = openHandle(cfg, cfg.filter);
  } catch (err) {
    process.stdout.write(encodeJsonRecord(RECORD.error, { message: messageOf(err) }));
    process.exit(1);
  }
  const { handle, buffer } = opened;
  const counters = new PacketSocketStats(newSocketInode(before, packetSocketInodes()));
  process.stdout.write(encodeJsonRecord(RECORD.ready, { linktypeName: opened.linktypeName }));

  handle.on('packet', (nbytes, truncated) => {
    if (stopping) return;
    const micros = nowMicros();
    frames++;
    const captured = Math.min(nbytes, snaplen);
    // cap copies at most 65535 bytes and does not pass the wire length on.
    const original = truncated ? Math.max(nbytes, CAP_MAX_SNAPLEN) : nbytes;
    const sec = Math.floor(micros / 1e6);
    const rec = Buffer.allocUnsafe(HEADER_LENGTH + captured);
    encodeHeader(RECORD.frame, sec, micros - sec * 1e6, original, captured).copy(rec, 0);
    buffer.copy(rec, HEADER_LENGTH, 0, captured);
    queue(rec);
  });

  const ticker = setInterval(() => {
    if (stopping) return;
    const micros = nowMicros();
    const sec = Math.floor(micros / 1e6);
    queue(encodeHeader(RECORD.tick, sec, micros - sec * 1e6, 0, 0));
  }, TICK_INTERVAL_MS);

  const statsRecord = (): Buffer => {
    const totals = counters.totals();
    return encodeJsonRecord(RECORD.stats, { known: totals !== undefined, packets: totals?.packets ?? 0, drops: totals?.drops ?? 0, frames });
  };
  // Periodic counters (--metrics): read by an asynchronous child, so the capture never waits.
  let polling: Promise<void> | undefined;
  const statsTimer = cfg.statsIntervalMs ? setInterval(() => {
    if (stopping || polling) return;
    polling = counters.pollAsync().then(() => {
      polling = undefined;
      if (!stopping) queue(statsRecord());
    });
  }, cfg.statsIntervalMs) : undefined;

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    if (statsTimer) clearInterval(statsTimer);
    const finish = (): void => {
      flush();
      counters.poll();
      process.stdout.write(statsRecord());
      handle.removeAllListeners('packet');
      handle.close();
      process.exit(0);
    };
    // A periodic read in flight has reset the kernel's counters: wait for its numbers.
    if (polling) void polling.then(finish);
    else finish();
  };

  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', stop);
  process.stdin.on('data', (d: Buffer) => {
    if (d.includes('stop')) stop();
  });
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
}

function main(): void {
  const [mode, json] = process.argv.slice(2);
  const cfg = JSON.parse(json ?? '{}') as WorkerConfig;
  if (mode === 'check') {
    process.stdout.write(JSON.stringify(check(cfg)) + '\n');
    process.exit(0);
  } else if (mode === 'capture') {
    capture(cfg);
  } else {
    process.stderr.write('usage: live-worker.js check|capture CONFIG_JSON\n');
    process.exit(2);
  }
}

main();
