// Analyzers turn decoded frames into findings. They never read bytes and never read the wall
// clock: time is packet time, and live capture feeds the passage of time as ticks.

import type { DecodedFrame, FieldValue, Fields, Severity } from '../decode/types.js';
import type { FindingId } from './findings.js';
import type { PfsyncLane } from '../decode/pfsync/lane.js';
import type { CarpLane } from '../decode/carp-lane.js';
import type { ArpLane } from '../decode/arp-lane.js';
import { timeAt, timeOf, toSeconds, type PacketTime } from '../kernel/time.js';

/** Packet time is the shared kernel's (kernel/time.ts); re-exported as part of the analyzer API. */
export { timeAt, timeOf, toSeconds, type PacketTime };

export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  readonly ts: PacketTime;
  /** Frame numbers that raised it (the last one is the frame it is printed under). */
  readonly frames: readonly number[];
  readonly message: string;
  /** Top-level keys in JSON: vhid, src, cause, creatorid, state_id, ... */
  readonly details: Fields;
}

export type FindingSink = (finding: Finding) => void;

/**
 * Where an analyzer puts a value it derives for the frame at hand ('carp.hmac.status',
 * 'carp.vip', 'arp.carp.vip_candidate', ...): beside the frame, never into it. Ids are
 * declared in the registry of the layer they are shown in (decode/carp.ts).
 */
export type DeriveSink = (id: string, value: FieldValue) => void;

/**
 * A frame as the pipeline hands it to renderers, the -Y filter and observers: the decoded frame,
 * unchanged since decoding, with the values the analyzers derived for it beside its layers.
 * Renderers show a derived field inside the layer its id names (output/layers.ts).
 */
export interface AnalyzedFrame extends DecodedFrame {
  readonly derived: Readonly<Fields>;
}

export interface Analyzer {
  readonly name: string;
  /**
   * Called for every frame, in capture order. Findings go to `emit`, values derived for the frame
   * to `derive` (both stay valid for that frame while the analyzer holds it).
   */
  onFrame(frame: DecodedFrame, emit: FindingSink, derive: DeriveSink): void;
  /** Live capture: packet time has advanced to `now` with no packet (timers may fire). */
  onTick(now: PacketTime, emit: FindingSink): void;
  /** End of input at packet time `now` (last frame's time, or the tick when stopped). */
  finish(now: PacketTime, emit: FindingSink): void;
  /** Data for the JSON summary object (e.g. { carp: {...} }). */
  summary(): Fields;
  /**
   * True while the analyzer holds frames whose verdict waits for later evidence (bounded by the
   * analyzer in count and packet time). The pipeline then holds the output of every frame, in
   * order, and renders them once no analyzer holds; the analyzer completes a held frame's
   * derived values and findings (through the derive and emit it was given for that frame) before releasing.
   */
  holding?(): boolean;
  /**
   * Several capture points merged: true = also gets the copies of a frame another point already
   * delivered (same bytes within a moment). Others get each frame once (counted once for the election).
   */
  readonly seesDuplicates?: boolean;
  /**
   * A lane frame (decode/pfsync/lane.ts: plain Ethernet/IPv4 pfsync v6 of UPD_C sections only,
   * read into numbers when nothing prints the frame): exactly what onFrame does with its full
   * decode. The pipeline uses the lane only when every analyzer has this (see pipeline.ts).
   */
  onPfsyncLane?(lane: PfsyncLane, emit: FindingSink): void;
  /**
   * A CARP lane frame (decode/carp-lane.ts: a plain Ethernet / IPv4 / CARP v2 advert read into
   * numbers and strings): exactly what onFrame does with its full decode, derived values aside
   * (nothing prints them where the lane is taken). Used only when every analyzer has it.
   */
  onCarpLane?(lane: CarpLane, emit: FindingSink): void;
  /** True: this lane frame must take the full decode (asked before any analyzer sees it; must not change state). */
  carpLaneDeclined?(lane: CarpLane): boolean;
  /**
   * An ARP lane frame (decode/arp-lane.ts: a plain Ethernet ARP request that is not gratuitous,
   * read into its sender address): exactly what onFrame does with its full decode. Used only when
   * every analyzer has it.
   */
  onArpLane?(lane: ArpLane, emit: FindingSink): void;
}
