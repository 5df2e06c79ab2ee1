// The pfsync part of the report: states per creator over time (one series per creator id,
// data-creatorid), bulk updates as spans (requested/started -> ended, or hatched when they did
// not end), messages per action per time bucket, the pfsync findings as markers, and the
// peers and bulk updates as tables.

import type { Finding } from '../../analyze/types.js';
import type { Buckets } from '../../analyze/series/index.js';
import type { FieldValue, Fields } from '../../decode/types.js';
import { axis, esc, LEFT, NODE_COLOURS, short, TimeScale, WIDTH, yOf } from './svg.js';
import { markers, type Clock } from './timeline.js';

const isObj = (v: FieldValue | undefined): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: FieldValue | undefined): Fields[] => (Array.isArray(v) ? (v as FieldValue[]).filter(isObj) : []);
const cell = (v: FieldValue | undefined): string => (v === null || v === undefined || v === '' ? '-' : esc(typeof v === 'object' ? JSON.stringify(v) : String(v)));

/** One polyline per key of bucketed rows; `carry`: a missing row repeats the previous value. */
function lines(b: Buckets, keys: readonly string[], scale: TimeScale, top: number, bottom: number, carry: boolean, attr: string): { svg: string; max: number } {
  let max = 0;
  for (const r of b.rows) if (r) for (const k of keys) max = Math.max(max, r[k] ?? 0);
  let svg = '';
  keys.forEach((k, i) => {
    const pts: string[] = [];
    let prev = 0;
    b.rows.forEach((r, j) => {
      const v = r ? (r[k] ?? 0) : carry ? prev : 0;
      prev = v;
      const x0 = scale.x(b.origin + j * b.width);
      const y = yOf(v, max, top, bottom);
      pts.push(carry ? `${x0},${y}` : `${x0},${y} ${scale.x(b.origin + (j + 1) * b.width)},${y}`);
    });
    svg += `<g class="series" ${attr}="${esc(k)}"><polyline class="n${i % NODE_COLOURS.length}" points="${pts.join(' ')}"><title>${esc(k)}</title></polyline></g>`;
  });
  return { svg, max };
}

function chart(title: string, inner: string, max: number, scale: TimeScale, clock: Clock, legend: string): string {
  const top = 8; const bottom = 112;
  return `<h3>${esc(title)}</h3><div class="legend">${legend}</div><svg class="chart" viewBox="0 0 ${WIDTH} ${bottom + 20}">`
    + `<text class="lbl" x="${LEFT - 6}" y="${top + 8}" text-anchor="end">${short(max)}</text><text class="lbl" x="${LEFT - 6}" y="${bottom}" text-anchor="end">0</text>`
    + `${axis(scale, bottom, top, clock)}${inner}</svg>`;
}

function legendOf(keys: readonly string[], prefix: string): string {
  return keys.map((k, i) => `<span><i class="sw" style="background:var(--n${i % NODE_COLOURS.length})"></i>${esc(prefix + k)}</span>`).join('');
}

export function renderPfsync(pfsync: Fields, states: Buckets | undefined, messages: Buckets | undefined, findings: readonly Finding[],
  scale: TimeScale, clock: Clock, end: number, epochText: (e: string) => string): string {
  let s = '<section class="pfsync"><h2>pfsync</h2>';
  if (states && states.rows.length > 0) {
    const creators = [...new Set(states.rows.flatMap((r) => (r ? Object.keys(r) : [])))].sort();
    const l = lines(states, creators, scale, 8, 112, true, 'data-creatorid');
    s += chart('States per creator id', l.svg, l.max, scale, clock, legendOf(creators, 'creator '));
  }
  // bulk updates as spans, pfsync findings as markers
  const bulks = list(pfsync['bulk_updates']);
  const laneH = 18;
  const height = 20 + bulks.length * (laneH + 4) + 30 + 18;
  let g = `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}"><text class="lbl" x="4" y="14">bulk updates</text>`;
  bulks.forEach((b, i) => {
    const from = Number(b['requested'] ?? b['started'] ?? NaN);
    const done = typeof b['ended'] === 'string';
    const to = done ? Number(b['ended']) : end;
    if (Number.isNaN(from)) return;
    const x0 = scale.x(from); const x1 = Math.max(scale.x(to), x0 + 2);
    const y = 20 + i * (laneH + 4);
    const title = `bulk update from ${String(b['responder'])} (creator ${String(b['creatorid'])}): requested ${b['requested'] ? epochText(String(b['requested'])) : '-'}, `
      + `started ${b['started'] ? epochText(String(b['started'])) : '-'}, ${done ? `ended ${epochText(String(b['ended']))}` : 'did not end'}, ${String(b['states'] ?? 0)} states`;
    g += `<rect class="bulk ${done ? 'completed' : 'incomplete'}" data-bulk-state="${done ? 'completed' : 'incomplete'}" data-responder="${esc(String(b['responder']))}" x="${x0}" y="${y}" width="${Math.round((x1 - x0) * 10) / 10}" height="${laneH}"><title>${esc(title)}</title></rect>`;
  });
  const markY = 20 + bulks.length * (laneH + 4) + 12;
  g += `<text class="lbl" x="4" y="${markY + 4}">findings</text>${markers(findings, scale, markY, clock)}${axis(scale, markY + 16, 8, clock)}</svg>`;
  s += `<h3>Bulk updates and findings</h3>${g}`;
  if (messages && messages.rows.length > 0) {
    const totals = new Map<string, number>();
    for (const r of messages.rows) if (r) for (const [k, v] of Object.entries(r)) totals.set(k, (totals.get(k) ?? 0) + v);
    const actions = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, NODE_COLOURS.length).map(([k]) => k);
    const l = lines(messages, actions, scale, 8, 112, false, 'data-action');
    s += chart(`Messages per action (per ${short(messages.width)} s)`, l.svg, l.max, scale, clock, legendOf(actions, ''));
  }
  s += renderPfsyncTables(pfsync, epochText);
  return `${s}</section>`;
}

export function renderPfsyncTables(p: Fields, epochText: (e: string) => string): string {
  const at = (v: FieldValue | undefined): string => (typeof v === 'string' ? esc(epochText(v)) : cell(v));
  let s = '<h3>pfsync peers</h3><table class="pfsync-peers"><tr><th>source</th><th>creator id</th><th>flavour</th><th>packets</th><th>messages</th><th>messages/s</th></tr>';
  for (const peer of list(p['peers'])) {
    s += `<tr><td class="mono">${cell(peer['src'])}</td><td class="mono">${cell(peer['creatorid'])}</td><td>${cell(peer['flavour'])}</td><td>${cell(peer['packets'])}</td><td>${cell(peer['messages'])}</td><td>${cell(peer['messages_per_second'])}</td></tr>`;
  }
  s += '</table><h3>Bulk updates</h3><table class="pfsync-bulks"><tr><th>responder</th><th>creator id</th><th>requested</th><th>started</th><th>ended</th><th>duration (s)</th><th>states</th></tr>';
  for (const b of list(p['bulk_updates'])) {
    s += `<tr><td class="mono">${cell(b['responder'])}</td><td class="mono">${cell(b['creatorid'])}</td><td>${at(b['requested'])}</td><td>${at(b['started'])}</td><td>${b['ended'] === null ? 'did not end' : at(b['ended'])}</td><td>${cell(b['duration'])}</td><td>${cell(b['states'])}</td></tr>`;
  }
  const actions = isObj(p['messages_by_action']) ? p['messages_by_action'] : {};
  const by = isObj(p['states_by_creator']) ? p['states_by_creator'] : {};
  s += `</table><p>Messages by action: ${Object.keys(actions).map((k) => `${esc(k)} ${cell(actions[k])}`).join(', ') || 'none'}. `
    + `States known at the end: ${cell(p['states'])}${Object.keys(by).length > 0 ? ` (${Object.keys(by).map((c) => `creator <span class="mono">${esc(c)}</span>: ${cell(by[c])}`).join(', ')})` : ''}.</p>`;
  return s;
}
