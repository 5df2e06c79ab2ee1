// Live capture through libpcap (the `cap` package): `carpdump -i IFACE`.
//
// The libpcap handle lives in a worker process (live-worker.ts) that streams frames and clock
// ticks over a pipe (live-wire.ts): cap aborts its process when the interface goes down, and
// carpdump must then still complete the -w file, print its summaries and say what happened
// in one line. openLiveCapture() first runs the worker synchronously in "check" mode, so
// that a missing interface, a missing permission or a bad filter is a CarpdumpError thrown
// right here (exit 1), before any output file is created.
//
// Time: cap does not pass libpcap's kernel timestamp on, so a frame's time is when the worker
// received it, in microseconds (tsDigits 6). Ticks come from the same worker and clock, in
// order with the frames, about every TICK_INTERVAL_MS, so analyzers raise timer findings
// (a silent master) when they happen.
//
// Limits that come from cap 0.2.x (see cap-binding.ts): snaplen is applied on top of cap's
// fixed 65535-byte capture; promiscuous mode cannot be turned off (a note says so); there is
// no pcap_stats(), so the worker reads the socket's PACKET_STATISTICS itself
// (socket-drops.ts). cap uses immediate mode (TPACKET_V2) with ~64 KiB ring slots, so
// tcpdump's 2 MiB default buffer would hold only 32 frames: the default here is 32 MiB.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CarpdumpError, EXIT } from '../errors.js';
import { loadCap } from './cap-binding.js';
import { CAP_MAX_SNAPLEN, nowMicros, TICK_INTERVAL_MS } from './live-clock.js';
import type { CheckResult, WorkerConfig } from './live-worker.js';
import { liveWorkerPath } from './worker-path.js';
import { decodeJson, isWorkerStats, RECORD, WireParser, type WireRecord, type WorkerStats } from './live-wire.js';
import { parseCounterLine } from './socket-drops.js';
import { ChildCapture, stopsAtOnce } from './live-child.js';
import type { CaptureSource, CaptureStats, FrameSink, RawFrame } from './types.js';

export { CAP_MAX_SNAPLEN, nowMicros, TICK_INTERVAL_MS };

/** Kernel filter when none is given: the protocols carpdump analyzes, so busy links are filtered in the kernel. */
export const DEFAULT_LIVE_FILTER =
  'ip proto 112 or ip6 proto 112 or ip proto 240 or ip6 proto 240 or arp or icmp6';

/** Kernel ring size when none is given: 512 slots of cap's ~64 KiB frames. */
export const DEFAULT_BUFFER_SIZE = 32 * 1024 * 1024;


export interface LiveCaptureOptions {
  readonly iface: string;
  /** BPF expression; empty means DEFAULT_LIVE_FILTER. */
  readonly filter: string;
  /** tcpdump's -s: 0 means the maximum. */
  readonly snaplen: number;
  /** tcpdump's -p inverted. cap always opens in promiscuous mode; false is accepted and noted. */
  readonly promisc: boolean;
  /** Kernel buffer size in bytes (tcpdump -B is KiB). */
  readonly bufferSize?: number;
  /** Bound of the queue between libpcap and the analysis, in bytes; default bufferSize (-B). */
  readonly queueBytes?: number;
  /** Also read the kernel counters this often while capturing (stats() mid-run, for --metrics). */
  readonly statsIntervalMs?: number;
}

export interface LiveCaptureStats extends CaptureStats {
  /**
   * True when received/dropped come from the kernel (PACKET_STATISTICS); false when they
   * could not be read, and then received counts the frames carpdump got and dropped is 0.
   */
  readonly fromKernel: boolean;
}

/** A live source, with what a pcap writer needs before the first frame. */
export interface LiveCaptureSource extends CaptureSource {
  /** LINKTYPE_* of the interface (1 Ethernet, 113 Linux SLL for `any`, ...). */
  readonly linktype: number;
  /** The name cap gives the link type (ETHERNET, LINKTYPE_LINUX_SLL, ...). */
  readonly linktypeName: string;
  /** Effective snap length (for the pcap header). */
  readonly snaplen: number;
  /** The filter compiled into the kernel. */
  readonly filter: string;
  /** Always 6: receive time in microseconds (cap does not expose kernel timestamps). */
  readonly tsDigits: number;
  /** Things the user asked for that the capture cannot do (e.g. -p), one line each, for stderr. */
  readonly notes: readonly string[];
  /** Resolves once the capture runs: frames from then on are counted and analysed. */
  readonly started: Promise<void>;
  stats(): LiveCaptureStats;
}

/** Link-type names returned by cap's open(), as LINKTYPE_* values. */
const LINKTYPE_BY_CAP_NAME: Readonly<Record<string, number>> = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
};

/** DLT_* values that differ from their LINKTYPE_* (cap reports others as "Unknown linktype N"). */
const LINKTYPE_BY_DLT: Readonly<Record<number, number>> = { 12: 101, 14: 101 };

export function linktypeOfCapName(name: string): number | undefined {
  const known = LINKTYPE_BY_CAP_NAME[name];
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d+)$/.exec(name);
  if (!m || m[1] === undefined) return undefined;
  const dlt = Number(m[1]);
  return LINKTYPE_BY_DLT[dlt] ?? dlt;
}

export function effectiveSnaplen(snaplen: number): number {
  if (!Number.isFinite(snaplen) || snaplen <= 0) return CAP_MAX_SNAPLEN;
  return Math.min(Math.floor(snaplen), CAP_MAX_SNAPLEN);
}

/** Turn cap/libpcap open errors into the one-line messages of the SPEC (exit 1). */
export function describeOpenError(iface: string, message: string): CarpdumpError {
  const msg = message.replace(/\s+/g, ' ').trim();
  if (/no such device|doesn't exist|no such interface/i.test(msg)) {
    return new CarpdumpError(`${iface}: no such interface (carpdump -D lists them)`, EXIT.input);
  }
  if (/permission|not permitted|EPERM|EACCES/i.test(msg)) {
    return new CarpdumpError(
      `${iface}: you don't have permission to capture on that device (${msg}); ` +
        'run as root or give node CAP_NET_RAW (setcap cap_net_raw=eip "$(command -v node)")',
      EXIT.input,
    );
  }
  return new CarpdumpError(`${iface}: cannot capture: ${msg}`, EXIT.input);
}

function safeIfaceName(iface: string): boolean {
  return iface !== 'any' && /^[\w.@:-]+$/.test(iface);
}

function readIfDropped(iface: string): number | undefined {
  if (!safeIfaceName(iface)) return undefined;
  try {
    const n = Number(readFileSync(`/sys/class/net/${iface}/statistics/rx_dropped`, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Why a capture on IFACE may have ended: 'gone', 'down' or undefined (up, or unknown). */
export function interfaceTrouble(iface: string): 'gone' | 'down' | undefined {
  if (!safeIfaceName(iface)) return undefined;
  let flags: number;
  try {
    flags = parseInt(readFileSync(`/sys/class/net/${iface}/flags`, 'utf8').trim(), 16);
  } catch {
    return 'gone';
  }
  return Number.isFinite(flags) && (flags & 0x1) === 0 ? 'down' : undefined;
}

/** The one-line error for a capture that ended because IFACE went away or down; undefined otherwise. */
export function interfaceEndError(iface: string, trouble = interfaceTrouble(iface)): CarpdumpError | undefined {
  if (trouble === 'gone') return new CarpdumpError(`interface ${iface} went away; capture stopped`, EXIT.input);
  if (trouble === 'down') return new CarpdumpError(`${iface}: the interface went down; capture stopped`, EXIT.input);
  return undefined;
}

export { stopsAtOnce };

function isCheckResult(v: unknown): v is CheckResult {
  return typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean';
}

/** Run the worker in check mode: device opens, filter compiles (one-line errors otherwise). */
function checkCapture(cfg: WorkerConfig): string {
  const r = spawnSync(process.execPath, [workerPath(), 'check', JSON.stringify(cfg)], { encoding: 'utf8', timeout: 30_000 });
  let result: unknown;
  try {
    result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    result = undefined;
  }
  if (!isCheckResult(result)) {
    const why = (r.error?.message ?? r.stderr.trim().split('\n').pop() ?? '') || `status ${String(r.status ?? r.signal)}`;
    throw new CarpdumpError(`${cfg.iface}: cannot start the capture worker: ${why}`, EXIT.input);
  }
  if (result.ok) return result.linktypeName;
  if (result.kind === 'filter') throw new CarpdumpError(`bad capture filter "${cfg.filter}": ${result.message}`, EXIT.input);
  throw describeOpenError(cfg.iface, result.message);
}

/**
 * Open IFACE for capture. Throws CarpdumpError (exit 1, one line) when cap is unavailable,
 * the interface does not exist, permission is missing, or the filter does not compile.
 */
export function openLiveCapture(opts: LiveCaptureOptions): LiveCaptureSource {
  const cap = loadCap();
  const filter = opts.filter.trim() === '' ? DEFAULT_LIVE_FILTER : opts.filter.trim();
  const snaplen = effectiveSnaplen(opts.snaplen);
  const bufferSize = opts.bufferSize !== undefined && opts.bufferSize > 0 ? Math.floor(opts.bufferSize) : DEFAULT_BUFFER_SIZE;

  let names: string[];
  try {
    names = cap.Cap.deviceList().map((d) => d.name);
  } catch (err) {
    throw describeOpenError(opts.iface, err instanceof Error ? err.message : String(err));
  }
  if (!names.includes(opts.iface)) throw describeOpenError(opts.iface, 'No such device exists');

  const cfg: WorkerConfig = { iface: opts.iface, filter, bufferSize, snaplen, ...(opts.queueBytes !== undefined ? { queueBytes: opts.queueBytes } : {}), ...(opts.statsIntervalMs ? { statsIntervalMs: opts.statsIntervalMs } : {}) };
  const linktypeName = checkCapture(cfg);
  const linktype = linktypeOfCapName(linktypeName);
  if (linktype === undefined) throw new CarpdumpError(`${opts.iface}: unsupported link type ${linktypeName}`, EXIT.input);
  const notes = opts.promisc ? [] : [`${opts.iface}: -p ignored: the cap binding always captures in promiscuous mode`];
  return new LiveCapture(cfg, linktype, linktypeName, snaplen, filter, notes);
}

/** Where the capture worker's entry file is (worker-path.ts: tsc output or the bundle). */
export function workerPath(): string {
  return liveWorkerPath();
}

/**
 * How long stop() lets the worker stay silent before killing it: it answers with the kernel
 * counters after at most DRAIN_TIMEOUT_MS, then its queue flows as fast as carpdump reads.
 */
const STOP_TIMEOUT_MS = 5000;

class LiveCapture extends ChildCapture implements LiveCaptureSource {
  readonly tsDigits = 6;
  private readonly parser: WireParser;
  private workerError: string | undefined;
  private workerStats: WorkerStats | undefined;
  /** The latest interim counters while the capture runs (--metrics). */
  private interimStats: WorkerStats | undefined;
  /** Queue drops the worker reported in its last tick (all that is known if it dies). */
  private lastQueueDrops = 0;
  /** The kernel counters the helper read after the worker ended (see socket-drops.ts). */
  private finalCounters = '';
  private stderrTail = '';
  private readonly ifDroppedAtOpen: number | undefined;
  private ifDroppedAtEnd: number | undefined;

  constructor(
    private readonly cfg: WorkerConfig,
    readonly linktype: number,
    readonly linktypeName: string,
    readonly snaplen: number,
    readonly filter: string,
    readonly notes: readonly string[],
  ) {
    // fd 3: the kernel counters, written by the counter helper when the worker has ended.
    super(cfg.iface, spawn(process.execPath, [workerPath(), 'capture', JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] }), STOP_TIMEOUT_MS);
    this.ifDroppedAtOpen = readIfDropped(cfg.iface);
    this.parser = new WireParser((r) => this.onRecord(r));
    const stdout = this.child.stdout;
    // Not read until run(): the pipe and the worker's bounded queue hold what arrives meanwhile.
    stdout?.pause();
    stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-2000);
    });
    const counters = this.child.stdio[3] as Readable | null;
    counters?.setEncoding('utf8').on('data', (s: string) => {
      this.finalCounters = (this.finalCounters + s).slice(-200);
    });
    counters?.on('error', () => undefined);
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', (err) => this.fail(new CarpdumpError(`${cfg.iface}: capture worker: ${err.message}`, EXIT.input)));
    this.child.on('close', (code, signal) => this.childEnded(() => this.workerEndError(code, signal)));
    // The worker also stops when its stdin closes, i.e. when this process ends for any reason.
    process.once('exit', () => this.child.kill('SIGKILL'));
  }

  private onData(chunk: Buffer): void {
    if (this.stopRequested) this.armKillTimer();
    try {
      this.parser.push(chunk);
    } catch (err) {
      this.fail(new CarpdumpError(`${this.name}: ${err instanceof Error ? err.message : String(err)}`, EXIT.input));
    }
  }

  private onRecord(r: WireRecord): void {
    switch (r.type) {
      case RECORD.frame:
        if (!this.delivering || !this.sink) return;
        this.delivered++;
        this.deliver(this.sink, {
          number: this.delivered,
          tsSec: r.sec,
          tsNsec: r.usec * 1000,
          tsDigits: 6,
          linktype: this.linktype,
          interfaceId: 0,
          capturedLength: r.payload.length,
          originalLength: r.originalLength,
          data: r.payload,
        });
        return;
      case RECORD.tick:
        this.lastQueueDrops = r.originalLength;
        if (!this.delivering || !this.tick) return;
        try {
          this.tick({ sec: r.sec, nsec: r.usec * 1000 });
        } catch (err) {
          this.fail(err);
        }
        return;
      case RECORD.stats: {
        const v = decodeJson(r.payload);
        if (isWorkerStats(v)) {
          if (v.interim) this.interimStats = v;
          else this.workerStats = v;
        }
        return;
      }
      case RECORD.error: {
        const v = decodeJson(r.payload) as { message?: unknown };
        this.workerError = typeof v.message === 'string' ? v.message : 'unknown error';
        return;
      }
      case RECORD.ready:
        this.captureStarted();
        return;
    }
  }

  private deliver(sink: FrameSink, frame: RawFrame): void {
    try {
      sink(frame);
    } catch (err) {
      this.fail(err);
    }
  }

  /** The worker answers with its queue and its counters, and exits: its stdout must keep flowing. */
  protected stopChild(atOnce: boolean): void {
    this.child.stdout?.resume();
    this.child.stdin?.write(atOnce ? 'abort\n' : 'stop\n');
    this.armKillTimer();
  }

  protected override onStopRequested(): void {
    this.ifDroppedAtEnd = readIfDropped(this.name);
  }

  /** The one-line error for a worker that ended without being asked to. */
  private workerEndError(code: number | null, signal: NodeJS.Signals | null): CarpdumpError {
    if (this.workerError !== undefined) return describeOpenError(this.name, this.workerError);
    const gone = interfaceEndError(this.name);
    if (gone) return gone;
    if (this.parser.leftover > 0) return new CarpdumpError(`${this.name}: the capture worker's stream ended inside a record`, EXIT.input);
    const last = this.stderrTail.trim().split('\n').pop() ?? '';
    const how = signal !== null ? `signal ${signal}` : `status ${String(code)}`;
    return new CarpdumpError(`${this.name}: the capture ended unexpectedly (${how})${last ? `: ${last}` : ''}`, EXIT.input);
  }

  /**
   * tcpdump's counters plus carpdump's own: received by filter = analysed + dropped by the
   * kernel + dropped by carpdump (queue full, or not analysed when the capture stopped), exactly,
   * whenever the kernel counters are known.
   */
  stats(): LiveCaptureStats {
    const end = this.ifDroppedAtEnd ?? readIfDropped(this.name);
    const ifDropped = end !== undefined && this.ifDroppedAtOpen !== undefined ? Math.max(0, end - this.ifDroppedAtOpen) : 0;
    const w = this.workerStats ?? (this.exited ? undefined : this.interimStats);
    // The worker's counters at stop (or the latest interim ones while it runs), else what the helper read after the worker died.
    const kernel = w ? (w.known ? { packets: w.packets, drops: w.drops } : undefined) : parseCounterLine(this.finalCounters.trim().split('\n').pop() ?? '');
    const queueFull = w?.queueDrops ?? this.lastQueueDrops;
    if (!kernel) {
      const notAnalysed = w ? Math.max(0, w.read - w.queueDrops - this.delivered) : 0;
      return {
        received: this.delivered + queueFull + notAnalysed, dropped: 0, ifDropped, fromKernel: false,
        queueDropped: queueFull, stopDropped: notAnalysed,
      };
    }
    // Negative only if frames arrived that the kernel had not counted yet when the capture
    // started (its counters are zeroed after libpcap installed the filter): then no line adds up.
    const ours = Math.max(0, kernel.packets - kernel.drops - this.delivered);
    const queueDropped = Math.min(queueFull, ours);
    return {
      received: kernel.packets, dropped: kernel.drops, ifDropped, fromKernel: true,
      queueDropped, stopDropped: ours - queueDropped,
    };
  }
}
