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
import { arr, obj, objects, renderMasters, text, type MastersReport } from './summary-table.js';

const CARP_MASTERS: MastersReport = {
  title: 'CARP masters',
  none: '(no CARP adverts)',
  id: 'vhid',
  header: ['VHID', 'AF', 'MASTER', 'SINCE', 'CHANGES', 'ADVBASE/SKEW', 'DEMOTE', 'HMAC', 'BACKUPS HEARD'],
  flags: (v) => (v['bowed_out'] === true ? ['bowed out'] : []),
  row: (v, master, since) => [
    text(v['vhid']), text(v['af']), master, since, text(v['transitions']),
    `${text(v['advbase'])}/${text(v['advskew'])}`, text(v['demote']), text(v['hmac']), text(v['backups']),
  ],
  notes(v) {
    const notes: string[] = [];
    const vips = arr(v['vips']);
    if (vips.length > 0) notes.push(`VHID ${text(v['vhid'])}: virtual addresses ${text(vips)}${v['vips_inferred'] === true ? (v['vips_confirmed'] === true ? ' (inferred, confirmed by the HMAC)' : ' (inferred candidates)') : ''}`);
    if (v['ucarp_mac'] === true) notes.push(`VHID ${text(v['vhid'])}: master sends from ucarp's 00:00:5e:00:00:xx source MAC`);
    const re = obj(v['rechecked']);
    if (re) notes.push(`VHID ${text(v['vhid'])}: ${arr(re['frames']).length} earlier advert(s) checked once the addresses were known: ${text(re['good'])} good, ${text(re['bad'])} bad`);
    return notes;
  },
};

/** `time` renders the summary's epoch strings in the user's -t style (default: as they are). */
export function renderCarpMasters(summary: Fields, time: (epoch: string) => string = (e) => e): string {
  const carp = obj(summary['carp']) ?? summary;
  return renderMasters(CARP_MASTERS, objects(carp['vhids']), carp['timeline'], time);
}
