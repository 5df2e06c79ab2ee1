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
import { manyLinks, masterPeriodLines, obj, objects, splitBrainFlags, table, text } from './summary-table.js';

/** `time` renders the summary's epoch strings in the user's -t style (default: as they are). */
export function renderVrrpMasters(summary: Fields, time: (epoch: string) => string = (e) => e): string {
  const vrrp = obj(summary['vrrp']) ?? summary;
  const vrids = objects(vrrp['vrids']);
  const lines: string[] = ['VRRP masters'];
  if (vrids.length === 0) {
    lines.push('  (no VRRP adverts)');
    return lines.join('\n') + '\n';
  }
  const showLink = manyLinks(vrids);
  const rows: string[][] = [[...(showLink ? ['LINK'] : []), 'VRID', 'AF', 'VER', 'MASTER', 'SINCE', 'CHANGES', 'PRIORITY', 'INTERVAL', 'BACKUPS HEARD']];
  for (const v of vrids) {
    const flags = [...(v['resigned'] === true ? ['resigned'] : []), ...splitBrainFlags(v)];
    rows.push([
      ...(showLink ? [text(v['link'])] : []),
      text(v['vrid']), text(v['af']), text(v['version']), text(v['master']) + (flags.length > 0 ? ` (${flags.join(', ')})` : ''),
      typeof v['since'] === 'string' ? time(v['since']) : text(v['since']), text(v['transitions']),
      text(v['priority']), typeof v['interval'] === 'number' ? `${v['interval']} s` : '-', text(v['backups']),
    ]);
  }
  lines.push(...table(rows));
  lines.push(...masterPeriodLines(vrrp['timeline'], 'vrid', showLink, time));
  return lines.join('\n') + '\n';
}
