// Findings in the text output: indented under the frame that raised them, or on their own line
// with a time stamp (timer findings of live capture, end-of-input findings, -q), and the
// `-z findings` table (counts by id, most severe first).

import type { Finding } from '../analyze/types.js';
import { FINDINGS, isFindingId } from '../analyze/findings.js';
import { severityRank, type Severity } from '../decode/types.js';
import type { Palette } from './color.js';

/** `    warn carp.bad_ttl: CARP advert with TTL 64 ...` */
export function renderFindingUnderFrame(f: Finding, palette: Palette): string {
  return `    ${palette.severity(f.severity, `${f.severity} ${f.id}`)}: ${f.message}\n`;
}

/** `12:00:05.000000 finding warn carp.master_silent: ... (frames 3,7)` */
export function renderFindingLine(f: Finding, time: string, palette: Palette): string {
  const frames = f.frames.length ? ` [frame${f.frames.length > 1 ? 's' : ''} ${f.frames.join(',')}]` : '';
  return `${time} ${palette.severity(f.severity, `${f.severity} ${f.id}`)}: ${f.message}${frames}\n`;
}

export function renderFindingsTable(counts: Readonly<Record<string, number>>): string {
  const ids = Object.keys(counts);
  const sevOf = (id: string): Severity => (isFindingId(id) ? FINDINGS[id].severity : 'note');
  ids.sort((a, b) => severityRank(sevOf(b)) - severityRank(sevOf(a)) || a.localeCompare(b));
  let s = 'Findings:\n';
  if (ids.length === 0) return `${s}  none\n`;
  const width = Math.max(...ids.map((id) => id.length));
  s += `  ${'severity'.padEnd(8)}  ${'count'.padStart(7)}  id\n`;
  for (const id of ids) s += `  ${sevOf(id).padEnd(8)}  ${String(counts[id]).padStart(7)}  ${id.padEnd(width)}\n`.replace(/ +\n$/, '\n');
  return s;
}

/** --list-findings: every id with its severity and description. */
export function renderFindingsList(): string {
  const ids = Object.keys(FINDINGS) as (keyof typeof FINDINGS)[];
  const width = Math.max(...ids.map((id) => id.length));
  let s = '';
  for (const id of ids) s += `${id.padEnd(width)}  ${FINDINGS[id].severity.padEnd(5)}  ${FINDINGS[id].description}\n`;
  return s;
}
