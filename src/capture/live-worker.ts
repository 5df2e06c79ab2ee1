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
import { encodeJsonRecord, HEADER_LENGTH, RECORD, writeHeader, type WorkerStats } from './live-wire.js';
import { nowMicros, TICK_INTERVAL_MS, CAP_MAX_SNAPLEN } from './live-clock.js';
import { fdOfSocket, KernelCounterReader, newSocketInode, packetSocketInodes, type PacketSocketCounters as KernelCounters } from './socket-drops.js';

export interface WorkerConfig {
  readonly iface: string;
  readonly filter: string;
  readonly bufferSize: number;
  readonly snaplen?: number;
  /** Bound of the queue between libpcap and carpdump's analysis, in bytes (default: bufferSize). */
  readonly queueBytes?: number;
  /** Also send interim STATS records this often while capturing (--metrics reads drops mid-run). */
  readonly statsIntervalMs?: number;
}

export type CheckResult =
  | { readonly ok: true; readonly linktypeName: string }
  | { readonly ok: false; readonly kind: 'device' | 'filter'; readonly message: string };

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

/** Records are packed into chunks of this size; a chunk is written when full or when the burst ends. */
const CHUNK_BYTES = 256 * 1024;
/** After "stop", how long to wait for the frames the kernel counted but the worker has not read yet. */
const DRAIN_TIMEOUT_MS = 2000;

function capture(cfg: WorkerConfig): void {
  const snaplen = cfg.snaplen ?? CAP_MAX_SNAPLEN;
  const queueBound = cfg.queueBytes ?? cfg.bufferSize;
  const stdout = process.stdout;
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  let flushScheduled = false;
  /** Frames libpcap handed over, frames written to the pipe, frames dropped because the queue was full. */
  let read = 0;
  let sent = 0;
  let queueDrops = 0;
  /** 'run'; 'stopping': the counters are being read; 'draining': reading up to `target`; 'done'. */
  let phase: 'run' | 'stopping' | 'draining' | 'done' = 'run';
  /** While 'stopping': frames read after "stop" arrived (copies), kept until the counters say which were counted. */
  let held: Buffer[] = [];
  let heldBytes = 0;
  let readAtStop = 0;
  let target = Number.POSITIVE_INFINITY;
  let kernel: KernelCounters | undefined;

  const flush = (): void => {
    flushScheduled = false;
    if (used === 0) return;
    if (used * 2 >= chunk.length) {
      stdout.write(chunk.subarray(0, used));
      chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    } else {
      // A partly filled chunk: write a copy of its bytes and fill the chunk again. Written as a
      // view, the whole 256 KiB stays alive until the pipe takes it, while the queue bound counts
      // only the bytes written: a capture that fell behind held a chunk per flush of a few frames
      // (2.2 GB after an hour at 10k packets/s, 5 MB/s more at 100k).
      stdout.write(Buffer.from(chunk.subarray(0, used)));
    }
    used = 0;
  };
  /** Room for N more bytes in the current chunk. */
  const reserve = (n: number): void => {
    if (used + n > chunk.length) {
      flush();
      if (n > chunk.length) chunk = Buffer.allocUnsafe(n);
    }
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  /** Bytes between libpcap and carpdump's analysis that this process holds. */
  const queued = (): number => stdout.writableLength + used;
  /** Queue SRC[start, start + captured) as a frame record (no per-frame allocation). */
  const emitFrame = (src: Buffer, start: number, captured: number, micros: number, original: number): void => {
    const len = HEADER_LENGTH + captured;
    if (queued() + len > queueBound) {
      queueDrops++;
      return;
    }
    reserve(len);
    const sec = Math.floor(micros / 1e6);
    writeHeader(chunk, used, RECORD.frame, sec, micros - sec * 1e6, original, captured);
    src.copy(chunk, used + HEADER_LENGTH, start, start + captured);
    used += len;
    sent++;
  };

  stdout.on('error', () => process.exit(0));
  const before = packetSocketInodes();
  let opened: ReturnType<typeof openHandle>;
  try {
    opened = openHandle(cfg, cfg.filter);
  } catch (err) {
    stdout.write(encodeJsonRecord(RECORD.error, { message: messageOf(err) }), () => process.exit(1));
    return;
  }
  const { handle, buffer } = opened;
  const inode = newSocketInode(before, packetSocketInodes());
  const counters = new KernelCounterReader(inode === undefined ? undefined : fdOfSocket(inode), 3);
  // Frames read before the counters were zeroed arrived before the capture started: not ours
  // (see KernelCounterReader.start). READY tells carpdump that the capture runs.
  let started = false;
  counters.start(() => { started = true; }, () => stdout.write(encodeJsonRecord(RECORD.ready, { linktypeName: opened.linktypeName })));

  handle.on('packet', (nbytes, truncated) => {
    if (!started || phase === 'done' || read >= target) return;
    const micros = nowMicros();
    read++;
    const captured = Math.min(nbytes, snaplen);
    // cap copies at most 65535 bytes and does not pass the wire length on.
    const original = truncated ? Math.max(nbytes, CAP_MAX_SNAPLEN) : nbytes;
    if (phase === 'stopping') {
      // Counted by the kernel before or after the snapshot being read: decided when it arrives.
      // Past the queue bound it is left out (if it was counted, it shows as dropped by carpdump).
      heldBytes += HEADER_LENGTH + captured;
      if (queued() + heldBytes > queueBound) {
        read--;
        return;
      }
      const copy = Buffer.allocUnsafe(HEADER_LENGTH + captured);
      copy.writeDoubleLE(micros, 0);
      copy.writeUInt32LE(original, 8);
      buffer.copy(copy, HEADER_LENGTH, 0, captured);
      held.push(copy);
      return;
    }
    emitFrame(buffer, 0, captured, micros, original);
    if (read >= target) finish();
  });

  const ticker = setInterval(() => {
    if (phase !== 'run') return;
    const micros = nowMicros();
    const sec = Math.floor(micros / 1e6);
    reserve(HEADER_LENGTH);
    // A tick carries the queue drops so far in its length field (all carpdump knows if this process dies).
    writeHeader(chunk, used, RECORD.tick, sec, micros - sec * 1e6, queueDrops, 0);
    used += HEADER_LENGTH;
  }, TICK_INTERVAL_MS);

  // Interim counters (--metrics): read by the helper, so the capture never waits for them.
  let statsPending = false;
  const statsTimer = cfg.statsIntervalMs ? setInterval(() => {
    if (phase !== 'run' || statsPending) return;
    statsPending = true;
    counters.read((c) => {
      statsPending = false;
      if (phase !== 'run') return;
      flush();
      const interim: WorkerStats = { known: c !== undefined, packets: c?.packets ?? 0, drops: c?.drops ?? 0, read, sent, queueDrops, interim: true };
      stdout.write(encodeJsonRecord(RECORD.stats, interim));
    });
  }, cfg.statsIntervalMs) : undefined;

  let drainTimer: NodeJS.Timeout | undefined;
  const finish = (): void => {
    if (phase === 'done') return;
    phase = 'done';
    clearInterval(ticker);
    if (statsTimer) clearInterval(statsTimer);
    if (drainTimer) clearTimeout(drainTimer);
    handle.removeAllListeners('packet');
    handle.close();
    counters.close();
    flush();
    const stats: WorkerStats = {
      known: kernel !== undefined,
      packets: kernel?.packets ?? 0,
      drops: kernel?.drops ?? 0,
      read,
      sent,
      queueDrops,
    };
    // Exit once the pipe has taken everything: a backlog is carpdump's to analyse (or count).
    stdout.end(encodeJsonRecord(RECORD.stats, stats), () => process.exit(0));
  };

  /** "stop": read the kernel counters, then pass on exactly the frames they counted. */
  let aborted = false;
  const stop = (atOnce: boolean): void => {
    if (phase === 'done') return;
    if (atOnce) {
      // Nothing more is read; what libpcap still holds is counted as dropped by carpdump
      // (received - dropped by kernel - analysed).
      aborted = true;
      held = [];
      target = read;
      if (phase === 'stopping') return; // the pending read finishes
      phase = 'stopping';
      counters.read((c) => {
        kernel = c;
        finish();
      });
      return;
    }
    if (phase !== 'run') return;
    phase = 'stopping';
    readAtStop = read;
    counters.read((c) => {
      kernel = c;
      if (aborted) {
        finish();
        return;
      }
      const counted = c === undefined ? readAtStop : c.packets - c.drops;
      const fromHeld = Math.max(0, Math.min(held.length, counted - readAtStop));
      phase = 'draining';
      for (const h of held.slice(0, fromHeld)) emitFrame(h, HEADER_LENGTH, h.length - HEADER_LENGTH, h.readDoubleLE(0), h.readUInt32LE(8));
      held = [];
      read = readAtStop + fromHeld;
      if (read >= counted) {
        finish();
        return;
      }
      target = counted;
      drainTimer = setTimeout(finish, DRAIN_TIMEOUT_MS);
    });
  };

  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => stop(false));
  let command = '';
  process.stdin.setEncoding('utf8').on('data', (d: string) => {
    command += d;
    for (let nl = command.indexOf('\n'); nl >= 0; nl = command.indexOf('\n')) {
      const line = command.slice(0, nl).trim();
      command = command.slice(nl + 1);
      if (line === 'stop') stop(false);
      else if (line === 'abort') stop(true);
    }
  });
  // carpdump is gone: nobody reads the frames any more.
  process.stdin.on('end', () => stop(true));
  process.stdin.on('error', () => stop(true));
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
