// `-z vrrp,masters`: the per-VRID table and the timeline of master periods, from the summary
// data (the `vrrp` object of createVrrpAnalyzer().summary(): `vrids` and `timeline`); the same
// shape as `-z carp,masters`.
//
//   VRRP masters
//   VRID  AF    VER  MASTER     SINCE              CHANGES  PRIORITY  INTERVAL  BACKUPS HEARD
//   61    ipv4  2    10.77.0.2  1796590717.868867  1        100       1 s       10.77.0.1
//
//   Master periods
//   VRID 61 ipv4  10.77.0.1  1796590709.226591 -> 1796590717.868867  8.642 s  first_seen
//   VRID 61 ipv4  10.77.0.2  1796590717.868867 -> end                          master_timeout

import type { Fields } from '../decode/types.js';
import { obj, objects, renderMasters, text, type MastersReport } from './summary-table.js';

const VRRP_MASTERS: MastersReport = {
  title: 'VRRP masters',
  none: '(no VRRP adverts)',
  id: 'vrid',
  header: ['VRID', 'AF', 'VER', 'MASTER', 'SINCE', 'CHANGES', 'PRIORITY', 'INTERVAL', 'BACKUPS HEARD'],
  flags: (v) => (v['resigned'] === true ? ['resigned'] : []),
  row: (v, master, since) => [
    text(v['vrid']), text(v['af']), text(v['version']), master, since, text(v['transitions']),
    text(v['priority']), typeof v['interval'] === 'number' ? `${v['interval']} s` : '-', text(v['backups']),
  ],
};

/** `time` renders the summary's epoch strings in the user's -t style (default: as they are). */
export function renderVrrpMasters(summary: Fields, time: (epoch: string) => string = (e) => e): string {
  const vrrp = obj(summary['vrrp']) ?? summary;
  return renderMasters(VRRP_MASTERS, objects(vrrp['vrids']), vrrp['timeline'], time);
}
