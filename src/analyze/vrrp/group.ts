// The election story of one VRID on one link for one address family, in packet time
// (RFC 3768 / RFC 5798 section 6). Only a master advertises, so every source heard believes
// it is master (or resigns with priority 0); the tracker decides who the master is and why
// it changed:
//   first_seen      the first source heard
//   resign          the master's last advert had priority 0 (it stopped cleanly) and another
//                   source took over (after its skew time, not its master-down interval)
//   master_timeout  the master fell silent for (about) the new master's master-down interval
//   preempted       the master was still advertising and a better source took over: higher
//                   priority, or equal priority and higher primary address
// A source that advertises while the master is alive and is not better is a contender: the
// master should win the election at once; if both keep advertising beyond one interval that
// is a split brain (they do not hear each other: filtering, different versions or auth).

import type { FieldValue, Fields } from '../../decode/types.js';
import { Election, lateThreshold, round, type Contender } from '../election.js';
import type { AddressFamily, VrrpFacts } from '../facts.js';
import { makeFinding } from '../finding.js';
import type { FindingSink, PacketTime } from '../types.js';
import { formatEpoch } from '../../kernel/time.js';
import { compareRouters, masterDownInterval } from './timing.js';
import { LIMITS } from '../../limits.js';

export type VrrpCause = 'first_seen' | 'resign' | 'master_timeout' | 'preempted';

/** An advert receivers accept (priority and interval known). */
export type VrrpAdvert = VrrpFacts & { readonly priority: number; readonly intervalSeconds: number };

interface Router extends Contender {
  readonly src: string;
  mac: string | undefined;
  version: number | undefined;
  adverts: number;
  first: PacketTime;
  last: number;
  lastTs: PacketTime;
  lastFrame: number;
  /** Priority of the last advert (0: it resigned). */
  priority: number;
  /** Last priority other than 0: what it competes with. */
  electPriority: number;
  intervalSeconds: number;
  resigns: number;
  silentReported: boolean;
  late: number;
}

/** Default cap on the routers of one group (limits.ts sources-per-vhid). */
export const MAX_SOURCES: number = LIMITS['sources-per-vhid'].default;

export class VridGroup extends Election<VrrpCause> {
  readonly routers = new Map<string, Router>();
  splitBrains = 0;
  /** Adverts receivers drop (bad checksum, TTL, version, type): not part of the election. */
  dropped = 0;

  constructor(readonly link: string, readonly af: AddressFamily, readonly vrid: number, private readonly maxSources = MAX_SOURCES) { super(); }

  private base(version: number | undefined, extra: Fields = {}): Fields {
    return { vrid: this.vrid, version: version ?? null, af: this.af, link: this.link, ...extra };
  }

  private label(version: number | undefined): string {
    return `VRID ${this.vrid} (VRRPv${version ?? '?'} ${this.af})`;
  }

  /** The master-down interval of `r` as a backup of `master` (RFC 3768 / 5798 6.1). */
  private masterDownOf(r: { version: number | undefined; electPriority: number; intervalSeconds: number }, master: Router): number {
    return masterDownInterval(r.version, r.electPriority, r.version === 3 ? master.intervalSeconds : r.intervalSeconds);
  }

  /** Smallest master-down interval of the known backups, else estimated with the master's own priority. */
  backupMasterDown(m: Router): { seconds: number; estimated: boolean } {
    let best: number | undefined;
    for (const r of this.routers.values()) {
      if (r === m || r.priority === 0) continue;
      const md = this.masterDownOf(r, m);
      if (best === undefined || md < best) best = md;
    }
    if (best !== undefined) return { seconds: best, estimated: false };
    return { seconds: this.masterDownOf(m, m), estimated: true };
  }

  /** Returns false when the source could not be tracked (cap). */
  onAdvert(ad: VrrpFacts, emit: FindingSink): boolean {
    if (!ad.acceptable || ad.priority === undefined || ad.intervalSeconds === undefined) { this.dropped++; return true; }
    // Checked just above; a cast, not a copy (an object spread costs ~100x per advert, see extendFacts).
    const a = ad as VrrpAdvert;
    let r = this.routers.get(a.src);
    const isNew = !r;
    if (!r) {
      if (this.routers.size >= this.maxSources) return false;
      r = {
        src: a.src, mac: a.ethSrc, version: a.version, adverts: 0, first: a.ts, last: a.t, lastTs: a.ts, lastFrame: a.frame,
        priority: a.priority, electPriority: a.priority === 0 ? 1 : a.priority, intervalSeconds: a.intervalSeconds,
        resigns: 0, contendSince: undefined, contendFrame: undefined, splitReported: false, silentReported: false, late: 0,
      };
      this.routers.set(a.src, r);
    }
    const prev = { last: r.last, interval: r.intervalSeconds, priority: r.priority };
    r.adverts++;
    r.mac = a.ethSrc ?? r.mac;
    r.version = a.version;
    r.last = a.t; r.lastTs = a.ts; r.lastFrame = a.frame;
    r.priority = a.priority;
    if (a.priority > 0) r.electPriority = a.priority;
    else r.resigns++;
    r.intervalSeconds = a.intervalSeconds;
    r.silentReported = false;
    this.elect(a, r, isNew, prev, emit);
    return true;
  }

  private elect(a: VrrpAdvert, r: Router, isNew: boolean, prev: { last: number; interval: number; priority: number }, emit: FindingSink): void {
    const resigning = a.priority === 0;
    const m = this.master !== undefined ? this.routers.get(this.master) : undefined;
    if (!m) {
      if (!resigning) this.changeMaster(a, r, 'first_seen', emit);
      return;
    }
    if (r === m) {
      if (!isNew && prev.priority !== 0 && !resigning) this.checkLate(a, r, a.t - prev.last, prev.interval, emit);
      return;
    }
    if (resigning) return; // a backup that stops changes nothing
    const gapM = a.t - m.last;
    const md = this.masterDownOf(r, m);
    const timing = { master_silent_for: round(gapM), master_down: round(md) };
    if (m.priority === 0) { this.changeMaster(a, r, 'resign', emit, timing); return; }
    const mAlive = gapM <= lateThreshold(m.intervalSeconds);
    const better = compareRouters({ priority: r.electPriority, src: r.src }, { priority: m.electPriority, src: m.src }) < 0;
    if (gapM >= 0.9 * md || (better && !mAlive)) { this.changeMaster(a, r, 'master_timeout', emit, timing); return; }
    if (better) {
      this.changeMaster(a, r, 'preempted', emit, { previous_priority: m.electPriority, tie: r.electPriority === m.electPriority });
      return;
    }
    // Not better: a contender (a new episode when it had stopped advertising in between).
    if (r.contendSince === undefined || isNew || a.t - prev.last > lateThreshold(prev.interval)) {
      r.contendSince = a.t; r.contendFrame = a.frame; r.splitReported = false;
      return;
    }
    if (!mAlive) {
      this.changeMaster(a, r, 'master_timeout', emit, timing, r.contendFrame !== undefined ? [r.contendFrame] : []);
      return;
    }
    const span = a.t - r.contendSince;
    if (!r.splitReported && m.last > r.contendSince && span > Math.max(r.intervalSeconds, m.intervalSeconds)) {
      r.splitReported = true;
      this.splitBrains++;
      emit(makeFinding('vrrp.split_brain', a.ts, [...(r.contendFrame !== undefined ? [r.contendFrame] : []), m.lastFrame, a.frame],
        `${this.label(a.version)}: ${r.src} (priority ${r.electPriority}) and ${m.src} (priority ${m.electPriority}) both advertise as master for ${round(span)} s`,
        this.base(a.version, { src: r.src, master: m.src, priority: r.electPriority, master_priority: m.electPriority, since: formatEpoch(m.lastTs), concurrent_for: round(span) })));
    }
  }

  private changeMaster(a: VrrpAdvert, r: Router, cause: VrrpCause, emit: FindingSink, extra: Fields = {}, frames: number[] = []): void {
    const previous = this.beginMaster(r.src, a.ts, cause, a.frame, this.routers.values());
    const prevRouter = previous !== undefined ? this.routers.get(previous) : undefined;
    const why: Record<VrrpCause, string> = {
      first_seen: 'first advertiser heard',
      resign: `${previous ?? '?'} resigned (priority 0) ${String(extra['master_silent_for'])} s before`,
      master_timeout: `${previous ?? '?'} silent for ${String(extra['master_silent_for'])} s (master-down ${String(extra['master_down'])} s)`,
      preempted: extra['tie'] === true
        ? `took over from ${previous ?? '?'} (equal priority ${r.electPriority}, higher address)`
        : `took over from ${previous ?? '?'} (priority ${r.electPriority} > ${String(extra['previous_priority'])})`,
    };
    emit(makeFinding('vrrp.master_changed', a.ts, [...frames, ...(cause === 'resign' && prevRouter ? [prevRouter.lastFrame] : []), a.frame],
      `${this.label(a.version)}: ${r.src} is master (priority ${r.electPriority}, interval ${r.intervalSeconds} s): ${why[cause]}`,
      this.base(a.version, { src: r.src, previous: previous ?? null, cause, priority: r.electPriority, interval: r.intervalSeconds, ...extra })));
  }

  private checkLate(a: VrrpAdvert, m: Router, gap: number, interval: number, emit: FindingSink): void {
    if (gap <= lateThreshold(interval)) return;
    m.late++;
    const md = this.backupMasterDown(m);
    const fraction = gap / md.seconds;
    const closeness = fraction >= 1
      ? `past the master-down time ${round(md.seconds)} s: no backup took over`
      : `${Math.round(fraction * 100)}% of the backup's master-down time ${round(md.seconds)} s${md.estimated ? ' (estimated)' : ''}`;
    emit(makeFinding('vrrp.late_advert', a.ts, [a.frame],
      `${this.label(a.version)}: advert from master ${m.src} ${round(gap)} s after the previous one (interval ${round(interval)} s): ${closeness}`,
      this.base(a.version, { src: m.src, gap: round(gap), interval: round(interval), master_down: round(md.seconds), fraction: Math.round(fraction * 1000) / 1000, estimated: md.estimated })));
  }

  /** Live: the master has been silent for the master-down time of its backups. */
  tick(now: PacketTime, t: number, emit: FindingSink): void {
    const m = this.master !== undefined ? this.routers.get(this.master) : undefined;
    if (!m || m.silentReported) return;
    const md = this.backupMasterDown(m);
    if (t - m.last <= md.seconds) return;
    m.silentReported = true;
    const what = m.priority === 0 ? `resigned ${round(t - m.last)} s ago and nobody took over` : `silent for ${round(t - m.last)} s`;
    emit(makeFinding('vrrp.master_silent', now, [m.lastFrame],
      `${this.label(m.version)}: master ${m.src} ${what} (master-down ${round(md.seconds)} s${md.estimated ? ', estimated' : ''}): a backup should take over now`,
      this.base(m.version, { src: m.src, silent_for: round(t - m.last), master_down: round(md.seconds), resigned: m.priority === 0 })));
  }

  summary(): Fields {
    const m = this.master !== undefined ? this.routers.get(this.master) : undefined;
    const sources: FieldValue[] = [...this.routers.values()].map((r) => ({
      src: r.src, mac: r.mac ?? null, version: r.version ?? null, adverts: r.adverts,
      first: formatEpoch(r.first), last: formatEpoch(r.lastTs),
      priority: r.priority, interval: r.intervalSeconds, late: r.late, resigns: r.resigns,
    }));
    return {
      vrid: this.vrid,
      af: this.af,
      link: this.link,
      version: m?.version ?? null,
      master: this.master ?? null,
      since: this.since ? formatEpoch(this.since) : null,
      transitions: this.transitions,
      priority: m ? m.priority : null,
      interval: m ? m.intervalSeconds : null,
      resigned: m ? m.priority === 0 : false,
      backups: [...this.routers.keys()].filter((k) => k !== this.master),
      split_brains: this.splitBrains,
      split_brain_with: [...this.routers.values()].filter((r) => r.splitReported && r.src !== this.master).map((r) => r.src),
      dropped: this.dropped,
      sources,
    };
  }

  timeline(): Fields[] {
    return this.history.timeline({ vrid: this.vrid, af: this.af, link: this.link });
  }
}
