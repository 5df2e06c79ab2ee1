// What every first-hop redundancy election has in common (CARP per VHID, VRRP per VRID): the
// history of master periods in packet time, and when an advert counts as late.

import type { Fields } from '../decode/types.js';
import type { PacketTime } from './types.js';
import { formatEpoch } from '../kernel/time.js';

export interface MasterPeriod<Cause extends string> {
  master: string;
  from: PacketTime;
  to: PacketTime | undefined;
  cause: Cause;
  fromFrame: number;
}

/** Periods kept per group; older ones are dropped (counted in `dropped`). */
export const MAX_PERIODS = 256;

/** Who was master from when to when, and why each period began (bounded). */
export class MasterHistory<Cause extends string> {
  readonly periods: MasterPeriod<Cause>[] = [];
  dropped = 0;

  /** Closes the open period at `ts` and opens one for `master`. */
  begin(master: string, ts: PacketTime, cause: Cause, frame: number): void {
    const last = this.periods[this.periods.length - 1];
    if (last && last.to === undefined) last.to = ts;
    this.periods.push({ master, from: ts, to: undefined, cause, fromFrame: frame });
    if (this.periods.length > MAX_PERIODS) { this.periods.shift(); this.dropped++; }
  }

  /** The summary's `timeline` rows: `base` (group keys) + master, cause, from, to (epoch strings). */
  timeline(base: Fields): Fields[] {
    return this.periods.map((p) => ({
      ...base, master: p.master, cause: p.cause,
      from: formatEpoch(p.from), to: p.to ? formatEpoch(p.to) : null,
    }));
  }
}

/** What an election keeps per sender about advertising as master beside the master (split brain). */
export interface Contender {
  contendSince: number | undefined;
  contendFrame: number | undefined;
  splitReported: boolean;
}

/** A group's election state (CARP VHID, VRRP VRID): the master, since when, how often it changed, the periods. */
export abstract class Election<Cause extends string> {
  master: string | undefined;
  since: PacketTime | undefined;
  transitions = 0;
  readonly history = new MasterHistory<Cause>();

  /** `src` becomes master at `ts` (a new period; contention starts over for every sender). Returns the previous master. */
  protected beginMaster(src: string, ts: PacketTime, cause: Cause, frame: number, senders: Iterable<Contender>): string | undefined {
    const previous = this.master;
    this.history.begin(src, ts, cause, frame);
    this.master = src;
    this.since = ts;
    if (previous !== undefined) this.transitions++;
    for (const o of senders) { o.contendSince = undefined; o.contendFrame = undefined; o.splitReported = false; }
    return previous;
  }
}

/** An advert is late when it comes more than a quarter interval after it was due. */
export function lateThreshold(interval: number): number {
  return interval * 1.25 + 0.002;
}

/** Seconds rounded to the millisecond, for findings. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
