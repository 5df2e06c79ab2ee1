// `-z carp,masters` with several capture points: which point heard which sender (adverts per
// point), from the summary's `carp_presence` (analyze/carp/presence.ts).
//
//   Capture points (adverts heard)
//   VHID  AF    SENDER     a.pcap  b.pcap
//   7     ipv4  10.77.0.1  15      9       missing at b.pcap for a while
//   7     ipv4  10.77.0.2  12      12

import type { FieldValue, Fields } from '../decode/types.js';

export function renderPresence(summary: Fields): string {
  const p = summary['carp_presence'] as Fields | undefined;
  if (!p || typeof p !== 'object') return '';
  const points = (p['points'] as readonly FieldValue[] | undefined ?? []).map(String);
  const senders = (p['senders'] as readonly Fields[] | undefined) ?? [];
  if (points.length < 2 || senders.length === 0) return '';
  const rows: string[][] = [['VHID', 'AF', 'SENDER', ...points]];
  for (const s of senders) {
    const heard = (s['heard'] as Fields | undefined) ?? {};
    rows.push([String(s['vhid']), String(s['af']), String(s['src']), ...points.map((n) => String(heard[n] ?? 0))]);
  }
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  const lines = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  return `Capture points (adverts heard)\n${lines.join('\n')}\n`;
}
