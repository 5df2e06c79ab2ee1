// Time series for the HTML report (--report), in bounded memory whatever the capture's length:
//  - the capture: first and last packet time of the analysed frames, link types, interfaces;
//  - per CARP group (link, af, VHID) and VRRP group (link, af, VRID): the gap of every advert
//    since the same source's previous one: the largest per source in each of at most MAX_POINTS
//    time buckets (the gaps that came close to a failover are kept);
//  - pfsync: messages per action per time bucket, and the states per creator the pfsync
//    analyzer holds, sampled from its summary once per bucket.
// Buckets start one second wide and double (merging pairs) whenever there would be more than
// MAX_BUCKETS. Reads decoded layers and the pfsync analyzer's summary only.

import type { Analyzer, PacketTime } from '../types.js';
import { timeAt, toSeconds } from '../types.js';
import type { DecodedFrame, Fields } from '../../decode/types.js';
import type { FramePlace } from '../../kernel/frame.js';
import { findLayer, recordsIn } from '../../decode/fields.js';
import { linkOf, vrrpOf } from '../carp/facts.js';
import { LANE_UPD, LANE_UPD_C_NAME, LANE_UPD_NAME, type PfsyncLane } from '../../decode/pfsync/lane.js';
import type { CarpLane } from '../../decode/carp-lane.js';
import type { ArpLane } from '../../decode/arp-lane.js';

/** A lane frame has no layers (and no VLAN tag: the lanes take untagged frames only). */
const NO_LAYERS: DecodedFrame['layers'] = Object.freeze([]);

export const MAX_POINTS = 150;
export const MAX_BUCKETS = 240;
const MAX_GROUPS = 1024;

export interface GapPoint {
  readonly t: number;
  readonly gap: number;
  readonly src: string;
  readonly frame: number;
}

export interface GapSeries {
  readonly kind: 'carp' | 'vrrp';
  readonly link: string;
  readonly af: string;
  readonly id: number;
  /** The largest gap per source and time bucket, in time order (filled by series()). */
  points: GapPoint[];
  readonly lastBySrc: Map<string, number>;
  /** Buckets of `width` seconds from `origin`, at most MAX_POINTS; the width doubles when full. */
  origin: number;
  width: number;
  readonly slots: Map<string, (GapPoint | undefined)[]>;
}

/** Counts (sum) or samples (last value) per key, in buckets of a width that doubles. */
export class Buckets {
  width = 1;
  readonly rows: (Record<string, number> | undefined)[] = [];
  constructor(readonly origin: number, private readonly mode: 'sum' | 'last', private readonly max = MAX_BUCKETS) {}

  /** The bucket index of time t (after any widening); true when it is a new bucket. */
  index(t: number): number {
    let i = Math.floor((t - this.origin) / this.width);
    while (i >= this.max) {
      this.widen();
      i = Math.floor((t - this.origin) / this.width);
    }
    return Math.max(0, i);
  }

  add(t: number, key: string, n: number): void {
    const i = this.index(t);
    const row = this.rows[i] ?? (this.rows[i] = {});
    row[key] = this.mode === 'sum' ? (row[key] ?? 0) + n : n;
  }

  set(t: number, values: Readonly<Record<string, number>>): void {
    this.rows[this.index(t)] = { ...values };
  }

  private widen(): void {
    const old = this.rows.splice(0);
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i]; const b = old[i + 1];
      if (this.mode === 'last') { this.rows.push(b ?? a); continue; }
      if (!a && !b) { this.rows.push(undefined); continue; }
      const m: Record<string, number> = { ...(a ?? {}) };
      for (const [k, v] of Object.entries(b ?? {})) m[k] = (m[k] ?? 0) + v;
      this.rows.push(m);
    }
    this.width *= 2;
  }
}

export interface SeriesData {
  readonly first: PacketTime | undefined;
  readonly last: PacketTime | undefined;
  readonly linktypes: readonly number[];
  readonly interfaces: readonly number[];
  readonly gaps: readonly GapSeries[];
  readonly messages: Buckets | undefined;
  readonly states: Buckets | undefined;
}

export interface SeriesAnalyzer extends Analyzer {
  series(): SeriesData;
}

/** Double the bucket width of a gap series, keeping the larger gap of each pair. */
function widen(g: GapSeries): void {
  for (const [src, old] of g.slots) {
    const out: (GapPoint | undefined)[] = [];
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i]; const b = old[i + 1];
      out.push(a && b ? (b.gap > a.gap ? b : a) : a ?? b);
    }
    g.slots.set(src, out);
  }
  g.width *= 2;
}

/** `pfsync`: the pfsync analyzer whose summary gives the states per creator. */
export function createSeriesAnalyzer(pfsync?: Analyzer): SeriesAnalyzer {
  let first: PacketTime | undefined;
  let last: PacketTime | undefined;
  let firstT: number | undefined;
  let lastT: number | undefined;
  const linktypes = new Set<number>();
  const interfaces = new Set<number>();
  const gaps = new Map<number | string, GapSeries>();
  let messages: Buckets | undefined;
  let states: Buckets | undefined;
  let lastSample = -1;

  /** Every frame: the capture's first and last time, link types and interfaces; its time in seconds. */
  const seen = (frame: { readonly raw: FramePlace }): number => seenAt(frame.raw);
  const seenAt = (raw: FramePlace): number => {
    const t = raw.tsSec + raw.tsNsec / 1e9;
    if (firstT === undefined || t < firstT) { firstT = t; first = timeAt(raw); }
    if (lastT === undefined || t > lastT) { lastT = t; last = timeAt(raw); }
    linktypes.add(raw.linktype);
    interfaces.add(raw.interfaceId);
    return t;
  };

  const sampleStates = (t: number, force: boolean): void => {
    if (!pfsync) return;
    states ??= new Buckets(t, 'last');
    const i = states.index(t);
    if (!force && i === lastSample) return;
    lastSample = i;
    const p = pfsync.summary()['pfsync'];
    const by = p && typeof p === 'object' && !Array.isArray(p) ? (p as Fields)['states_by_creator'] : undefined;
    const values: Record<string, number> = {};
    if (by && typeof by === 'object' && !Array.isArray(by)) for (const [k, v] of Object.entries(by as Fields)) if (typeof v === 'number') values[k] = v;
    states.set(t, values);
    lastSample = states.index(t);
  };

  // Per advert: a numeric key (interface, link type, kind, af, id) unless VLAN tags make the link a string.
  const gap = (kind: 'carp' | 'vrrp', frame: { readonly raw: FramePlace; readonly layers: DecodedFrame['layers'] }, af: string, id: number, src: string, t: number): void => {
    let vlan = false;
    for (const l of frame.layers) if (l.proto === 'vlan') { vlan = true; break; }
    const key: number | string = vlan ? `${kind}#${linkOf(frame)}#${af}#${id}`
      : ((((frame.raw.interfaceId * 65536 + frame.raw.linktype) * 2 + (kind === 'carp' ? 0 : 1)) * 2 + (af === 'ipv6' ? 1 : 0)) * 256 + id);
    let g = gaps.get(key);
    if (!g) {
      if (gaps.size >= MAX_GROUPS) return;
      g = { kind, link: linkOf(frame), af, id, points: [], lastBySrc: new Map(), origin: t, width: 1, slots: new Map() };
      gaps.set(key, g);
    }
    const prev = g.lastBySrc.get(src);
    if (g.lastBySrc.size < 16 || prev !== undefined) g.lastBySrc.set(src, t);
    if (prev === undefined) return;
    let i = Math.floor((t - g.origin) / g.width);
    while (i >= MAX_POINTS) { widen(g); i = Math.floor((t - g.origin) / g.width); }
    let slots = g.slots.get(src);
    if (!slots) { slots = []; g.slots.set(src, slots); }
    const d = t - prev;
    const old = slots[i];
    if (!old || d > old.gap) slots[i] = { t, gap: Math.round(d * 1e6) / 1e6, src, frame: frame.raw.number };
  };

  return {
    name: 'series',
    onFrame(frame: DecodedFrame): void {
      const t = seen(frame);
      // CARP: read the few fields directly (advertOf builds a whole record; this runs per advert)
      const carp = findLayer(frame, 'carp');
      if (carp) {
        const vhid = carp.fields['carp.vhid'];
        if (typeof vhid === 'number' && carp.status === 'ok' && carp.fields['carp.checksum.status'] !== 'bad' && frame.ip) {
          gap('carp', frame, frame.ip.version === 6 ? 'ipv6' : 'ipv4', vhid, frame.ip.src, t);
        }
        return;
      }
      const v = vrrpOf(frame);
      if (v) { gap('vrrp', frame, v.af, v.vrid, v.src, t); return; }
      const p = findLayer(frame, 'pfsync');
      if (!p) return;
      messages ??= new Buckets(t, 'sum');
      for (const s of recordsIn(p.fields, 'pfsync.subheaders')) {
        const name = s['pfsync.action_name'];
        const n = Array.isArray(s['pfsync.messages']) ? s['pfsync.messages'].length : 0;
        if (typeof name === 'string' && n > 0) messages.add(t, name, n);
      }
      sampleStates(t, false);
    },
    // A CARP lane frame (decode/carp-lane.ts: a plain, sound IPv4 advert): onFrame's CARP branch.
    onCarpLane(lane: CarpLane): void {
      // the lane's own number, time and interface (lane.raw of an advert read from a file's
      // record is made when read, bytes copied: per advert, 1M adverts took 1.5 s more)
      gap('carp', { raw: lane, layers: NO_LAYERS }, 'ipv4', lane.vhid, lane.ipSrc, seenAt(lane));
    },
    // An ARP lane frame (an ARP request): onFrame before it finds nothing it counts.
    onArpLane(lane: ArpLane): void {
      seen(lane);
    },
    // A lane frame (--report with -q: decode/pfsync/lane.ts): onFrame's pfsync branch, from the numbers.
    onPfsyncLane(lane: PfsyncLane): void {
      const t = seen(lane);
      messages ??= new Buckets(t, 'sum');
      for (let i = 0; i < lane.sections; i++) {
        const n = lane.sectionCounts[i]!;
        if (n > 0) messages.add(t, lane.sectionActions[i] === LANE_UPD ? LANE_UPD_NAME : LANE_UPD_C_NAME, n);
      }
      sampleStates(t, false);
    },
    onTick(now: PacketTime): void {
      if (lastT === undefined || toSeconds(now) > lastT) { last = now; lastT = toSeconds(now); }
    },
    finish(now: PacketTime): void {
      if (lastT === undefined || toSeconds(now) > lastT) { last = now; lastT = toSeconds(now); }
      if (states) sampleStates(toSeconds(now), true);
    },
    summary(): Fields {
      // The series go to the report renderer directly (series()), not into the jsonl summary.
      return {};
    },
    series(): SeriesData {
      return {
        first, last, linktypes: [...linktypes].sort((a, b) => a - b), interfaces: [...interfaces].sort((a, b) => a - b),
        gaps: [...gaps.values()].map((g) => {
          g.points = [...g.slots.values()].flatMap((l) => l.filter((p): p is GapPoint => p !== undefined)).sort((a, b) => a.t - b.t);
          return g;
        }),
        messages, states,
      };
    },
  };
}
