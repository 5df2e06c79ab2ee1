// One timeline per CARP VHID / VRRP VRID (per link and address family): master periods as bands
// coloured by node, the cause of each change at its edge (with the pfsync verdict of the
// takeover analyzer), split-brain intervals as a second, hatched band, finding markers, and
// under it the advert gaps of each source against the backups' master-down time.
// DOM contract (README "HTML report"): each period is a rect with data-vhid|data-vrid, data-af,
// data-master, data-start, data-end ('' while still master) and data-cause; each marker carries
// data-finding-id and data-frames.

import type { Finding } from '../../analyze/types.js';
import { formatEpoch, toSeconds, type PacketTime } from '../../kernel/time.js';
import type { GapSeries } from '../../analyze/series/index.js';
import type { Fields } from '../../decode/types.js';
import { axis, esc, LEFT, markerShape, short, TimeScale, WIDTH, RIGHT, yOf } from './svg.js';

export interface Period {
  readonly master: string;
  readonly start: string;
  readonly end: string | null;
  readonly cause: string;
}

export interface Split {
  readonly src: string;
  readonly from: number;
  readonly to: number;
}

export interface Group {
  readonly kind: 'carp' | 'vrrp';
  readonly id: number;
  readonly af: string;
  readonly link: string;
  readonly periods: Period[];
  readonly findings: Finding[];
  readonly splits: Split[];
  gaps: GapSeries | undefined;
  /** The backups' master-down time, seconds (CARP: smallest of the non-master sources). */
  masterDown: number | undefined;
  readonly takeovers: Fields[];
  markersDropped: number;
}

export type Clock = (t: PacketTime) => string;
export type Colour = (node: string) => string;

/** Most finding markers drawn in one report, most severe first (the table lists more). */
export const MAX_MARKERS = 500;

function groupLabel(g: Group): string {
  return `${g.kind === 'carp' ? 'VHID' : 'VRID'} ${g.id} <span class="muted">(${g.kind.toUpperCase()}, ${esc(g.af)}${g.link ? `, link ${esc(g.link)}` : ''})</span>`;
}

function takeoverText(r: Fields): string {
  const ago = r['old_master_pfsync_ago'];
  const flows = r['unsynced_flows'];
  return `pfsync at the takeover: old master's last pfsync ${typeof ago === 'number' ? `${ago} s before` : 'not seen'}; `
    + `new master's bulk update ${String(r['bulk'])}; unsynced flows ${flows === null || flows === undefined ? 'not visible' : String(flows)}`
    + `${r['unsynced'] === true ? ' (states missing)' : ''}`;
}

/** The markers lane: one marker per finding at its time, title = message and frames. */
export function markers(findings: readonly Finding[], scale: TimeScale, y: number, clock: Clock): string {
  let s = '';
  for (const f of findings) {
    const x = scale.x(toSeconds(f.ts));
    s += `<g class="marker" data-finding-id="${esc(f.id)}" data-frames="${f.frames.join(',')}" data-ts="${formatEpoch(f.ts)}">`
      + `${markerShape(f.severity, x, y)}<title>${esc(`${clock(f.ts)} ${f.id} (${f.severity}): ${f.message}${f.frames.length > 0 ? ` [frames ${f.frames.join(', ')}]` : ''}`)}</title></g>`;
  }
  return s;
}

/** How a group is drawn: `compact` (a large report) leaves the titles of bands and plain edges out. */
export interface Layout {
  readonly compact: boolean;
  /** Several links in the capture: periods carry data-link. */
  readonly showLink: boolean;
  /** The findings drawn as markers (the report's marker budget, most severe first). */
  readonly marked: ReadonlySet<Finding>;
}

const r1 = (x: number): number => Math.round(x);

export function renderGroup(g: Group, scale: TimeScale, clock: Clock, colour: Colour, end: number, layout: Layout): string {
  const idAttr = g.kind === 'carp' ? 'data-vhid' : 'data-vrid';
  const hasSplit = g.splits.length > 0;
  const laneTop = 30;
  const masterH = 26;
  const splitY = laneTop + masterH + 4;
  const markY = splitY + (hasSplit ? 20 : 0) + 10;
  const axisY = markY + 14;
  const height = axisY + 18;
  let s = `<svg class="chart timeline" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="master periods">`;
  s += `<rect class="lane" x="${LEFT}" y="${laneTop}" width="${WIDTH - LEFT - RIGHT}" height="${masterH}"/>`;
  s += `<text class="lbl" x="4" y="${laneTop + 17}">master</text>`;
  if (hasSplit) s += `<text class="lbl" x="4" y="${splitY + 12}">split brain</text>`;
  s += `<text class="lbl" x="4" y="${markY + 4}">findings</text>`;
  s += axis(scale, axisY, laneTop, clock);
  // two rows of cause labels above the band; a label that fits in neither is left to the edge's title
  const labelEnd = [-Infinity, -Infinity];
  for (const p of g.periods) {
    const from = Number(p.start);
    const to = p.end === null ? end : Number(p.end);
    const x0 = scale.x(from);
    const x1 = Math.max(scale.x(to), x0 + 1);
    const title = layout.compact ? '' : `<title>${esc(`${p.master} master from ${clock(epochInstant(p.start))} to ${p.end === null ? 'the end (still master)' : clock(epochInstant(p.end))} (${p.cause})`)}</title>`;
    s += `<rect class="period ${colour(p.master)}" ${idAttr}="${g.id}" data-af="${esc(g.af)}"${layout.showLink ? ` data-link="${esc(g.link)}"` : ''} data-master="${esc(p.master)}" `
      + `data-start="${esc(p.start)}" data-end="${p.end === null ? '' : esc(p.end)}" data-cause="${esc(p.cause)}" `
      + `x="${x0}" y="${laneTop}" width="${Math.round((x1 - x0) * 10) / 10}" height="${masterH}">${title}</rect>`;
    if (x1 - x0 > 8 * p.master.length) s += `<text class="on-${colour(p.master)}" x="${x0 + 4}" y="${laneTop + 17}" pointer-events="none">${esc(p.master)}</text>`;
    if (p.cause === 'first_seen') continue;
    const to_ = g.takeovers.find((r) => r['ts'] === p.start && r['master'] === p.master);
    const bad = to_?.['unsynced'] === true;
    const label = `${p.cause}${to_ ? (bad ? ' ⚠ unsynced' : ' ✓ pfsync') : ''}`;
    const row = labelEnd.findIndex((end) => x0 > end);
    const edgeTitle = to_ || !layout.compact ? `<title>${esc(`${p.cause}${to_ ? `; ${takeoverText(to_)}` : ''}`)}</title>` : '';
    s += `<line class="edge${bad ? ' bad' : ''}" x1="${x0}" y1="${row === 0 ? laneTop - 16 : laneTop - 4}" x2="${x0}" y2="${markY + 6}">${edgeTitle}</line>`;
    if (row >= 0) {
      s += `<text class="cause" x="${x0 + 2}" y="${row === 0 ? laneTop - 17 : laneTop - 5}">${esc(label)}</text>`;
      labelEnd[row] = x0 + 6.5 * label.length + 8;
    }
  }
  for (const sp of g.splits) {
    const x0 = scale.x(sp.from);
    const x1 = Math.max(scale.x(sp.to), x0 + 2);
    s += `<rect class="split ${colour(sp.src)}" x="${x0}" y="${splitY}" width="${Math.round((x1 - x0) * 10) / 10}" height="16"><title>${esc(`${sp.src} also advertised as master`)}</title></rect>`;
  }
  const shown = g.findings.filter((f) => layout.marked.has(f));
  g.markersDropped = g.findings.length - shown.length;
  s += markers(shown, scale, markY, clock);
  s += '</svg>';
  return s + renderGaps(g, scale, clock, colour);
}


function epochInstant(e: string): PacketTime {
  const [sec, frac = ''] = e.split('.');
  return { sec: Number(sec), nsec: Number(frac.padEnd(9, '0')), digits: frac.length };
}

/** The advert gaps of each source against the master-down time. */
function renderGaps(g: Group, scale: TimeScale, clock: Clock, colour: Colour): string {
  const pts = g.gaps?.points ?? [];
  if (pts.length === 0) return '';
  const top = 8; const bottom = 92; const height = 124;
  let max = g.masterDown ?? 0;
  for (const p of pts) if (p.gap > max) max = p.gap;
  max *= 1.1;
  let s = `<svg class="chart gaps" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="advert intervals">`;
  s += `<text class="lbl" x="4" y="${top + 10}">advert gap (s)</text><text class="lbl" x="${LEFT - 6}" y="${top + 8}" text-anchor="end">${short(max)}</text>`
    + `<text class="lbl" x="${LEFT - 6}" y="${bottom}" text-anchor="end">0</text>`;
  s += axis(scale, bottom, top, clock, false);
  if (g.masterDown !== undefined) {
    const y = yOf(g.masterDown, max, top, bottom);
    s += `<line class="md" x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}"><title>master-down ${short(g.masterDown)} s</title></line>`
      + `<text x="${WIDTH - RIGHT - 4}" y="${y - 3}" text-anchor="end" style="fill:var(--error)">master-down ${short(g.masterDown)} s</text>`;
  }
  const bySrc = new Map<string, string[]>();
  for (const p of pts) {
    const l = bySrc.get(p.src) ?? [];
    l.push(`${r1(scale.x(p.t))},${r1(yOf(p.gap, max, top, bottom))}`);
    bySrc.set(p.src, l);
  }
  for (const [src, l] of bySrc) {
    s += `<polyline class="${colour(src)}" data-src="${esc(src)}" points="${l.join(' ')}"><title>${esc(`${src}: gap between its adverts`)}</title></polyline>`;
  }
  // the closest calls: the largest gaps, with their numbers
  const worst = [...pts].sort((a, b) => b.gap - a.gap).slice(0, 3);
  for (const p of worst) {
    const x = scale.x(p.t); const y = yOf(p.gap, max, top, bottom);
    const pct = g.masterDown ? ` (${Math.round((p.gap / g.masterDown) * 100)}% of master-down)` : '';
    s += `<circle class="${colour(p.src)}" cx="${x}" cy="${y}" r="3"><title>${esc(`${clock(epochInstantOf(p.t))} ${p.src}: ${p.gap} s since its previous advert${pct}, frame ${p.frame}`)}</title></circle>`;
  }
  return `${s}</svg>`;
}

function epochInstantOf(t: number): PacketTime {
  const sec = Math.floor(t);
  return { sec, nsec: Math.round((t - sec) * 1e9), digits: 6 };
}

export function renderGroupSection(g: Group, scale: TimeScale, clock: Clock, colour: Colour, end: number, layout: Layout): string {
  const nodes = [...new Set(g.periods.map((p) => p.master).concat(g.splits.map((x) => x.src)))];
  const legend = nodes.map((n) => `<span><i class="sw ${colour(n)}" style="background:var(--${colour(n)})"></i>${esc(n)}</span>`).join('');
  const body = renderGroup(g, scale, clock, colour, end, layout);
  const dropped = g.markersDropped > 0 ? `<p class="muted">${g.markersDropped} more finding(s) of this group are not drawn (the report draws at most ${MAX_MARKERS} markers, most severe first).</p>` : '';
  const tk = g.takeovers.map((r) => `<li>${esc(clock(epochInstant(String(r['ts']))))}: ${esc(String(r['previous']))} → ${esc(String(r['master']))}: ${esc(takeoverText(r))}</li>`).join('');
  return `<section class="group" id="${g.kind}-${g.id}-${esc(g.af)}-${esc(g.link.replace(/[^A-Za-z0-9]/g, '_'))}">`
    + `<h3>${groupLabel(g)}</h3><div class="legend">${legend}</div>${body}${dropped}`
    + (tk ? `<ul class="takeovers">${tk}</ul>` : '') + '</section>';
}
