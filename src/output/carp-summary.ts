// `-z carp,masters`: the per-VHID table and the timeline of master periods, from the summary data
// (the `carp` object of createCarpAnalyzer().summary(): `vhids` and `timeline`).
//
//   CARP masters
//   VHID  AF    MASTER     SINCE              CHANGES  ADVBASE/SKEW  DEMOTE  HMAC  BACKUPS HEARD
//   7     ipv4  10.77.0.2  1700000009.395123  1        1/100         0       good  10.77.0.1
//
//   Master periods
//   VHID 7 ipv4  10.77.0.1  1700000000.000123 -> 1700000008.000456   8.000 s  first_seen
//   VHID 7 ipv4  10.77.0.2  1700000012.395123 -> end                           master_timeout

import type { FieldValue, Fields } from '../decode/types.js';

function obj(v: FieldValue | undefined): Fields | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : undefined;
}
function arr(v: FieldValue | undefined): readonly FieldValue[] {
  return Array.isArray(v) ? (v as readonly FieldValue[]) : [];
}
function text(v: FieldValue | undefined, dflt = '-'): string {
  if (v === null || v === undefined) return dflt;
  if (Array.isArray(v)) return v.length === 0 ? dflt : v.map((x) => text(x)).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** `time` renders the summary's epoch strings in the user's -t style (default: as they are). */
export function renderCarpMasters(summary: Fields, time: (epoch: string) => string = (e) => e): string {
  const carp = obj(summary['carp']) ?? summary;
  const vhids = arr(carp['vhids']).map(obj).filter((x): x is Fields => x !== undefined);
  const lines: string[] = ['CARP masters'];
  if (vhids.length === 0) {
    lines.push('  (no CARP adverts)');
    return lines.join('\n') + '\n';
  }
  const links = new Set(vhids.map((v) => text(v['link'])));
  const showLink = links.size > 1;
  const header = [...(showLink ? ['LINK'] : []), 'VHID', 'AF', 'MASTER', 'SINCE', 'CHANGES', 'ADVBASE/SKEW', 'DEMOTE', 'HMAC', 'BACKUPS HEARD'];
  const rows: string[][] = [header];
  const notes: string[] = [];
  for (const v of vhids) {
    const flags: string[] = [];
    if (v['bowed_out'] === true) flags.push('bowed out');
    const with_ = arr(v['split_brain_with']);
    if (with_.length > 0) flags.push(`split brain with ${text(with_)}`);
    else if (typeof v['split_brains'] === 'number' && v['split_brains'] > 0) flags.push(`split brain x${v['split_brains']} earlier`);
    const master = text(v['master']) + (flags.length > 0 ? ` (${flags.join(', ')})` : '');
    rows.push([
      ...(showLink ? [text(v['link'])] : []),
      text(v['vhid']), text(v['af']), master, typeof v['since'] === 'string' ? time(v['since']) : text(v['since']), text(v['transitions']),
      `${text(v['advbase'])}/${text(v['advskew'])}`, text(v['demote']), text(v['hmac']), text(v['backups']),
    ]);
    const vips = arr(v['vips']);
    if (vips.length > 0) notes.push(`VHID ${text(v['vhid'])}: virtual addresses ${text(vips)}${v['vips_inferred'] === true ? (v['vips_confirmed'] === true ? ' (inferred, confirmed by the HMAC)' : ' (inferred candidates)') : ''}`);
    if (v['ucarp_mac'] === true) notes.push(`VHID ${text(v['vhid'])}: master sends from ucarp's 00:00:5e:00:00:xx source MAC`);
    const re = obj(v['rechecked']);
    if (re) notes.push(`VHID ${text(v['vhid'])}: ${arr(re['frames']).length} earlier advert(s) checked once the addresses were known: ${text(re['good'])} good, ${text(re['bad'])} bad`);
  }
  lines.push(...table(rows));
  if (notes.length > 0) lines.push('', ...[...new Set(notes)]);
  const periods = arr(carp['timeline']).map(obj).filter((x): x is Fields => x !== undefined);
  if (periods.length > 0) {
    lines.push('', 'Master periods');
    const prow: string[][] = periods.map((p) => {
      const from = text(p['from']);
      const to = p['to'] === null || p['to'] === undefined ? 'end' : text(p['to']);
      const dur = to === 'end' ? '' : `${(Number(to) - Number(from)).toFixed(3)} s`;
      return [
        ...(showLink ? [text(p['link'])] : []),
        `VHID ${text(p['vhid'])}`, text(p['af']), text(p['master']), `${time(from)} -> ${to === 'end' ? to : time(to)}`, dur, text(p['cause']),
      ];
    });
    lines.push(...table(prow));
  }
  return lines.join('\n') + '\n';
}
