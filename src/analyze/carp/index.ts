// CARP analysis: HMAC verification, passphrase audit, election tracking per VHID.
//
// Per frame, in capture order:
//   ARP / unsolicited NA  -> candidate virtual addresses (per VHID from the virtual MAC, else per link)
//   VRRP advert           -> VRID remembered per link (conflict with a CARP VHID of the same number)
//   CARP advert           -> HMAC status derived for the frame ('carp.hmac.status', '.variant', '.reason',
//                            'carp.vip', 'carp.vip.inferred'), passphrase audit, then the election
//                            tracker of (link, address family, VHID) (group.ts).
// Held adverts: while a passphrase is known for a VHID but its addresses are not, its adverts
// are held (at most HOLD_ADVERTS, HOLD_SECONDS of packet time; the pipeline holds their output,
// see Analyzer.holding) until an advert verifies and fixes the address set; then they are
// verified again and analysed in order, so a second sender's first adverts are 'bad', not
// 'unverified'. Released unverified at the bound, on a live tick past it, or at the end.
// Live capture: onTick raises carp.master_silent once the master-down time has passed without an
// advert. The master_changed (cause master_timeout) itself is only raised when the new master's
// first advert arrives: a tick cannot know which backup (if any) takes over.
// Memory: at most MAX_GROUPS groups, 16 sources each, 8 candidate addresses per VHID/link;
// beyond that carp.vhid_cap is raised once and the rest is not analysed.

import type { Analyzer, DeriveSink, FindingSink, PacketTime } from '../types.js';
import { timeOf, toSeconds } from '../types.js';
import type { DecodedFrame, Fields, FieldValue } from '../../decode/types.js';
import { parseVirtualAddress, vhidOfVirtualMac, type VirtualAddress } from './addresses.js';
import { passphraseMismatch } from './mismatch.js';
import { keyEntry, LinkPool, makeKeyEntries, parseAddressList, VhidAuth, type VerifyResult } from './auth.js';
import { advertOf, announcementOf, LaneAdvertFacts, vrrpOf, type AdvertFacts } from './facts.js';
import { makeFinding } from './finding.js';
import { MAX_SOURCES, VhidGroup, type AuthOutcome } from './group.js';
import { hexToBytes, hmacKeyOf } from './hmac.js';
import { auditWordlistBlocks, type Wordlist } from './wordlist.js';
import { searchTargets } from './discover.js';
import { counterBytes } from './hmac.js';
import { LIMITS } from '../../limits.js';
import { RecentMap } from './recent.js';
import { interfaceLink } from '../facts.js';
import type { CarpLane } from '../../decode/carp-lane.js';
import type { RawFrame } from '../../kernel/frame.js';

/** What the analysis reads of an advert's frame below onFrame: its number and time (a lane frame has no layers). */
type FrameRef = { readonly raw: RawFrame };
/** A lane frame's derived values go nowhere (nothing prints them where the lane is taken). */
const NO_DERIVE: DeriveSink = () => undefined;

export interface CarpPassphrase {
  /** VHID the passphrase belongs to, or '*' for every VHID. */
  readonly vhid: number | '*';
  readonly passphrase: string;
}

export interface CarpAnalyzerOptions {
  readonly passphrases: readonly CarpPassphrase[];
  /** Virtual addresses per VHID from --vip (IPv4 and IPv6 text forms). */
  readonly vips: ReadonlyMap<number, readonly string[]>;
  /** --wordlist: lines, or blocks of lines streamed from the file by the CLI. */
  readonly wordlist?: Wordlist;
  /** --show-secrets: a weak passphrase found by --wordlist may be printed. */
  readonly showSecrets: boolean;
  /** --wordlist: receives the one estimate line of a large audit (the CLI writes it to stderr). */
  readonly wordlistProgress?: (line: string) => void;
  /** Cap on tracked (link, af, VHID) groups (default 1024). */
  readonly maxGroups?: number;
  /** Cap on the senders tracked per group (default 16). */
  readonly maxSources?: number;
}

/** Address-set variants tried per audit run, and runs per VHID (a new run when new candidate addresses appear). */
const AUDIT_TARGETS = 8;
/** Bounds on the adverts of one VHID held for their verdict (count, packet-time seconds). */
export const HOLD_ADVERTS = 32;
export const HOLD_SECONDS = 10;

interface HeldAdvert {
  readonly frame: FrameRef;
  readonly ad: AdvertFacts;
  readonly ctx: VhidContext;
  readonly emit: FindingSink;
  readonly derive: DeriveSink;
}

/**
 * What onAdvert looks up per advert, resolved once per (link, af, VHID): the group, the auth
 * state (shared by both families of a VHID) and their map keys.
 */
interface VhidContext {
  readonly group: VhidGroup; readonly auth: VhidAuth; readonly authKey: string; readonly gk: string;
  /** The last verdict concluded here and the election's view of it (verify() hands the same object for a run of good adverts). */
  lastVerdict: VerifyResult | undefined; lastOutcome: AuthOutcome | undefined;
}
const MAX_AUDIT_RUNS = 3;

interface AuditRecord {
  vhid: number;
  link: string;
  /** The advert the candidates were tried against. */
  frame: number;
  words: number;
  /** Address-set variants tried per candidate. */
  targets: number;
  found: boolean;
  /** What was covered: "N passphrases x M address sets (...)". */
  covered: string;
}

const keyIds = new WeakMap<Uint8Array, string>();
const sortedLists = new WeakMap<readonly string[], string>();
/** The addresses sorted and joined (compared between sources), once per list: verify() shares its lists. */
function sortedList(addresses: readonly string[]): string {
  let t = sortedLists.get(addresses);
  if (t === undefined) { t = [...addresses].sort().join(','); sortedLists.set(addresses, t); }
  return t;
}

const KEY_ID_MESSAGE = new TextEncoder().encode('carpdump key id');
/**
 * Which key verified, as a keyed digest (never output: only compared between sources); cached
 * per key. The project's own HMAC-SHA1, so that node:crypto (~40 ms of start-up) is not loaded.
 */
function keyIdOf(key: Uint8Array): string {
  let id = keyIds.get(key);
  if (id === undefined) { id = Buffer.from(hmacKeyOf(key).mac(KEY_ID_MESSAGE)).toString('hex'); keyIds.set(key, id); }
  return id;
}

export function createCarpAnalyzer(options: CarpAnalyzerOptions): Analyzer {
  const maxGroups = options.maxGroups ?? LIMITS.vhids.default;
  const maxSources = options.maxSources ?? MAX_SOURCES;
  const groups = new Map<string, VhidGroup>();
  const auths = new Map<string, VhidAuth>();
  const pools = new Map<string, LinkPool>();
  const confirmedByVhid = new Map<number, readonly VirtualAddress[]>();
  const vrrpByLink = new Map<string, Map<number, Set<string>>>();
  const carpVhidsByLink = new Map<string, Set<number>>();
  const vrrpConflicts = new Set<string>();
  const noPassReported = new Set<string>();
  // Per sender: bounded, so that a flood of sources costs no memory (a sender forgotten after
  // 4096 newer ones is reported again, and counted: the findings cap bounds the lines).
  const mismatchReported = new RecentMap<string, true>(4096);
  const causeReported = new RecentMap<string, true>(4096);
  const unverifiableReported = new Set<string>();
  const discoveredReported = new Set<string>();
  const held = new Map<string, HeldAdvert[]>();
  const audits: AuditRecord[] = [];
  let capReported = false;
  let dropped = 0;

  const explicitVips = new Map<number, ReturnType<typeof parseAddressList>>();
  for (const [vhid, list] of options.vips) explicitVips.set(vhid, parseAddressList(list));

  const poolOf = (link: string): LinkPool => {
    let p = pools.get(link);
    if (!p) { p = new LinkPool(); pools.set(link, p); }
    return p;
  };
  const authOf = (link: string, vhid: number): VhidAuth => {
    const k = `${link}#${vhid}`;
    let a = auths.get(k);
    if (!a) {
      a = new VhidAuth(vhid, makeKeyEntries(options.passphrases, vhid), explicitVips.get(vhid), poolOf(link), confirmedByVhid);
      auths.set(k, a);
    }
    return a;
  };

  const capHit = (frame: FrameRef, what: string, emit: FindingSink): void => {
    dropped++;
    if (capReported) return;
    capReported = true;
    emit(makeFinding('carp.vhid_cap', timeOf(frame), [frame.raw.number],
      `more CARP ${what} than carpdump tracks (${maxGroups} groups, ${maxSources} sources each): the rest are not analysed`,
      { cap: what === 'sources' ? maxSources : maxGroups, what }));
  };

  const onAnnouncement = (frame: DecodedFrame, derive: DeriveSink): void => {
    const ann = announcementOf(frame);
    if (!ann) return;
    const addr = parseVirtualAddress(ann.address);
    if (!addr) return;
    const v = ann.mac ? vhidOfVirtualMac(ann.mac) : undefined;
    if (v) authOf(ann.link, v.vhid).addCandidate(addr);
    else if (ann.how !== 'arp_reply') poolOf(ann.link).add(addr);
    else return;
    // The frame is evidence the analysis used: mark it, so it is shown by default (SPEC -A).
    const proto = ann.how === 'unsolicited_na' ? 'icmpv6' : 'arp';
    derive(`${proto}.carp.vip_candidate`, ann.address);
    if (v) derive(`${proto}.carp.vhid`, v.vhid);
  };

  const onVrrp = (frame: DecodedFrame, emit: FindingSink): void => {
    const v = vrrpOf(frame);
    if (!v || frame.ip?.fragmented) return; // a fragment's protocol-112 guess is not a router
    let m = vrrpByLink.get(v.link);
    if (!m) { m = new Map(); vrrpByLink.set(v.link, m); }
    let set = m.get(v.vrid);
    if (!set) { set = new Set(); m.set(v.vrid, set); }
    if (set.size < 16) set.add(v.src);
    if (carpVhidsByLink.get(v.link)?.has(v.vrid)) vrrpConflict(v.link, v.vrid, v.src, v.version, v.af, frame, emit);
  };

  const vrrpConflict = (link: string, vhid: number, vrrpSrc: string, version: number | undefined, af: string, frame: FrameRef, emit: FindingSink): void => {
    const key = `${link}#${vhid}#${vrrpSrc}`;
    if (vrrpConflicts.has(key)) return;
    vrrpConflicts.add(key);
    emit(makeFinding('carp.vhid_conflict', timeOf(frame), [frame.raw.number],
      `VHID ${vhid}: VRRP${version !== undefined ? `v${version}` : ''} router ${vrrpSrc} uses VRID ${vhid} on the same link as CARP: both protocols read each other's adverts on IP protocol 112` +
        (af === 'ipv4' ? ` and claim the virtual MAC 00:00:5e:00:01:${vhid.toString(16).padStart(2, '0')}` : ''),
      { vhid, src: vrrpSrc, reason: 'vrrp', af, link }));
  };

  const runAudit = (ad: AdvertFacts, auth: VhidAuth, emit: FindingSink): void => {
    const words = options.wordlist;
    if (!words || !ad.hmac) return;
    const auditOpts = options.wordlistProgress ? { progress: options.wordlistProgress } : {};
    const gen = auth.auditGeneration;
    if (auth.auditedAt === gen || auth.auditRuns >= MAX_AUDIT_RUNS) return;
    const md = hexToBytes(ad.hmac);
    const counter = ad.counter ? counterBytes(ad.counter) : undefined;
    if (!md || md.length !== 20 || !counter) return;
    auth.auditedAt = gen;
    auth.auditRuns++;
    // the wordlist with the addresses already known (or candidates), then with the address search
    const known = auth.auditTargets(ad, AUDIT_TARGETS);
    let targets = known.map((t) => ({ message: t.message, md, variant: t.variant as string, addresses: t.addresses.map((x) => x.text) }));
    let scope = 'known or candidate addresses';
    let run = targets.length > 0 ? auditWordlistBlocks(words, targets, auditOpts) : undefined;
    if (!run?.hit && !auth.addressesKnown) {
      const search = searchTargets(ad.vhid, ad.src, counter, auth.lladdrFor(ad), auth.seen6);
      targets = search.targets.map((t) => ({ message: t.message, md, variant: t.variant as string, addresses: t.addresses.map((x) => x.text) }));
      scope = `address search: ${search.scope}`;
      run = auditWordlistBlocks(words, targets, auditOpts);
    }
    if (!run) return;
    const hit = run.hit;
    audits.push({
      vhid: ad.vhid, link: ad.link, frame: ad.frame, words: run.words, targets: targets.length, found: hit !== undefined,
      covered: `${run.words} passphrases x ${targets.length} address sets (${scope})${hit ? '' : ', no match'}`,
    });
    if (!hit) return;
    const entry = keyEntry('wordlist', hit.word, hit.index);
    auth.adoptFound(entry);
    const target = targets[hit.target]!;
    emit(makeFinding('carp.weak_passphrase', ad.ts, [ad.frame],
      `VHID ${ad.vhid}: the advert HMAC verifies with wordlist entry ${hit.index + 1}` +
        (options.showSecrets ? ` (${JSON.stringify(hit.word)})` : ' (--show-secrets prints it)') + `: the passphrase is guessable` +
        (scope.startsWith('address search') ? ` (virtual address ${target.addresses.join(', ')} found by the search)` : ''),
      { vhid: ad.vhid, src: ad.src, af: ad.af, variant: target.variant, wordlist_line: hit.index + 1, ...(options.showSecrets ? { passphrase: hit.word } : {}) }));
  };

  const deriveVerdict = (derive: DeriveSink, r: VerifyResult): void => {
    derive('carp.hmac.status', r.status);
    if (r.variant) derive('carp.hmac.variant', r.variant);
    if (r.reason) derive('carp.hmac.reason', r.reason);
    if (r.key && r.status === 'good') derive('carp.hmac.key', r.key.origin);
    if (r.addresses.length > 0) {
      derive('carp.vip', [...r.addresses] as FieldValue);
      derive('carp.vip.inferred', r.inferred);
    }
  };

  /**
   * The VhidContext of each (link, af, VHID), by link (the lane hands the same string object for a
   * run of frames, so its hash is cached) then by af and VHID: no key text is built per advert.
   */
  const contexts = new Map<string, (VhidContext | undefined)[]>();
  const contextSlot = (af: AdvertFacts['af'], vhid: number): number => (af === 'ipv6' ? 256 : 0) + vhid;

  // the last link's contexts (one Map lookup per change of link, not per advert)
  let lastContextLink: string | undefined, lastContexts: (VhidContext | undefined)[] | undefined;
  const contextsOf = (link: string): (VhidContext | undefined)[] | undefined => {
    if (link === lastContextLink) return lastContexts;
    const byLink = contexts.get(link);
    if (byLink) { lastContextLink = link; lastContexts = byLink; }
    return byLink;
  };

  const contextOf = (frame: FrameRef, ad: AdvertFacts, emit: FindingSink): VhidContext | undefined => {
    const slot = contextSlot(ad.af, ad.vhid);
    let byLink = contextsOf(ad.link);
    const known = byLink?.[slot];
    if (known) return known;
    let vhids = carpVhidsByLink.get(ad.link);
    if (!vhids) { vhids = new Set(); carpVhidsByLink.set(ad.link, vhids); }
    if (!vhids.has(ad.vhid)) {
      vhids.add(ad.vhid);
      for (const src of vrrpByLink.get(ad.link)?.get(ad.vhid) ?? []) vrrpConflict(ad.link, ad.vhid, src, undefined, ad.af, frame, emit);
    }
    const gk = `${ad.link}#${ad.af}#${ad.vhid}`;
    let group = groups.get(gk);
    if (!group) {
      if (groups.size >= maxGroups) { capHit(frame, 'VHIDs', emit); return undefined; }
      group = new VhidGroup(ad.link, ad.af, ad.vhid, maxSources);
      groups.set(gk, group);
    }
    const ctx: VhidContext = { group, auth: authOf(ad.link, ad.vhid), authKey: `${ad.link}#${ad.vhid}`, gk, lastVerdict: undefined, lastOutcome: undefined };
    if (!byLink) { byLink = []; contexts.set(ad.link, byLink); }
    byLink[slot] = ctx;
    return ctx;
  };

  const onAdvert = (frame: FrameRef, ad: AdvertFacts, emit: FindingSink, derive: DeriveSink): void => {
    const ctx = contextOf(frame, ad, emit);
    if (!ctx) return;
    const { auth, authKey } = ctx;
    if (ad.af === 'ipv6') noteSeen6(ad.link, ad.src);
    auth.seen6 = seen6Of(ad.link);
    let r = auth.verify(ad);
    if (r.status !== 'good' && options.wordlist) {
      runAudit(ad, auth, emit);
      if (auth.found) r = auth.verify(ad);
    }
    const queue = held.size > 0 ? held.get(authKey) : undefined;
    if (r.status === 'unverified' && r.keyKnown && !auth.addressesKnown && ad.hmac !== undefined) {
      const q = queue ?? [];
      if (!queue) held.set(authKey, q);
      // a held advert outlives its frame: not the lane's reused struct and numbers (detached() copies them)
      const lane = ad instanceof LaneAdvertFacts;
      q.push({ frame: lane ? { raw: frame.raw } : frame, ad: lane ? ad.detached() : ad, ctx, emit, derive });
      if (q.length >= HOLD_ADVERTS || ad.t - q[0]!.ad.t >= HOLD_SECONDS) release(authKey);
      return;
    }
    if (queue) release(authKey);
    conclude(frame, ad, r, ctx, emit, derive);
  };

  /** Verify the held adverts of a VHID again (the addresses may be known now) and analyse them in order. */
  const release = (authKey: string): void => {
    const q = held.get(authKey);
    if (!q) return;
    held.delete(authKey);
    const [link, vhid] = authKey.split('#');
    const auth = authOf(link!, Number(vhid));
    for (const h of q) conclude(h.frame, h.ad, auth.verify(h.ad), h.ctx, h.emit, h.derive);
  };

  const seen6 = new Map<string, Map<string, VirtualAddress>>();
  const noteSeen6 = (link: string, text: string): void => {
    let m = seen6.get(link);
    if (!m) { m = new Map(); seen6.set(link, m); }
    if (m.has(text) || m.size >= 32) return;
    const a = parseVirtualAddress(text);
    if (a && a.family === 6) { m.set(text, a); seen6Lists.delete(link); lastSeen6Link = undefined; }
  };
  /** seen6's addresses of a link as a list, made again only when one was added (read-only). */
  const seen6Lists = new Map<string, readonly VirtualAddress[]>();
  // the last answer, for the next advert of the same link (noteSeen6 forgets it)
  let lastSeen6Link: string | undefined, lastSeen6: readonly VirtualAddress[] = [];
  const seen6Of = (link: string): readonly VirtualAddress[] => {
    if (link === lastSeen6Link) return lastSeen6;
    let l = seen6Lists.get(link);
    if (!l) { l = [...(seen6.get(link)?.values() ?? [])]; seen6Lists.set(link, l); }
    lastSeen6Link = link; lastSeen6 = l;
    return l;
  };

  /** The verdict is final: derived fields, authentication findings, then the election. */
  const conclude = (frame: FrameRef, ad: AdvertFacts, r: VerifyResult, ctx: VhidContext, emit: FindingSink, derive: DeriveSink): void => {
    // a lane advert derives nothing (NO_DERIVE): not even the copy of the addresses carp.vip takes
    if (derive !== NO_DERIVE) deriveVerdict(derive, r);
    const { authKey, gk, group } = ctx;
    if (r.status === 'good' && r.key?.origin === 'empty' && !noPassReported.has(authKey)) {
      noPassReported.add(authKey);
      emit(makeFinding('carp.no_passphrase', ad.ts, [ad.frame],
        `VHID ${ad.vhid}: adverts verify with an empty passphrase: anyone on the link can forge them`,
        { vhid: ad.vhid, src: ad.src, af: ad.af, variant: r.variant ?? null }));
    }
    if (r.discovered && !discoveredReported.has(authKey)) {
      discoveredReported.add(authKey);
      const list = r.discovered.addresses.join(',');
      emit(makeFinding('carp.vip_discovered', ad.ts, [ad.frame],
        `VHID ${ad.vhid}: the adverts verify with virtual address${r.discovered.addresses.length > 1 ? 'es' : ''} ${r.discovered.addresses.join(', ')}; pass \`--vip ${ad.vhid}:${list}\` to skip the search`,
        { vhid: ad.vhid, af: ad.af, addresses: [...r.discovered.addresses], searched: r.discovered.searched }));
    }
    // the per-sender key only when a mismatch is reported or forgotten, or a cause is checked
    const causeCheck = r.cause !== undefined && r.keyKnown;
    const mk = r.status === 'bad' || causeCheck || (r.status === 'good' && mismatchReported.size > 0) ? `${gk}#${ad.src}` : '';
    if (r.status === 'bad' && !mismatchReported.has(mk)) {
      mismatchReported.set(mk, true);
      emit(makeFinding('carp.hmac_mismatch', ad.ts, [ad.frame],
        `VHID ${ad.vhid} (${ad.af}): advert from ${ad.src} ${r.reason ?? 'does not verify'}`,
        { vhid: ad.vhid, src: ad.src, af: ad.af, addresses_inferred: r.inferred }));
    } else if (r.status === 'good' && mk !== '') {
      mismatchReported.delete(mk);
    }
    if (causeCheck && !causeReported.has(mk)) {
      causeReported.set(mk, true);
      emit(passphraseMismatch(ad, r));
    } else if (r.status === 'unverified' && r.keyKnown && !r.cause && ad.hmac !== undefined && !unverifiableReported.has(authKey)) {
      unverifiableReported.add(authKey);
      emit(makeFinding('carp.hmac_unverifiable', ad.ts, [ad.frame],
        `VHID ${ad.vhid} (${ad.af}): the passphrase is known but no virtual address is: the adverts cannot be verified` +
          `${r.searched ? ` (searched ${r.searched})` : ''}; give --vip ${ad.vhid}:ADDRESS`,
        { vhid: ad.vhid, af: ad.af, src: ad.src, searched: r.searched ?? null,
          likely_cause: r.searched ? 'virtual addresses outside the searched candidates, or a wrong passphrase' : 'virtual addresses unknown' }));
    }
    let outcome = ctx.lastVerdict === r ? ctx.lastOutcome! : undefined;
    if (outcome === undefined) {
      const o: { -readonly [K in keyof AuthOutcome]: AuthOutcome[K] } = {
        status: r.status,
        keyKnown: r.keyKnown,
        addresses: sortedList(r.addresses),
      };
      // which key verified, as a digest (never output: only compared between sources)
      if (r.key) o.keyId = keyIdOf(r.key.key);
      outcome = o;
      ctx.lastVerdict = r;
      ctx.lastOutcome = o;
    }
    if (!group.onAdvert(ad, outcome, emit)) capHit(frame, 'sources', emit);
  };

  /** The facts of every lane advert, rewritten per advert (the lane's struct and pair are reused too). */
  let laneFacts: LaneAdvertFacts | undefined;

  // linkOf's text for a lane frame (no VLAN), the same string object while the interface stays
  let lastIf = -1, lastLinktype = -1, lastLink = '';
  const laneLink = (lane: CarpLane): string => {
    if (lane.interfaceId !== lastIf || lane.linktype !== lastLinktype) {
      lastIf = lane.interfaceId; lastLinktype = lane.linktype; lastLink = interfaceLink(lane);
    }
    return lastLink;
  };

  const groupsOfAuth = (authKey: string): VhidGroup[] => {
    const [link, vhid] = authKey.split('#');
    return [...groups.values()].filter((g) => g.link === link && String(g.vhid) === vhid);
  };

  const groupHmac = (g: VhidGroup): 'good' | 'bad' | 'unverified' => {
    const t = g.hmacTotals();
    return t.bad > 0 ? 'bad' : t.good > 0 ? 'good' : 'unverified';
  };

  return {
    name: 'carp',
    onFrame(frame: DecodedFrame, emit: FindingSink, derive: DeriveSink): void {
      onAnnouncement(frame, derive);
      onVrrp(frame, emit);
      const ad = advertOf(frame);
      if (!ad) return;
      if (ad.vhid === 0) {
        // never valid for a running vhid (carp.md 2): receivers drop it; not a group of its own
        derive('carp.hmac.status', 'unverified');
        derive('carp.hmac.reason', 'vhid 0 is never used by a running virtual host');
        return;
      }
      onAdvert(frame, ad, emit, derive);
    },
    // It reads CARP adverts, VRRP adverts, ARP and neighbour advertisements only: nothing in a
    // lane frame (Ethernet, IPv4, pfsync).
    onPfsyncLane(): void {},
    // A plain advert read by decode/carp-lane.ts: the facts advertOf makes of its full decode
    // (same fields, same order), then onAdvert. Nothing derived: where the lane is taken (-q),
    // nothing prints derived values.
    onCarpLane(lane: CarpLane, emit: FindingSink): void {
      laneFacts ??= new LaneAdvertFacts(lane);
      onAdvert(lane, laneFacts.of(lane, laneLink(lane)), emit, NO_DERIVE);
    },
    // An ARP lane frame (decode/arp-lane.ts: a request that is not gratuitous) announces no
    // address: onFrame finds nothing in it.
    onArpLane(): void {},
    // The full decode for an advert that could be held (passphrase known, addresses not yet: a
    // held advert keeps its frame) and for a VHID's first advert (its state is made there). No
    // advert is held when this is asked: the pipeline takes no lane while an analyzer holds.
    carpLaneDeclined(lane: CarpLane): boolean {
      const auth = contextsOf(laneLink(lane))?.[contextSlot('ipv4', lane.vhid)]?.auth;
      return auth === undefined || (auth.keyKnown && !auth.addressesKnown);
    },
    onTick(now: PacketTime, emit: FindingSink): void {
      const t = toSeconds(now);
      for (const [k, q] of [...held]) if (t - q[0]!.ad.t >= HOLD_SECONDS) release(k);
      for (const g of groups.values()) g.tick(now, t, emit);
    },
    holding(): boolean {
      return held.size > 0;
    },
    finish(now: PacketTime, emit: FindingSink): void {
      for (const k of [...held.keys()]) release(k);
      for (const g of groups.values()) g.finish(now, emit);
    },
    summary(): Fields {
      const sorted = [...groups.values()].sort((a, b) =>
        a.link.localeCompare(b.link) || a.vhid - b.vhid || a.af.localeCompare(b.af));
      const vhids: Fields[] = sorted.map((g) => {
        const auth = auths.get(`${g.link}#${g.vhid}`);
        const extra: Fields = {};
        if (auth) {
          const known = auth.addressesForSummary();
          extra['vips'] = known.addresses;
          extra['vips_inferred'] = known.inferred;
          extra['vips_confirmed'] = known.confirmed;
          if (auth.rechecked.frames.length > 0) {
            extra['rechecked'] = { frames: [...auth.rechecked.frames], good: auth.rechecked.good, bad: auth.rechecked.bad };
          }
          if (auth.found) extra['weak_passphrase'] = true;
        }
        return g.summary(groupHmac(g), extra);
      });
      const timeline = sorted.flatMap((g) => g.timeline()).sort((a, b) => Number(a['from']) - Number(b['from']));
      const out: Fields = { vhids, timeline };
      if (options.wordlist) {
        const ran = new Set(audits.map((a) => `${a.link}#${a.vhid}`));
        const skipped: Fields[] = [];
        for (const [k, a] of auths) {
          if (ran.has(k) || !groupsOfAuth(k).some((g) => g.hmacTotals().good === 0)) continue;
          skipped.push({ vhid: a.vhid, link: k.split('#')[0]!, skipped: 'virtual addresses unknown (give --vip)' });
        }
        out['audit'] = [...audits.map((a) => ({ ...a })), ...skipped];
      }
      if (dropped > 0) out['not_tracked'] = dropped;
      return { carp: out };
    },
  };
}

