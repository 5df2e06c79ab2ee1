// Was pfsync in sync when the takeover came? At every CARP master change (a carp.master_changed
// finding with a previous master, seen through tapFindings) of a capture that also holds pfsync,
// this analyzer says how the new master stood:
//   - the time since the old master's last pfsync packet;
//   - whether the new master's last bulk update (the one it requested, pfsync.md 10.2) completed;
//   - data-side flows (IP pairs through the firewall, not CARP/VRRP/pfsync, not to or from the
//     nodes) first seen in the WINDOW_SECONDS before the change, at least GRACE_SECONDS before it,
//     for which no pfsync INS/UPD carried a state with those addresses: states the old master
//     created and never sent. Visible only when the data frames were decoded (-A, or a capture
//     holding only such traffic): without them the check says `null`, not 0.
// carp.takeover_unsynced (warn) is raised when the bulk update was incomplete or such flows exist.
// It reads decoded layers and the CARP analyzer's findings only; nodes of CARP and pfsync are
// matched by IP address, else by Ethernet source address. Run it before the CARP analyzer, so
// that it knows the addresses of the advert that raises a change.

import type { Analyzer, Finding, FindingSink, PacketTime } from '../types.js';
import { timeOf, toSeconds } from '../types.js';
import { formatEpoch } from '../../kernel/time.js';
import { type DecodedFrame, type FieldValue, type Fields } from '../../decode/types.js';
import { findAnyLayer, findLayer, fieldStr, recordsIn, strOf, type FieldIdOf, type PfsyncLayer } from '../../decode/fields.js';
import { FINDINGS } from '../findings.js';
import type { CarpLane } from '../../decode/carp-lane.js';
import type { ArpLane } from '../../decode/arp-lane.js';
import type { PfsyncLane } from '../../decode/pfsync/lane.js';

/** How far back before a change new data-side flows are looked for. */
export const WINDOW_SECONDS = 10;
/** A flow younger than this at the change may legitimately not have been sent yet. */
export const GRACE_SECONDS = 1;
const MAX_FLOWS = 65_536;
const MAX_SYNCED = 262_144;
const MAX_RECORDS = 1024;

type Msg = Readonly<Record<string, FieldValue>>;

interface BulkSeen {
  requested: number | undefined;
  started: number | undefined;
  ended: number | undefined;
}

interface Flow {
  readonly first: number;
  readonly frame: number;
  readonly label: string;
}

export interface TakeoverRecord {
  readonly vhid: FieldValue;
  readonly af: FieldValue;
  readonly link: FieldValue;
  readonly at: PacketTime;
  readonly frame: number;
  readonly master: string;
  readonly previous: string;
  readonly cause: FieldValue;
  /** Seconds since the old master's last pfsync packet (null: its pfsync peer is not known). */
  readonly oldMasterPfsyncAgo: number | null;
  readonly bulk: 'completed' | 'incomplete' | 'none' | 'unknown';
  /** Data-side flows without a synced state (null: no data-side traffic visible). */
  readonly unsyncedFlows: number | null;
  readonly flowsChecked: number;
  readonly examples: readonly string[];
  readonly unsynced: boolean;
}

/** Addresses in one order, so that both directions of a flow share a key. */
function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function isGroupAddress(a: string): boolean {
  if (a.includes(':')) return a.toLowerCase().startsWith('ff');
  const first = Number(a.split('.')[0]);
  return (first >= 224 && first <= 239) || a === '255.255.255.255' || a.endsWith('.255');
}

const ADDRESS_PAIRS: readonly (readonly [FieldIdOf<'pfsync'>, FieldIdOf<'pfsync'>])[] = [
  ['pfsync.state.wire.addr0', 'pfsync.state.wire.addr1'],
  ['pfsync.state.stack.addr0', 'pfsync.state.stack.addr1'],
  ['pfsync.state.lan.addr', 'pfsync.state.ext.addr'],
  ['pfsync.state.gwy.addr', 'pfsync.state.ext.addr'],
];

/**
 * An Analyzer that forwards everything to `inner` and shows every finding `inner` emits to
 * `listener` (with the same sink, so what the listener raises lands on the same frame).
 */
export function tapFindings(inner: Analyzer, listener: (f: Finding, emit: FindingSink) => void): Analyzer {
  // the tapped sink of the last sink given: the pipeline hands the same one for every lane frame
  let lastEmit: FindingSink | undefined, lastTapped: FindingSink | undefined;
  // Two functions, not one: a function whose closure captures its parameter gets a context object
  // at every call, the early return included (~100 bytes per lane advert, 15% of what it allocated).
  const tapOf = (emit: FindingSink): FindingSink => {
    const tapped: FindingSink = (f) => { emit(f); listener(f, emit); };
    lastEmit = emit;
    lastTapped = tapped;
    return tapped;
  };
  const tap = (emit: FindingSink): FindingSink => (emit === lastEmit ? lastTapped! : tapOf(emit));
  return {
    name: inner.name,
    onFrame: (frame, emit, derive) => inner.onFrame(frame, tap(emit), derive),
    onTick: (now, emit) => inner.onTick(now, tap(emit)),
    finish: (now, emit) => inner.finish(now, tap(emit)),
    summary: () => inner.summary(),
    // The wrapped analyzer's optional parts too: a CARP analyzer that holds adverts until their
    // addresses are known must still hold the pipeline's output when tapped.
    ...(inner.holding ? { holding: () => inner.holding!() } : {}),
    ...(inner.seesDuplicates !== undefined ? { seesDuplicates: inner.seesDuplicates } : {}),
    ...(inner.onPfsyncLane ? { onPfsyncLane: (lane: PfsyncLane, emit: FindingSink) => inner.onPfsyncLane!(lane, tap(emit)) } : {}),
    ...(inner.onCarpLane ? { onCarpLane: (lane: CarpLane, emit: FindingSink) => inner.onCarpLane!(lane, tap(emit)) } : {}),
    ...(inner.carpLaneDeclined ? { carpLaneDeclined: (lane: CarpLane) => inner.carpLaneDeclined!(lane) } : {}),
    ...(inner.onArpLane ? { onArpLane: (lane: ArpLane, emit: FindingSink) => inner.onArpLane!(lane, tap(emit)) } : {}),
  };
}

export interface TakeoverAnalyzer extends Analyzer {
  /** Give it every finding of the CARP analyzer (see tapFindings). */
  onFinding(f: Finding, emit: FindingSink): void;
  records(): readonly TakeoverRecord[];
}

export function createTakeoverAnalyzer(): TakeoverAnalyzer {
  const pfsyncLast = new Map<string, number>();
  const pfsyncMac = new Map<string, string>();
  const carpMac = new Map<string, string>();
  const bulkOf = new Map<string, BulkSeen>();
  const synced = new Set<string>();
  const flows = new Map<string, Flow>();
  const nodes = new Set<string>();
  /** The last lane advert's sender and MAC, set in carpMac (onCarpLane). */
  let laneSrc: string | undefined, laneMac: string | undefined;
  const records: TakeoverRecord[] = [];
  let pendingRequester: string | undefined;
  let pfsyncSeen = false;
  let dataSeen = false;

  /** The pfsync sender that is this CARP node: the same IP, else the same Ethernet source. */
  const pfsyncPeerOf = (carpSrc: string): string | undefined => {
    if (pfsyncLast.has(carpSrc)) return carpSrc;
    const mac = carpMac.get(carpSrc);
    if (mac === undefined) return undefined;
    for (const [ip, m] of pfsyncMac) if (m === mac) return ip;
    return undefined;
  };

  const onPfsync = (frame: DecodedFrame, layer: PfsyncLayer, t: number): void => {
    const src = frame.ip?.src ?? 'pfsync0';
    pfsyncSeen = true;
    pfsyncLast.set(src, t);
    nodes.add(src);
    const mac = fieldStr(findLayer(frame, 'eth'), 'eth.src');
    if (mac) pfsyncMac.set(src, mac);
    if (layer.fields['pfsync.ignored'] !== undefined) return;
    for (const s of recordsIn(layer.fields, 'pfsync.subheaders')) {
      if (s['pfsync.ignored'] !== undefined) continue;
      const name = strOf(s['pfsync.action_name']) ?? '';
      // full states (INS, UPD; not UPD_C or UPD_REQ) carry the addresses
      const full = /^(INS|UPD)/.test(name) && !/_C|REQ/.test(name);
      // Only BUS (bus.status) and UPD_REQ / UREQ (bulk_request) carry what else is read below: skip
      // the messages of the others (UPD_C, DEL_C: the bulk of a pfsync stream) without a look.
      if (!full && name !== 'BUS' && !name.endsWith('REQ')) continue;
      for (const m of recordsIn(s, 'pfsync.messages')) {
        if (m['pfsync.bulk_request'] === true) {
          pendingRequester = src;
          bulkOf.set(src, { requested: t, started: undefined, ended: undefined });
        }
        const status = m['pfsync.bus.status'];
        if (typeof status === 'number') {
          // The bulk a responder sends answers the last request of another node.
          const requester = pendingRequester !== undefined && pendingRequester !== src ? pendingRequester
            : [...bulkOf.keys()].find((k) => k !== src);
          if (requester !== undefined) {
            const b = bulkOf.get(requester) ?? { requested: undefined, started: undefined, ended: undefined };
            if (status === 1) { b.started = t; b.ended = undefined; }
            if (status === 2) { b.ended = t; pendingRequester = undefined; }
            bulkOf.set(requester, b);
          }
        }
        if (!full) continue;
        const proto = m['pfsync.state.proto'];
        for (const [a, b] of ADDRESS_PAIRS) {
          const x = strOf(m[a]); const y = strOf(m[b]);
          if (!x || !y) continue;
          const key = `${String(proto)}|${pairKey(x, y)}`;
          // the oldest go first: the check looks at flows of the last WINDOW_SECONDS
          if (synced.size >= MAX_SYNCED && !synced.has(key)) synced.delete(synced.values().next().value as string);
          synced.add(key);
        }
      }
    }
  };

  const onData = (frame: DecodedFrame, t: number): void => {
    const ip = frame.ip;
    if (!ip || isGroupAddress(ip.dst) || isGroupAddress(ip.src)) return;
    const proto = findAnyLayer(frame, ['ipv4', 'ipv6']);
    const p = proto?.proto === 'ipv4' ? proto.fields['ip.proto'] : proto?.fields['ipv6.nxt'];
    if (p === 112 || p === 240 || p === 51) return;
    dataSeen = true;
    const key = `${String(p)}|${pairKey(ip.src, ip.dst)}`;
    if (flows.has(key)) return;
    if (flows.size >= MAX_FLOWS) {
      // Drop the oldest (insertion order is time order).
      flows.delete(flows.keys().next().value as string);
    }
    flows.set(key, { first: t, frame: frame.raw.number, label: `${ip.src} <-> ${ip.dst} (proto ${String(p)})` });
  };

  const assess = (f: Finding, emit: FindingSink): void => {
    const d = f.details;
    const master = strOf(d['src']);
    const previous = strOf(d['previous']);
    if (!pfsyncSeen || master === undefined || previous === undefined || records.length >= MAX_RECORDS) return;
    const t = toSeconds(f.ts);
    const oldPeer = pfsyncPeerOf(previous);
    const newPeer = pfsyncPeerOf(master);
    const last = oldPeer !== undefined ? pfsyncLast.get(oldPeer) : undefined;
    const b = newPeer !== undefined ? bulkOf.get(newPeer) : undefined;
    const bulk: TakeoverRecord['bulk'] = newPeer === undefined ? 'unknown'
      : !b ? 'none' : b.ended !== undefined && (b.started === undefined || b.ended >= b.started) ? 'completed' : 'incomplete';
    let unsyncedFlows: number | null = null;
    let checked = 0;
    const examples: string[] = [];
    const frames: number[] = [];
    if (dataSeen) {
      unsyncedFlows = 0;
      for (const [key, fl] of flows) {
        if (fl.first < t - WINDOW_SECONDS || fl.first > t - GRACE_SECONDS) continue;
        const [, a, c] = key.split('|');
        if (nodes.has(a!) || nodes.has(c!)) continue;
        checked++;
        if (synced.has(key)) continue;
        unsyncedFlows++;
        if (examples.length < 3) { examples.push(fl.label); frames.push(fl.frame); }
      }
    }
    const unsynced = bulk === 'incomplete' || (unsyncedFlows ?? 0) > 0;
    const rec: TakeoverRecord = {
      vhid: d['vhid'] ?? null, af: d['af'] ?? null, link: d['link'] ?? null, at: f.ts, frame: f.frames[f.frames.length - 1] ?? 0,
      master, previous, cause: d['cause'] ?? null,
      oldMasterPfsyncAgo: last !== undefined ? Math.round((t - last) * 1000) / 1000 : null,
      bulk, unsyncedFlows, flowsChecked: checked, examples, unsynced,
    };
    records.push(rec);
    if (!unsynced) return;
    const why: string[] = [];
    if (bulk === 'incomplete') why.push(`its last bulk update from the peer did not complete`);
    if (unsyncedFlows) why.push(`${unsyncedFlows} flow(s) opened ${GRACE_SECONDS}-${WINDOW_SECONDS} s before were never sent by pfsync (${examples.join(', ')}${unsyncedFlows > examples.length ? ', ...' : ''})`);
    const ago = rec.oldMasterPfsyncAgo === null ? 'no pfsync seen from the old master' : `old master's last pfsync ${rec.oldMasterPfsyncAgo} s before`;
    emit({
      id: 'carp.takeover_unsynced', severity: FINDINGS['carp.takeover_unsynced'].severity, ts: f.ts,
      frames: [...frames, ...f.frames.slice(-1)],
      message: `VHID ${String(d['vhid'])} (${String(d['af'])}): ${master} took over from ${previous} without the states: ${why.join('; ')} (${ago})`,
      details: {
        vhid: d['vhid'] ?? null, af: d['af'] ?? null, src: master, previous,
        old_master_pfsync_ago: rec.oldMasterPfsyncAgo, bulk, unsynced_flows: unsyncedFlows, flows_checked: checked,
      },
    });
  };

  return {
    name: 'takeover',
    onFinding(f: Finding, emit: FindingSink): void {
      if (f.id === 'carp.master_changed') assess(f, emit);
    },
    onFrame(frame: DecodedFrame): void {
      const t = toSeconds(timeOf(frame));
      const carp = findLayer(frame, 'carp');
      if (carp) {
        const src = frame.ip?.src;
        const mac = fieldStr(findLayer(frame, 'eth'), 'eth.src');
        if (src) { nodes.add(src); if (mac) { carpMac.set(src, mac); laneSrc = undefined; } }
        return;
      }
      const pfsync = findLayer(frame, 'pfsync');
      if (pfsync) { onPfsync(frame, pfsync, t); return; }
      if (findLayer(frame, 'vrrp') || findLayer(frame, 'arp')) return;
      onData(frame, t);
    },
    // A lane frame: onFrame's pfsync branch. Its sections carry nothing it reads: UPD_C is skipped,
    // and UPD states come without addresses from the analysis-only decode the lane stands for.
    onPfsyncLane(lane: PfsyncLane): void {
      const src = lane.ipSrc;
      pfsyncSeen = true;
      pfsyncLast.set(src, toSeconds(timeOf(lane.raw)));
      nodes.add(src);
      if (lane.ethSrc) pfsyncMac.set(src, lane.ethSrc);
    },
    // A CARP lane frame: onFrame's CARP branch.
    // The same sender and MAC as the last lane advert (the master's, advert after advert: the lane
    // hands the same strings) change nothing, unless onFrame set another MAC since.
    onCarpLane(lane: CarpLane): void {
      if (lane.ipSrc === laneSrc && lane.ethSrc === laneMac) return;
      laneSrc = lane.ipSrc; laneMac = lane.ethSrc;
      nodes.add(lane.ipSrc);
      carpMac.set(lane.ipSrc, lane.ethSrc);
    },
    // An ARP lane frame: onFrame's ARP branch (nothing).
    onArpLane(): void {},
    onTick(): void {},
    finish(): void {},
    summary(): Fields {
      if (records.length === 0) return {};
      return {
        takeovers: records.map((r) => ({
          vhid: r.vhid, af: r.af, link: r.link, ts: formatEpoch(r.at), frame: r.frame, master: r.master, previous: r.previous,
          cause: r.cause, old_master_pfsync_ago: r.oldMasterPfsyncAgo, bulk: r.bulk, unsynced_flows: r.unsyncedFlows,
          flows_checked: r.flowsChecked, unsynced: r.unsynced,
        })),
      };
    },
    records: () => records,
  };
}
