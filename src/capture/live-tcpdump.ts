// Live capture with tcpdump as the capture engine (`--capture-backend tcpdump`), the way
// tshark runs dumpcap: carpdump runs
//
//   tcpdump -i IFACE -w - -U -n -Z root -s SNAPLEN -B KiB [-p] [--time-stamp-precision=nano]
//           [-y LINUX_SLL2 on -i any] FILTER
//
// and parses its pcap stream with the same streaming reader as `-r -` (parser.ts).
//
// Why: the cap binding always uses immediate mode with a 65535-byte snaplen, so libpcap gets
// one frame per 128 KiB ring block, and it cannot do -p, a kernel snaplen, kernel (nanosecond)
// timestamps, or SLL2 on `any`. tcpdump's libpcap uses TPACKET_V3 blocks of many frames.
//
// Backpressure: frames are analysed synchronously as each chunk of the pipe is read, so
// nothing accumulates in carpdump: when the analysis is slower than the link, the pipe fills,
// tcpdump blocks in write(), libpcap's ring fills and the kernel drops and counts. The queue
// between the kernel and the analysis is the ring (-B) plus the pipe (64 KiB on Linux).
//
// Stop: carpdump sends tcpdump SIGINT (tcpdump runs in its own process group, so Ctrl-C
// reaches carpdump only), reads the stream to its end, and parses the counters tcpdump prints
// on stderr when it ends ("N packets received by filter", "N packets dropped by kernel").
// Frames the kernel counted that carpdump did not analyse (left in the ring when tcpdump
// stopped, or not analysed after -c or a second Ctrl-C) are "dropped by carpdump".
//
// Ticks: without immediate mode libpcap hands a ring block over when it is full or after
// tcpdump's 1 s timeout, so a frame may reach carpdump up to about a second after its kernel
// timestamp. A tick is sent only when the pipe was idle for a tick interval, at the wall clock
// minus TICK_LAG_MS, and never before the last frame's time: timer findings (a silent master)
// come about a second later than with the cap backend, never before a frame they should see.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CarpdumpError, EXIT } from '../errors.js';
import { nowMicros, TICK_INTERVAL_MS } from './live-clock.js';
import { CaptureParser } from './parser.js';
import { PCAP_FILE_HEADER_BYTES } from './pcap.js';
import type { ClockTick, FrameSink, StopReason } from './types.js';
import { describeOpenError, DEFAULT_BUFFER_SIZE, DEFAULT_LIVE_FILTER, interfaceEndError, interfaceTrouble, stopsAtOnce, type LiveCaptureOptions, type LiveCaptureSource, type LiveCaptureStats } from './live.js';

/** tcpdump's maximum snap length (-s 0). */
export const TCPDUMP_MAX_SNAPLEN = 262144;
/** How far behind the wall clock ticks are: tcpdump's libpcap timeout (1 s) plus a margin. */
export const TICK_LAG_MS = 1200;
/** How long stop() waits for tcpdump to end after SIGINT before killing it. */
const STOP_TIMEOUT_MS = 5000;

export interface TcpdumpCaptureOptions extends LiveCaptureOptions {
  /** 'nano': kernel timestamps in nanoseconds (tcpdump --time-stamp-precision=nano). */
  readonly tsPrecision?: 'micro' | 'nano';
  /** The tcpdump binary (default: tcpdump on PATH). */
  readonly tcpdumpPath?: string;
}

/** The tcpdump binary: CARPDUMP_TCPDUMP, else tcpdump on PATH (as for file filters). */
export function tcpdumpBinary(): string {
  return process.env['CARPDUMP_TCPDUMP'] || 'tcpdump';
}

/** True when tcpdump can be run (for --capture-backend auto). */
export function tcpdumpAvailable(path = tcpdumpBinary()): boolean {
  const r = spawnSync(path, ['--version'], { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

/** tcpdump's argument list for these options (exported for tests and the README). */
export function tcpdumpArgs(opts: TcpdumpCaptureOptions): string[] {
  const filter = opts.filter.trim() === '' ? DEFAULT_LIVE_FILTER : opts.filter.trim();
  const bufferSize = opts.bufferSize !== undefined && opts.bufferSize > 0 ? opts.bufferSize : DEFAULT_BUFFER_SIZE;
  const snaplen = opts.snaplen > 0 ? Math.min(Math.floor(opts.snaplen), TCPDUMP_MAX_SNAPLEN) : TCPDUMP_MAX_SNAPLEN;
  return [
    '-i', opts.iface, '-w', '-', '-U', '-n',
    // Debian's tcpdump drops to user "tcpdump" after opening the device when run as root; it
    // writes to an inherited pipe, so that would work, but staying root keeps the behaviour
    // the same everywhere. Ignored when not root (tcpdump then runs with its file capabilities).
    ...(process.getuid?.() === 0 ? ['-Z', 'root'] : []),
    '-s', String(snaplen), '-B', String(Math.max(1, Math.ceil(bufferSize / 1024))),
    ...(opts.promisc ? [] : ['-p']),
    ...(opts.tsPrecision === 'nano' ? ['--time-stamp-precision=nano'] : []),
    ...(opts.iface === 'any' ? ['-y', 'LINUX_SLL2'] : []),
    filter,
  ];
}

/** The counters tcpdump prints on stderr when it ends; undefined for those it did not print. */
export function parseTcpdumpCounters(stderr: string): { captured?: number; received?: number; dropped?: number } {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(stderr);
    return m?.[1] !== undefined ? Number(m[1]) : undefined;
  };
  const captured = num(/^(\d+) packets? captured$/m);
  const received = num(/^(\d+) packets? received by filter$/m);
  const dropped = num(/^(\d+) packets? dropped by kernel$/m);
  return {
    ...(captured !== undefined ? { captured } : {}),
    ...(received !== undefined ? { received } : {}),
    ...(dropped !== undefined ? { dropped } : {}),
  };
}

/** The latest interim counters tcpdump printed on SIGUSR1 ("tcpdump: N packets captured, N ... , N ..."). */
export function parseInterimCounters(stderr: string): { received: number; dropped: number } | undefined {
  const all = [...stderr.matchAll(/(\d+) packets? captured, (\d+) packets? received by filter, (\d+) packets? dropped by kernel/g)];
  const m = all[all.length - 1];
  return m?.[2] !== undefined && m[3] !== undefined ? { received: Number(m[2]), dropped: Number(m[3]) } : undefined;
}

/** tcpdump's own error lines ("tcpdump: ..."), without the counters and the "listening on" line. */
function tcpdumpErrors(stderr: string): string[] {
  return stderr.split('\n').map((l) => l.trim())
    .filter((l) => l !== '' && !/^tcpdump: (listening on|data link type|verbose output suppressed|\d+ packets? captured, )/.test(l) && !/^\d+ packets? /.test(l) && !/^\(.*\)$/.test(l))
    .map((l) => l.replace(/^tcpdump: /, ''));
}

/** The one-line error for tcpdump failing to start. */
function startError(opts: TcpdumpCaptureOptions, filter: string, stderr: string, how: string): CarpdumpError {
  const msg = tcpdumpErrors(stderr)[0] ?? how;
  if (/syntax error|unknown (ip )?(proto|host|port)|can't parse filter|illegal|not a valid|unknown network|expression rejects/i.test(msg)) {
    return new CarpdumpError(`bad capture filter "${filter}": ${msg}`, EXIT.input);
  }
  return describeOpenError(opts.iface, msg);
}

/**
 * Start tcpdump on IFACE; resolves once its pcap header arrived (the link type is then known),
 * rejects with a one-line CarpdumpError (exit 1) when tcpdump is missing or fails to start.
 */
export function openTcpdumpCapture(opts: TcpdumpCaptureOptions): Promise<LiveCaptureSource> {
  const args = tcpdumpArgs(opts);
  const filter = args[args.length - 1] ?? '';
  const bin = opts.tcpdumpPath ?? tcpdumpBinary();
  return new Promise((resolve, reject) => {
    // Its own process group: Ctrl-C reaches carpdump, which decides when tcpdump stops.
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    let head = Buffer.alloc(0);
    let settled = false;
    // A Ctrl-C before the stream began (carpdump's own handler comes with the source): stop
    // the capture as soon as it exists, so its counters are still printed.
    let earlySignals = 0;
    const onEarlySignal = (): void => { earlySignals++; };
    process.on('SIGINT', onEarlySignal);
    process.on('SIGTERM', onEarlySignal);
    const startDone = (): void => {
      settled = true;
      process.off('SIGINT', onEarlySignal);
      process.off('SIGTERM', onEarlySignal);
    };
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr = (stderr + s).slice(-8000); });
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < PCAP_FILE_HEADER_BYTES || settled) return;
      startDone();
      child.stdout.pause();
      child.stdout.off('data', onData);
      child.off('close', onEarlyClose);
      const le = head.readUInt32LE(0);
      const linktype = (le === 0xa1b2c3d4 || le === 0xa1b23c4d ? head.readUInt32LE(20) : head.readUInt32BE(20)) & 0xffff;
      const tsDigits = le === 0xa1b23c4d || le === 0x4d3cb2a1 ? 9 : 6;
      const snaplen = le === 0xa1b2c3d4 || le === 0xa1b23c4d ? head.readUInt32LE(16) : head.readUInt32BE(16);
      const capture = new TcpdumpCapture(opts.iface, child, head, linktype, snaplen, filter, tsDigits, () => stderr, opts.statsIntervalMs);
      if (earlySignals > 0) capture.stop('signal');
      resolve(capture);
    };
    const onEarlyClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      startDone();
      reject(startError(opts, filter, stderr, `tcpdump ended (${signal ?? `status ${String(code)}`})`));
    };
    child.stdout.on('data', onData);
    child.on('close', onEarlyClose);
    child.on('error', (err) => {
      if (settled) return;
      startDone();
      reject(new CarpdumpError(`${opts.iface}: cannot run ${bin}: ${err.message} (--capture-backend cap uses libpcap directly)`, EXIT.input));
    });
  });
}

const LINKTYPE_NAMES: Readonly<Record<number, string>> = { 1: 'EN10MB', 113: 'LINUX_SLL', 276: 'LINUX_SLL2', 101: 'RAW', 0: 'NULL' };

class TcpdumpCapture implements LiveCaptureSource {
  readonly linktypeName: string;
  readonly notes: readonly string[] = [];
  private readonly parser: CaptureParser;
  private delivered = 0;
  private delivering = true;
  private stopRequested = false;
  private exited = false;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private sink: FrameSink | undefined;
  private tick: ((now: ClockTick) => void) | undefined;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private failure: unknown;
  private ticker: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  /** Wall-clock ms of the last chunk read; ticks wait for the pipe to be idle. */
  private lastDataMs = 0;
  /** Packet time (µs) of the last frame or tick delivered: ticks never go back. */
  private lastTimeUs = 0;
  private ticks = 0;
  private statsTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private pendingHead: Buffer | undefined,
    readonly linktype: number,
    readonly snaplen: number,
    readonly filter: string,
    readonly tsDigits: number,
    private readonly stderr: () => string,
    /** --metrics: ask tcpdump for its counters (SIGUSR1) this often while capturing. */
    private readonly statsIntervalMs?: number,
  ) {
    this.linktypeName = LINKTYPE_NAMES[linktype] ?? `LINKTYPE ${linktype}`;
    this.parser = new CaptureParser((f) => {
      if (!this.delivering || !this.sink) return;
      this.delivered++;
      this.lastTimeUs = Math.max(this.lastTimeUs, f.tsSec * 1e6 + Math.floor(f.tsNsec / 1000));
      try {
        this.sink({ ...f, number: this.delivered });
      } catch (err) {
        this.fail(err);
      }
    });
    child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stdout?.on('error', () => undefined);
    child.on('close', (code, signal) => this.onEnd(code, signal));
    process.once('exit', () => { if (!this.exited) child.kill('SIGKILL'); });
  }

  private onData(chunk: Buffer): void {
    this.lastDataMs = Date.now();
    try {
      this.parser.feed(chunk);
    } catch (err) {
      this.fail(new CarpdumpError(`${this.name}: tcpdump's stream: ${err instanceof Error ? err.message : String(err)}`, EXIT.input));
    }
  }

  run(sink: FrameSink, tick?: (now: ClockTick) => void): Promise<void> {
    if (this.sink) return Promise.reject(new Error('live capture: run() called twice'));
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.sink = sink;
      this.tick = tick;
      const head = this.pendingHead;
      this.pendingHead = undefined;
      if (head) this.onData(head);
      this.ticker = setInterval(() => this.onTicker(), TICK_INTERVAL_MS);
      if (this.statsIntervalMs) {
        this.statsTimer = setInterval(() => { if (!this.stopRequested && !this.exited) this.child.kill('SIGUSR1'); }, this.statsIntervalMs);
      }
      if (this.exited) this.finish();
      else this.child.stdout?.resume();
    });
  }

  private onTicker(): void {
    if (this.stopRequested) return;
    // libpcap does not always end tcpdump when the interface goes down: carpdump looks itself
    // and stops as for Ctrl-C (every frame tcpdump wrote is kept), then reports it in one line.
    if (++this.ticks % 5 === 0 && interfaceTrouble(this.name) === 'down') {
      this.failure ??= interfaceEndError(this.name, 'down');
      this.stop('autostop');
      return;
    }
    if (!this.delivering || !this.tick) return;
    if (Date.now() - this.lastDataMs < TICK_INTERVAL_MS) return;
    const us = nowMicros() - TICK_LAG_MS * 1000;
    if (us <= this.lastTimeUs) return;
    this.lastTimeUs = us;
    const sec = Math.floor(us / 1e6);
    try {
      this.tick({ sec, nsec: (us - sec * 1e6) * 1000 });
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.failure === undefined) this.failure = err ?? new Error('live capture failed');
    this.stop('error');
  }

  /**
   * 'signal' and 'autostop': tcpdump is asked to stop (SIGINT) and everything it wrote is still
   * analysed. 'count', 'output-closed', 'error' and a second 'signal' stop the analysis at once;
   * tcpdump is stopped the same way and its stream read to the end (not analysed), so its
   * counters are known and the frames not analysed are counted as dropped by carpdump.
   */
  stop(reason: StopReason = 'signal'): void {
    const atOnce = stopsAtOnce(reason);
    if (this.stopRequested) {
      if (reason === 'signal' || atOnce) this.delivering = false;
      return;
    }
    this.stopRequested = true;
    if (atOnce) this.delivering = false;
    if (this.exited) {
      this.finish();
      return;
    }
    // Before run(), run() resumes the stream (its first bytes are still held).
    if (this.sink) this.child.stdout?.resume();
    this.child.kill('SIGINT');
    this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  }

  private onEnd(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    this.exitCode = code;
    this.exitSignal = signal;
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.ticker) clearInterval(this.ticker);
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (!this.stopRequested) {
      this.stopRequested = true;
      if (this.failure === undefined) this.failure = this.endError();
    }
    this.finish();
  }

  /** The one-line error for tcpdump ending without being asked to. */
  private endError(): CarpdumpError {
    const gone = interfaceEndError(this.name);
    if (gone) return gone;
    const last = tcpdumpErrors(this.stderr()).pop();
    const how = this.exitSignal !== null ? `signal ${this.exitSignal}` : `status ${String(this.exitCode)}`;
    return new CarpdumpError(`${this.name}: tcpdump ended unexpectedly (${how})${last ? `: ${last}` : ''}`, EXIT.input);
  }

  private finish(): void {
    const settle = this.settle;
    if (!settle || !this.exited) return;
    this.settle = undefined;
    // A stream cut inside a record (tcpdump killed): the complete frames before it were analysed.
    try {
      if (this.delivering) this.parser.end();
    } catch {
      // the incomplete record was never counted by tcpdump as written; nothing else is lost
    }
    if (this.failure !== undefined) settle.reject(this.failure);
    else settle.resolve();
  }

  /**
   * tcpdump's counters (printed when it ended) plus carpdump's own: received by filter =
   * analysed + dropped by the kernel + dropped by carpdump, exactly, when tcpdump printed them.
   */
  stats(): LiveCaptureStats {
    // While tcpdump runs: its latest SIGUSR1 counters (--metrics); the difference is in transit.
    const c = this.exited ? parseTcpdumpCounters(this.stderr()) : (parseInterimCounters(this.stderr()) ?? {});
    if (c.received === undefined || c.dropped === undefined) {
      return { received: this.delivered, dropped: 0, ifDropped: 0, fromKernel: false, queueDropped: 0, stopDropped: 0 };
    }
    const ours = Math.max(0, c.received - c.dropped - this.delivered);
    return { received: c.received, dropped: c.dropped, ifDropped: 0, fromKernel: true, queueDropped: 0, stopDropped: ours };
  }
}
