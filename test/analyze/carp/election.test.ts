// Election tracking on scripted advert sequences (no bytes): every master_changed cause and
// every election finding, with the clock edge cases of carp.md section 6.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advert, vrrp, type AdvertSpec } from '../../support/carp-frames.js';
import { at, every, runCarp } from './run.js';
import type { DecodedFrame, Fields } from '../../../src/decode/types.js';

/** Build a sequence: each item is [t, spec without n/t]; frame numbers follow the order. */
function seq(items: Array<[number, Omit<AdvertSpec, 'n' | 't'>]>): DecodedFrame[] {
  return items.sort((a, b) => a[0] - b[0]).map(([t, s], i) => advert({ ...s, n: i + 1, t }));
}
/** [t, spec] items for seq(): SPEC sends at each of TIMES. */
const sending = <S>(spec: S, times: readonly number[]): Array<[number, S]> => times.map((t) => [t, spec]);
const A = { src: '10.77.0.1' };
const B = { src: '10.77.0.2', advskew: 100 };

test('first_seen then master_timeout: A silent, B takes over after its master-down time', () => {
  const frames = seq([
    ...sending(A, every(0, 6, 1)),
    // A's last advert at 5; B (advskew 100) master-down = 3 + 100/256 = 3.39 s
    ...sending(B, every(8.4, 12, 1 + 100 / 256)),
  ]);
  const r = runCarp(frames);
  const changes = r.byId('carp.master_changed');
  assert.deepEqual(changes.map((f) => [f.details['src'], f.details['cause'], f.details['previous']]),
    [['10.77.0.1', 'first_seen', null], ['10.77.0.2', 'master_timeout', '10.77.0.1']]);
  assert.equal(changes[1]!.details['af'], 'ipv4');
  assert.equal(changes[1]!.details['vhid'], 7);
  assert.equal(changes[1]!.frames.at(-1), 7);
  assert.deepEqual(r.ids().filter((i) => i !== 'carp.master_changed'), []);
  const v = (r.carp()['vhids'] as Fields[])[0]!;
  assert.equal(v['master'], '10.77.0.2');
  assert.equal(v['transitions'], 1);
  assert.equal(v['advskew'], 100);
  assert.deepEqual(v['backups'], ['10.77.0.1']);
  assert.equal(v['since'], '1700000008.400000');
  const tl = r.carp()['timeline'] as Fields[];
  assert.deepEqual(tl.map((p) => [p['master'], p['cause'], p['to'] !== null]), [['10.77.0.1', 'first_seen', true], ['10.77.0.2', 'master_timeout', false]]);
});

test('preempted: a better advert takes over while the master is alive', () => {
  const frames = seq([
    ...sending(B, every(0, 5, 1 + 100 / 256)),
    [5.2, A], [6.2, A], [7.2, A],
  ]);
  const r = runCarp(frames);
  const c = r.byId('carp.master_changed').map((f) => [f.details['src'], f.details['cause']]);
  assert.deepEqual(c, [['10.77.0.2', 'first_seen'], ['10.77.0.1', 'preempted']]);
  assert.equal(r.byId('carp.split_brain').length, 0);
});

test('demoted (OpenBSD demote byte): master raises demote, backup takes over at once', () => {
  const frames = seq([
    [0, A], [1, A], [2, A], [2.5, { ...A, demote: 1 }],
    [2.51, { src: '10.77.0.2', advskew: 100 }], [3.9, { src: '10.77.0.2', advskew: 100 }],
  ]);
  const r = runCarp(frames);
  const d = r.byId('carp.demoted');
  assert.equal(d.length, 1);
  assert.equal(d[0]!.details['demote'], 1);
  assert.equal(d[0]!.details['previous_demote'], 0);
  assert.deepEqual(r.byId('carp.master_changed').map((f) => f.details['cause']), ['first_seen', 'demoted']);
});

test('demoted (FreeBSD folds demotion into advskew 240)', () => {
  const frames = seq([
    [0, { src: '10.77.0.1', advskew: 0 }], [1, { src: '10.77.0.1', advskew: 240 }],
    [1.2, { src: '10.77.0.2', advskew: 100 }], [2.6, { src: '10.77.0.2', advskew: 100 }],
  ]);
  const r = runCarp(frames);
  assert.equal(r.byId('carp.demoted').length, 1);
  assert.deepEqual(r.byId('carp.master_changed').map((f) => f.details['cause']), ['first_seen', 'demoted']);
});

test('bow_out: 255/255 advert, backup takes over before its timer', () => {
  const frames = seq([
    [0, A], [1, A], [1.5, { ...A, advbase: 255, advskew: 255 }],
    [1.51, B], [2.9, B],
  ]);
  const r = runCarp(frames);
  const c = r.byId('carp.master_changed');
  assert.deepEqual(c.map((f) => f.details['cause']), ['first_seen', 'bow_out']);
  // the bow-out advert is neither a demotion nor an advbase conflict
  assert.deepEqual(r.ids().filter((i) => i !== 'carp.master_changed'), []);
});

test('equal intervals: a second source contends, the master yields (preempted, tie)', () => {
  const frames = seq([
    [0, A], [1, A], [2, A],
    [2.5, { src: '10.77.0.3' }], [3.5, { src: '10.77.0.3' }], [4.5, { src: '10.77.0.3' }],
  ]);
  const r = runCarp(frames);
  const c = r.byId('carp.master_changed');
  assert.deepEqual(c.map((f) => [f.details['src'], f.details['cause']]), [['10.77.0.1', 'first_seen'], ['10.77.0.3', 'preempted']]);
  assert.equal(c[1]!.details['tie'], true);
  assert.equal(r.byId('carp.split_brain').length, 0);
});

test('split brain: two sources keep advertising concurrently beyond one interval', () => {
  const frames = seq([
    ...sending(A, every(0, 6, 1)),
    ...sending(B, every(0.5, 6, 1 + 100 / 256)),
  ]);
  const r = runCarp(frames);
  const sb = r.byId('carp.split_brain');
  assert.equal(sb.length, 1);
  assert.equal(sb[0]!.details['src'], '10.77.0.2');
  assert.equal(sb[0]!.details['master'], '10.77.0.1');
  assert.equal(sb[0]!.severity, 'error');
  assert.deepEqual(r.byId('carp.master_changed').map((f) => f.details['cause']), ['first_seen']);
  assert.equal((r.carp()['vhids'] as Fields[])[0]!['split_brains'], 1);
});

test('late advert: how close the backup came (fraction of its master-down time)', () => {
  const frames = seq([
    [0, A], [0.3, B], // B advertised once (a known backup: master-down 3.390625 s)
    [1, A], [2, A], [4.5, A], [5.5, A],
  ]);
  const r = runCarp(frames);
  const late = r.byId('carp.late_advert');
  assert.equal(late.length, 1);
  assert.equal(late[0]!.details['gap'], 2.5);
  assert.equal(late[0]!.details['master_down'], 3.391);
  assert.equal(late[0]!.details['fraction'], Math.round((2.5 / 3.390625) * 1000) / 1000);
  assert.equal(late[0]!.details['estimated'], false);
  assert.match(late[0]!.message, /74% of the backup's master-down time/);
  // exactly on time or within a quarter interval is not late
  assert.equal(runCarp(seq([[0, A], [1, A], [2.2, A], [3.2, A]])).byId('carp.late_advert').length, 0);
});

test('advbase 0: interval 1/256 s, late and timeout on the millisecond scale', () => {
  const fast = { src: '10.77.0.1', advbase: 0, advskew: 0 };
  const slow = { src: '10.77.0.2', advbase: 0, advskew: 1 };   // master-down 3/256 s
  const ts = every(0, 0.05, 1 / 256);
  const frames = seq([
    ...sending(fast, ts),
    [0.05 + 0.008, fast],                                       // late: 8 ms > 1.25 * 3.9 ms
    [0.058 + 0.02, slow], [0.078 + 0.004, slow],                // master silent 20 ms > 11.7 ms
  ]);
  const r = runCarp(frames);
  assert.equal(r.byId('carp.late_advert').length, 1);
  assert.deepEqual(r.byId('carp.master_changed').map((f) => f.details['cause']), ['first_seen', 'master_timeout']);
  assert.deepEqual(r.byId('carp.vhid_conflict'), []);
});

test('demote > 0 from the start is reported once, and again when it changes', () => {
  const frames = seq([[0, { ...A, demote: 32 }], [1, { ...A, demote: 32 }], [2, { ...A, demote: 128 }], [3, A]]);
  const r = runCarp(frames);
  assert.deepEqual(r.byId('carp.demoted').map((f) => f.details['demote']), [32, 128]);
});

test('VHID conflicts: different advbase, and a VRRP router with VRID == VHID', () => {
  const frames: DecodedFrame[] = [
    advert({ n: 1, t: 0, ...A }),
    advert({ n: 2, t: 0.5, src: '10.77.0.9', advbase: 2 }),
    vrrp(3, 0.7, '10.77.0.50', 7),
    vrrp(4, 0.8, '10.77.0.60', 8),
  ];
  const r = runCarp(frames);
  const c = r.byId('carp.vhid_conflict');
  assert.deepEqual(c.map((f) => f.details['reason']).sort(), ['advbase', 'vrrp']);
  assert.equal(c.find((f) => f.details['reason'] === 'vrrp')!.details['src'], '10.77.0.50');
  // VRRP first, CARP later: still one conflict
  const r2 = runCarp([vrrp(1, 0, '10.77.0.50', 7), advert({ n: 2, t: 1, ...A }), advert({ n: 3, t: 2, ...A })]);
  assert.equal(r2.byId('carp.vhid_conflict').length, 1);
});

test('replayed advert: a non-member repeating counter+HMAC; a genuine member sharing a counter is not', () => {
  const c1 = 111n, c2 = 222n;
  const h1 = 'aa'.repeat(20), h2 = 'bb'.repeat(20);
  const evil = { src: '10.77.0.66', mac: '02:00:00:00:00:66', advskew: 200 };
  const frames = [
    advert({ n: 1, t: 0, ...A, counter: c1, hmac: h1 }),
    advert({ n: 2, t: 1, ...A, counter: c2, hmac: h2 }),
    advert({ n: 3, t: 1.5, ...evil, counter: c1, hmac: h1 }),
    advert({ n: 4, t: 2, ...A, counter: 333n }),
    advert({ n: 5, t: 2.5, ...evil, counter: c2, hmac: h2 }),
  ];
  const r = runCarp(frames);
  const rep = r.byId('carp.replayed_advert');
  assert.equal(rep.length, 1);
  assert.equal(rep[0]!.details['src'], '10.77.0.66');
  assert.deepEqual(rep[0]!.frames, [1, 2, 3, 5]);
  // After a takeover, B's first advert carries the same (counter, HMAC) as A's last (both adopted
  // the last valid counter), then B sends counters of its own: not a replay.
  const g = [
    advert({ n: 1, t: 0, ...A, counter: 500n, hmac: 'cc'.repeat(20) }),
    advert({ n: 2, t: 3.5, ...B, counter: 500n, hmac: 'cc'.repeat(20) }),
    advert({ n: 3, t: 4.9, ...B, counter: 501n, hmac: 'dd'.repeat(20) }),
    advert({ n: 4, t: 6.3, ...B, counter: 502n, hmac: 'ee'.repeat(20) }),
  ];
  assert.equal(runCarp(g).byId('carp.replayed_advert').length, 0);
  // A single replayed advert and nothing else from that source: reported at the end
  const one = runCarp([advert({ n: 1, t: 0, ...A, counter: c1, hmac: h1 }), advert({ n: 2, t: 0.5, ...evil, counter: c1, hmac: h1 })]);
  assert.equal(one.byId('carp.replayed_advert').length, 1);
  // The same source seen twice (L2 loop) is not a replay
  const loop = runCarp([advert({ n: 1, t: 0, ...A, counter: c1, hmac: h1 }), advert({ n: 2, t: 0.001, ...A, counter: c1, hmac: h1 })]);
  assert.equal(loop.byId('carp.replayed_advert').length, 0);
});

test('live: onTick raises master_silent once after the master-down time', () => {
  const frames = seq([[0, A], [0.4, B], [1, A], [2, A]]);
  const r = runCarp(frames, {}, false);
  const got: string[] = [];
  r.analyzer.onTick(at(3), (f) => got.push(f.id));           // 1 s silent: nothing
  assert.equal(got.length, 0);
  r.analyzer.onTick(at(5.5), (f) => got.push(f.id));         // 3.5 s > 3.39 s
  r.analyzer.onTick(at(6), (f) => got.push(f.id));           // once per silence
  assert.deepEqual(got, ['carp.master_silent']);
});

test('caps: more groups than tracked raises carp.vhid_cap once', () => {
  const frames = [1, 2, 3, 4].map((vhid, i) => advert({ n: i + 1, t: i, src: '10.77.0.1', vhid }));
  const r = runCarp(frames, { maxGroups: 2 });
  assert.equal(r.byId('carp.vhid_cap').length, 1);
  assert.equal((r.carp()['vhids'] as Fields[]).length, 2);
  assert.equal(r.carp()['not_tracked'], 2);
});

test('groups are per link and per address family', () => {
  const frames = [
    advert({ n: 1, t: 0, ...A }),
    advert({ n: 2, t: 0.1, src: 'fe80::1', af: 'ipv6' }),
    advert({ n: 3, t: 0.2, src: '10.77.0.5', iface: 1 }),
  ];
  const r = runCarp(frames);
  assert.equal(r.byId('carp.master_changed').length, 3);
  assert.equal(r.byId('carp.split_brain').length, 0);
  assert.deepEqual((r.carp()['vhids'] as Fields[]).map((v) => [v['link'], v['af']]), [['0/1', 'ipv4'], ['0/1', 'ipv6'], ['1/1', 'ipv4']]);
});

test('adverts receivers drop (bad checksum, TTL 64) do not elect a master', () => {
  const r = runCarp([advert({ n: 1, t: 0, ...A, checksum: 'bad' }), advert({ n: 2, t: 1, ...A, ttl: 64 })]);
  assert.equal(r.byId('carp.master_changed').length, 0);
});

test('live: a bow-out nobody answers is reported by onTick as well', () => {
  const frames = seq([[0, A], [1, A], [1.2, { ...A, advbase: 255, advskew: 255 }]]);
  const r = runCarp(frames, {}, false);
  const got: Array<{ id: string; bowed: unknown }> = [];
  r.analyzer.onTick(at(5), (f) => got.push({ id: f.id, bowed: f.details['bowed_out'] }));
  assert.deepEqual(got, [{ id: 'carp.master_silent', bowed: true }]);
  assert.equal((r.carp()['vhids'] as Fields[])[0]!['bowed_out'], true);
});
