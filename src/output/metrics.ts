// --metrics: Prometheus metrics built from what the analysis says, never from bytes.
//
// An output-side consumer of the pipeline (PipelineObserver): it sees every decoded frame with
// the findings it raised and every finding raised on its own, and keeps a small model of the
// segment (who is master of each VHID, each source's last advert, pfsync message counts); the
// capture source wrapper (observeSource) counts packets and follows packet time. prom-client's
// registry renders that model when scraped: gauges are rebuilt from the model in collect(), so
// an old master's series disappears on a change; counters only grow.
//
// Facts read per frame: the CARP advert (analyze/carp/facts.ts advertOf) and the HMAC status
// the CARP analyzer derived; the pfsync layer's subheaders (action names, message counts, BUS
// end); nothing else. Findings read: carp.master_changed / carp.split_brain (vhid, af, src,
// previous/master, cause), vrrp.master_changed / vrrp.split_brain (vrid, version, af, src, cause),
// pfsync.bulk_incomplete (src); every finding is counted by id and severity.
//
// Cardinality follows the analyzers' caps: 1024 (af, VHID) groups with 16 sources each (the CARP
// analyzer's), 256 pfsync senders and creator ids (the pfsync peer registry's; further creator
// ids are summed as creatorid="other"). A label value is a number, an address, a creator id or
// one of a fixed set of words; anything else becomes "other", so no passphrase can reach a label.

import { isIP } from 'node:net';
import client from 'prom-client';
import { advertOf } from '../analyze/carp/facts.js';
import { masterDownInterval } from '../analyze/carp/timing.js';
import type { AnalyzedFrame, Finding } from '../analyze/types.js';
import type { CaptureSource, ClockTick, RawFrame } from '../capture/types.js';
import { SEVERITIES, type DecodedFrame, type FieldValue, type Fields } from '../decode/types.js';
import { asLayerOf, recordsIn, type PfsyncRecord } from '../decode/fields.js';
import type { PipelineObserver } from './renderer.js';

export const MAX_METRIC_GROUPS = 1024;
export const MAX_METRIC_SOURCES = 16;
export const MAX_PFSYNC_SENDERS = 256;
export const MAX_CREATOR_IDS = 256;

const CARP_CAUSES: ReadonlySet<string> = new Set(['first_seen', 'bow_out', 'master_timeout', 'demoted', 'preempted']);
const VRRP_CAUSES: ReadonlySet<string> = new Set(['first_seen', 'master_timeout', 'preempted', 'resign']);
/** Master advert gaps, in seconds: around the usual 1 s advbase, up to CARP's 255 s. */
export const ADVERT_INTERVAL_BUCKETS = [0.5, 0.9, 1.1, 1.5, 2, 2.5, 3, 4, 5, 10, 30, 60, 255];

type Hmac = 'ok' | 'bad' | 'unverified';

interface CarpSource {
  lastSeconds: number;
  advbase: number;
  advskew: number;
  readonly adverts: Record<Hmac, number>;
}

interface CarpGroup {
  readonly vhid: string;
  readonly af: string;
  master: string | undefined;
  readonly sources: Map<string, CarpSource>;
  readonly changes: Map<string, number>;
  /** The pair of the last carp.split_brain: active while both keep advertising. */
  split: { contender: string; master: string } | undefined;
  maxGapSeconds: number;
}

interface VrrpGroup {
  readonly labels: { vrid: string; version: string; af: string };
  master: string | undefined;
  readonly changes: Map<string, number>;
  split: boolean;
}

export interface MetricsOptions {
  /** prom-client's process and Node.js metrics (minus those promtool rejects). Default true. */
  readonly defaultMetrics?: boolean;
  /** Kernel drops of a live capture so far; undefined while unknown (the series is left out). */
  readonly dropped?: () => number | undefined;
  /** The pfsync analyzer's summary (states by creator id, peers), read when scraped. */
  readonly pfsyncSummary?: () => Fields;
}

/** An address as a label value (or "unknown"): never free text. */
function addressLabel(v: FieldValue | undefined): string {
  return typeof v === 'string' && isIP(v) !== 0 ? v.toLowerCase() : 'unknown';
}

function numberLabel(v: FieldValue | undefined, min: number, max: number): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? String(v) : undefined;
}

function afLabel(v: FieldValue | undefined): string | undefined {
  return v === 'ipv4' || v === 'ipv6' ? v : undefined;
}

function wordLabel(v: FieldValue | undefined, allowed: ReadonlySet<string>): string {
  return typeof v === 'string' && allowed.has(v) ? v : 'other';
}

function inc(m: Map<string, number>, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

/**
 * Prometheus' metric-name rules for non-counters: promtool rejects a gauge named *_total
 * (prom-client 15's nodejs_active_handles_total and siblings).
 */
function removeRejectedDefaults(registry: client.Registry): void {
  for (const m of registry.getMetricsAsArray()) {
    const name = (m as unknown as { name: string }).name;
    if (name.endsWith('_total') && !(m instanceof client.Counter)) registry.removeSingleMetric(name);
  }
}

export class CarpdumpMetrics implements PipelineObserver {
  readonly registry = new client.Registry();
  private packets = 0;
  /** Latest packet time seen (frames and ticks), seconds. */
  private nowSeconds = 0;
  private up = 0;
  private readonly findingCounts = new Map<string, number>();
  private readonly carp = new Map<string, CarpGroup>();
  private readonly vrrp = new Map<string, VrrpGroup>();
  private readonly pfsyncMessages = new Map<string, Map<string, number>>();
  private readonly bulks = new Map<string, { completed: number; incomplete: number }>();
  private readonly advertGaps: client.Histogram<'vhid' | 'af'>;

  constructor(private readonly options: MetricsOptions = {}) {
    const registers = [this.registry];
    // The model is kept in plain maps and rendered here, at scrape time (cheap: bounded maps).
    const model = this;
    new client.Gauge({
      name: 'carpdump_up', help: '1 while the capture runs, 0 once it ended (--metrics-linger) or failed', registers,
      collect() { this.set(model.up); },
    });
    new client.Counter({
      name: 'carpdump_packets_total', help: 'Packets captured (read from the file or the interface)', registers,
      collect() { this.reset(); this.inc(model.packets); },
    });
    new client.Counter({
      name: 'carpdump_packets_dropped_total', help: 'Packets the kernel dropped (live capture; absent while unknown)', registers,
      collect() {
        this.reset();
        const d = model.options.dropped?.();
        if (d !== undefined) this.inc(d);
        else this.remove();
      },
    });
    new client.Counter({
      name: 'carpdump_findings_total', help: 'Findings raised, by id and severity (carpdump --list-findings)', labelNames: ['id', 'severity'], registers,
      collect() {
        this.reset();
        for (const [k, n] of model.findingCounts) {
          const [id, severity] = k.split(' ') as [string, string];
          this.inc({ id, severity }, n);
        }
      },
    });
    this.carpMetrics(registers);
    this.advertGaps = new client.Histogram({
      name: 'carpdump_carp_advert_interval_seconds', help: 'Gaps between consecutive adverts of the master of a VHID (packet time)',
      labelNames: ['vhid', 'af'], buckets: ADVERT_INTERVAL_BUCKETS, registers,
    });
    this.vrrpMetrics(registers);
    this.pfsyncMetrics(registers);
    if (options.defaultMetrics !== false) {
      client.collectDefaultMetrics({ register: this.registry });
      removeRejectedDefaults(this.registry);
    }
  }

  private carpMetrics(registers: client.Registry[]): void {
    const model = this;
    new client.Gauge({
      name: 'carpdump_carp_master_info', help: '1 for the current master of each VHID (the old master\'s series disappears on a change)',
      labelNames: ['vhid', 'af', 'master'], registers,
      collect() {
        this.reset();
        for (const g of model.carp.values()) if (g.master !== undefined) this.set({ vhid: g.vhid, af: g.af, master: g.master }, 1);
      },
    });
    new client.Counter({
      name: 'carpdump_carp_master_changes_total', help: 'Master changes of a VHID by cause (first_seen, master_timeout, preempted, demoted, bow_out)',
      labelNames: ['vhid', 'af', 'cause'], registers,
      collect() {
        this.reset();
        for (const g of model.carp.values()) {
          // Every cause from 0 once the VHID is known, so that increase() sees the first change.
          for (const cause of CARP_CAUSES) this.inc({ vhid: g.vhid, af: g.af, cause }, 0);
          for (const [cause, n] of g.changes) this.inc({ vhid: g.vhid, af: g.af, cause }, n);
        }
      },
    });
    new client.Gauge({
      name: 'carpdump_carp_split_brain', help: '1 while two sources of a VHID advertise as master (carp.split_brain and both still advertising)',
      labelNames: ['vhid', 'af'], registers,
      collect() {
        this.reset();
        for (const g of model.carp.values()) this.set({ vhid: g.vhid, af: g.af }, model.splitBrainActive(g) ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'carpdump_carp_last_advert_timestamp_seconds', help: 'Packet time of the last advert of each source of a VHID',
      labelNames: ['vhid', 'af', 'src'], registers,
      collect() {
        this.reset();
        for (const g of model.carp.values()) for (const [src, s] of g.sources) this.set({ vhid: g.vhid, af: g.af, src }, s.lastSeconds);
      },
    });
    new client.Counter({
      name: 'carpdump_carp_adverts_total', help: 'CARP adverts by source and HMAC status (ok, bad, unverified: no passphrase given)',
      labelNames: ['vhid', 'af', 'src', 'hmac'], registers,
      collect() {
        this.reset();
        for (const g of model.carp.values()) {
          for (const [src, s] of g.sources) {
            for (const hmac of ['ok', 'bad', 'unverified'] as const) {
              if (s.adverts[hmac] > 0) this.inc({ vhid: g.vhid, af: g.af, src, hmac }, s.adverts[hmac]);
            }
          }
        }
      },
    });
    new client.Gauge({
      name: 'carpdump_carp_master_down_seconds', help: 'Master silence after which a backup of the VHID takes over (3 x advbase + advskew/256 of the best backup; estimated from the master when no backup was heard)',
      labelNames: ['vhid', 'af'], registers,
      collect() {
        this.reset();
        for (const g of model.carp.values()) {
          const md = model.masterDown(g);
          if (md !== undefined) this.set({ vhid: g.vhid, af: g.af }, md);
        }
      },
    });
    new client.Gauge({
      name: 'carpdump_carp_max_advert_gap_seconds', help: 'Longest gap between two adverts of the same master of a VHID (compare with carpdump_carp_master_down_seconds: how close a failover came)',
      labelNames: ['vhid', 'af'], registers,
      collect() {
        this.reset();
        for (const g of model.carp.values()) if (g.maxGapSeconds > 0) this.set({ vhid: g.vhid, af: g.af }, g.maxGapSeconds);
      },
    });
  }

  private vrrpMetrics(registers: client.Registry[]): void {
    const model = this;
    new client.Gauge({
      name: 'carpdump_vrrp_master_info', help: '1 for the current master of each VRRP router (vrrp.master_changed)',
      labelNames: ['vrid', 'version', 'af', 'master'], registers,
      collect() {
        this.reset();
        for (const g of model.vrrp.values()) if (g.master !== undefined) this.set({ ...g.labels, master: g.master }, 1);
      },
    });
    new client.Counter({
      name: 'carpdump_vrrp_master_changes_total', help: 'VRRP master changes by cause (first_seen, master_timeout, preempted, resign)',
      labelNames: ['vrid', 'version', 'af', 'cause'], registers,
      collect() {
        this.reset();
        for (const g of model.vrrp.values()) {
          for (const cause of VRRP_CAUSES) this.inc({ ...g.labels, cause }, 0);
          for (const [cause, n] of g.changes) this.inc({ ...g.labels, cause }, n);
        }
      },
    });
    new client.Gauge({
      name: 'carpdump_vrrp_split_brain', help: '1 after vrrp.split_brain until the next master change of that router',
      labelNames: ['vrid', 'version', 'af'], registers,
      collect() {
        this.reset();
        for (const g of model.vrrp.values()) this.set(g.labels, g.split ? 1 : 0);
      },
    });
  }

  private pfsyncMetrics(registers: client.Registry[]): void {
    const model = this;
    new client.Gauge({
      name: 'carpdump_pfsync_states', help: 'States in the synced table, by creator id (as a receiving pf would hold them)',
      labelNames: ['creatorid'], registers,
      collect() {
        this.reset();
        const byCreator = model.pfsyncSummaryPart('states_by_creator');
        if (typeof byCreator !== 'object' || byCreator === null || Array.isArray(byCreator)) return;
        let shown = 0;
        let other = 0;
        for (const [creatorid, n] of Object.entries(byCreator)) {
          if (typeof n !== 'number') continue;
          if (shown < MAX_CREATOR_IDS && /^[0-9a-f]{8}$/.test(creatorid)) { this.set({ creatorid }, n); shown++; } else other += n;
        }
        if (other > 0) this.set({ creatorid: 'other' }, other);
      },
    });
    new client.Gauge({
      name: 'carpdump_pfsync_peers', help: 'Hosts heard sending pfsync', registers,
      collect() {
        const peers = model.pfsyncSummaryPart('peers');
        this.set(Array.isArray(peers) ? peers.length : 0);
      },
    });
    new client.Counter({
      name: 'carpdump_pfsync_messages_total', help: 'pfsync messages by sender and action (INS, UPD_C, DEL_C, BUS, ...)',
      labelNames: ['src', 'action'], registers,
      collect() {
        this.reset();
        for (const [src, byAction] of model.pfsyncMessages) for (const [action, n] of byAction) this.inc({ src, action }, n);
      },
    });
    new client.Counter({
      name: 'carpdump_pfsync_bulk_updates_total', help: 'Bulk updates by responder: completed (BUS end), incomplete (pfsync.bulk_incomplete)',
      labelNames: ['src', 'result'], registers,
      collect() {
        this.reset();
        for (const [src, b] of model.bulks) {
          if (b.completed > 0) this.inc({ src, result: 'completed' }, b.completed);
          if (b.incomplete > 0) this.inc({ src, result: 'incomplete' }, b.incomplete);
        }
      },
    });
  }

  private pfsyncSummaryPart(key: string): FieldValue | undefined {
    const summary = this.options.pfsyncSummary?.();
    const pfsync = summary?.['pfsync'];
    if (typeof pfsync !== 'object' || pfsync === null || Array.isArray(pfsync)) return undefined;
    return (pfsync as Fields)[key];
  }

  /** The capture runs (1) or has ended (0). */
  setUp(up: boolean): void {
    this.up = up ? 1 : 0;
  }

  /** Every captured packet (from the source, before any filtering). */
  packet(raw: RawFrame): void {
    this.packets++;
    this.advanceTo(raw.tsSec + raw.tsNsec / 1e9);
  }

  tick(now: ClockTick): void {
    this.advanceTo(now.sec + now.nsec / 1e9);
  }

  private advanceTo(t: number): void {
    if (t > this.nowSeconds) this.nowSeconds = t;
  }

  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    const ad = advertOf(frame);
    const group = ad ? this.carpGroup(ad.vhid, ad.af) : undefined;
    const masterBefore = group?.master;
    for (const f of findings) this.finding(f);
    if (ad && group) this.advert(group, ad.src, ad.t, ad.advbase, ad.advskew, frame.derived['carp.hmac.status'], masterBefore);
    for (const l of frame.layers) {
      const p = asLayerOf(l, 'pfsync');
      if (p) this.pfsync(frame, p.fields);
    }
  }

  finding(f: Finding): void {
    const severity = (SEVERITIES as readonly string[]).includes(f.severity) ? f.severity : 'other';
    const id = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(f.id) ? f.id : 'other';
    inc(this.findingCounts, `${id} ${severity}`);
    const d = f.details;
    switch (f.id as string) {
      case 'carp.master_changed': {
        const g = this.carpGroupOf(d);
        if (!g) return;
        g.master = addressLabel(d['src']);
        inc(g.changes, wordLabel(d['cause'], CARP_CAUSES));
        return;
      }
      case 'carp.split_brain': {
        const g = this.carpGroupOf(d);
        if (g) g.split = { contender: addressLabel(d['src']), master: addressLabel(d['master']) };
        return;
      }
      case 'vrrp.master_changed': {
        const g = this.vrrpGroup(d);
        if (!g) return;
        g.master = addressLabel(d['src']);
        g.split = false;
        inc(g.changes, wordLabel(d['cause'], VRRP_CAUSES));
        return;
      }
      case 'vrrp.split_brain': {
        const g = this.vrrpGroup(d);
        if (g) g.split = true;
        return;
      }
      case 'pfsync.bulk_incomplete': {
        const b = this.bulkOf(addressLabel(d['src']));
        if (b) b.incomplete++;
        return;
      }
      default:
        return;
    }
  }

  private carpGroupOf(d: Fields): CarpGroup | undefined {
    const vhid = d['vhid'];
    const af = afLabel(d['af']);
    return typeof vhid === 'number' && af ? this.carpGroup(vhid, af) : undefined;
  }

  private carpGroup(vhidValue: number, afValue: string): CarpGroup | undefined {
    const vhid = numberLabel(vhidValue, 1, 255);
    const af = afLabel(afValue);
    if (vhid === undefined || af === undefined) return undefined;
    const key = `${af}#${vhid}`;
    let g = this.carp.get(key);
    if (!g) {
      if (this.carp.size >= MAX_METRIC_GROUPS) return undefined;
      g = { vhid, af, master: undefined, sources: new Map(), changes: new Map(), split: undefined, maxGapSeconds: 0 };
      this.carp.set(key, g);
    }
    return g;
  }

  private vrrpGroup(d: Fields): VrrpGroup | undefined {
    const vrid = numberLabel(d['vrid'], 1, 255);
    const version = numberLabel(d['version'], 2, 3);
    const af = afLabel(d['af']);
    if (vrid === undefined || version === undefined || af === undefined) return undefined;
    const key = `${af}#${version}#${vrid}`;
    let g = this.vrrp.get(key);
    if (!g) {
      if (this.vrrp.size >= MAX_METRIC_GROUPS) return undefined;
      g = { labels: { vrid, version, af }, master: undefined, changes: new Map(), split: false };
      this.vrrp.set(key, g);
    }
    return g;
  }

  private advert(g: CarpGroup, srcValue: string, t: number, advbase: number, advskew: number, status: FieldValue | undefined, masterBefore: string | undefined): void {
    // No status: the CARP analyzer did not track this advert (its cap): neither do we.
    if (status !== 'good' && status !== 'bad' && status !== 'unverified') return;
    const src = addressLabel(srcValue);
    let s = g.sources.get(src);
    if (!s) {
      if (g.sources.size >= MAX_METRIC_SOURCES) return;
      s = { lastSeconds: t, advbase, advskew, adverts: { ok: 0, bad: 0, unverified: 0 } };
      g.sources.set(src, s);
    } else if (src === masterBefore && src === g.master && t >= s.lastSeconds) {
      const gap = t - s.lastSeconds;
      this.advertGaps.observe({ vhid: g.vhid, af: g.af }, gap);
      if (gap > g.maxGapSeconds) g.maxGapSeconds = gap;
    }
    s.lastSeconds = t;
    s.advbase = advbase;
    s.advskew = advskew;
    s.adverts[status === 'good' ? 'ok' : status]++;
  }

  /** Smallest master-down interval of the backups heard, else estimated from the master's. */
  private masterDown(g: CarpGroup): number | undefined {
    let best: number | undefined;
    for (const [src, s] of g.sources) {
      if (src === g.master) continue;
      const md = masterDownInterval(s.advbase, s.advskew);
      if (best === undefined || md < best) best = md;
    }
    if (best !== undefined) return best;
    const m = g.master !== undefined ? g.sources.get(g.master) : undefined;
    return m ? masterDownInterval(m.advbase, m.advskew) : undefined;
  }

  /** Both sides of the last split brain advertised within their master-down time of now. */
  private splitBrainActive(g: CarpGroup): boolean {
    if (!g.split) return false;
    for (const src of [g.split.contender, g.split.master]) {
      const s = g.sources.get(src);
      if (!s || this.nowSeconds - s.lastSeconds > masterDownInterval(s.advbase, s.advskew)) return false;
    }
    return true;
  }

  private bulkOf(src: string): { completed: number; incomplete: number } | undefined {
    let b = this.bulks.get(src);
    if (!b) {
      if (this.bulks.size >= MAX_PFSYNC_SENDERS) return undefined;
      b = { completed: 0, incomplete: 0 };
      this.bulks.set(src, b);
    }
    return b;
  }

  private pfsync(frame: DecodedFrame, f: PfsyncRecord): void {
    const ip = frame.ip;
    const viaIp = ip !== undefined && ip.src !== '0.0.0.0' && !frame.layers.some((l) => l.proto === 'pfsynclink');
    const src = viaIp ? addressLabel(ip.src) : 'pfsync0';
    let byAction = this.pfsyncMessages.get(src);
    if (!byAction) {
      if (this.pfsyncMessages.size >= MAX_PFSYNC_SENDERS) return;
      byAction = new Map();
      this.pfsyncMessages.set(src, byAction);
    }
    const accepted = f['pfsync.ignored'] === undefined;
    for (const s of recordsIn(f, 'pfsync.subheaders')) {
      const name = s['pfsync.action_name'];
      const action = typeof name === 'string' && /^[A-Z0-9_]{1,16}$/.test(name) ? name : 'other';
      const messages = recordsIn(s, 'pfsync.messages');
      inc(byAction, action, messages.length);
      if (!accepted || s['pfsync.ignored'] !== undefined || action !== 'BUS') continue;
      for (const m of messages) {
        if (m['pfsync.bus.status'] !== 2) continue;
        const b = this.bulkOf(src);
        if (b) b.completed++;
      }
    }
  }

  /** The Prometheus text exposition. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * The capture source seen through the metrics: every packet is counted and packet time
 * followed (ticks too). The file prefilter is not passed on: skipped records would not be
 * counted (a file run with --metrics is for tests and lingering dashboards, not for speed).
 */
export function observeSource<S extends CaptureSource>(source: S, metrics: CarpdumpMetrics): S {
  const observed: CaptureSource = {
    name: source.name,
    run: (sink, tick) => source.run(
      (raw) => { metrics.packet(raw); sink(raw); },
      (now) => { metrics.tick(now); tick?.(now); },
    ),
    stop: (reason) => source.stop(reason),
    ...(source.stats ? { stats: () => source.stats!() } : {}),
    setPrefilter: undefined,
  };
  return Object.assign(Object.create(source) as S, observed);
}
