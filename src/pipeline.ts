// capture -> (probe) -> decode -> analyze -> render. The pipeline knows no protocol: it calls
// the frame decoder, the analyzers and the renderer, and applies three policies:
//  - which frames are decoded: all with -A or a display filter, else those the probe finds
//    interesting (cheap peek) — every frame still goes to -w;
//  - which decoder annotations are findings: the policy table of analyze/policy.ts (carp.bad_checksum,
//    pfsync.bad_ttl, carpdump.internal_error, ...), raised on the frame that carries them;
//  - which frames are shown: -A, else frames with a SHOWN_PROTOCOLS layer, with values the
//    analyzers derived, or with findings; then the -Y filter.
// The decoded frame is never written to: what the analyzers derive for it is collected beside it
// and handed on with it (AnalyzedFrame) to the -Y filter, the renderer and the observer.
// While an analyzer holds frames (Analyzer.holding: a verdict waits for later evidence, bounded
// by the analyzer) the output of every frame is queued in capture order and rendered, findings
// counted, once no analyzer holds; at the end of input everything held is rendered.
// Analyzer exceptions are bugs: they are counted like decoder internal errors (exit 1 at the
// end) and never end the run.

import { FINDINGS } from './analyze/findings.js';
import { DECODER_FINDINGS, isDecoderFindingId } from './analyze/policy.js';
import { timeOf, type AnalyzedFrame, type Analyzer, type DeriveSink, type Finding, type FindingSink, type PacketTime } from './analyze/types.js';
import type { CaptureSource, ClockTick, RawFrame, RecordPrefilter, RecordView } from './capture/types.js';
import { decodeFrame } from './decode/frame.js';
import type { PfsyncLane } from './decode/pfsync/lane.js';
import type { CarpLane } from './decode/carp-lane.js';
import type { ArpLane } from './decode/arp-lane.js';
import { severityRank, type DecodedFrame, type DecodeOptions, type Fields, type Severity } from './decode/types.js';
import { evaluateFilter, type FilterNode } from './filter/display-filter.js';
import type { PipelineObserver, Renderer } from './output/renderer.js';
import type { RunTotals } from './output/json.js';
import type { CrossPointDuplicates } from './capture/duplicates.js';
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
  /** Several capture points: a frame already seen at another point goes only to analyzers that ask for copies. */
  readonly crossPointDuplicates?: CrossPointDuplicates;
  /** Called after each frame's output (the -l flush). */
  readonly afterFrame?: () => void;
  /** Called after each live tick (live output is flushed a few times a second). */
  readonly afterTick?: () => void;
  /**
   * Sees every decoded frame with the findings it raised (shown or not, -Y or not), and every
   * finding raised on its own: the metrics of --metrics are built from these.
   */
  readonly observer?: PipelineObserver;
  /** Caps on findings shown (findings-per-key, findings-per-id); default limits.ts's. */
  readonly limits?: Pick<Limits, 'findings-per-key' | 'findings-per-id'>;
  /**
   * The pfsync lane (decode/pfsync/lane.ts): a frame it reads goes to the analyzers'
   * onPfsyncLane with no decoded frame. Only for runs where the renderers do nothing with a
   * frame but print its findings (-q without --check; the --report renderer reads findings only
   * and its series analyzer has onPfsyncLane); the pipeline uses it only with
   * DecodeOptions.pfsyncAnalysisOnly, without -A, -Y, --decode-as, an observer or several capture
   * points, and when every analyzer has onPfsyncLane.
   */
  readonly pfsyncLane?: (raw: RawFrame) => PfsyncLane | undefined;
  /**
   * The CARP lane (decode/carp-lane.ts: plain Ethernet / IPv4 / CARP v2 adverts), to the
   * analyzers' onCarpLane, on the same conditions as the pfsync lane; a frame also takes the
   * full decode when an analyzer's carpLaneDeclined says so (the CARP analyzer would hold it).
   */
  readonly carpLane?: (raw: RawFrame) => CarpLane | undefined;
  /**
   * The CARP lane on a file's record before a frame is made of it (decode/carp-lane.ts
   * readCarpLaneRecord), where the prefilter runs and the CARP lane is taken: Pipeline.takeRecord.
   */
  readonly carpLaneRecord?: (record: RecordView) => CarpLane | undefined;
  /**
   * The ARP lane (decode/arp-lane.ts: plain Ethernet ARP requests that are not gratuitous), to
   * the analyzers' onArpLane, on the same conditions as the pfsync lane. Such a frame is not shown
   * (nothing in it is; see render()) unless an analyzer raises a finding on it.
   */
  readonly arpLane?: (raw: RawFrame) => ArpLane | undefined;
}

/** Declared beside Renderer (output/renderer.ts), which output/metrics.ts implements. */
export type { PipelineObserver };

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

const NO_DERIVED: Readonly<Fields> = Object.freeze({});
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/**
 * One frame's output: the decoded frame's parts with the values the analyzers derive for it (as
 * the filter, the renderers and the observer see it), and its findings, waiting in capture order
 * while an analyzer holds. One object of one shape per frame: the derived values are allocated
 * only when an analyzer derives one (most frames get none), and land here even while the frame
 * is held. (An object spread per frame once cost a third of the pfsync run in copying and GC.)
 */
class FrameOutput implements AnalyzedFrame {
  readonly raw: DecodedFrame['raw'];
  readonly layers: DecodedFrame['layers'];
  readonly annotations: DecodedFrame['annotations'];
  readonly ip: DecodedFrame['ip'];
  readonly internalError: DecodedFrame['internalError'];
  derived: Readonly<Fields> = NO_DERIVED;
  /** Allocated with the first finding (most frames raise none). */
  findings: readonly Finding[] = NO_FINDINGS;

  constructor(f: DecodedFrame, readonly previousEpoch: number | undefined) {
    this.raw = f.raw;
    this.layers = f.layers;
    this.annotations = f.annotations;
    this.ip = f.ip;
    this.internalError = f.internalError;
  }

  derive(id: string, value: Fields[string]): void {
    if (this.derived === NO_DERIVED) this.derived = {};
    (this.derived as Fields)[id] = value;
  }

  addFinding(f: Finding): void {
    if (this.findings === NO_FINDINGS) this.findings = [f];
    else (this.findings as Finding[]).push(f);
  }
}

/**
 * A lane frame that raised findings, as the renderer sees it: its only layer says pfsync (so it
 * is shown as a decoded pfsync frame is); under -q the renderers read nothing else of it.
 */
const LANE_LAYERS: DecodedFrame['layers'] = Object.freeze([Object.freeze({ proto: 'pfsync', offset: 34, length: 0, status: 'ok', fields: Object.freeze({}) })]);
const NO_ANNOTATIONS: DecodedFrame['annotations'] = Object.freeze([]);
/** The same for a CARP lane frame (decode/carp-lane.ts): its only layer says carp. */
const CARP_LANE_LAYERS: DecodedFrame['layers'] = Object.freeze([Object.freeze({ proto: 'carp', offset: 34, length: 0, status: 'ok', fields: Object.freeze({}) })]);
/** The same for an ARP lane frame (decode/arp-lane.ts): its only layer says arp. */
const ARP_LANE_LAYERS: DecodedFrame['layers'] = Object.freeze([Object.freeze({ proto: 'arp', offset: 14, length: 0, status: 'ok', fields: Object.freeze({}) })]);
/** Whether a lane frame of each LaneKind is shown (render()'s rule: a SHOWN_PROTOCOLS layer), once, not a Set lookup per frame. */
const LANE_SHOWN: readonly boolean[] = [LANE_LAYERS, CARP_LANE_LAYERS, ARP_LANE_LAYERS].map((l) => SHOWN_PROTOCOLS.has(l[0]!.proto));

/** An analyzer's onPfsyncLane, onCarpLane or onArpLane (the lane's own type: processLane() runs the handlers of its kind). */
type LaneHandler = (lane: PfsyncLane | CarpLane | ArpLane, emit: FindingSink) => void;

/** Which lane processLane() runs. */
const enum LaneKind { Pfsync, Carp, Arp }

export class Pipeline {
  private frames = 0;
  /** Frames the pfsync, CARP and ARP lanes took (see PipelineConfig.pfsyncLane, carpLane, arpLane). */
  laneFrames = 0;
  private readonly lane: ((raw: RawFrame) => PfsyncLane | undefined) | undefined;
  /** The lane frame being analysed, and its output once it raises a finding. */
  private laneOf: { readonly raw: RawFrame } | undefined;
  private laneEntry: FrameOutput | undefined;
  private readonly carpLane: ((raw: RawFrame) => CarpLane | undefined) | undefined;
  private readonly arpLane: ((raw: RawFrame) => ArpLane | undefined) | undefined;
  /** The analyzers' onPfsyncLane, onCarpLane and onArpLane (by LaneKind), bound, in the analyzers' order. */
  private readonly laneHandlers: readonly (readonly LaneHandler[])[];
  /** The analyzers' carpLaneDeclined, bound. */
  private readonly carpDecliners: readonly ((lane: CarpLane) => boolean)[];
  /** The layers a lane frame shows: the pfsync, CARP or ARP lane's. */
  private laneLayers: DecodedFrame['layers'] = LANE_LAYERS;
  private readonly laneEmit = (f: Finding): void => {
    this.laneEntry ??= new FrameOutput({ raw: this.laneOf!.raw, layers: this.laneLayers, annotations: NO_ANNOTATIONS }, this.previousEpoch());
    this.laneEntry.addFinding(f);
  };
  private shown = 0;
  private readonly findingCounts: Record<string, number> = {};
  private worst: Severity | undefined;
  private readonly internalErrors: InternalError[] = [];
  private internalErrorCount = 0;
  private lastTime: PacketTime | undefined;
  /**
   * The last frame's time (lastSec, lastNsec, lastDigits) is the end of input: set by a frame or a
   * record the CARP lane took, unset by a later tick.
   */
  private lastIsEnd = false;
  private finished = false;
  /** Time of the last record the prefilter skipped after the last frame (the end of input). */
  private skippedAfterLast = false;
  private skippedSec = 0;
  private skippedNsec = 0;
  /** The source runs `prefilter`: every frame that reaches onFrame already passed the probe. */
  private prefiltering = false;
  /**
   * Frames (with their findings and derived values, still growing) whose output waits for a
   * holding analyzer, and findings raised between frames meanwhile.
   */
  private readonly held: (FrameOutput | Finding)[] = [];
  /** Epoch seconds of the first frame (frame.time_relative). */
  private firstEpoch: number | undefined;
  /**
   * The times of the frame before the one being processed (frame.time_delta: previousEpoch()) and
   * of that one, as their parts: a double made per frame and passed on was a heap number per
   * frame, and only a frame that is output reads it.
   */
  private hasBefore = false;
  private beforeSec = 0;
  private beforeNsec = 0;
  private hasLastTime = false;
  private lastSec = 0;
  private lastNsec = 0;
  private lastDigits = 6;

  /** A frame (or a record the CARP lane took) at this time: it becomes the last one, its predecessor the one before. */
  private noteTime(sec: number, nsec: number, digits: number): void {
    this.hasBefore = this.hasLastTime; this.beforeSec = this.lastSec; this.beforeNsec = this.lastNsec;
    this.hasLastTime = true; this.lastSec = sec; this.lastNsec = nsec; this.lastDigits = digits;
    this.lastIsEnd = true;
    if (this.firstEpoch === undefined) this.firstEpoch = sec + nsec / 1e9;
  }

  /** Epoch seconds of the frame before the one being processed; undefined for the first. */
  private previousEpoch(): number | undefined {
    return this.hasBefore ? this.beforeSec + this.beforeNsec / 1e9 : undefined;
  }
  /** Set when -c is reached; the source is asked to stop. */
  done = false;
  onCountReached: (() => void) | undefined;

  private readonly cap: FindingCap;

  constructor(private readonly config: PipelineConfig) {
    this.cap = new FindingCap(config.limits ?? defaultLimits());
    const c = config;
    const lanes = c.decodeOptions.pfsyncAnalysisOnly === true && c.decodeOptions.decodeAs === undefined
      && !c.all && !c.displayFilter && !c.observer && !c.crossPointDuplicates;
    this.lane = lanes && c.pfsyncLane !== undefined && c.analyzers.every((a) => a.onPfsyncLane !== undefined) ? c.pfsyncLane : undefined;
    this.carpLane = lanes && c.carpLane !== undefined && c.analyzers.every((a) => a.onCarpLane !== undefined) ? c.carpLane : undefined;
    this.arpLane = lanes && c.arpLane !== undefined && c.analyzers.every((a) => a.onArpLane !== undefined) ? c.arpLane : undefined;
    // Each analyzer's lane handlers, bound once: per lane frame, a call through an array and not
    // a property read across the analyzers' several shapes (a megamorphic load per analyzer)
    const bound = <F extends (...args: never[]) => unknown>(pick: (a: Analyzer) => F | undefined): F[] =>
      c.analyzers.map((a) => pick(a)!.bind(a) as F);
    this.laneHandlers = [
      this.lane ? bound((a) => a.onPfsyncLane) as LaneHandler[] : [],
      this.carpLane ? bound((a) => a.onCarpLane) as LaneHandler[] : [],
      this.arpLane ? bound((a) => a.onArpLane) as LaneHandler[] : [],
    ];
    this.carpDecliners = this.carpLane ? c.analyzers.filter((a) => a.carpLaneDeclined !== undefined).map((a) => a.carpLaneDeclined!.bind(a)) : [];
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
      this.analyzerFailed(analyzer, frameNumber, t, err, emit);
    }
  }

  private analyzerFailed(analyzer: Analyzer, frameNumber: number, t: PacketTime, err: unknown, emit: (f: Finding) => void): void {
    const msg = `${analyzer.name} analyzer: ${err instanceof Error ? err.message : String(err)}`;
    this.internalError(frameNumber, msg);
    emit({
      id: 'carpdump.internal_error', severity: FINDINGS['carpdump.internal_error'].severity, ts: t,
      frames: frameNumber > 0 ? [frameNumber] : [], message: `internal error in the ${msg}`, details: {},
    });
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

  /**
   * Installs `prefilter` on a file source when nothing needs every frame (no -A, -Y, -w, -c), and
   * with the CARP lane, `takeRecord`.
   */
  attachPrefilter(source: CaptureSource): void {
    const cfg = this.config;
    if (!source.setPrefilter || cfg.isInterestingRecord === undefined || cfg.all || cfg.displayFilter || cfg.frameWriter || cfg.count !== undefined) return;
    source.setPrefilter(this.prefilter);
    this.prefiltering = true;
    if (this.carpLane !== undefined && cfg.carpLaneRecord !== undefined) {
      this.carpLaneRecord = cfg.carpLaneRecord;
      source.setRecordTaker?.(this.takeRecord);
    }
  }

  private carpLaneRecord: ((record: RecordView) => CarpLane | undefined) | undefined;

  /**
   * A RecordTaker for file sources (with the prefilter, when the CARP lane is taken): a CARP lane
   * frame read from the record's bytes (PipelineConfig.carpLaneRecord), with no frame made of it:
   * what onFrame() and process() do for it, from the record's numbers. A record the lane does
   * not take becomes a frame as usual.
   */
  readonly takeRecord = (record: RecordView): boolean => {
    if (this.done || this.held.length > 0) return false;
    const lane = this.carpLaneRecord!(record);
    if (lane === undefined || this.carpLaneDeclined(lane)) return false;
    this.frames++;
    this.skippedAfterLast = false;
    this.noteTime(lane.tsSec, lane.tsNsec, lane.tsDigits);
    this.processLane(LaneKind.Carp, lane);
    return true;
  };

  onFrame(raw: RawFrame): void {
    if (this.done) return;
    this.frames++;
    this.skippedAfterLast = false;
    const cfg = this.config;
    cfg.frameWriter?.writeFrame(raw);
    this.noteTime(raw.tsSec, raw.tsNsec, raw.tsDigits);
    if (cfg.all || cfg.displayFilter || this.prefiltering || !cfg.isInteresting || cfg.isInteresting(raw)) this.process(raw);
    if (cfg.count !== undefined && this.frames >= cfg.count) {
      this.done = true;
      this.onCountReached?.();
    }
  }

  private process(raw: RawFrame): void {
    if (this.held.length === 0) {
      // the CARP lane first: it takes one frame length only (70 bytes), so it turns a pfsync frame
      // down at its first test, where the pfsync lane reads a CARP advert's headers to its protocol
      if (this.carpLane !== undefined) {
        const lane = this.carpLane(raw);
        if (lane !== undefined && !this.carpLaneDeclined(lane)) { this.processLane(LaneKind.Carp, lane); return; }
      }
      if (this.lane !== undefined) {
        const lane = this.lane(raw);
        if (lane !== undefined) { this.processLane(LaneKind.Pfsync, lane); return; }
      }
      if (this.arpLane !== undefined) {
        const lane = this.arpLane(raw);
        if (lane !== undefined) { this.processLane(LaneKind.Arp, lane); return; }
      }
    }
    this.processDecoded(raw);
  }

  /**
   * A frame through the full decode. Apart from process(): the sinks below are closures over the
   * frame's output, and a function with such closures gets a context object at every call, so in
   * process() every lane frame paid for one too.
   */
  private processDecoded(raw: RawFrame): void {
    const cfg = this.config;
    const frame: DecodedFrame = decodeFrame(raw, cfg.decodeOptions);
    if (frame.internalError !== undefined) this.internalError(raw.number, frame.internalError);
    const entry = new FrameOutput(frame, this.previousEpoch());
    // The sinks stay valid for this frame while an analyzer holds it, so they are per frame.
    const emit = (f: Finding): void => { entry.addFinding(f); };
    const derive: DeriveSink = (id, value) => { entry.derive(id, value); };
    const copy = raw.capturePoint !== undefined && cfg.crossPointDuplicates?.isCopy(raw) === true;
    for (const a of cfg.analyzers) {
      if (copy && a.seesDuplicates !== true) continue;
      // No guard() closure per analyzer and frame: the same catch, inline.
      try {
        a.onFrame(frame, emit, derive);
      } catch (err) {
        this.analyzerFailed(a, raw.number, timeOf(frame), err, emit);
      }
    }
    // Decoder annotations that are findings (unless an analyzer already raised that id here).
    const fromAnalyzers = entry.findings.length;
    let t: PacketTime | undefined;
    for (const ann of frame.annotations) {
      if (!isDecoderFindingId(ann.id) || raisedBefore(entry.findings, fromAnalyzers, ann.id)) continue;
      t ??= timeOf(frame);
      entry.addFinding({
        id: ann.id, severity: DECODER_FINDINGS[ann.id].severity, ts: t, frames: [raw.number], message: ann.message,
        details: ann.details ?? {},
      });
    }
    this.held.push(entry);
    this.flushHeld();
  }

  /**
   * A lane frame: what process() and render() do with a decoded frame that the renderer does not
   * print (-q), without the frame unless it raises a finding. Nothing is held (the lane is taken
   * only when nothing is), so a frame without findings is done: shown or not by render()'s own
   * rule (a SHOWN_PROTOCOLS layer: pfsync and CARP are, an ARP request is not).
   */
  private processLane(kind: LaneKind, lane: PfsyncLane | CarpLane | ArpLane): void {
    // lane.raw is read only for a finding: a CARP lane frame read from a record has no frame until then
    this.laneFrames++;
    this.laneOf = lane;
    this.laneEntry = undefined;
    this.laneLayers = kind === LaneKind.Pfsync ? LANE_LAYERS : kind === LaneKind.Carp ? CARP_LANE_LAYERS : ARP_LANE_LAYERS;
    const handlers = this.laneHandlers[kind]!;
    for (let i = 0; i < handlers.length; i++) {
      try {
        handlers[i]!(lane, this.laneEmit);
      } catch (err) {
        this.analyzerFailed(this.config.analyzers[i]!, lane.raw.number, timeOf(lane.raw), err, this.laneEmit);
      }
    }
    const entry = this.laneEntry;
    this.laneEntry = undefined;
    this.laneOf = undefined;
    if (entry === undefined) {
      if (LANE_SHOWN[kind]) this.shown++;
      this.config.afterFrame?.();
      return;
    }
    this.held.push(entry);
    this.flushHeld();
  }

  private carpLaneDeclined(lane: CarpLane): boolean {
    const decliners = this.carpDecliners;
    for (let i = 0; i < decliners.length; i++) if (decliners[i]!(lane)) return true;
    return false;
  }

  private anyHolding(): boolean {
    for (const a of this.config.analyzers) if (a.holding?.()) return true;
    return false;
  }

  /** Renders the queued frames in order unless an analyzer still holds (`force` at the end). */
  private flushHeld(force = false): void {
    if (this.held.length === 0 || (!force && this.anyHolding())) return;
    if (this.held.length === 1) {
      // The usual case (no analyzer holds): no copy of the queue.
      const h = this.held.pop()!;
      if (h instanceof FrameOutput) this.render(h, h.findings, h.previousEpoch);
      else this.printLoose(h);
      return;
    }
    for (const h of this.held.splice(0)) {
      if (h instanceof FrameOutput) this.render(h, h.findings, h.previousEpoch);
      else this.printLoose(h);
    }
  }

  private render(frame: AnalyzedFrame, findings: readonly Finding[], previousEpoch: number | undefined): void {
    const cfg = this.config;
    const raw = frame.raw;
    for (const f of findings) this.count(f);
    // After any hold: the analyzers' verdicts on this frame are final now.
    if (cfg.observer) this.observe(frame.raw.number, () => cfg.observer!.frame(frame, findings));
    // Floods are capped per id and key: the frame shows the findings under the caps (and a
    // carpdump.limit_reached when one is reached); the rest are only counted.
    let shownFindings = NO_FINDINGS;
    if (findings.length > 0) {
      const shown: Finding[] = [];
      for (const f of findings) {
        if (this.cap.admit(f, (l) => { this.count(l); shown.push(l); })) shown.push(f);
      }
      shownFindings = shown;
    }
    let visible = cfg.all || shownFindings.length > 0 || hasKeys(frame.derived);
    if (!visible) for (const l of frame.layers) if (SHOWN_PROTOCOLS.has(l.proto)) { visible = true; break; }
    const passes = visible && (!cfg.displayFilter || evaluateFilter(cfg.displayFilter, frame, {
      ...(this.firstEpoch !== undefined ? { firstEpoch: this.firstEpoch } : {}),
      ...(previousEpoch !== undefined ? { previousEpoch } : {}),
      ...(raw.capturePoint !== undefined ? { capturePoint: raw.capturePoint } : {}),
    }));
    try {
      if (passes) {
        this.shown++;
        cfg.renderer.frame(frame, shownFindings);
      } else if (!cfg.displayFilter) {
        // Not shown by default (e.g. an ARP frame) but it raised findings: print them alone.
        for (const f of shownFindings) cfg.renderer.finding(f);
      }
    } catch (err) {
      this.internalError(frame.raw.number, `renderer: ${err instanceof Error ? err.message : String(err)}`);
    }
    cfg.afterFrame?.();
  }

  /** Live capture: packet time advanced without packets. */
  onTick(now: ClockTick, digits = 6): void {
    const t: PacketTime = { sec: now.sec, nsec: now.nsec, digits };
    this.lastTime = t;
    this.lastIsEnd = false;
    for (const a of this.config.analyzers) {
      this.guard(a, 0, t, () => a.onTick(t, (f) => this.emitLoose(f)), (f) => this.emitLoose(f));
    }
    this.flushHeld();
    this.config.afterTick?.();
  }

  private observe(frameNumber: number, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.internalError(frameNumber, `observer: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A finding of no frame (tick, end of input): after the held frames when some are held. */
  private emitLoose(f: Finding): void {
    if (this.held.length > 0) this.held.push(f);
    else this.printLoose(f);
  }

  private printLoose(f: Finding): void {
    this.count(f);
    const observer = this.config.observer;
    if (observer) this.observe(0, () => observer.finding(f));
    if (this.cap.admit(f, (l) => { this.count(l); this.config.renderer.finding(l); })) this.config.renderer.finding(f);
  }

  /** End of input: finish() findings, then the summaries. Idempotent. */
  finish(): PipelineResult {
    const cfg = this.config;
    if (!this.finished) {
      this.finished = true;
      const digits = this.lastIsEnd ? this.lastDigits : 6;
      const now = this.skippedAfterLast ? { sec: this.skippedSec, nsec: this.skippedNsec, digits }
        : this.lastIsEnd ? { sec: this.lastSec, nsec: this.lastNsec, digits }
          : this.lastTime ?? { sec: 0, nsec: 0, digits: 6 };
      for (const a of cfg.analyzers) {
        this.guard(a, 0, now, () => a.finish(now, (f) => this.emitLoose(f)), (f) => this.emitLoose(f));
      }
      this.flushHeld(true);
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
  pipeline.onCountReached = () => source.stop('count');
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
