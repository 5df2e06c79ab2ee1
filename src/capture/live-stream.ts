// A capture program as carpdump's capture engine, the way tshark runs dumpcap: tcpdump
// (`tcpdump -w -`, live-tcpdump.ts) or dumpcap (`dumpcap -w -`, live-dumpcap.ts) writes a pcap
// or pcapng stream on its stdout, read here with the same streaming reader as `-r -`.
//
// Backpressure: frames are analysed synchronously as each chunk of the pipe is read, so
// nothing accumulates in carpdump: when the analysis is slower than the link, the pipe fills,
// the program blocks in write(), libpcap's ring fills and the kernel drops and counts. The
// queue between the kernel and the analysis is the ring (-B) plus the pipe (64 KiB on Linux).
//
// Stop (Ctrl-C, autostop): the program's capture socket is shut first (socket-drops.ts:
// gateChildCapture attaches a reject-all filter to it, so the kernel counts no more frames),
// the program drains its ring (a TPACKET_V3 block that is not full is handed over by the
// kernel's block timer, so this takes up to two block timeouts; tcpdump's SIGUSR1 counters
// tell sooner when nothing is left), and only then is it sent
// SIGINT (it runs in its own process group, so Ctrl-C reaches carpdump only): so every frame
// the kernel counted is written, read to the end of the stream and analysed. Its counters
// then come from the backend (tcpdump's stderr lines, dumpcap's statistics block). Frames the
// kernel counted that carpdump did not analyse (-c, a second Ctrl-C, or when the socket
// could not be shut: no perl, no permission) are "dropped by carpdump".
//
// Ticks: without immediate mode libpcap hands a ring block over when it is full or after its
// timeout, so a frame may reach carpdump up to about that long after its kernel timestamp.
// A tick is sent only when the pipe was idle for a tick interval, at the wall clock minus
// the backend's tick lag, and never before the last frame's time: timer findings (a silent
// master) come about that much later than with the cap backend, never before a frame they
// should see.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CarpdumpError, EXIT } from '../errors.js';
import { ChildCapture } from './live-child.js';
import { nowMicros, TICK_INTERVAL_MS } from './live-clock.js';
import { CaptureParser } from './parser.js';
import { gateChildCapture, type ChildGate } from './socket-drops.js';
import type { RawFrame } from './types.js';
import { renumbered } from '../kernel/frame.js';
import { DEFAULT_BUFFER_SIZE, DEFAULT_LIVE_FILTER, describeOpenError, interfaceEndError, interfaceTrouble, type LiveCaptureOptions, type LiveCaptureSource, type LiveCaptureStats } from './live.js';

/** How long stop() waits for the program to end after SIGINT before killing it. */
const STOP_TIMEOUT_MS = 5000;
/** How long a graceful stop waits for the program to drain its ring while carpdump is still busy. */
const DRAIN_MAX_MS = 30_000;

/** The kernel counters a program reported; undefined where it reported none. */
export interface ProgramCounters {
  readonly received?: number;
  readonly dropped?: number;
}

/** What differs between capture programs. */
export interface StreamBackend {
  /** Its name in messages ("tcpdump"). */
  readonly program: string;
  readonly binary: string;
  readonly args: readonly string[];
  /** The capture filter it was given (for the "bad capture filter" message). */
  readonly filter: string;
  /** libpcap's timeout it opens with (ms): a ring block is handed over at the latest after twice this. */
  readonly blockTimeoutMs: number;
  /** Its counters: at the end (EXITED), or the latest interim ones while it runs. */
  counters(stderr: string, exited: boolean): ProgramCounters;
  /** Watch the stream too (dumpcap's statistics blocks). */
  observe?(chunk: Buffer): void;
  /** A signal that makes it print interim counters (--metrics), if it has one. */
  readonly interimSignal?: NodeJS.Signals;
  /**
   * True when its "received" counts only the frames it read from libpcap (dumpcap's
   * isb_ifrecv), not the kernel's count: then it always drains its ring before it stops, -c
   * and a second Ctrl-C too (carpdump reads the rest without analysing it), or what was left
   * in the ring would be counted nowhere.
   */
  readonly countsWhatItReads?: boolean;
  /** From what it printed after its socket was shut: true once its interim counters say its ring is empty. */
  drained?(stderrSinceGate: string): boolean;
  /** Its own error lines, without counters and banners. */
  errors(stderr: string): string[];
}

/** A capture program's binary: the environment variable ENV names another, else NAME on PATH. */
export function programBinary(env: string, name: string): string {
  return process.env[env] || name;
}

/** True when the program runs (VERSION_ARGS print its version and exit 0). */
export function programRuns(path: string, versionArgs: readonly string[]): boolean {
  const r = spawnSync(path, [...versionArgs], { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

/** What a capture program is given for OPTS: the filter (the default one when empty), the buffer in bytes, the snap length (0: MAX_SNAPLEN). */
export function programSettings(opts: LiveCaptureOptions, maxSnaplen: number): { filter: string; bufferSize: number; snaplen: number } {
  return {
    filter: opts.filter.trim() === '' ? DEFAULT_LIVE_FILTER : opts.filter.trim(),
    bufferSize: opts.bufferSize !== undefined && opts.bufferSize > 0 ? opts.bufferSize : DEFAULT_BUFFER_SIZE,
    snaplen: opts.snaplen > 0 ? Math.min(Math.floor(opts.snaplen), maxSnaplen) : maxSnaplen,
  };
}

/** The one-line error for a program failing to start. */
function startError(iface: string, backend: StreamBackend, stderr: string, how: string): CarpdumpError {
  const msg = backend.errors(stderr)[0] ?? how;
  if (/syntax error|unknown (ip )?(proto|host|port)|can't parse filter|illegal|not a valid|unknown network|expression rejects|invalid capture filter/i.test(msg)) {
    return new CarpdumpError(`bad capture filter "${backend.filter}": ${msg}`, EXIT.input);
  }
  return describeOpenError(iface, msg);
}

/** Link type, snap length and timestamp digits of a stream's head, once it holds them. */
function probeHead(head: Buffer): { linktype: number; snaplen: number; tsDigits: number } | undefined {
  const probe = new CaptureParser(() => undefined);
  try {
    probe.feed(head);
  } catch {
    return undefined;
  }
  const h = probe.header;
  return h ? { linktype: h.linktype, snaplen: h.snaplen, tsDigits: probe.nanosecond ? 9 : 6 } : undefined;
}

/**
 * Start the program on IFACE; resolves once its stream header (pcap header, or pcapng section
 * and first interface) arrived, rejects with a one-line CarpdumpError (exit 1) when it is
 * missing or fails to start.
 */
export function openStreamCapture(opts: LiveCaptureOptions, backend: StreamBackend, hint: string): Promise<LiveCaptureSource> {
  return new Promise((resolve, reject) => {
    // Its own process group: Ctrl-C reaches carpdump, which decides when the program stops.
    const child = spawn(backend.binary, [...backend.args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
      const h = settled ? undefined : probeHead(head);
      if (!h) return;
      startDone();
      child.stdout.pause();
      child.stdout.off('data', onData);
      child.off('close', onEarlyClose);
      const capture = new StreamCapture(opts.iface, child, backend, head, h.linktype, h.snaplen, h.tsDigits, () => stderr, opts.statsIntervalMs);
      if (earlySignals > 0) capture.stop('signal');
      resolve(capture);
    };
    const onEarlyClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      startDone();
      reject(startError(opts.iface, backend, stderr, `${backend.program} ended (${signal ?? `status ${String(code)}`})`));
    };
    child.stdout.on('data', onData);
    child.on('close', onEarlyClose);
    child.on('error', (err) => {
      if (settled) return;
      startDone();
      reject(new CarpdumpError(`${opts.iface}: cannot run ${backend.binary}: ${err.message} (${hint})`, EXIT.input));
    });
  });
}

const LINKTYPE_NAMES: Readonly<Record<number, string>> = { 1: 'EN10MB', 113: 'LINUX_SLL', 276: 'LINUX_SLL2', 101: 'RAW', 0: 'NULL' };

class StreamCapture extends ChildCapture implements LiveCaptureSource {
  readonly linktypeName: string;
  readonly notes: readonly string[] = [];
  private readonly parser: CaptureParser;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private ticker: NodeJS.Timeout | undefined;
  /** Wall-clock ms of the last chunk read; ticks wait for the pipe to be idle. */
  private lastDataMs = 0;
  /** Packet time (µs) of the last frame or tick delivered: ticks never go back. */
  private lastTimeUs = 0;
  private ticks = 0;
  private statsTimer: NodeJS.Timeout | undefined;
  private gate: ChildGate | undefined;
  private interrupted = false;
  /** What the program printed on stderr since its socket was shut (see onGated). */
  private sinceGate: string | undefined;

  constructor(
    name: string,
    child: ChildProcess,
    private readonly backend: StreamBackend,
    private pendingHead: Buffer | undefined,
    readonly linktype: number,
    readonly snaplen: number,
    readonly tsDigits: number,
    private readonly stderr: () => string,
    /** --metrics: ask for interim counters this often while capturing. */
    private readonly statsIntervalMs?: number,
  ) {
    super(name, child, STOP_TIMEOUT_MS);
    this.linktypeName = LINKTYPE_NAMES[linktype] ?? `LINKTYPE ${linktype}`;
    this.parser = new CaptureParser((f) => this.onFrame(f));
    child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('data', (s: string) => { if (this.sinceGate !== undefined) this.sinceGate = (this.sinceGate + s).slice(-4000); });
    child.on('close', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
      if (this.ticker) clearInterval(this.ticker);
      if (this.statsTimer) clearInterval(this.statsTimer);
      this.gate?.cancel();
      this.childEnded(() => this.endError());
    });
    process.once('exit', () => { if (!this.exited) child.kill('SIGKILL'); });
    // The program has opened the device and set its filter before it writes its header.
    this.captureStarted();
  }

  get filter(): string {
    return this.backend.filter;
  }

  private onFrame(f: RawFrame): void {
    if (!this.delivering || !this.sink) return;
    this.delivered++;
    this.lastTimeUs = Math.max(this.lastTimeUs, f.tsSec * 1e6 + Math.floor(f.tsNsec / 1000));
    try {
      this.sink(renumbered(f, this.delivered));
    } catch (err) {
      this.fail(err);
    }
  }

  private onData(chunk: Buffer): void {
    this.lastDataMs = Date.now();
    this.backend.observe?.(chunk);
    try {
      this.parser.feed(chunk);
    } catch (err) {
      this.fail(new CarpdumpError(`${this.name}: ${this.backend.program}'s stream: ${err instanceof Error ? err.message : String(err)}`, EXIT.input));
    }
  }

  protected override onRun(): void {
    const head = this.pendingHead;
    this.pendingHead = undefined;
    if (head) this.onData(head);
    this.ticker = setInterval(() => this.onTicker(), TICK_INTERVAL_MS);
    const signal = this.backend.interimSignal;
    if (this.statsIntervalMs && signal) {
      this.statsTimer = setInterval(() => { if (!this.stopRequested && !this.exited) this.child.kill(signal); }, this.statsIntervalMs);
    }
  }

  private onTicker(): void {
    if (this.stopRequested) return;
    // libpcap does not always end the program when the interface goes down: carpdump looks
    // itself and stops as for Ctrl-C (every frame written is kept), then reports it in one line.
    if (++this.ticks % 5 === 0 && interfaceTrouble(this.name) === 'down') {
      this.failure ??= interfaceEndError(this.name, 'down');
      this.stop('autostop');
      return;
    }
    if (!this.delivering || !this.tick) return;
    if (Date.now() - this.lastDataMs < TICK_INTERVAL_MS) return;
    const us = nowMicros() - (this.backend.blockTimeoutMs + 200) * 1000;
    if (us <= this.lastTimeUs) return;
    this.lastTimeUs = us;
    const sec = Math.floor(us / 1e6);
    try {
      this.tick({ sec, nsec: (us - sec * 1e6) * 1000 });
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Gracefully: shut the program's socket, let it drain its ring, then SIGINT (see the top of
   * this file). At once: SIGINT now (a running gate is given up; not for a program that
   * counts only what it read, see countsWhatItReads); its stream is still read to the end,
   * not analysed, so its counters are known.
   */
  protected stopChild(atOnce: boolean): void {
    // Before run(), run() resumes the stream (its first bytes are still held).
    if (this.sink) this.child.stdout?.resume();
    const mustDrain = this.backend.countsWhatItReads === true;
    // A second stop while it drains: its counters need the drain, which goes on.
    if (this.gate && mustDrain) return;
    if ((atOnce && !mustDrain) || this.child.pid === undefined) {
      this.gate?.cancel();
      this.interrupt();
      return;
    }
    this.gate = gateChildCapture(this.child.pid, 2 * this.backend.blockTimeoutMs + 100, DRAIN_MAX_MS, () => this.onGated());
    void this.gate.outcome.then(() => this.interrupt());
  }

  /**
   * The socket is shut. A program with interim counters (tcpdump: SIGUSR1) is asked for them
   * every 100 ms: once they say its ring is empty, it is stopped without waiting for the
   * kernel's block timer (usually at once; up to two block timeouts when a block is half full).
   */
  private onGated(): void {
    const signal = this.backend.interimSignal;
    const drained = this.backend.drained?.bind(this.backend);
    if (!signal || !drained) return;
    this.sinceGate = '';
    const poll = setInterval(() => {
      if (this.exited || this.interrupted) clearInterval(poll);
      else if (drained(this.sinceGate ?? '')) {
        clearInterval(poll);
        this.gate?.cancel();
      } else this.child.kill(signal);
    }, 100);
    this.child.kill(signal);
  }

  private interrupt(): void {
    if (this.interrupted || this.exited) return;
    this.interrupted = true;
    this.child.kill('SIGINT');
    this.armKillTimer();
  }

  /** The one-line error for the program ending without being asked to. */
  private endError(): CarpdumpError {
    const gone = interfaceEndError(this.name);
    if (gone) return gone;
    const last = this.backend.errors(this.stderr()).pop();
    const how = this.exitSignal !== null ? `signal ${this.exitSignal}` : `status ${String(this.exitCode)}`;
    return new CarpdumpError(`${this.name}: ${this.backend.program} ended unexpectedly (${how})${last ? `: ${last}` : ''}`, EXIT.input);
  }

  protected override beforeSettle(): void {
    // A stream cut inside a record (the program killed): the complete frames before it were analysed.
    try {
      if (this.delivering) this.parser.end();
    } catch {
      // the incomplete record was never counted as written; nothing else is lost
    }
  }

  /**
   * The program's counters plus carpdump's own: received by filter = analysed + dropped by the
   * kernel + dropped by carpdump, exactly, when it reported them.
   */
  stats(): LiveCaptureStats {
    // While it runs: its latest interim counters (--metrics); the difference is in transit.
    const c = this.backend.counters(this.stderr(), this.exited);
    if (c.received === undefined || c.dropped === undefined) {
      return { received: this.delivered, dropped: 0, ifDropped: 0, fromKernel: false, queueDropped: 0, stopDropped: 0 };
    }
    const ours = Math.max(0, c.received - c.dropped - this.delivered);
    return { received: c.received, dropped: c.dropped, ifDropped: 0, fromKernel: true, queueDropped: 0, stopDropped: ours };
  }
}

