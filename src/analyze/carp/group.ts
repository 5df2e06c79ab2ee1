// The election story of one VHID on one link for one address family, in packet time
// (../shared/reference/carp.md sections 4 and 6). In CARP only a master advertises, so every
// advertising source believes it is master; the tracker decides who the master is and why it
// changed:
//   first_seen      the first source heard
//   bow_out         the master's last advert was OpenBSD's 255/255 bow-out
//   master_timeout  the master fell silent for (about) the new master's master-down interval
//   demoted         the master was still advertising but had raised its demote counter or advskew
//                   (or the newcomer has a lower demote): a receiver yields to it
//   preempted       the master was still advertising and a better (or, equal-interval, tie-winning)
//                   source took over
// A source that advertises while the master is alive and is not better is a contender: if both
// keep advertising beyond one interval that is a split brain; if the master stops, the contender
// becomes master (preempted for an equal interval, else master_timeout).
// Who may lead: with a passphrase, an advert whose HMAC fails never makes its sender master or a
// member (it may still show a split brain, marked unverified: another passphrase, or forged); a
// replayed advert (counter and HMAC first sent by another source, its sender not a member) takes
// no part in the election at all. A member is a source that originated an advert which verified
// (with a passphrase) or, without one, that advertised before and continues its own counter
// (ucarp's new master adopts the counter it last heard, so old and new master may send the same
// pair once: both are members then, and that is not a replay).

import type { FindingSink, PacketTime } from '../types.js';
import { formatEpoch } from '../../kernel/time.js';
import { Election, round, type Contender } from '../election.js';
import type { FieldValue, Fields } from '../../decode/types.js';
import { vhidOfVirtualMac } from './addresses.js';
import { copyTime, type AddressFamily, type AdvertFacts, type MutableTime } from './facts.js';
import { makeFinding } from './finding.js';
import {
  advertInterval, compareAdverts, isBowOut, lateThreshold, masterDownInterval,
} from './timing.js';
import { LIMITS } from '../../limits.js';
import { SeenPairs } from './seen-pairs.js';

export type MasterCause = 'first_seen' | 'bow_out' | 'master_timeout' | 'demoted' | 'preempted';

export interface AuthOutcome {
  readonly status: 'good' | 'bad' | 'unverified';
  /** Which key verified (opaque: origin + index), for conflict detection. */
  readonly keyId?: string;
  readonly addresses?: string;
  /** A passphrase is known for the VHID: 'bad' then means the HMAC failed. */
  readonly keyKnown?: boolean;
}

interface SourceState extends Contender {
  readonly src: string;
  mac: string | undefined;
  macs: Set<string>;
  adverts: number;
  first: PacketTime;
  firstFrame: number;
  last: number;
  /** The last advert's time: the source's own object, rewritten per advert (copyTime). */
  readonly lastTs: MutableTime;
  lastFrame: number;
  advbase: number;
  advskew: number;
  demote: number;
  interval: number;
  bowedOut: boolean;
  /** The last change of advskew/demote raised them. */
  raised: boolean;
  demoteKey: string | undefined;
  silentReported: boolean;
  originals: number;
  /** Last counter this source originated (its own sequence): high and low word (unsigned); hasLast false before the first. */
  hasLast: boolean;
  lastHi: number;
  lastLo: number;
  replays: number;
  pendingReplay: number[];
  replayOf: number[];
  replayReported: boolean;
  sharedCounters: number;
  loopDuplicates: number;
  hmac: { good: number; bad: number; unverified: number };
  lastAuth: AuthOutcome | undefined;
  ucarpMac: boolean;
  late: number;
}

/** Default cap on the senders of one group (limits.ts sources-per-vhid). */
export const MAX_SOURCES: number = LIMITS['sources-per-vhid'].default;
const MAX_SEEN = 4096;

export class VhidGroup extends Election<MasterCause> {
  readonly sources = new Map<string, SourceState>();
  /** The same sources in the same order, as an array (checkConflicts walks it per advert without an iterator). */
  private readonly sourceList: SourceState[] = [];
  /** The last advert's source, for the next advert of the same sender (a VHID's master, advert after advert). */
  private lastSource: SourceState | undefined;
  /** The last MAX_SEEN (counter, HMAC) pairs and who sent each first. */
  private readonly seen = new SeenPairs(MAX_SEEN);
  private readonly conflicts = new Set<string>();
  splitBrains = 0;
  sourcesDropped = 0;
  lastT = 0;

  constructor(readonly link: string, readonly af: AddressFamily, readonly vhid: number, private readonly maxSources = MAX_SOURCES) { super(); }

  private base(extra: Fields = {}): Fields {
    return { vhid: this.vhid, af: this.af, link: this.link, ...extra };
  }

  /** Smallest master-down interval of the known non-master sources, else estimated from the master's. */
  backupMasterDown(masterParams?: { advbase: number; advskew: number }): { seconds: number; estimated: boolean } {
    let best: number | undefined;
    for (const s of this.sources.values()) {
      if (s.src === this.master || s.bowedOut) continue;
      const md = masterDownInterval(s.advbase, s.advskew);
      if (best === undefined || md < best) best = md;
    }
    if (best !== undefined) return { seconds: best, estimated: false };
    const m = masterParams ?? (this.master ? this.sources.get(this.master) : undefined);
    return { seconds: m ? masterDownInterval(m.advbase, m.advskew) : 3, estimated: true };
  }

  /** Returns false when the source could not be tracked (cap). */
  onAdvert(ad: AdvertFacts, auth: AuthOutcome, emit: FindingSink): boolean {
    this.lastT = ad.t;
    const last = this.lastSource;
    let s = last !== undefined && last.src === ad.src ? last : this.sources.get(ad.src);
    const isNew = !s;
    if (!s) {
      if (this.sources.size >= this.maxSources) { this.sourcesDropped++; return false; }
      s = {
        src: ad.src, mac: ad.ethSrc, macs: new Set(ad.ethSrc ? [ad.ethSrc] : []), adverts: 0,
        first: ad.ts, firstFrame: ad.frame, last: ad.t, lastTs: { sec: 0, nsec: 0, digits: 0 }, lastFrame: ad.frame,
        advbase: ad.advbase, advskew: ad.advskew, demote: ad.demote,
        interval: advertInterval(ad.advbase, ad.advskew), bowedOut: false, raised: false,
        demoteKey: undefined, contendSince: undefined, contendFrame: undefined, splitReported: false,
        silentReported: false, originals: 0, hasLast: false, lastHi: 0, lastLo: 0, replays: 0, pendingReplay: [], replayOf: [], replayReported: false,
        sharedCounters: 0, loopDuplicates: 0, hmac: { good: 0, bad: 0, unverified: 0 }, lastAuth: undefined,
        ucarpMac: false, late: 0,
      };
      this.sources.set(ad.src, s);
      this.sourceList.push(s);
    }
    this.lastSource = s;
    const prevLast = s.last;
    const prevInterval = s.interval;
    const prevAdvbase = s.advbase, prevAdvskew = s.advskew;
    const prevBowedOut = s.bowedOut;
    s.adverts++;
    // a named field each, not a keyed store by the status text
    const h = s.hmac;
    if (auth.status === 'good') h.good++;
    else if (auth.status === 'bad') h.bad++;
    else h.unverified++;
    if (auth.status !== 'unverified') s.lastAuth = auth;
    // the MAC's checks once per change of Ethernet source (a sender keeps its own)
    if (ad.ethSrc && (ad.ethSrc !== s.mac || isNew)) {
      if (s.macs.size < 4) s.macs.add(ad.ethSrc);
      s.mac = ad.ethSrc;
      const v = vhidOfVirtualMac(ad.ethSrc);
      if (v?.ucarp && v.vhid === ad.vhid) s.ucarpMac = true;
    }
    const kind = this.checkReplay(ad, s, auth, emit);

    const bowOut = isBowOut(ad.advbase, ad.advskew);
    this.checkDemotion(ad, s, isNew, bowOut, emit);
    if (!bowOut) {
      if (!isNew && (ad.demote !== s.demote || ad.advskew !== s.advskew)) {
        s.raised = ad.demote > s.demote || ad.advskew > s.advskew;
      }
      s.advbase = ad.advbase; s.advskew = ad.advskew; s.demote = ad.demote;
      s.interval = advertInterval(ad.advbase, ad.advskew);
    }
    s.bowedOut = bowOut;
    s.last = ad.t; copyTime(s.lastTs, ad); s.lastFrame = ad.frame;
    s.silentReported = false;

    this.checkConflicts(ad, s, emit);
    if (ad.acceptable && kind !== 'replay') {
      const verified = !(auth.keyKnown === true && auth.status === 'bad');
      this.elect(ad, s, isNew, prevLast, prevInterval, prevAdvbase, prevAdvskew, prevBowedOut, bowOut, verified, emit);
    }
    return true;
  }

  private changeMaster(ad: AdvertFacts, s: SourceState, cause: MasterCause, emit: FindingSink, extra: Fields = {}, frames: number[] = []): void {
    const previous = this.beginMaster(s.src, ad.ts, cause, ad.frame, this.sources.values());
    const why: Record<MasterCause, string> = {
      first_seen: 'first advertiser heard',
      bow_out: `${previous ?? '?'} bowed out (advbase 255, advskew 255)`,
      master_timeout: typeof extra['master_silent_for'] === 'number'
        ? `${previous ?? '?'} silent for ${extra['master_silent_for']} s (master-down ${String(extra['master_down'])} s)`
        : `${previous ?? '?'} fell silent`,
      demoted: `${previous ?? '?'} was demoted (demote ${String(extra['previous_demote'] ?? '?')}, advskew ${String(extra['previous_advskew'] ?? '?')})`,
      preempted: extra['tie'] === true
        ? `${previous ?? '?'} yielded to an equal advert (advbase ${s.advbase}, advskew ${s.advskew})`
        : `took over from ${previous ?? '?'} (advskew ${s.advskew} < ${String(extra['previous_advskew'] ?? '?')}${s.advbase !== extra['previous_advbase'] ? `, advbase ${s.advbase} vs ${String(extra['previous_advbase'] ?? '?')}` : ''})`,
    };
    emit(makeFinding('carp.master_changed', ad.ts, [...frames, ad.frame],
      `VHID ${this.vhid} (${this.af}): ${s.src} is master: ${why[cause]}`,
      this.base({ src: s.src, previous: previous ?? null, cause, advbase: s.advbase, advskew: s.advskew, demote: s.demote, ...extra })));
  }

  private elect(ad: AdvertFacts, s: SourceState, isNew: boolean, prevLast: number, prevInterval: number,
    prevAdvbase: number, prevAdvskew: number, prevBowedOut: boolean, bowOut: boolean, verified: boolean, emit: FindingSink): void {
    const m = this.master === undefined ? undefined : this.sources.get(this.master);
    if (!verified) {
      // HMAC failed: never master; a contender that shows a split brain if it keeps advertising
      if (m && s !== m && !bowOut) this.contend(ad, s, m, false, emit);
      return;
    }
    if (!m) {
      if (!bowOut) this.changeMaster(ad, s, 'first_seen', emit);
      return;
    }
    if (s === m) {
      if (!isNew && !prevBowedOut) this.checkLate(ad, s, ad.t - prevLast, prevInterval, prevAdvbase, prevAdvskew, emit);
      return;
    }
    if (bowOut) return; // a non-master bowing out changes nothing
    const gapM = ad.t - m.last;
    const silentLimit = 0.9 * masterDownInterval(s.advbase, s.advskew);
    const mAlive = !m.bowedOut && gapM <= lateThreshold(m.interval);
    const timing = { master_silent_for: round(gapM), master_down: round(masterDownInterval(s.advbase, s.advskew)) };
    if (m.bowedOut) { this.changeMaster(ad, s, 'bow_out', emit, timing); return; }
    if (gapM >= silentLimit) { this.changeMaster(ad, s, 'master_timeout', emit, timing); return; }
    const better = compareAdverts(s, m) < 0;
    if (better) {
      const cause: MasterCause = m.demote > s.demote || m.raised ? 'demoted' : 'preempted';
      this.changeMaster(ad, s, cause, emit, { previous_advbase: m.advbase, previous_advskew: m.advskew, previous_demote: m.demote });
      return;
    }
    // Not better: a contender, unless the master has stopped while it contended.
    if (s.contendSince === undefined) { s.contendSince = ad.t; s.contendFrame = ad.frame; return; }
    if (!mAlive) {
      const tie = compareAdverts(s, m) === 0;
      const frames = s.contendFrame !== undefined ? [s.contendFrame] : [];
      this.changeMaster(ad, s, tie ? 'preempted' : 'master_timeout', emit, { ...timing, tie }, frames);
      return;
    }
    this.contend(ad, s, m, true, emit);
  }

  /** `s` advertises while `m` is master: a split brain once both keep at it beyond one interval. */
  private contend(ad: AdvertFacts, s: SourceState, m: SourceState, verified: boolean, emit: FindingSink): void {
    if (s.contendSince === undefined) { s.contendSince = ad.t; s.contendFrame = ad.frame; return; }
    const span = ad.t - s.contendSince;
    if (!s.splitReported && m.last > s.contendSince && span > Math.max(s.interval, m.interval)) {
      s.splitReported = true;
      this.splitBrains++;
      emit(makeFinding('carp.split_brain', ad.ts, [...(s.contendFrame !== undefined ? [s.contendFrame] : []), m.lastFrame, ad.frame],
        `VHID ${this.vhid} (${this.af}): ${s.src} and ${m.src} both advertise as master for ${round(span)} s` +
          (verified ? '' : ` (${s.src}'s adverts do not verify with the passphrase: another passphrase, or forged)`),
        this.base({ src: s.src, master: m.src, since: formatEpoch(m.lastTs), concurrent_for: round(span), src_verified: verified })));
    }
  }

  private checkLate(ad: AdvertFacts, s: SourceState, gap: number, interval: number,
    prevAdvbase: number, prevAdvskew: number, emit: FindingSink): void {
    if (gap <= lateThreshold(interval)) return;
    s.late++;
    const md = this.backupMasterDown({ advbase: prevAdvbase, advskew: prevAdvskew });
    const fraction = gap / md.seconds;
    const pct = Math.round(fraction * 100);
    const closeness = fraction >= 1
      ? `past the master-down time ${round(md.seconds)} s: no backup took over`
      : `${pct}% of the backup's master-down time ${round(md.seconds)} s${md.estimated ? ' (estimated)' : ''}`;
    emit(makeFinding('carp.late_advert', ad.ts, [ad.frame],
      `VHID ${this.vhid} (${this.af}): advert from master ${s.src} ${round(gap)} s after the previous one (interval ${round(interval)} s): ${closeness}`,
      this.base({ src: s.src, gap: round(gap), interval: round(interval), master_down: round(md.seconds), fraction: Math.round(fraction * 1000) / 1000, estimated: md.estimated })));
  }

  private checkDemotion(ad: AdvertFacts, s: SourceState, isNew: boolean, bowOut: boolean, emit: FindingSink): void {
    if (bowOut) return;
    const demoted = ad.demote > 0 || ad.advskew >= 240;
    const key = demoted ? `${ad.demote}/${ad.advskew >= 240 ? ad.advskew : '-'}` : undefined;
    if (demoted && key !== s.demoteKey) {
      emit(makeFinding('carp.demoted', ad.ts, [ad.frame],
        `VHID ${this.vhid} (${this.af}): ${ad.src} advertises demote ${ad.demote}, advskew ${ad.advskew}` +
          (isNew ? '' : ` (was demote ${s.demote}, advskew ${s.advskew})`),
        this.base({ src: ad.src, demote: ad.demote, advskew: ad.advskew, previous_demote: isNew ? null : s.demote, previous_advskew: isNew ? null : s.advskew })));
    }
    s.demoteKey = key;
  }

  /**
   * original: a (counter, HMAC) pair not seen before; loop: this sender sent it before (FreeBSD
   * repeats one pair in every advert: not a reflection); shared: another member sent it first
   * (genuine takeover); replay: another source sent it first and this one is not a member.
   */
  private checkReplay(ad: AdvertFacts, s: SourceState, auth: AuthOutcome, emit: FindingSink): 'original' | 'loop' | 'shared' | 'replay' {
    // the counter and digest as numbers (advertOf's or the lane's); an advert without both whole is not tracked
    const p = ad.parsed;
    if (!p) return 'original';
    const { md, hi, lo } = p;
    const seen = this.seen, at = seen.findOrAdd(md, hi, lo, ad.src, ad.ethSrc, ad.frame);
    const verifies = auth.keyKnown === true ? auth.status === 'good' : auth.status !== 'bad';
    if (at < 0) {
      // a forged advert (HMAC failed) never makes its sender a member
      if (verifies) {
        s.originals++;
        s.hasLast = true; s.lastHi = hi >>> 0; s.lastLo = lo >>> 0;
        // new lists only when there is something to forget (not two arrays per advert)
        if (s.pendingReplay.length > 0) s.pendingReplay = [];
        if (s.replayOf.length > 0) s.replayOf = [];
      }
      return 'original';
    }
    if (seen.srcAt(at) === ad.src && (seen.ethSrcAt(at) ?? '') === (ad.ethSrc ?? '')) { s.loopDuplicates++; return 'loop'; }
    const member = s.originals > 0 && verifies && (auth.keyKnown === true && auth.status === 'good'
      || (s.hasLast && follows(s.lastHi, s.lastLo, hi >>> 0, lo >>> 0)));
    if (member) { s.sharedCounters++; s.lastHi = hi >>> 0; s.lastLo = lo >>> 0; return 'shared'; }
    s.replays++;
    s.pendingReplay.push(ad.frame);
    s.replayOf.push(seen.frameAt(at));
    if (s.pendingReplay.length >= 2 || s.hmac.bad > 0) this.reportReplay(s, ad.ts, emit);
    return 'replay';
  }

  private reportReplay(s: SourceState, ts: PacketTime, emit: FindingSink): void {
    if (s.replayReported || s.pendingReplay.length === 0) return;
    s.replayReported = true;
    const frames = [...new Set([...s.replayOf, ...s.pendingReplay])].sort((a, b) => a - b);
    emit(makeFinding('carp.replayed_advert', ts, frames,
      `VHID ${this.vhid} (${this.af}): ${s.src} (${s.mac ?? '?'}) repeats counter and HMAC of adverts another source sent (frames ${[...new Set(s.replayOf)].join(', ')}), and originates none that verify: a replay (ignored by the election)`,
      this.base({ src: s.src, mac: s.mac ?? null, replayed: s.pendingReplay.length, original_frames: [...new Set(s.replayOf)] })));
  }

  private checkConflicts(ad: AdvertFacts, s: SourceState, emit: FindingSink): void {
    if (isBowOut(ad.advbase, ad.advskew)) return;
    const list = this.sourceList;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (o === s || o.bowedOut) continue;
      if (o.advbase !== s.advbase) {
        this.conflict(`advbase ${pairKey(s, o)}`, ad, emit, [o.lastFrame, ad.frame],
          `VHID ${this.vhid} (${this.af}): ${s.src} advertises advbase ${s.advbase}, ${o.src} advbase ${o.advbase}: two groups on one VHID, or a misconfigured node`,
          { src: s.src, other: o.src, reason: 'advbase', advbase: s.advbase, other_advbase: o.advbase });
      }
      const a = s.lastAuth, b = o.lastAuth;
      if (!a || !b) continue;
      if ((a.status === 'good') !== (b.status === 'good')) {
        const good = a.status === 'good' ? s : o;
        const bad = a.status === 'good' ? o : s;
        this.conflict(`auth ${pairKey(s, o)}`, ad, emit, [o.lastFrame, ad.frame],
          `VHID ${this.vhid} (${this.af}): adverts from ${bad.src} do not verify with the passphrase and addresses that verify ${good.src}: another group on this VHID, or a different passphrase/address list`,
          { src: bad.src, other: good.src, reason: 'passphrase_or_addresses' });
      } else if (a.status === 'good' && b.status === 'good') {
        if (a.keyId !== b.keyId) {
          this.conflict(`key ${pairKey(s, o)}`, ad, emit, [o.lastFrame, ad.frame],
            `VHID ${this.vhid} (${this.af}): ${s.src} and ${o.src} verify with different passphrases`,
            { src: s.src, other: o.src, reason: 'passphrase' });
        } else if (a.addresses !== b.addresses) {
          this.conflict(`addr ${pairKey(s, o)}`, ad, emit, [o.lastFrame, ad.frame],
            `VHID ${this.vhid} (${this.af}): ${s.src} and ${o.src} hash different virtual address lists`,
            { src: s.src, other: o.src, reason: 'addresses' });
        }
      }
    }
  }

  private conflict(key: string, ad: AdvertFacts, emit: FindingSink, frames: number[], message: string, details: Fields): void {
    if (this.conflicts.has(key)) return;
    this.conflicts.add(key);
    emit(makeFinding('carp.vhid_conflict', ad.ts, [...new Set(frames)], message, this.base(details)));
  }

  hmacTotals(): { good: number; bad: number; unverified: number } {
    const t = { good: 0, bad: 0, unverified: 0 };
    for (const s of this.sources.values()) { t.good += s.hmac.good; t.bad += s.hmac.bad; t.unverified += s.hmac.unverified; }
    return t;
  }

  /** Live: the master has been silent for the master-down time. */
  tick(now: PacketTime, t: number, emit: FindingSink): void {
    const m = this.master ? this.sources.get(this.master) : undefined;
    if (!m || m.silentReported) return;
    const md = this.backupMasterDown();
    if (t - m.last <= md.seconds) return;
    m.silentReported = true;
    const what = m.bowedOut ? `bowed out ${round(t - m.last)} s ago and nobody took over` : `silent for ${round(t - m.last)} s`;
    emit(makeFinding('carp.master_silent', now, [m.lastFrame],
      `VHID ${this.vhid} (${this.af}): master ${m.src} ${what} (master-down ${round(md.seconds)} s${md.estimated ? ', estimated' : ''}): a backup should take over now`,
      this.base({ src: m.src, silent_for: round(t - m.last), master_down: round(md.seconds), bowed_out: m.bowedOut })));
  }

  finish(now: PacketTime, emit: FindingSink): void {
    for (const s of this.sources.values()) this.reportReplay(s, now, emit);
  }

  summary(hmac: 'good' | 'bad' | 'unverified', extra: Fields): Fields {
    const m = this.master ? this.sources.get(this.master) : undefined;
    const sources: FieldValue[] = [...this.sources.values()].map((s) => ({
      src: s.src, mac: s.mac ?? null, ucarp_mac: s.ucarpMac, adverts: s.adverts,
      first: formatEpoch(s.first), last: formatEpoch(s.lastTs),
      advbase: s.advbase, advskew: s.advskew, demote: s.demote, late: s.late,
      hmac: { ...s.hmac }, shared_counters: s.sharedCounters, duplicates: s.loopDuplicates, replays: s.replays,
    }));
    return {
      vhid: this.vhid,
      af: this.af,
      link: this.link,
      master: this.master ?? null,
      since: this.since ? formatEpoch(this.since) : null,
      transitions: this.transitions,
      advbase: m ? m.advbase : null,
      advskew: m ? m.advskew : null,
      demote: m ? m.demote : null,
      hmac,
      backups: [...this.sources.keys()].filter((k) => k !== this.master),
      ucarp_mac: m ? m.ucarpMac : false,
      bowed_out: m ? m.bowedOut : false,
      split_brains: this.splitBrains,
      // sources advertising concurrently with the master in the current split-brain episode
      split_brain_with: [...this.sources.values()].filter((s) => s.splitReported && s.src !== this.master).map((s) => s.src),
      sources,
      ...extra,
    };
  }

  timeline(): Fields[] {
    return this.history.timeline({ vhid: this.vhid, af: this.af, link: this.link });
  }
}


/** Two sources' key in the conflicts set (either order), made only when a conflict is raised. */
function pairKey(a: SourceState, b: SourceState): string {
  return [a.src, b.src].sort().join(' ');
}

/** The u64 (hi, lo) is (lastHi, lastLo) + 1 (unsigned words). */
export function follows(lastHi: number, lastLo: number, hi: number, lo: number): boolean {
  return lastLo === 0xffffffff ? lo === 0 && hi === lastHi + 1 && lastHi !== 0xffffffff : lo === lastLo + 1 && hi === lastHi;
}
