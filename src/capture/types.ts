// What every capture source (pcap, pcapng, live) yields: one raw frame at a time.

import type { RawFrame, RecordView } from '../kernel/frame.js';

/** RawFrame lives in the shared kernel (kernel/frame.ts); re-exported for capture's own modules. */
export type { RawFrame, RecordView };

/** Largest |seconds| a frame time may have: JavaScript dates end at ±8.64e12 s. */
export const MAX_TIME_SEC = 8.64e12;

export type FrameSink = (frame: RawFrame) => void;

/**
 * A look at a record's bytes (bytes[start, end)) before a RawFrame is made for it. Returning
 * false skips the record: it is still counted and numbered, but never reaches the sink. This is
 * how a file run with no use for background traffic avoids allocating a frame per record.
 */
export type RecordPrefilter = (
  bytes: Uint8Array, start: number, end: number, linktype: number, tsSec: number, tsNsec: number,
) => boolean;

/**
 * Takes a record in place of its frame: true when it handled the record (it is counted and
 * numbered, and never reaches the sink); false makes the frame as usual. The pipeline's CARP
 * lane reads an advert's bytes where the reader has them (Pipeline.takeRecord): a frame object
 * and a view of its bytes per advert were a third of what the analysis allocated. Never called
 * for a record whose time is out of range (the frame carries that annotation).
 */
export type RecordTaker = (record: RecordView) => boolean;

/** Kernel counters of a live capture, as tcpdump reports them at the end. */
export interface CaptureStats {
  readonly received: number;
  readonly dropped: number;
  readonly ifDropped: number;
  /** False when the kernel's counters could not be read (e.g. the interface went away). */
  readonly fromKernel?: boolean;
  /** Live: frames the kernel handed over that carpdump dropped because its queue was full. */
  readonly queueDropped?: number;
  /** Live: frames the kernel handed over that were not analysed because the capture stopped first. */
  readonly stopDropped?: number;
}

/**
 * Why a capture stops (CaptureSource.stop): a signal (SIGINT/SIGTERM; a second one stops at
 * once), -c reached, an autostop condition, the output closed, or an error.
 */
export type StopReason = 'signal' | 'count' | 'autostop' | 'output-closed' | 'error';

/** A packet-time instant reported by a live source when no packet arrived for a while. */
export interface ClockTick {
  readonly sec: number;
  readonly nsec: number;
}

/**
 * Where frames come from: a file (pcap / pcapng / gzip / stdin) or a live interface.
 * run() delivers frames in order until the input ends or stop() is called, then resolves;
 * it rejects with a CarpdumpError (one-line message, exit status) for container problems,
 * after having delivered every complete frame before the damage.
 */
export interface CaptureSource {
  readonly name: string;
  run(sink: FrameSink, tick?: (now: ClockTick) => void): Promise<void>;
  /** The one way to end a run early; live capture: see LiveCapture.stop for what each reason does. */
  stop(reason?: StopReason): void;
  /** Live sources: kernel counters (received / dropped). */
  stats?(): CaptureStats;
  /** File sources: skip records the prefilter rejects before making frames of them. */
  setPrefilter?(prefilter: RecordPrefilter): void;
  /** File sources: offer the records the prefilter passes to `taker` before making frames of them. */
  setRecordTaker?(taker: RecordTaker): void;
}
