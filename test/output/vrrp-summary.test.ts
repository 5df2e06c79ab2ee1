// `-z vrrp,masters` rendered from the VRRP analyzer's summary of builder-made adverts: one row
// per VRID with its flags, a LINK column only when needed, the master periods, the -t style.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adverts, byTime, every, runVrrp } from '../support/vrrp-adverts.js';
import { renderVrrpMasters } from '../../src/output/vrrp-summary.js';
import type { Fields } from '../../src/decode/types.js';

const rowOf = (text: string, start: string): string => {
  const row = text.split('\n').find((l) => l.startsWith(start));
  assert.ok(row, `no row starting ${JSON.stringify(start)} in\n${text}`);
  return row;
};

test('-z vrrp,masters: a row per VRID with resigned / split-brain flags, and the master periods', () => {
  const r = runVrrp(adverts(byTime(
    every(0, 8, { src: '10.77.0.1', prio: 150, vrid: 7 }), every(0.5, 7, { src: '10.77.0.2', prio: 100, vrid: 7 }),   // split brain
    every(0, 3, { src: 'fe80::1', prio: 200, vrid: 9 }), [{ t: 2.5, src: 'fe80::1', prio: 0, vrid: 9 }],               // resigns, nobody answers
    every(0, 2, { src: '10.77.0.3', vrid: 12, version: 3, interval: 0.5 }),
  )));
  const summary = { vrrp: r.vrrp() };
  const text = renderVrrpMasters(summary, (e) => `<${e}>`);
  assert.equal(text.split('\n')[0], 'VRRP masters');
  assert.match(rowOf(text, 'VRID'), /^VRID\s+AF\s+VER\s+MASTER\s+SINCE\s+CHANGES\s+PRIORITY\s+INTERVAL\s+BACKUPS HEARD$/);
  const v7 = (r.vrrp()['vrids'] as Fields[]).find((v) => v['vrid'] === 7)!;
  assert.match(rowOf(text, '7 '), new RegExp(`^7\\s+ipv4\\s+2\\s+10\\.77\\.0\\.1 \\(split brain with 10\\.77\\.0\\.2\\)\\s+<${String(v7['since']).replace('.', '\\.')}>\\s+0\\s+150\\s+1 s\\s+10\\.77\\.0\\.2$`));
  assert.match(rowOf(text, '9 '), /^9\s+ipv6\s+3\s+fe80::1 \(resigned\)\s+<\S+>\s+0\s+0\s+1 s\s+-$/);
  assert.match(rowOf(text, '12 '), /^12\s+ipv4\s+3\s+10\.77\.0\.3\s+<\S+>\s+0\s+100\s+0\.5 s\s+-$/);
  const periods = text.slice(text.indexOf('Master periods')).split('\n').filter((l) => l.startsWith('VRID '));
  assert.equal(periods.length, 3);
  for (const p of periods) assert.match(p, /<\d+\.\d{6}> -> end\s+first_seen$/);
  assert.ok(!text.includes('LINK'));
});

test('-z vrrp,masters: LINK column for VRIDs on several links; nothing heard', () => {
  const r = runVrrp(adverts([{ t: 0, src: '10.77.0.1', vrid: 3 }, { t: 0.1, src: '10.77.0.1', vrid: 3, iface: 1 }]));
  const text = renderVrrpMasters({ vrrp: r.vrrp() });
  assert.match(rowOf(text, 'LINK'), /^LINK\s+VRID\s+AF/);
  assert.match(rowOf(text, '0/1 '), /^0\/1\s+3\s+ipv4/);
  assert.match(rowOf(text, '1/1 '), /^1\/1\s+3\s+ipv4/);
  assert.match(text, /^0\/1\s+VRID 3\s+ipv4\s+10\.77\.0\.1\s+\d+\.\d{6} -> end\s+first_seen$/m);
  assert.equal(renderVrrpMasters({ vrrp: runVrrp([]).vrrp() }), 'VRRP masters\n  (no VRRP adverts)\n');
});
