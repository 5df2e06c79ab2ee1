// capture -> (probe) -> decode -> analyze -> render. The pipeline knows no protocol: it calls
// the frame decoder, the analyzers and the renderer, and applies three policies:
//  - which frames are decoded: all with -A or a display filter, else those the probe finds
//    interesting (cheap peek) — every frame still goes to -w;
//  - which decoder annotations are findings: those whose id is in FINDINGS (carp.bad_checksum,
//    pfsync.bad_ttl, carpdump.internal_error, ...), raised on the frame that carries them;
//  - which frames are shown: -A, else frames with a SHOWN_PROTOCOLS layer, with values the
//    analyzers derived, or with findings; then the -Y filter.
// Analyzer exceptions are bugs: they are counted like decoder internal errors (exit 1 at the
// end) and never end the run.

import { FINDINGS, isFindingId } from './analyze/findings.js';
import { timeOf, type Analyzer, type Finding, type PacketTime } from './analyze/types.js';
import type { CaptureSource, ClockTick, RawFrame, RecordPrefilter } from './capture/types.js';
import { decodeFrame } from './decode/frame.js';
import { severityRank, type DecodedFrame, type DecodeOptions, type Fields, type Severity } from './decode/types.js';
import { evaluateFilter, type FilterNode } from './filter/display-filter.js';
import type { Renderer } from './output/renderer.js';
import type { RunTotals } from './output/json.js';
import { FindingCap } from './finding-cap.js';
import { defaultLimits, type Limits } from './limits.js';

/** Layers that make a frame worth showing without -A. */
export const SHOWN_PROTOCOLS: ReadonlySet<string> = new Set(['carp', 'vrrp', 'pfsync']);

export interface FrameWriter {
  writeFrame(frame: RawFrame): void;
}

export interface PipelineConfig {
  readonly decodeOptions: DecodeOptions;
  readonly all: boolean;
  readonly displayFilter?: FilterNode;
  /** Stop after this many frames. */
  readonly count?: number;
  readonly analyzers: readonly Analyzer[];
  readonly renderer: Renderer;
  /** -w: every captured frame is written. */
  readonly frameWriter?: FrameWriter;
  /** Cheap peek: false = the frame cannot be shown or analysed; it is not decoded (unless -A). */
  readonly isInteresting?: (raw: RawFrame) => boolean;
  /**
   * The same peek on a record's bytes before a frame exists (files only, and only when every
   * frame is not needed anyway: no -A, -Y, -w or -c). Rejected records are counted, not made.
   */
  readonly isInterestingRecord?: (bytes: Uint8Array, start: number, end: number, linktype: number) => boolean;
  /** Called after each frame's output (the -l flush). */
  readonly afterFrame?: () => void;
  /** Called after each live tick (live output is flushed a few times a second). */
  readonly afterTick?: () => void;
  /** Caps on findings shown (findings-per-key, findings-per-id); default limits.ts's. */
  readonly limits?: Pick<Limits, 'findings-per-key' | 'findings-per-id'>;
}

export interface InternalError {
  readonly frame: number;
  readonly message: string;
}

export interface PipelineResult extends RunTotals {
  readonly worstSeverity: Severity | undefined;
  readonly internalErrors: readonly InternalError[];
  /** How many internal errors there were in all (the list keeps the first few). */
  readonly internalErrorCount: number;
}

const MAX_KEPT_ERRORS = 10;

function raisedBefore(findings: readonly Finding[], count: number, id: string): boolean {
  for (let i = 0; i < count; i++) if (findings[i]!.id === id) return true;
  return false;
}

function hasKeys(o: Fields): boolean {
  for (const _ in o) return true;
  return false;
}

export class Pipeline {
  private frames = 0;
  private shown = 0;
  private readonly findingCounts: Record<string, number> = {};
  private worst: Severity | undefined;
  private readonly internalErrors: InternalError[] = [];
  private internalErrorCount = 0;
  private lastTime: PacketTime | undefined;
  /** Last frame seen (its time is the end of input unless a later tick came). */
  private lastFrame: RawFrame | undefined;
  private finished = false;
  /** Time of the last record the prefilter skipped after the last frame (the end of input). */
  private skippedAfterLast = false;
  private skippedSec = 0;
  private skippedNsec = 0;
  /** The source runs `prefilter`: every frame that reaches onFrame already passed the probe. */
  private prefiltering = false;
  /** Set when -c is reached; the source is asked to stop. */
  done = false;
  onCountReached: (() => void) | undefined;

  private readonly cap: FindingCap;

  constructor(private readonly config: PipelineConfig) {
    this.cap = new FindingCap(config.limits ?? defaultLimits());
  }

  private count(f: Finding): void {
    this.findingCounts[f.id] = (this.findingCounts[f.id] ?? 0) + 1;
    if (this.worst === undefined || severityRank(f.severity) > severityRank(this.worst)) this.worst = f.severity;
  }

  private internalError(frame: number, message: string): void {
    this.internalErrorCount++;
    if (this.internalErrors.length < MAX_KEPT_ERRORS) this.internalErrors.push({ frame, message });
  }

  /** Runs an analyzer call; an exception becomes a carpdump.internal_error finding. */
  private guard(analyzer: Analyzer, frameNumber: number, t: PacketTime, fn: () => void, emit: (f: Finding) => void): void {
    try {
      fn();
    } catch (err) {
      const msg = `${analyzer.name} analyzer: ${err instanceof Error ? err.message : String(err)}`;
      this.internalError(frameNumber, msg);
      emit({
        id: 'carpdump.internal_error', severity: FINDINGS['carpdump.internal_error'].severity, ts: t,
        frames: frameNumber > 0 ? [frameNumber] : [], message: `internal error in the ${msg}`, details: {},
      });
    }
  }

  /** A RecordPrefilter for file sources: see PipelineConfig.isInterestingRecord. */
  readonly prefilter: RecordPrefilter = (bytes, start, end, linktype, tsSec, tsNsec) => {
    if (this.config.isInterestingRecord!(bytes, start, end, linktype)) return true;
    this.frames++;
    this.skippedAfterLast = true;
    this.skippedSec = tsSec;
    this.skippedNsec = tsNsec;
    return false;
  };

  /** Installs `prefilter` on a file source when nothing needs every frame (no -A, -Y, -w, -c). */
  attachPrefilter(source: CaptureSource): void {
    const cfg = this.config;
    if (!source.setPrefilter || cfg.isInterestingRecord === undefined || cfg.all || cfg.displayFilter || cfg.frameWriter || cfg.count !== undefined) return;
    source.setPrefilter(this.prefilter);
    this.prefiltering = true;
  }

  onFrame(raw: RawFrame): void {
    if (this.done) return;
    this.frames++;
    this.skippedAfterLast = false;
    const cfg = this.config;
    cfg.frameWriter?.writeFrame(raw);
    this.lastFrame = raw;
    if (cfg.all || cfg.displayFilter || this.prefiltering || !cfg.isInteresting || cfg.isInteresting(raw)) this.process(raw);
    if (cfg.count !== undefined && this.frames >= cfg.count) {
      this.done = true;
      this.onCountReached?.();
    }
  }

  private process(raw: RawFrame): void {
    const cfg = this.config;
    const frame: DecodedFrame = decodeFrame(raw, cfg.decodeOptions);
    if (frame.internalError !== undefined) this.internalError(raw.number, frame.internalError);
    const t = timeOf(frame);
    const findings: Finding[] = [];
    const emit = (f: Finding): void => { findings.push(f); };
    for (const a of cfg.analyzers) this.guard(a, raw.number, t, () => a.onFrame(frame, emit), emit);
    // Decoder annotations that are findings (unless an analyzer already raised that id here).
    const fromAnalyzers = findings.length;
    for (const ann of frame.annotations) {
      if (!isFindingId(ann.id) || raisedBefore(findings, fromAnalyzers, ann.id)) continue;
      findings.push({
        id: ann.id, severity: FINDINGS[ann.id].severity, ts: t, frames: [raw.number], message: ann.message,
        details: ann.details ?? {},
      });
    }
    for (const f of findings) this.count(f);
    // Floods are capped per id and key: the frame shows the findings under the caps (and a
    // carpdump.limit_reached when one is reached); the rest are only counted.
    const shownFindings: Finding[] = [];
    for (const f of findings) {
      if (this.cap.admit(f, (l) => { this.count(l); shownFindings.push(l); })) shownFindings.push(f);
    }

    let visible = cfg.all || shownFindings.length > 0 || hasKeys(frame.derived);
    if (!visible) for (const l of frame.layers) if (SHOWN_PROTOCOLS.has(l.proto)) { visible = true; break; }
    const passes = visible && (!cfg.displayFilter || evaluateFilter(cfg.displayFilter, frame));
    try {
      if (passes) {
        this.shown++;
        cfg.renderer.frame(frame, shownFindings);
      } else if (!cfg.displayFilter) {
        // Not shown by default (e.g. an ARP frame) but it raised findings: print them alone.
        for (const f of shownFindings) cfg.renderer.finding(f);
      }
    } catch (err) {
      this.internalError(raw.number, `renderer: ${err instanceof Error ? err.message : String(err)}`);
    }
    cfg.afterFrame?.();
  }

  /** Live capture: packet time advanced without packets. */
  onTick(now: ClockTick, digits = 6): void {
    const t: PacketTime = { sec: now.sec, nsec: now.nsec, digits };
    this.lastTime = t;
    this.lastFrame = undefined;
    for (const a of this.config.analyzers) {
      this.guard(a, 0, t, () => a.onTick(t, (f) => this.emitLoose(f)), (f) => this.emitLoose(f));
    }
    this.config.afterTick?.();
  }

  private emitLoose(f: Finding): void {
    this.count(f);
    if (this.cap.admit(f, (l) => { this.count(l); this.config.renderer.finding(l); })) this.config.renderer.finding(f);
  }

  /** End of input: finish() findings, then the summaries. Idempotent. */
  finish(): PipelineResult {
    const cfg = this.config;
    if (!this.finished) {
      this.finished = true;
      const last = this.lastFrame;
      const digits = last?.tsDigits ?? 6;
      const now = this.skippedAfterLast ? { sec: this.skippedSec, nsec: this.skippedNsec, digits }
        : last ? { sec: last.tsSec, nsec: last.tsNsec, digits } : this.lastTime ?? { sec: 0, nsec: 0, digits: 6 };
      for (const a of cfg.analyzers) {
        this.guard(a, 0, now, () => a.finish(now, (f) => this.emitLoose(f)), (f) => this.emitLoose(f));
      }
      for (const f of this.cap.totals(now)) {
        this.count(f);
        cfg.renderer.finding(f);
      }
      const summary: Record<string, Fields[string]> = {};
      for (const a of cfg.analyzers) {
        try {
          Object.assign(summary, a.summary());
        } catch (err) {
          this.internalError(0, `${a.name} analyzer summary: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      try {
        cfg.renderer.end(this.totals(), summary);
      } catch (err) {
        this.internalError(0, `renderer: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return {
      ...this.totals(),
      worstSeverity: this.worst,
      internalErrors: this.internalErrors,
      internalErrorCount: this.internalErrorCount,
    };
  }

  private totals(): RunTotals {
    return { frames: this.frames, shown: this.shown, findings: { ...this.findingCounts } };
  }
}

/**
 * Runs a source through the pipeline. Resolves with the result and, when the source failed
 * (corrupt or truncated file, capture error), the error: everything decoded before the damage
 * has been rendered and the summaries printed.
 */
export async function runPipeline(source: CaptureSource, config: PipelineConfig): Promise<{ result: PipelineResult; error?: unknown }> {
  const pipeline = new Pipeline(config);
  pipeline.onCountReached = () => source.stop();
  pipeline.attachPrefilter(source);
  let error: unknown;
  try {
    await source.run((raw) => pipeline.onFrame(raw), (now) => pipeline.onTick(now));
  } catch (err) {
    error = err;
  }
  const result = pipeline.finish();
  return error === undefined ? { result } : { result, error };
}
