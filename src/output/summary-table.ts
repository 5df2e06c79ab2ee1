// Pieces the `-z ...,masters` tables share (CARP per VHID, VRRP per VRID): reading the summary
// data, aligned columns, the master flags and the timeline of master periods:
//
//   Master periods
//   VHID 7 ipv4  10.77.0.1  1700000000.000123 -> 1700000008.000456   8.000 s  first_seen
//   VHID 7 ipv4  10.77.0.2  1700000012.395123 -> end                           master_timeout

import type { FieldValue, Fields } from '../decode/types.js';

export function obj(v: FieldValue | undefined): Fields | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : undefined;
}
export function arr(v: FieldValue | undefined): readonly FieldValue[] {
  return Array.isArray(v) ? (v as readonly FieldValue[]) : [];
}
/** The objects of a summary array. */
export function objects(v: FieldValue | undefined): Fields[] {
  return arr(v).map(obj).filter((x): x is Fields => x !== undefined);
}
export function text(v: FieldValue | undefined, dflt = '-'): string {
  if (v === null || v === undefined) return dflt;
  if (Array.isArray(v)) return v.length === 0 ? dflt : v.map((x) => text(x)).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Columns padded to the widest cell, two spaces apart, no trailing blanks. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Split-brain flags of a group's summary: "split brain with X" now, or "split brain xN earlier". */
export function splitBrainFlags(g: Fields): string[] {
  const with_ = arr(g['split_brain_with']);
  if (with_.length > 0) return [`split brain with ${text(with_)}`];
  if (typeof g['split_brains'] === 'number' && g['split_brains'] > 0) return [`split brain x${g['split_brains']} earlier`];
  return [];
}

/** Whether a LINK column is needed (groups seen on more than one link). */
export function manyLinks(groups: readonly Fields[]): boolean {
  return new Set(groups.map((g) => text(g['link']))).size > 1;
}

/**
 * The "Master periods" lines of a summary `timeline` (rows with `id` = 'vhid' or 'vrid', af,
 * link, master, cause, from, to); `time` renders the epoch strings in the user's -t style.
 */
export function masterPeriodLines(timeline: FieldValue | undefined, id: 'vhid' | 'vrid', showLink: boolean, time: (epoch: string) => string): string[] {
  const periods = objects(timeline);
  if (periods.length === 0) return [];
  const prow: string[][] = periods.map((p) => {
    const from = text(p['from']);
    const to = p['to'] === null || p['to'] === undefined ? 'end' : text(p['to']);
    const dur = to === 'end' ? '' : `${(Number(to) - Number(from)).toFixed(3)} s`;
    return [
      ...(showLink ? [text(p['link'])] : []),
      `${id.toUpperCase()} ${text(p[id])}`, text(p['af']), text(p['master']), `${time(from)} -> ${to === 'end' ? to : time(to)}`, dur, text(p['cause']),
    ];
  });
  return ['', 'Master periods', ...table(prow)];
}

/** One `-z ...,masters` report: what differs between CARP (per VHID) and VRRP (per VRID). */
export interface MastersReport {
  /** 'CARP masters' */
  readonly title: string;
  /** The line when there are no groups: '(no CARP adverts)'. */
  readonly none: string;
  readonly id: 'vhid' | 'vrid';
  /** Column titles after LINK. */
  readonly header: readonly string[];
  /** The flags shown after the master (split brain is added after them). */
  flags(g: Fields): string[];
  /** The cells of a group's row after LINK; `master` is the MASTER cell with its flags, `since` the SINCE cell. */
  row(g: Fields, master: string, since: string): string[];
  /** Lines printed under the table for a group (duplicates dropped). */
  notes?(g: Fields): string[];
}

/**
 * The table of groups (a LINK column when they were seen on more than one link), the notes, and
 * the master periods of `timeline`; `time` renders epoch strings in the user's -t style.
 */
export function renderMasters(report: MastersReport, groups: readonly Fields[], timeline: FieldValue | undefined, time: (epoch: string) => string): string {
  const lines: string[] = [report.title];
  if (groups.length === 0) {
    lines.push(`  ${report.none}`);
    return lines.join('\n') + '\n';
  }
  const showLink = manyLinks(groups);
  const rows: string[][] = [[...(showLink ? ['LINK'] : []), ...report.header]];
  const notes: string[] = [];
  for (const g of groups) {
    const flags = [...report.flags(g), ...splitBrainFlags(g)];
    const master = text(g['master']) + (flags.length > 0 ? ` (${flags.join(', ')})` : '');
    const since = typeof g['since'] === 'string' ? time(g['since']) : text(g['since']);
    rows.push([...(showLink ? [text(g['link'])] : []), ...report.row(g, master, since)]);
    if (report.notes) notes.push(...report.notes(g));
  }
  lines.push(...table(rows));
  if (notes.length > 0) lines.push('', ...[...new Set(notes)]);
  lines.push(...masterPeriodLines(timeline, report.id, showLink, time));
  return lines.join('\n') + '\n';
}
