// VRRP election tracking on builder-made adverts (bytes -> real decoder -> analyzer): every
// vrrp.master_changed cause, split brain, late adverts, the RFC 3768 / 5798 timers, caps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adverts, byTime, every, runVrrp, T0 } from '../../support/vrrp-adverts.js';
import { compareRouters, masterDownInterval, skewTime } from '../../../src/analyze/vrrp/timing.js';
import type { Fields } from '../../../src/decode/types.js';
import type { Finding } from '../../../src/analyze/types.js';

const A = '10.77.0.1';
const B = '10.77.0.2';

test('timers: RFC 3768 skew in 1/256 s; RFC 5798 skew scaled by the master interval', () => {
  // v2: (256 - 100)/256 s whatever the interval
  assert.equal(skewTime(2, 100, 1), 156 / 256);
  assert.equal(skewTime(2, 100, 5), 156 / 256);
  assert.equal(masterDownInterval(2, 100, 1), 3 + 156 / 256);
  // v3: ((256 - priority) x Master_Adver_Interval)/256, 200 cs = 2 s
  assert.equal(skewTime(3, 100, 2), (156 * 2) / 256);
  assert.equal(masterDownInterval(3, 100, 2), 6 + 312 / 256);
  assert.equal(masterDownInterval(3, 255, 0.5), 1.5 + 0.5 / 256);
});

test('election order: priority first, then the higher primary address (numeric, IPv4 and IPv6)', () => {
  assert.ok(compareRouters({ priority: 150, src: '10.0.0.1' }, { priority: 100, src: '10.0.0.9' }) < 0);
  assert.ok(compareRouters({ priority: 100, src: '10.0.0.10' }, { priority: 100, src: '10.0.0.9' }) < 0);
  assert.ok(compareRouters({ priority: 100, src: '10.0.0.9' }, { priority: 100, src: '10.0.0.10' }) > 0);
  // fe80::10 > fe80::2 as numbers, although "fe80::10" < "fe80::2" as text
  assert.ok(compareRouters({ priority: 100, src: 'fe80::10' }, { priority: 100, src: 'fe80::2' }) < 0);
  assert.equal(compareRouters({ priority: 100, src: 'fe80::2' }, { priority: 100, src: 'fe80::2' }), 0);
});

test('first_seen then master_timeout (v2 IPv4): the backup takes over after its master-down interval', () => {
  const frames = adverts([...every(0, 5, { src: A, prio: 150 }), ...every(4 + 3.625, 3, { src: B, prio: 100 })]);
  const r = runVrrp(frames);
  assert.deepEqual(r.story(), [[A, 'first_seen'], [B, 'master_timeout']]);
  const c = r.byId('vrrp.master_changed')[1]!;
  assert.equal(c.details['vrid'], 1);
  assert.equal(c.details['version'], 2);
  assert.equal(c.details['af'], 'ipv4');
  assert.equal(c.details['previous'], A);
  assert.equal(c.details['master_down'], 3.609);     // 3 x 1 + 156/256
  assert.equal(c.details['master_silent_for'], 3.625);
  assert.equal(c.frames.at(-1), 6);
  assert.equal(c.severity, 'note');
  assert.deepEqual(r.findings.filter((f) => f.id !== 'vrrp.master_changed').map((f) => f.id), []);
  const v = r.vrid(1);
  assert.equal(v['master'], B);
  assert.equal(v['priority'], 100);
  assert.equal(v['transitions'], 1);
  assert.deepEqual(v['backups'], [A]);
  assert.equal(v['since'], `${T0 + 7}.625000`);
  const tl = r.vrrp()['timeline'] as Fields[];
  assert.deepEqual(tl.map((p) => [p['master'], p['cause'], p['to'] !== null]), [[A, 'first_seen', true], [B, 'master_timeout', false]]);
});

test('resign (v3 IPv6): the master sends priority 0, the backup takes over after its skew time', () => {
  const a = 'fe80::ff:fe77:1', b = 'fe80::ff:fe77:2';
  const frames = adverts([...every(0, 4, { src: a, prio: 150 }), { t: 3.5, src: a, prio: 0 }, ...every(3.5 + 0.61, 3, { src: b, prio: 100 })]);
  const r = runVrrp(frames);
  assert.deepEqual(r.story(), [[a, 'first_seen'], [b, 'resign']]);
  const c = r.byId('vrrp.master_changed')[1]!;
  assert.equal(c.details['version'], 3);
  assert.equal(c.details['af'], 'ipv6');
  assert.equal(c.details['previous'], a);
  assert.deepEqual(c.frames, [5, 6]);                 // the priority-0 advert and the new master's first
  assert.equal(r.vrid(1, 'ipv6')['resigned'], false);
  // without the priority-0 advert the same 0.61 s gap would be no takeover at all: a contender
  const noZero = runVrrp(adverts([...every(0, 4, { src: a, prio: 150 }), { t: 3.61, src: b, prio: 100 }]));
  assert.deepEqual(noZero.story(), [[a, 'first_seen']]);
});

test('a resign nobody answers: the master stays, marked resigned; a backup resigning changes nothing', () => {
  const r = runVrrp(adverts([...every(0, 3, { src: A, prio: 150 }), { t: 2.5, src: A, prio: 0 }]));
  assert.deepEqual(r.story(), [[A, 'first_seen']]);
  assert.equal(r.vrid(1)['resigned'], true);
  assert.equal(r.vrid(1)['priority'], 0);
  const s = runVrrp(adverts([...every(0, 4, { src: A, prio: 150 }).slice(0, 2), { t: 1.5, src: B, prio: 0 }, ...every(2, 2, { src: A, prio: 150 })]));
  assert.deepEqual(s.story(), [[A, 'first_seen']]);
  assert.equal(s.vrid(1)['master'], A);
  assert.equal(s.byId('vrrp.late_advert').length, 0);
});

test('v3 interval in centiseconds: 200 cs adverts every 2 s are on time, master-down 6 + 312/256 s', () => {
  const frames = adverts([...every(0, 5, { src: A, prio: 150, version: 3, interval: 2 }), ...every(8 + 7.3, 2, { src: B, prio: 100, version: 3, interval: 2 })]);
  const r = runVrrp(frames);
  assert.equal(r.byId('vrrp.late_advert').length, 0);
  assert.deepEqual(r.story(), [[A, 'first_seen'], [B, 'master_timeout']]);
  assert.equal(r.byId('vrrp.master_changed')[1]!.details['master_down'], 7.219);
  assert.equal(r.vrid(1)['interval'], 2);
  // a 2.6 s gap at 200 cs is late (> 1.25 x 2 s)
  const late = runVrrp(adverts([{ t: 0, src: A, version: 3, interval: 2 }, { t: 2, src: A, version: 3, interval: 2 }, { t: 4.6, src: A, version: 3, interval: 2 }]));
  assert.deepEqual(late.byId('vrrp.late_advert').map((f) => [f.details['gap'], f.details['interval']]), [[2.6, 2]]);
});

test('preempted: a higher priority source takes over while the master is alive', () => {
  const frames = adverts(byTime(every(0, 6, { src: B, prio: 100 }), [{ t: 5.3, src: A, prio: 150 }, { t: 6.3, src: A, prio: 150 }]));
  const r = runVrrp(frames);
  assert.deepEqual(r.story(), [[B, 'first_seen'], [A, 'preempted']]);
  const c = r.byId('vrrp.master_changed')[1]!;
  assert.equal(c.details['previous_priority'], 100);
  assert.equal(c.details['tie'], false);
  assert.equal(r.byId('vrrp.split_brain').length, 0);
});

test('equal priority: the higher primary address wins (IPv4 and IPv6), the lower one only contends', () => {
  const hi = runVrrp(adverts(byTime(every(0, 4, { src: '10.77.0.2' }), [{ t: 3.5, src: '10.77.0.10' }])));
  assert.deepEqual(hi.story(), [['10.77.0.2', 'first_seen'], ['10.77.0.10', 'preempted']]);
  assert.equal(hi.byId('vrrp.master_changed')[1]!.details['tie'], true);
  const lo = runVrrp(adverts(byTime(every(0, 4, { src: '10.77.0.10' }), [{ t: 3.5, src: '10.77.0.2' }])));
  assert.deepEqual(lo.story(), [['10.77.0.10', 'first_seen']]);
  const v6 = runVrrp(adverts(byTime(every(0, 4, { src: 'fe80::2' }), [{ t: 3.5, src: 'fe80::10' }])));
  assert.deepEqual(v6.story(), [['fe80::2', 'first_seen'], ['fe80::10', 'preempted']]);
  assert.equal(v6.byId('vrrp.master_changed')[1]!.details['af'], 'ipv6');
});

test('split brain: a lower priority source keeps advertising beside the master', () => {
  const frames = adverts(byTime(every(0, 8, { src: A, prio: 150 }), every(0.5, 7, { src: B, prio: 100 })));
  const r = runVrrp(frames);
  const sb = r.byId('vrrp.split_brain');
  assert.equal(sb.length, 1);
  assert.equal(sb[0]!.details['src'], B);
  assert.equal(sb[0]!.details['master'], A);
  assert.equal(sb[0]!.details['vrid'], 1);
  assert.equal(sb[0]!.severity, 'error');
  assert.deepEqual(r.story(), [[A, 'first_seen']]);
  assert.equal(r.vrid(1)['split_brains'], 1);
  assert.deepEqual(r.vrid(1)['split_brain_with'], [B]);
  // one stray advert answered at once (keepalived's master forces a new election) is no split brain
  const once = runVrrp(adverts(byTime(every(0, 8, { src: A, prio: 150 }), [{ t: 2.5, src: B, prio: 100 }])));
  assert.equal(once.byId('vrrp.split_brain').length, 0);
});

test('contender whose master stops: master_timeout at its next advert', () => {
  const frames = adverts(byTime(every(0, 3, { src: A, prio: 150 }), every(2.5, 3, { src: B, prio: 100 })));
  const r = runVrrp(frames);
  // A last at 2, B at 2.5 (contends), 3.5 (A silent 1.5 s > 1.25 s): B is master
  assert.deepEqual(r.story(), [[A, 'first_seen'], [B, 'master_timeout']]);
  assert.equal(r.byId('vrrp.split_brain').length, 0);
});

test('late advert: gap against the known backup master-down, or estimated from the master', () => {
  // B was master first, A preempted it: B (priority 100) is a known backup, master-down 3.609 s
  const known = runVrrp(adverts([{ t: 0, src: B, prio: 100 }, { t: 0.5, src: A, prio: 150 }, { t: 1.5, src: A, prio: 150 }, { t: 4, src: A, prio: 150 }]));
  const late = known.byId('vrrp.late_advert');
  assert.equal(late.length, 1);
  assert.equal(late[0]!.details['gap'], 2.5);
  assert.equal(late[0]!.details['master_down'], 3.609);
  assert.equal(late[0]!.details['estimated'], false);
  assert.equal(late[0]!.details['fraction'], Math.round((2.5 / (3 + 156 / 256)) * 1000) / 1000);
  assert.match(late[0]!.message, /69% of the backup's master-down time/);
  const est = runVrrp(adverts([{ t: 0, src: A, prio: 200 }, { t: 1, src: A, prio: 200 }, { t: 3, src: A, prio: 200 }]));
  assert.equal(est.byId('vrrp.late_advert')[0]!.details['estimated'], true);
  assert.equal(est.byId('vrrp.late_advert')[0]!.details['master_down'], 3.219);   // 3 + 56/256
  // within a quarter interval is not late
  assert.equal(runVrrp(adverts([{ t: 0, src: A }, { t: 1, src: A }, { t: 2.2, src: A }])).byId('vrrp.late_advert').length, 0);
});

test('adverts receivers drop (bad checksum, TTL 64) elect nobody', () => {
  const r = runVrrp(adverts([{ t: 0, src: A, checksum: 0x1234 }, { t: 1, src: A, ttl: 64 }, { t: 2, src: A, version: 3, ttl: 64 }]));
  assert.deepEqual(r.story(), []);
  assert.equal(r.vrid(1)['master'], null);
  assert.equal(r.vrid(1)['dropped'], 3);
});

test('groups are per link, address family and VRID; v2 and v3 on one VRID are one election', () => {
  const r = runVrrp(adverts([
    { t: 0, src: A, vrid: 5 }, { t: 0.1, src: 'fe80::1', vrid: 5 }, { t: 0.2, src: A, vrid: 5, iface: 1 }, { t: 0.3, src: A, vrid: 6 },
    { t: 0.4, src: B, vrid: 5, version: 3, prio: 200 },
  ]));
  assert.equal((r.vrrp()['vrids'] as Fields[]).length, 4);
  assert.deepEqual(r.byId('vrrp.master_changed').map((f) => [f.details['vrid'], f.details['af'], f.details['cause'], f.details['version']]),
    [[5, 'ipv4', 'first_seen', 2], [5, 'ipv6', 'first_seen', 3], [5, 'ipv4', 'first_seen', 2], [6, 'ipv4', 'first_seen', 2], [5, 'ipv4', 'preempted', 3]]);
});

test('caps: VRIDs and sources beyond the cap raise vrrp.vrid_cap once and are not analysed', () => {
  const r = runVrrp(adverts([1, 2, 3, 4].map((vrid, i) => ({ t: i * 0.1, src: A, vrid }))), { maxGroups: 2 });
  assert.deepEqual(r.byId('vrrp.vrid_cap').map((f) => [f.details['what'], f.details['cap']]), [['VRIDs', 2]]);
  assert.equal((r.vrrp()['vrids'] as Fields[]).length, 2);
  assert.equal(r.vrrp()['not_tracked'], 2);
  const many = runVrrp(adverts(Array.from({ length: 18 }, (_, i) => ({ t: i * 0.01, src: `10.77.1.${i + 1}`, prio: 10 }))));
  assert.deepEqual(many.byId('vrrp.vrid_cap').map((f) => f.details['what']), ['sources']);
  assert.equal(((many.vrid(1)['sources']) as Fields[]).length, 16);
});

test('live: onTick raises vrrp.master_silent once after the master-down time', () => {
  const r = runVrrp(adverts(every(0, 3, { src: A, prio: 100 })));
  const out: Finding[] = [];
  const tick = (t: number): void => r.analyzer.onTick({ sec: T0 + Math.floor(t), nsec: Math.round((t % 1) * 1e9), digits: 6 }, (f) => out.push(f));
  tick(4); tick(5.5);   // 2 + 3.609 = 5.609: not yet
  assert.equal(out.length, 0);
  tick(5.7); tick(9);
  assert.deepEqual(out.map((f) => [f.id, f.details['src'], f.details['estimated'] ?? f.details['master_down']]), [['vrrp.master_silent', A, 3.609]]);
});
