// What every live backend shares: a child process captures (the cap worker, tcpdump, dumpcap),
// carpdump analyses what it streams, and stop(reason) is the one way to end a capture.
//
// 'signal' and 'autostop' stop gracefully: the child is asked to pass on everything the kernel
// counted, and all of it is still analysed and written. 'count', 'output-closed' and 'error'
// stop the analysis at once, as does a second 'signal' (a second Ctrl-C). Either way the child
// ends, its stream is read to the end and its counters are known: frames not analysed are
// counted as dropped by carpdump, never lost silently. A child silent for too long after a
// stop is killed.

import type { ChildProcess } from 'node:child_process';
import type { ClockTick, FrameSink, StopReason } from './types.js';

/** Stop reasons that end the analysis at once (the others drain first). */
export function stopsAtOnce(reason: StopReason): boolean {
  return reason === 'count' || reason === 'output-closed' || reason === 'error';
}

export abstract class ChildCapture {
  /** Frames handed to the sink (analysed and written). */
  protected delivered = 0;
  /** False once frames are no longer analysed (-c reached, a second Ctrl-C, an error). */
  protected delivering = true;
  protected stopRequested = false;
  protected exited = false;
  protected sink: FrameSink | undefined;
  protected tick: ((now: ClockTick) => void) | undefined;
  protected failure: unknown;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private markStarted: () => void = () => undefined;
  /** Resolves once the capture runs (carpdump's "listening on" line). */
  readonly started: Promise<void>;

  constructor(
    readonly name: string,
    protected readonly child: ChildProcess,
    /** How long the child may stay silent after a stop before it is killed. */
    private readonly stopTimeoutMs: number,
  ) {
    this.started = new Promise((resolve) => { this.markStarted = resolve; });
  }

  protected captureStarted(): void {
    this.markStarted();
  }

  run(sink: FrameSink, tick?: (now: ClockTick) => void): Promise<void> {
    if (this.sink) return Promise.reject(new Error('live capture: run() called twice'));
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.sink = sink;
      this.tick = tick;
      this.onRun();
      if (this.exited) this.finish();
      else this.child.stdout?.resume();
    });
  }

  /** run() was called: start timers, feed what was held back. */
  protected onRun(): void {}

  protected fail(err: unknown): void {
    if (this.failure === undefined) this.failure = err ?? new Error('live capture failed');
    this.stop('error');
  }

  /** The one way to end a live capture (see the top of this file). */
  stop(reason: StopReason = 'signal'): void {
    const atOnce = stopsAtOnce(reason);
    if (this.stopRequested) {
      if ((reason === 'signal' || atOnce) && this.delivering) {
        this.delivering = false;
        if (!this.exited) this.stopChild(true);
      }
      return;
    }
    this.stopRequested = true;
    this.onStopRequested();
    if (atOnce) this.delivering = false;
    if (this.exited) {
      this.finish();
      return;
    }
    this.stopChild(atOnce);
  }

  /** Ask the child to end: passing on what the kernel counted, or at once. */
  protected abstract stopChild(atOnce: boolean): void;

  /** The capture is ending (asked to, or the child ended): note what must be read now. */
  protected onStopRequested(): void {}

  /** Kill the child if it stays silent this long (it is stuck); each call restarts the wait. */
  protected armKillTimer(): void {
    if (this.exited) return;
    if (this.killTimer) this.killTimer.refresh();
    else this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), this.stopTimeoutMs);
  }

  /** The child has ended (its stream is read to the end); ENDERROR says why when nobody asked. */
  protected childEnded(endError: () => unknown): void {
    this.exited = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.onStopRequested();
      if (this.failure === undefined) this.failure = endError();
    }
    this.finish();
  }

  protected finish(): void {
    const settle = this.settle;
    if (!settle || !this.exited) return;
    this.settle = undefined;
    this.beforeSettle();
    if (this.failure !== undefined) settle.reject(this.failure);
    else settle.resolve();
  }

  /** Last work before run() settles (the end of the stream). */
  protected beforeSettle(): void {}
}
