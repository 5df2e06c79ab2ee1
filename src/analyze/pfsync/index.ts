// pfsync analysis: synced-state tracker, bulk updates, stale/forged messages, link audit.
//
// Reads only decoded fields (the pfsync layer's subheaders and messages, the IP context) and
// packet time. The state table is what a receiving kernel would hold: packets a kernel drops
// (pfsync.ignored: badttl / badver / badlen) and sections it does not apply (ignored: skipped /
// badact / badlen) change nothing; everything else is applied as a kernel would, including a
// stranger's forged deletions (that is what the audit is about). Sources:
// ../shared/reference/pfsync.md 10 (behaviour), 11.3-11.4 (receiver checks, stale rule), 12.

import type { Analyzer, Finding, FindingSink, PacketTime } from '../types.js';
import { timeAt, timeOf, toSeconds } from '../types.js';
import { formatEpoch } from '../../kernel/time.js';
import { FINDINGS, type FindingId } from '../findings.js';
import type { DecodedFrame, FieldValue, Fields } from '../../decode/types.js';
import type { RawFrame } from '../../kernel/frame.js';
import type { CarpLane } from '../../decode/carp-lane.js';
import type { ArpLane } from '../../decode/arp-lane.js';
import {
  LANE_CID, LANE_DST_SEQLO, LANE_DST_STATE, LANE_FORMAT, LANE_IDH, LANE_IDL, LANE_PROTO, LANE_SRC_SEQLO, LANE_SRC_STATE, LANE_UPD,
  LANE_UPD_C_NAME, LANE_UPD_NAME, LANE_WORDS, type PfsyncLane,
} from '../../decode/pfsync/lane.js';
import { actionDef } from '../../decode/pfsync/actions.js';
import { findLayer, numOf, recordsIn, strOf, type PfsyncRecord } from '../../decode/fields.js';
import type { FastIds } from '../../decode/pfsync/common.js';
import { PFSYNC_FLAVORS, type FlavorBasis, type PfsyncFlavor } from '../../decode/pfsync/constants.js';
import { LinkAudit } from './link.js';
import { PeerRegistry, type Peer, type PeerProblem } from './peers.js';
import { staleDst, staleSrc, type StaleRule } from './stale.js';
import { STATES_LISTED, StrangerReport } from './strangers.js';
import { StateTable, hex8, type PeerFacts } from './table.js';
import { LIMITS } from '../../limits.js';

export interface PfsyncAnalyzerOptions {
  /** Most states tracked at once (a finding is raised when reached). Default 2,000,000. */
  readonly stateCap?: number;
  /** Most creator ids with tracked states (a finding is raised when reached). Default 10,000. */
  readonly creatorCap?: number;
  /** Most findings of one id per run for per-message findings (stale, unknown). Default 1000. */
  readonly findingCap?: number;
  /** pfsync.unexpected_sender findings per sender and action before one summary line. Default 100. */
  readonly strangerCap?: number;
}

type Msg = PfsyncRecord;

/** What the analysis reads of a frame below onFrame: its number and time (a lane frame has no layers). */
type FrameRef = { readonly raw: RawFrame };

interface Bulk {
  requested: PacketTime | undefined;
  started: PacketTime | undefined;
  ended: PacketTime | undefined;
  states: number;
  readonly responder: string;
  readonly creatorid: string;
  readonly frame: number;
}

const MAX_BULKS = 64;
/** Creators listed by name in the summary (the most states first); the rest are counted. */
const CREATORS_LISTED = 100;
/** A requester gives up after PFSYNC_MAX_BULKTRIES (12) retries 5 s apart (pfsync.md 10.2). */
const BULK_GIVE_UP_SECONDS = 60;
/** The full-state formats of a lane frame with UPD messages. */
const LANE_FORMATS: readonly string[] = [LANE_FORMAT];
const PER_MESSAGE_IDS: ReadonlySet<FindingId> = new Set(['pfsync.stale_update', 'pfsync.unknown_state']);


function facts(m: Msg): PeerFacts {
  return {
    srcState: numOf(m['pfsync.state.src.state']) ?? 0, dstState: numOf(m['pfsync.state.dst.state']) ?? 0,
    srcSeqlo: numOf(m['pfsync.state.src.seqlo']) ?? 0, dstSeqlo: numOf(m['pfsync.state.dst.seqlo']) ?? 0,
  };
}

/**
 * A message's creator id and state id: numbers for the table (c, h, l; whole when the id has all
 * 8 bytes) and, from the full decode, the hex text; from the fast path (FastIds) the text is
 * formatted only when a finding, a listing or the peer registry needs it (creatorText/idText).
 */
interface Ids {
  c: number;
  h: number;
  l: number;
  whole: boolean;
  creatorid: string | undefined;
  id: string | undefined;
  /** The last hex creator id parsed and its number (consecutive messages share their creator). */
  lastCreator: string;
  lastCreatorNum: number;
}

/** Fill `ids` (one per analyzer, reused across messages) from a message of either decode. */
function readIds(m: Msg, ids: Ids): void {
  const fast = m as Msg & Partial<FastIds>;
  if (fast.cid !== undefined) {
    ids.c = fast.cid; ids.h = fast.idh!; ids.l = fast.idl!;
    ids.whole = true; ids.creatorid = undefined; ids.id = undefined;
    return;
  }
  const creatorid = strOf(m['pfsync.state.creatorid']) ?? '';
  const id = strOf(m['pfsync.state.id']) ?? '';
  if (creatorid !== ids.lastCreator) { ids.lastCreator = creatorid; ids.lastCreatorNum = parseInt(creatorid, 16); }
  ids.c = ids.lastCreatorNum;
  ids.whole = id.length === 16;
  ids.h = ids.whole ? parseInt(id.slice(0, 8), 16) : 0;
  ids.l = ids.whole ? parseInt(id.slice(8), 16) : 0;
  ids.creatorid = creatorid; ids.id = id;
}

function creatorText(ids: Ids): string {
  return ids.creatorid ?? hex8(ids.c);
}

function idText(ids: Ids): string {
  return ids.id ?? hex8(ids.h) + hex8(ids.l);
}

/** Creator id 0 (states the kernel does not insert). */
function zeroCreator(ids: Ids): boolean {
  return ids.creatorid === undefined ? ids.c === 0 : ids.creatorid === '00000000';
}

/** A lane frame's section as the record the full analysis decode makes of it (FastIds). */
function laneSection(action: number, words: Uint32Array, from: number, count: number): Msg {
  const full = action === LANE_UPD;
  const messages: Msg[] = [];
  for (let k = 0, w = from; k < count; k++, w += LANE_WORDS) {
    const m: Msg & FastIds = {
      'pfsync.state.src.seqlo': words[w + LANE_SRC_SEQLO]!, 'pfsync.state.src.state': words[w + LANE_SRC_STATE]!,
      'pfsync.state.dst.seqlo': words[w + LANE_DST_SEQLO]!, 'pfsync.state.dst.state': words[w + LANE_DST_STATE]!,
      cid: words[w + LANE_CID]!, idh: words[w + LANE_IDH]!, idl: words[w + LANE_IDL]!,
    };
    messages.push(full ? { ...m, 'pfsync.state.format': LANE_FORMAT, 'pfsync.state.proto': words[w + LANE_PROTO]! } : m);
  }
  return { 'pfsync.action': action, 'pfsync.action_name': full ? LANE_UPD_NAME : LANE_UPD_C_NAME, 'pfsync.count': count, 'pfsync.messages': messages };
}

function isFlavor(v: FieldValue | undefined): v is PfsyncFlavor {
  return typeof v === 'string' && (PFSYNC_FLAVORS as readonly string[]).includes(v);
}

export function createPfsyncAnalyzer(options: PfsyncAnalyzerOptions = {}): Analyzer {
  const table = new StateTable(options.stateCap ?? LIMITS.states.default, options.creatorCap ?? LIMITS.creators.default);
  const findingCap = options.findingCap ?? 1000;
  const peers = new PeerRegistry();
  const strangers = new StrangerReport(peers, options.strangerCap ?? 100);
  const link = new LinkAudit();
  const bulks: Bulk[] = [];
  const openBulks = new Map<string, Bulk>();
  const messagesByAction: Record<string, number> = {};
  const emitted = new Map<FindingId, number>();
  let pendingRequest: PacketTime | undefined;
  let pendingRequester: { src: string; frame: number } | undefined;
  let completeBulkSeen = false;
  let capRaised = false;
  let creatorCapRaised = false;
  const scratch: Ids = { c: 0, h: 0, l: 0, whole: false, creatorid: undefined, id: undefined, lastCreator: '', lastCreatorNum: 0 };
  /** The peer facts of the lane's insert (the table copies them). */
  const laneFacts: PeerFacts = { srcState: 0, dstState: 0, srcSeqlo: 0, dstSeqlo: 0 };
  let lastCksum = '';
  let lastCksumZero = true;

  function make(id: FindingId, frame: FrameRef, message: string, details: Fields, frames: readonly number[] = [frame.raw.number]): Finding {
    return { id, severity: FINDINGS[id].severity, ts: timeOf(frame), frames, message, details };
  }

  function emitCapped(emit: FindingSink, f: Finding): void {
    const n = emitted.get(f.id) ?? 0;
    if (PER_MESSAGE_IDS.has(f.id) && n >= findingCap) return;
    emitted.set(f.id, n + 1);
    emit(f);
  }

  function problems(emit: FindingSink, frame: FrameRef, list: readonly PeerProblem[]): void {
    for (const p of list) emitCapped(emit, make(`pfsync.${p.kind}`, frame, p.message, p.details));
  }

  function insert(emit: FindingSink, frame: FrameRef, c: number, h: number, l: number, m: Msg): boolean {
    return insertWith(emit, frame, c, h, l, numOf(m['pfsync.state.proto']) ?? 0, facts(m));
  }

  function insertWith(emit: FindingSink, frame: FrameRef, c: number, h: number, l: number, proto: number, p: PeerFacts): boolean {
    const r = table.insert(c, h, l, proto, p);
    if (r === 'full' && !capRaised) {
      capRaised = true;
      emit(make('pfsync.state_cap', frame, `the state tracker holds ${table.cap} states, its cap: further states are not tracked (state counts from now on are low)`, { cap: table.cap }));
    } else if (r === 'creators_full' && !creatorCapRaised) {
      creatorCapRaised = true;
      emit(make('pfsync.creator_cap', frame,
        `the state tracker holds states of ${table.creatorCap} creator ids, its cap: states of further creators (first: ${hex8(c)}) are not tracked (a real cluster has one creator id per firewall; this many is a flood or a forgery)`,
        { cap: table.creatorCap, creatorid: hex8(c) }));
    }
    return r === 'inserted';
  }

  /** An update of the state at table index i: each side taken unless it is stale (then a finding). */
  function update(emit: FindingSink, frame: FrameRef, src: string, name: string, i: number, ids: Ids, m: Msg, rule: StaleRule): void {
    updateWith(emit, frame, src, name, i, ids, numOf(m['pfsync.state.src.state']) ?? 0, numOf(m['pfsync.state.src.seqlo']) ?? 0,
      numOf(m['pfsync.state.dst.state']) ?? 0, numOf(m['pfsync.state.dst.seqlo']) ?? 0, rule);
  }

  function updateWith(emit: FindingSink, frame: FrameRef, src: string, name: string, i: number, ids: Ids,
    srcState: number, srcSeqlo: number, dstState: number, dstSeqlo: number, rule: StaleRule): void {
    const proto = table.proto(i);
    const stSrc = table.srcState(i), stSrcSeq = table.srcSeqlo(i), stDst = table.dstState(i), stDstSeq = table.dstSeqlo(i);
    const vSrc = staleSrc(proto, stSrc, stSrcSeq, srcState, srcSeqlo);
    const vDst = staleDst(proto, stDst, stDstSeq, dstState, dstSeqlo, rule);
    if (!vSrc) table.setSrc(i, srcState, srcSeqlo);
    if (!vDst) table.setDst(i, dstState, dstSeqlo);
    if (!vSrc && !vDst) return;
    const creatorid = creatorText(ids), id = idText(ids);
    const sides = [vSrc ? 'src' : '', vDst ? 'dst' : ''].filter(Boolean);
    const what = sides.map((s) => {
      const mine = s === 'src' ? [stSrc, stSrcSeq] : [stDst, stDstSeq];
      const theirs = s === 'src' ? [srcState, srcSeqlo >>> 0] : [dstState, dstSeqlo >>> 0];
      return `${s} state ${mine[0]} seqlo ${mine[1]} -> state ${theirs[0]} seqlo ${theirs[1]}`;
    }).join(', ');
    emitCapped(emit, make('pfsync.stale_update', frame,
      `${name} from ${src} moves state ${id}/${creatorid} backwards (${what}): receivers keep their copy, count pfsyncs_stale and send their own UPD back`,
      { src, creatorid, state_id: id, side: sides.join('+') }));
  }

  function unknown(emit: FindingSink, frame: FrameRef, src: string, name: string, ids: Ids): void {
    if (!completeBulkSeen || capRaised || creatorCapRaised) return; // past a cap, untracked states look unknown
    const creatorid = creatorText(ids), id = idText(ids);
    emitCapped(emit, make('pfsync.unknown_state', frame,
      `${name} from ${src} for state ${id}/${creatorid}, which was never inserted (a complete bulk update was seen)`,
      { src, creatorid, state_id: id }));
  }

  /** What receivers do with a harmful section (for pfsync.unexpected_sender). */
  function effectOf(kind: string, n: { inserted: number; removed: number; bulkRequest: boolean; busStatus: number; creators: Set<string> }): string {
    switch (kind) {
      case 'ins': return `insert the state(s) (${n.inserted} new to the tracked table): traffic matching them passes without a rule check`;
      case 'upd': return 'overwrite the state(s) (windows, timeouts, counters) and insert the ones they do not hold';
      case 'upd_c': return 'move the state(s)\' sequence windows and timeouts (a forged window cuts the connection); for ids they do not hold they send UPD_REQ';
      case 'del': case 'del_c': return `delete the state(s) (${n.removed} tracked state(s) removed): the connections are cut once traffic moves to the receiver`;
      case 'clr': return `delete every state of creator ${[...n.creators].join(', ')} (${n.removed} tracked state(s) removed)`;
      case 'bus': return n.busStatus === 2
        ? 'that requested a bulk update end it now and undemote CARP with the state table they have (incomplete if forged)'
        : 'that requested a bulk update take it as the start of the transfer';
      case 'upd_req': return n.bulkRequest
        ? 'answer with their whole state table (BUS start, every state, BUS end): the sender gets a copy of every connection'
        : 'owning the state(s) send them in full';
      default: return 'apply it';
    }
  }

  const HARMFUL = new Set(['ins', 'upd', 'upd_c', 'del', 'del_c', 'clr', 'bus', 'upd_req']);

  function prove(emit: FindingSink, src: string, why: string): void {
    const peer = peers.peers.get(src);
    for (const p of peers.prove(src, why)) strangers.flush(p, emit);
    if (peer?.proven) strangers.drop(peer);
  }

  function applySection(emit: FindingSink, frame: FrameRef, peer: Peer | undefined, src: string, flavor: PfsyncFlavor, rule: StaleRule, section: Msg): void {
    const action = numOf(section['pfsync.action']) ?? 0;
    const name = strOf(section['pfsync.action_name']) ?? '';
    const kind = actionDef(flavor, action)?.kind ?? 'unknown';
    const messages = recordsIn(section, 'pfsync.messages');
    const watch = peer !== undefined && HARMFUL.has(kind) && strangers.concerns(peer);
    // Only a watched section (a stranger's) lists its states and effect: nothing allocated otherwise.
    const touched: string[] | undefined = watch ? [] : undefined;
    const effect = watch ? { inserted: 0, removed: 0, bulkRequest: false, busStatus: 0, creators: new Set<string>() } : undefined;
    const ids = scratch;
    for (const m of messages) {
      readIds(m, ids);
      const c = ids.c, h = ids.h, l = ids.l;
      const whole = ids.whole;
      const at = whole && (kind === 'upd' || kind === 'upd_c' || kind === 'del' || kind === 'del_c') ? table.find(c, h, l) : -1;
      if (touched && touched.length < STATES_LISTED && kind !== 'clr' && kind !== 'bus' && !(kind === 'upd_req' && m['pfsync.bulk_request'] === true)) touched.push(`${idText(ids)}/${creatorText(ids)}`);
      switch (kind) {
        case 'ins':
          if (peer) problems(emit, frame, peers.ownCreator(peer, creatorText(ids)));
          if (!zeroCreator(ids) && whole && insert(emit, frame, c, h, l, m) && effect) effect.inserted++;
          break;
        case 'upd':
          if (!whole) break;
          if (at >= 0) update(emit, frame, src, name, at, ids, m, rule);
          else if (!zeroCreator(ids)) insert(emit, frame, c, h, l, m);
          { const b = openBulks.get(src); if (b) b.states++; }
          break;
        case 'upd_c':
          if (!whole) break;
          if (at >= 0) update(emit, frame, src, name, at, ids, m, rule);
          else unknown(emit, frame, src, name, ids);
          break;
        case 'del': case 'del_c':
          if (!whole) break;
          if (at < 0) unknown(emit, frame, src, name, ids);
          else { table.removeAt(at); if (effect) effect.removed++; }
          break;
        case 'clr': {
          const creatorid = creatorText(ids);
          if (peer) problems(emit, frame, peers.ownCreator(peer, creatorid));
          const ifname = strOf(m['pfsync.state.ifname']) ?? '';
          const n = table.clearCreator(c);
          if (effect) { effect.removed += n; effect.creators.add(creatorid); }
          emit(make('pfsync.state_clear', frame,
            `CLR from ${src}: every state of creator ${creatorid}${ifname ? ` on ${ifname}` : ''} removed (${n} tracked state(s))`,
            { src, creatorid, ifname, removed: n }));
          break;
        }
        case 'bus': {
          const creatorid = creatorText(ids);
          if (peer) problems(emit, frame, peers.ownCreator(peer, creatorid));
          const status = numOf(m['pfsync.bus.status']) ?? 0;
          if (effect) effect.busStatus = status;
          bus(emit, frame, src, creatorid, status);
          break;
        }
        case 'upd_req':
          if (m['pfsync.bulk_request'] === true) {
            pendingRequest = timeOf(frame);
            pendingRequester = { src, frame: frame.raw.number };
            if (effect) effect.bulkRequest = true;
          }
          break;
        default:
          break;
      }
    }
    if (touched && effect && peer && messages.length > 0) {
      strangers.section(peer, { frame: frame.raw.number, ts: timeOf(frame), action: name, states: touched, count: messages.length, effect: effectOf(kind, effect) }, emit);
    }
  }

  function bus(emit: FindingSink, frame: FrameRef, src: string, creatorid: string, status: number): void {
    const t = timeOf(frame);
    const n = frame.raw.number;
    const requester = pendingRequester !== undefined && pendingRequester.src !== src ? pendingRequester : undefined;
    if (status === 1) {
      const b: Bulk = { requested: pendingRequest, started: t, ended: undefined, states: 0, responder: src, creatorid, frame: n };
      pendingRequest = undefined;
      pendingRequester = undefined;
      openBulks.set(src, b);
      if (bulks.length < MAX_BULKS) bulks.push(b);
      if (requester) {
        prove(emit, requester.src, `requested a bulk update (frame ${requester.frame}) that ${src} answered (frame ${n})`);
        prove(emit, src, `answered the bulk update request of ${requester.src} (BUS start, frame ${n})`);
      }
    } else if (status === 2) {
      let b = openBulks.get(src);
      if (b) {
        openBulks.delete(src);
        prove(emit, src, `completed a bulk update (BUS start frame ${b.frame}, end frame ${n})`);
      } else {
        // OpenBSD 7.4+ with an empty table sends END alone; legacy captures may start mid-bulk.
        b = { requested: pendingRequest, started: undefined, ended: undefined, states: 0, responder: src, creatorid, frame: n };
        pendingRequest = undefined;
        pendingRequester = undefined;
        if (bulks.length < MAX_BULKS) bulks.push(b);
        if (requester) {
          prove(emit, requester.src, `requested a bulk update (frame ${requester.frame}) that ${src} answered (frame ${n})`);
          prove(emit, src, `answered the bulk update request of ${requester.src} (BUS end, frame ${n})`);
        }
      }
      b.ended = t;
      completeBulkSeen = true;
    }
  }

  /** Raise bulk_incomplete for bulks open longer than a requester waits (all of them at the end). */
  function expireBulks(now: PacketTime, emit: FindingSink, all: boolean): void {
    for (const [src, b] of openBulks) {
      const since = b.started ?? now;
      const open = toSeconds(now) - toSeconds(since);
      if (!all && open < BULK_GIVE_UP_SECONDS) continue;
      openBulks.delete(src);
      emit({
        id: 'pfsync.bulk_incomplete', severity: FINDINGS['pfsync.bulk_incomplete'].severity, ts: now, frames: [b.frame],
        message: all && open < BULK_GIVE_UP_SECONDS
          ? `bulk update from ${b.responder} (creator ${b.creatorid}) started at ${formatEpoch(since)} and had not ended when the capture stopped (${b.states} state(s) received)`
          : `bulk update from ${b.responder} (creator ${b.creatorid}) started at ${formatEpoch(since)} and did not end within ${BULK_GIVE_UP_SECONDS} s (${b.states} state(s) received): the requester gives up and undemotes with an incomplete state table`,
        details: { src: b.responder, creatorid: b.creatorid, states: b.states, started: formatEpoch(since) },
      });
    }
  }

  return {
    name: 'pfsync',
    onFrame(frame: DecodedFrame, emit: FindingSink): void {
      link.observeHosts(frame);
      if (openBulks.size > 0) expireBulks(timeOf(frame), emit, false);
      const layer = findLayer(frame, 'pfsync');
      if (!layer) return;
      const f = layer.fields;
      const sections = recordsIn(f, 'pfsync.subheaders');
      let total = 0;
      for (const s of sections) {
        const name = strOf(s['pfsync.action_name']) ?? '';
        const n = recordsIn(s, 'pfsync.messages').length;
        total += n;
        messagesByAction[name] = (messagesByAction[name] ?? 0) + n;
      }
      const ip = frame.ip;
      // The OpenBSD 7.4+ pfsync0 tap shows ip_src 0.0.0.0 (not filled in yet): the local host.
      const viaIp = ip !== undefined && ip.src !== '0.0.0.0' && !frame.layers.some((l) => l.proto === 'pfsynclink');
      const src = viaIp ? ip.src : 'pfsync0';
      if (viaIp) link.observePfsync(frame, timeOf(frame), ip.src, ip.dst);
      if (f['pfsync.ignored'] !== undefined) return; // dropped whole by receivers
      const flavor = f['pfsync.flavor'];
      if (!isFlavor(flavor)) return;
      const peer = peers.packet(src, viaIp ? ip.version : 0, timeOf(frame), total, frame.raw.number);
      const cksum = strOf(f['pfsync.cksum']) ?? '';
      if (cksum !== lastCksum) { lastCksum = cksum; lastCksumZero = /^0*$/.test(cksum); }
      // Full-state formats of this packet (only full-state sections have them: the first message says).
      let stateFormats: Set<string> | undefined;
      for (const s of sections) {
        const msgs = recordsIn(s, 'pfsync.messages');
        if (msgs.length === 0 || s['pfsync.ignored'] !== undefined || msgs[0]!['pfsync.state.format'] === undefined) continue;
        for (const m of msgs) {
          const fmt = m['pfsync.state.format'];
          if (typeof fmt === 'string') (stateFormats ??= new Set()).add(fmt);
        }
      }
      if (peer) {
        problems(emit, frame, peers.format(peer, flavor, (strOf(f['pfsync.flavor_basis']) ?? '') as FlavorBasis, stateFormats ? [...stateFormats] : []));
        if (cksum && !lastCksumZero) problems(emit, frame, peers.ruleset(peer, cksum));
      }
      const rule: StaleRule = flavor === 'openbsd-v6' && lastCksumZero ? 'openbsd74' : 'classic';
      for (const s of sections) {
        if (s['pfsync.ignored'] !== undefined) continue;
        applySection(emit, frame, peer, src, flavor, rule, s);
      }
    },
    // onFrame of a lane frame (decode/pfsync/lane.ts: Ethernet, IPv4 from a non-zero source,
    // TTL 255, pfsync v6 of UPD_C and UPD sections only, nothing ignored), step by step the same.
    // A CARP lane frame: what onFrame does before it finds no pfsync layer (its host, bulk timeouts).
    onCarpLane(lane: CarpLane, emit: FindingSink): void {
      link.observeHost(lane.interfaceId, lane.ipSrc);
      if (openBulks.size > 0) expireBulks(timeAt(lane), emit, false);
    },
    // An ARP lane frame (an ARP request): the same, with the ARP sender as its host.
    onArpLane(lane: ArpLane, emit: FindingSink): void {
      link.observeHost(lane.raw.interfaceId, lane.spa);
      if (openBulks.size > 0) expireBulks(timeOf(lane.raw), emit, false);
    },
    onPfsyncLane(lane: PfsyncLane, emit: FindingSink): void {
      const raw = lane.raw;
      const src = lane.ipSrc;
      link.observeHost(raw.interfaceId, src);
      if (openBulks.size > 0) expireBulks(timeOf(raw), emit, false);
      const actions = lane.sectionActions, counts = lane.sectionCounts;
      let full = false;
      for (let s = 0; s < lane.sections; s++) {
        const name = actions[s] === LANE_UPD ? LANE_UPD_NAME : LANE_UPD_C_NAME;
        messagesByAction[name] = (messagesByAction[name] ?? 0) + counts[s]!;
        if (actions[s] === LANE_UPD && counts[s]! > 0) full = true;
      }
      link.observePfsyncOf(raw, false, timeOf(raw), src, lane.ipDst);
      const peer = peers.packet(src, 4, timeOf(raw), lane.messages, raw.number);
      const cksum = lane.cksum;
      if (cksum !== lastCksum) { lastCksum = cksum; lastCksumZero = /^0*$/.test(cksum); }
      if (peer) {
        problems(emit, lane, peers.format(peer, 'openbsd-v6', 'version', full ? LANE_FORMATS : []));
        if (cksum && !lastCksumZero) problems(emit, lane, peers.ruleset(peer, cksum));
      }
      const rule: StaleRule = lastCksumZero ? 'openbsd74' : 'classic';
      const words = lane.words;
      const ids = scratch;
      let w = 0;
      for (let s = 0; s < lane.sections; s++) {
        const count = counts[s]!;
        const upd = actions[s] === LANE_UPD;
        if (peer !== undefined && strangers.concerns(peer)) {
          // A section to watch (a stranger's): the full path, with the messages as records.
          applySection(emit, lane, peer, src, 'openbsd-v6', rule, laneSection(actions[s]!, words, w, count));
          w += count * LANE_WORDS;
          continue;
        }
        const name = upd ? LANE_UPD_NAME : LANE_UPD_C_NAME;
        for (let k = 0; k < count; k++, w += LANE_WORDS) {
          const c = words[w + LANE_CID]!, h = words[w + LANE_IDH]!, l = words[w + LANE_IDL]!;
          ids.c = c; ids.h = h; ids.l = l; ids.whole = true; ids.creatorid = undefined; ids.id = undefined;
          const at = table.find(c, h, l);
          const srcState = words[w + LANE_SRC_STATE]!, srcSeqlo = words[w + LANE_SRC_SEQLO]!;
          const dstState = words[w + LANE_DST_STATE]!, dstSeqlo = words[w + LANE_DST_SEQLO]!;
          if (at >= 0) {
            updateWith(emit, lane, src, name, at, ids, srcState, srcSeqlo, dstState, dstSeqlo, rule);
          } else if (!upd) {
            unknown(emit, lane, src, name, ids);
          } else if (c !== 0) {
            const p = laneFacts;
            p.srcState = srcState; p.dstState = dstState; p.srcSeqlo = srcSeqlo; p.dstSeqlo = dstSeqlo;
            insertWith(emit, lane, c, h, l, words[w + LANE_PROTO]!, p);
          }
          if (upd) { const b = openBulks.get(src); if (b) b.states++; }
        }
      }
    },
    onTick(now: PacketTime, emit: FindingSink): void {
      if (openBulks.size > 0) expireBulks(now, emit, false);
    },
    finish(now: PacketTime, emit: FindingSink): void {
      expireBulks(now, emit, true);
      strangers.finish(now, emit);
      for (const r of link.reports()) {
        emit({ id: 'pfsync.unauthenticated_link', severity: FINDINGS['pfsync.unauthenticated_link'].severity, ts: r.ts, frames: r.frames, message: r.message, details: r.details });
      }
    },
    summary(): Fields {
      const ts = (t: PacketTime | undefined): FieldValue => (t ? formatEpoch(t) : null);
      const peerList: Fields[] = [...peers.peers.values()].map((p) => ({
        src: p.src,
        creatorid: p.creatorid ?? null,
        flavour: p.flavour ?? null,
        packets: p.packets,
        messages: p.messages,
        messages_per_second: PeerRegistry.rate(p) ?? null,
        peer: p.established,
        why: p.why,
      }));
      // The creators with the most states (ties by id), at most CREATORS_LISTED; the rest counted.
      const byCreator: Record<string, number> = {};
      const top = [...table.byCreator.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, CREATORS_LISTED);
      let listedStates = 0;
      for (const [c, n] of top) { byCreator[hex8(c)] = n; listedStates += n; }
      const bulkList: Fields[] = bulks.map((b) => ({
        requested: ts(b.requested), started: ts(b.started), ended: ts(b.ended), states: b.states,
        responder: b.responder, creatorid: b.creatorid,
        duration: b.ended && (b.requested ?? b.started) ? Math.round((toSeconds(b.ended) - toSeconds((b.requested ?? b.started)!)) * 1e6) / 1e6 : null,
      }));
      return {
        pfsync: {
          peers: peerList,
          states: table.size,
          states_by_creator: byCreator,
          // Only when the list is cut: how many creators and states it leaves out.
          ...(table.byCreator.size > top.length
            ? { creators: table.byCreator.size, creators_not_listed: table.byCreator.size - top.length, states_not_listed: table.size - listedStates }
            : {}),
          bulk_updates: bulkList,
          messages_by_action: { ...messagesByAction },
        },
      };
    },
  };
}
