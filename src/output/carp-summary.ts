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

import type { Fields } from '../decode/types.js';
import { arr, manyLinks, masterPeriodLines, obj, objects, splitBrainFlags, table, text } from './summary-table.js';

/** `time` renders the summary's epoch strings in the user's -t style (default: as they are). */
export function renderCarpMasters(summary: Fields, time: (epoch: string) => string = (e) => e): string {
  const carp = obj(summary['carp']) ?? summary;
  const vhids = objects(carp['vhids']);
  const lines: string[] = ['CARP masters'];
  if (vhids.length === 0) {
    lines.push('  (no CARP adverts)');
    return lines.join('\n') + '\n';
  }
  const showLink = manyLinks(vhids);
  const header = [...(showLink ? ['LINK'] : []), 'VHID', 'AF', 'MASTER', 'SINCE', 'CHANGES', 'ADVBASE/SKEW', 'DEMOTE', 'HMAC', 'BACKUPS HEARD'];
  const rows: string[][] = [header];
  const notes: string[] = [];
  for (const v of vhids) {
    const flags: string[] = [];
    if (v['bowed_out'] === true) flags.push('bowed out');
    flags.push(...splitBrainFlags(v));
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
  lines.push(...masterPeriodLines(carp['timeline'], 'vhid', showLink, time));
  return lines.join('\n') + '\n';
}
