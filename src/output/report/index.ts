// --report FILE.html: one self-contained HTML page (inline CSS, hand-written SVG, no script, no
// network) built from the findings and the summaries of the run: a header with the capture and
// the worst findings, one timeline per VHID / VRID, the pfsync charts, the -z tables and every
// finding. Written at the end of the run (files and live), whatever the other output options.

import { writeSync, closeSync } from 'node:fs';
import type { AnalyzedFrame, Finding } from '../../analyze/types.js';
import { formatEpoch, toSeconds, type PacketTime } from '../../kernel/time.js';
import { masterDownInterval } from '../../analyze/carp/timing.js';
import type { SeriesData } from '../../analyze/series/index.js';
import { severityRank, type FieldValue, type Fields } from '../../decode/types.js';
import type { TimestampStyle } from '../options.js';
import type { RunTotals } from '../json.js';
import type { Renderer } from '../renderer.js';
import { parseEpoch, TimestampFormatter } from '../timestamp.js';
import { renderPfsync } from './pfsync.js';
import { CSS, esc, NODE_COLOURS, TimeScale } from './svg.js';
import { MAX_MARKERS, renderGroupSection, type Clock, type Group, type Layout } from './timeline.js';

/** Findings kept for the report (the table says how many more there were). */
export const MAX_FINDINGS = 5000;
/** Rows of the findings table and of the master-periods table (most severe / first kept). */
export const MAX_TABLE_ROWS = 500;
const MAX_PERIOD_ROWS = 500;
/** Beyond this many master periods the bands and plain edges lose their titles (size). */
const COMPACT_PERIODS = 300;

/** The `n` most severe findings (earlier first among equals), in their original order. */
function mostSevere(findings: readonly Finding[], n: number): Set<Finding> {
  if (findings.length <= n) return new Set(findings);
  const ranked = findings.map((f, i) => ({ f, i })).sort((a, b) => severityRank(b.f.severity) - severityRank(a.f.severity) || a.i - b.i);
  return new Set(ranked.slice(0, n).map((x) => x.f));
}

export interface ReportInput {
  /** What was read: the file name, or "live: IFACE". */
  readonly source: string;
  readonly totals: RunTotals;
  /** The analyzers' summary (carp, pfsync, takeovers, ...). */
  readonly summary: Fields;
  readonly findings: readonly Finding[];
  readonly findingsDropped: number;
  readonly series: SeriesData;
  readonly timestampStyle: TimestampStyle;
  readonly utc: boolean;
  readonly version: string;
}

const isObj = (v: FieldValue | undefined): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: FieldValue | undefined): Fields[] => (Array.isArray(v) ? (v as FieldValue[]).filter(isObj) : []);
const str = (v: FieldValue | undefined): string => (v === null || v === undefined ? '' : String(v));
const cell = (v: FieldValue | undefined): string => (v === null || v === undefined || v === '' ? '-' : esc(Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)));

const LINKTYPES: Readonly<Record<number, string>> = { 0: 'BSD loopback', 1: 'Ethernet', 12: 'raw IP', 101: 'raw IP', 107: 'Frame Relay', 108: 'OpenBSD loopback', 109: 'OpenBSD enc', 113: 'Linux SLL', 228: 'raw IPv4', 229: 'raw IPv6', 276: 'Linux SLL2' };

/** The user's -t / --utc choice for report times; r and d are shown as time since the first frame. */
function clockOf(style: TimestampStyle, utc: boolean, first: PacketTime | undefined): Clock {
  const relative = style === 'r' || style === 'd';
  const f = new TimestampFormatter(relative ? 'r' : style, utc);
  // digits 0: a label takes the precision of the time it shows
  if (relative && first) f.frame({ ...first, digits: 0 });
  return (t) => f.format(t);
}

function groupKey(kind: string, link: string, af: string, id: number): string {
  return `${kind}#${link}#${af}#${id}`;
}

/** Master periods and findings per VHID / VRID. */
function buildGroups(input: ReportInput, end: number): Group[] {
  const groups = new Map<string, Group>();
  const get = (kind: 'carp' | 'vrrp', link: string, af: string, id: number): Group => {
    const k = groupKey(kind, link, af, id);
    let g = groups.get(k);
    if (!g) {
      g = { kind, id, af, link, periods: [], findings: [], splits: [], gaps: undefined, masterDown: undefined, takeovers: [], markersDropped: 0 };
      groups.set(k, g);
    }
    return g;
  };
  const carp = isObj(input.summary['carp']) ? input.summary['carp'] : {};
  for (const v of list(carp['vhids'])) {
    const g = get('carp', str(v['link']), str(v['af']), Number(v['vhid']));
    // The backups' master-down time: the smallest of the sources that are not master.
    let md: number | undefined;
    for (const s of list(v['sources'])) {
      if (s['src'] === v['master']) continue;
      const x = masterDownInterval(Number(s['advbase']), Number(s['advskew']));
      md = md === undefined ? x : Math.min(md, x);
    }
    if (md === undefined && typeof v['advbase'] === 'number' && typeof v['advskew'] === 'number') md = masterDownInterval(v['advbase'], v['advskew']);
    g.masterDown = md;
  }
  for (const p of list(carp['timeline'])) {
    get('carp', str(p['link']), str(p['af']), Number(p['vhid'])).periods.push({
      master: str(p['master']), start: str(p['from']), end: p['to'] === null || p['to'] === undefined ? null : str(p['to']), cause: str(p['cause']),
    });
  }
  for (const r of list(input.summary['takeovers'])) {
    const g = groups.get(groupKey('carp', str(r['link']), str(r['af']), Number(r['vhid'])));
    g?.takeovers.push(r);
  }
  // Findings of a group: by vhid (carp.*) or vrid (vrrp.*), address family and link when given.
  const vrrpChanges = new Map<string, Finding[]>();
  const lookup = (kind: 'carp' | 'vrrp', id: number, af: string, link: string): Group | undefined => {
    for (const g of groups.values()) {
      if (g.kind === kind && g.id === id && (af === '' || g.af === af) && (link === '' || g.link === link)) return g;
    }
    return kind === 'vrrp' ? get('vrrp', link, af || 'ipv4', id) : undefined;
  };
  const findGroup = (f: Finding): Group | undefined => {
    const d = f.details;
    const kind = f.id.startsWith('vrrp.') ? 'vrrp' : f.id.startsWith('carp.') ? 'carp' : undefined;
    if (!kind) return undefined;
    const id = kind === 'vrrp' ? d['vrid'] : d['vhid'];
    return typeof id === 'number' ? lookup(kind, id, str(d['af']), str(d['link'])) : undefined;
  };
  for (const f of input.findings) {
    const g = findGroup(f);
    if (!g) continue;
    g.findings.push(f);
    const id = f.id as string;
    if (id === 'vrrp.master_changed') {
      const k = groupKey(g.kind, g.link, g.af, g.id);
      vrrpChanges.set(k, [...(vrrpChanges.get(k) ?? []), f]);
    }
  }
  // VRRP periods from vrrp.master_changed findings: each runs until the next change.
  for (const [k, changes] of vrrpChanges) {
    const g = groups.get(k)!;
    changes.forEach((f, i) => {
      const next = changes[i + 1];
      g.periods.push({ master: str(f.details['src']), start: formatEpoch(f.ts), end: next ? formatEpoch(next.ts) : null, cause: str(f.details['cause']) });
    });
  }
  // Split-brain intervals: from the finding back to when both advertised, up to the next change
  // (or the contender's last advert, or the end).
  for (const g of groups.values()) {
    const lastOf = new Map<string, number>();
    if (g.kind === 'carp') {
      const v = list(carp['vhids']).find((x) => Number(x['vhid']) === g.id && str(x['af']) === g.af && str(x['link']) === g.link);
      for (const s of list(v?.['sources'])) lastOf.set(str(s['src']), Number(s['last']));
    }
    for (const f of g.findings) {
      if (!(f.id as string).endsWith('.split_brain')) continue;
      const t = toSeconds(f.ts);
      const src = str(f.details['src']);
      const span = typeof f.details['concurrent_for'] === 'number' ? f.details['concurrent_for'] : 0;
      const nextChange = g.periods.map((p) => Number(p.start)).filter((x) => x > t).sort((a, b) => a - b)[0];
      const to = Math.min(nextChange ?? end, lastOf.get(src) ?? end);
      g.splits.push({ src, from: t - span, to: Math.max(to, t) });
    }
  }
  for (const gs of input.series.gaps) {
    const g = gs.kind === 'carp' ? groups.get(groupKey('carp', gs.link, gs.af, gs.id)) : lookup('vrrp', gs.id, gs.af, gs.link);
    if (g) g.gaps = gs;
  }
  return [...groups.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.id - b.id || a.af.localeCompare(b.af) || a.link.localeCompare(b.link));
}

function findingsTable(all: readonly Finding[], clock: Clock, notKept: number): string {
  const keep = mostSevere(all, MAX_TABLE_ROWS);
  const findings = all.filter((f) => keep.has(f));
  const dropped = notKept + all.length - findings.length;
  let s = '<table class="findings"><tr><th>time</th><th>severity</th><th>id</th><th>frames</th><th>message</th></tr>';
  for (const f of findings) {
    s += `<tr data-id="${esc(f.id)}" data-severity="${f.severity}" data-ts="${formatEpoch(f.ts)}" data-frames="${f.frames.join(',')}"><td class="mono">${esc(clock(f.ts))}</td>`
      + `<td><span class="badge ${f.severity}">${f.severity}</span></td><td class="mono">${esc(f.id)}</td><td class="mono">${f.frames.join(', ')}</td><td>${esc(f.message)}</td></tr>`;
  }
  s += '</table>';
  if (dropped > 0) s += `<p class="muted">${dropped} less severe finding(s) not listed (the report lists ${MAX_TABLE_ROWS}, most severe first; the jsonl output has every one).</p>`;
  return s;
}

function mastersTables(carp: Fields, epochText: (e: string) => string): string {
  const vhids = list(carp['vhids']);
  if (vhids.length === 0) return '';
  let s = '<h3>CARP masters</h3><table class="carp-masters"><tr><th>link</th><th>VHID</th><th>AF</th><th>master</th><th>since</th><th>changes</th><th>advbase/skew</th><th>demote</th><th>HMAC</th><th>backups heard</th><th>split brains</th></tr>';
  for (const v of vhids) {
    s += `<tr><td>${cell(v['link'])}</td><td>${cell(v['vhid'])}</td><td>${cell(v['af'])}</td><td class="mono">${cell(v['master'])}</td><td>${typeof v['since'] === 'string' ? esc(epochText(v['since'])) : '-'}</td>`
      + `<td>${cell(v['transitions'])}</td><td>${cell(v['advbase'])}/${cell(v['advskew'])}</td><td>${cell(v['demote'])}</td><td>${cell(v['hmac'])}</td><td class="mono">${cell(v['backups'])}</td><td>${cell(v['split_brains'])}</td></tr>`;
  }
  s += '</table><h3>Master periods</h3><table class="master-periods"><tr><th>link</th><th>VHID</th><th>AF</th><th>master</th><th>from</th><th>to</th><th>duration (s)</th><th>cause</th></tr>';
  const periods = list(carp['timeline']);
  for (const p of periods.slice(0, MAX_PERIOD_ROWS)) {
    const to = typeof p['to'] === 'string' ? p['to'] : undefined;
    const dur = to ? (Number(to) - Number(p['from'])).toFixed(3) : '';
    s += `<tr><td>${cell(p['link'])}</td><td>${cell(p['vhid'])}</td><td>${cell(p['af'])}</td><td class="mono">${cell(p['master'])}</td><td>${esc(epochText(str(p['from'])))}</td>`
      + `<td>${to ? esc(epochText(to)) : 'end'}</td><td>${dur}</td><td>${cell(p['cause'])}</td></tr>`;
  }
  s += '</table>';
  if (periods.length > MAX_PERIOD_ROWS) s += `<p class="muted">${periods.length - MAX_PERIOD_ROWS} more master period(s): see the timelines or <code>-z carp,masters</code>.</p>`;
  return s;
}

export function buildReport(input: ReportInput): string {
  const { series } = input;
  const first = series.first;
  const last = series.last;
  const t0 = first ? toSeconds(first) : 0;
  const t1 = last ? toSeconds(last) : t0;
  const scale = new TimeScale(t0, t1);
  const clock = clockOf(input.timestampStyle, input.utc, first);
  const epochText = (e: string): string => { const t = parseEpoch(e); return t ? clock(t) : e; };
  const groups = buildGroups(input, t1);
  // node colours: by first appearance over all groups
  const colours = new Map<string, string>();
  const colour = (node: string): string => {
    let c = colours.get(node);
    if (!c) { c = `n${colours.size % NODE_COLOURS.length}`; colours.set(node, c); }
    return c;
  };
  for (const g of groups) for (const p of g.periods) colour(p.master);
  const pfsyncFindings = input.findings.filter((f) => f.id.startsWith('pfsync.'));
  const layout: Layout = {
    compact: groups.reduce((n, g) => n + g.periods.length, 0) > COMPACT_PERIODS,
    showLink: new Set(groups.map((g) => g.link)).size > 1,
    marked: mostSevere([...groups.flatMap((g) => g.findings), ...pfsyncFindings], MAX_MARKERS),
  };
  const worst = [...input.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || toSeconds(a.ts) - toSeconds(b.ts)).slice(0, 5);
  const counts = Object.entries(input.totals.findings).sort((a, b) => b[1] - a[1]);
  const title = `carpdump report: ${input.source}`;
  let body = `<header><h1>${esc(title)}</h1><dl class="meta">`
    + `<dt>capture</dt><dd class="mono">${esc(input.source)}</dd>`
    + `<dt>first / last</dt><dd>${first ? `${esc(clock(first))} <span class="muted">(${formatEpoch(first)})</span>` : '-'} → ${last ? `${esc(clock(last))} <span class="muted">(${formatEpoch(last)})</span>` : '-'}`
    + `${first && last ? ` <span class="muted">${(t1 - t0).toFixed(3)} s</span>` : ''}</dd>`
    + `<dt>frames</dt><dd>${input.totals.frames} (${input.totals.shown} CARP/VRRP/pfsync or with findings)</dd>`
    + `<dt>link types</dt><dd>${series.linktypes.map((l) => `${l}${LINKTYPES[l] ? ` (${LINKTYPES[l]})` : ''}`).join(', ') || '-'}</dd>`
    + `<dt>interfaces</dt><dd>${series.interfaces.join(', ') || '-'}</dd>`
    + `<dt>findings</dt><dd>${counts.length === 0 ? 'none' : counts.map(([id, n]) => `<code>${esc(id)}</code> ${n}`).join(', ')}</dd></dl>`;
  if (worst.length > 0) {
    body += '<h2>Worst findings</h2><ul class="worst">' + worst.map((f) => `<li><span class="badge ${f.severity}">${f.severity}</span> <span class="mono">${esc(clock(f.ts))}</span> <code>${esc(f.id)}</code> ${esc(f.message)}</li>`).join('') + '</ul>';
  }
  body += '</header>';
  if (groups.length > 0) {
    body += '<h2>Who was master when</h2><p class="muted">Bands: master periods coloured by node; the cause of each change at its edge; hatched: another node advertising as master at the same time (split brain). Markers: ▲ error, ◆ warn, ● note (hover for the message and frames). Below each timeline: the gap between consecutive adverts of each node against the backups\' master-down time (dashed).</p>';
    for (const g of groups) body += renderGroupSection(g, scale, clock, colour, t1, layout);
  }
  const pfsync = input.summary['pfsync'];
  if (isObj(pfsync) && (list(pfsync['peers']).length > 0 || series.messages)) {
    body += renderPfsync(pfsync, series.states, series.messages, pfsyncFindings.filter((f) => layout.marked.has(f)), scale, clock, t1, epochText);
  }
  const carp = isObj(input.summary['carp']) ? input.summary['carp'] : {};
  const tables = mastersTables(carp, epochText);
  if (tables) body += `<h2>Summary tables</h2>${tables}`;
  body += `<h2>All findings (${input.findings.length + input.findingsDropped})</h2>${findingsTable(input.findings, clock, input.findingsDropped)}`;
  body += `<footer class="muted"><p>carpdump ${esc(input.version)}; times ${input.timestampStyle === 'r' || input.timestampStyle === 'd' ? 'since the first frame' : input.utc ? 'in UTC' : 'in local time'}.</p></footer>`;
  const defs = '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    + '<rect width="6" height="6" fill="currentColor" opacity="0.15"/><line x1="0" y1="0" x2="0" y2="6" stroke="currentColor" stroke-width="3"/></pattern></defs></svg>';
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`
    + `<title>${esc(title)}</title><style>${CSS}</style></head><body>${defs}${body}</body></html>\n`;
}

/** Collects the findings of the run and writes the report at the end. */
export class ReportRenderer implements Renderer {
  private readonly findings: Finding[] = [];
  private dropped = 0;

  constructor(private readonly fd: number, private readonly base: Omit<ReportInput, 'totals' | 'summary' | 'findings' | 'findingsDropped' | 'series'>,
    private readonly series: () => SeriesData) {}

  frame(_frame: AnalyzedFrame, findings: readonly Finding[]): void {
    for (const f of findings) this.finding(f);
  }

  finding(f: Finding): void {
    if (this.findings.length < MAX_FINDINGS) this.findings.push(f);
    else this.dropped++;
  }

  end(totals: RunTotals, summary: Fields): void {
    const html = buildReport({ ...this.base, totals, summary, findings: this.findings, findingsDropped: this.dropped, series: this.series() });
    try {
      writeSync(this.fd, html);
    } finally {
      closeSync(this.fd);
    }
  }
}

/** Both renderers see everything, in order. */
export function teeRenderers(a: Renderer, b: Renderer): Renderer {
  return {
    frame(frame, findings) { a.frame(frame, findings); b.frame(frame, findings); },
    finding(f) { a.finding(f); b.finding(f); },
    end(totals, summary) { a.end(totals, summary); b.end(totals, summary); },
  };
}
