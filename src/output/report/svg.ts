// Hand-written SVG for the report: escaping, the time scale shared by every chart, axis ticks,
// the colour-blind-safe palette (Okabe & Ito 2008) and the severity marker shapes.

import type { PacketTime } from '../../kernel/time.js';
import type { Severity } from '../../decode/types.js';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Chart width in SVG units (the SVG scales to the page); left margin holds the lane labels. */
export const WIDTH = 1000;
export const LEFT = 120;
export const RIGHT = 12;

/** Okabe-Ito without black (the page's text colour) : node colours, by first appearance. */
export const NODE_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'] as const;

export class TimeScale {
  readonly span: number;
  constructor(readonly t0: number, readonly t1: number) {
    this.span = t1 > t0 ? t1 - t0 : 1;
  }
  x(t: number): number {
    const v = LEFT + ((t - this.t0) / this.span) * (WIDTH - LEFT - RIGHT);
    return Math.round(Math.min(WIDTH - RIGHT, Math.max(LEFT, v)) * 10) / 10;
  }
}

const STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Tick times (epoch seconds) for a scale: about six. */
export function ticks(scale: TimeScale): { t: number; digits: number }[] {
  const step = STEPS.find((s) => scale.span / s <= 7) ?? scale.span / 6;
  const digits = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
  const out: { t: number; digits: number }[] = [];
  for (let t = Math.ceil(scale.t0 / step) * step; t <= scale.t1 + 1e-9 && out.length < 20; t += step) out.push({ t, digits });
  return out;
}

export function instant(t: number, digits: number): PacketTime {
  let sec = Math.floor(t);
  let nsec = Math.round((t - sec) * 1e9);
  if (nsec >= 1e9) { sec++; nsec -= 1e9; }
  return { sec, nsec, digits };
}

/** The time axis at y (grid lines up to `top`), labels in the user's time style. */
export function axis(scale: TimeScale, y: number, top: number, label: (t: PacketTime) => string, labels = true): string {
  let s = `<g class="axis"><line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}"/>`;
  for (const k of ticks(scale)) {
    const x = scale.x(k.t);
    s += `<line class="grid" x1="${x}" y1="${top}" x2="${x}" y2="${y}"/>`;
    if (labels) s += `<text x="${x}" y="${y + 12}" text-anchor="middle">${esc(label(instant(k.t, k.digits)))}</text>`;
  }
  return `${s}</g>`;
}

/** A marker of a finding's severity: shape and colour both tell it (colour-blind safe). */
export function markerShape(sev: Severity, x: number, y: number): string {
  switch (sev) {
    case 'error': return `<path class="sev-error" d="M${x} ${y - 6}L${x + 6} ${y + 5}H${x - 6}Z"/>`;
    case 'warn': return `<path class="sev-warn" d="M${x} ${y - 6}L${x + 6} ${y}L${x} ${y + 6}L${x - 6} ${y}Z"/>`;
    case 'note': return `<circle class="sev-note" cx="${x}" cy="${y}" r="4.5"/>`;
    case 'chat': return `<rect class="sev-chat" x="${x - 3.5}" y="${y - 3.5}" width="7" height="7"/>`;
  }
}

/** y of a value on a linear axis from 0 to max, between top and bottom. */
export function yOf(v: number, max: number, top: number, bottom: number): number {
  return Math.round((bottom - (max > 0 ? (v / max) * (bottom - top) : 0)) * 10) / 10;
}

/** A short number for axis labels. */
export function short(v: number): string {
  if (v >= 1e6) return `${Math.round(v / 1e5) / 10}M`;
  if (v >= 1e4) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 1000) / 1000);
}

export const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--muted:#5f6368;--grid:#d9d9d9;--band:#f3f4f6;--link:#0b57d0;
--n0:#0072B2;--n1:#E69F00;--n2:#009E73;--n3:#CC79A7;--n4:#56B4E9;--n5:#D55E00;--n6:#F0E442;
--error:#D55E00;--warn:#E69F00;--note:#0072B2;--chat:#888}
@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e8eaed;--muted:#a0a4aa;--grid:#3a3d42;--band:#23262b;--link:#8ab4f8;
--n0:#3d9be0;--note:#3d9be0}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--grid:#ccc;--band:#f3f3f3;--n0:#0072B2;--note:#0072B2}
section{break-inside:avoid}details{display:block}details>*{display:block}}
body{background:var(--bg);color:var(--fg);font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.2em auto;max-width:1200px;padding:0 1em}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid var(--grid)}h3{font-size:1em;margin:1em 0 .2em}
table{border-collapse:collapse;margin:.4em 0;font-size:.92em}td,th{border-bottom:1px solid var(--grid);padding:2px 8px;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.95em}
.muted{color:var(--muted)}dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:.4em 0}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
svg.chart{width:100%;height:auto;display:block;overflow:visible}svg text{fill:var(--fg);font-size:11px}svg .lbl{fill:var(--muted)}
.axis line{stroke:var(--muted);stroke-width:1}.axis line.grid{stroke:var(--grid);stroke-dasharray:2 3}
.lane{fill:var(--band)}.edge{stroke:var(--fg);stroke-width:1.2}.edge.bad{stroke:var(--error);stroke-width:2}
.n0{fill:var(--n0);stroke:var(--n0)}.n1{fill:var(--n1);stroke:var(--n1)}.n2{fill:var(--n2);stroke:var(--n2)}.n3{fill:var(--n3);stroke:var(--n3)}
.n4{fill:var(--n4);stroke:var(--n4)}.n5{fill:var(--n5);stroke:var(--n5)}.n6{fill:var(--n6);stroke:var(--n6)}
svg text.on-n0,svg text.on-n2,svg text.on-n3,svg text.on-n5{fill:#fff;font-weight:600}svg text.on-n1,svg text.on-n4,svg text.on-n6{fill:#111;font-weight:600}
rect.period{stroke:none}rect.split{fill:url(#hatch);stroke-width:1.5}polyline{fill:none;stroke-width:1.5}
.md{stroke:var(--error);stroke-dasharray:6 4;stroke-width:1.5}.sev-error{fill:var(--error)}.sev-warn{fill:var(--warn)}.sev-note{fill:var(--note)}.sev-chat{fill:var(--chat)}
.bulk.completed{fill:var(--n2)}.bulk.incomplete{fill:url(#hatch);stroke:var(--error);stroke-width:1.5}
.sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
.legend{margin:.2em 0 .4em;font-size:.92em}.legend span{margin-right:1.2em}
.badge{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.85em;font-weight:600;color:#fff}
.badge.error{background:#b34100}.badge.warn{background:#8a5a00}.badge.note{background:#005a8c}.badge.chat{background:#666}
section.group{margin-bottom:1.4em}
`;
