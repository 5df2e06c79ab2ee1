// Scenario tests on the project's own real recordings (samples/, made by samples/record.sh).
// The expected findings below were written from the story each recording tells
// (samples/README.md) BEFORE the analyzer was run on the files.
//
// Note: `transitions` counts master changes after the first sighting (failovers), so the
// README's "2 master changes" for ucarp-failover (first_seen + master_timeout) is 1 here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sample } from '../support/paths.js';
import { masterStory, runScenario } from './carp-helpers.js';
import { renderCarpMasters } from '../../src/output/carp-summary.js';
import type { Fields } from '../../src/decode/types.js';
import { derivedOf } from '../support/derived.js';

const ELECTION_PROBLEMS = ['carp.split_brain', 'carp.replayed_advert', 'carp.vhid_conflict', 'carp.late_advert', 'carp.hmac_mismatch'];

for (const file of ['ucarp-failover.pcap', 'ucarp-failover.pcapng']) {
  test(`${file}: a master, killed; b takes over after master_timeout`, () => {
    const s = runScenario(sample(file), { pass: [{ vhid: 7, passphrase: 'carpsecret' }], vips: { 7: ['10.77.0.100'] } });
    assert.equal(s.adverts().length, 11);
    assert.deepEqual(s.status(), { good: 11 });
    assert.deepEqual(masterStory(s), [['10.77.0.1', 'first_seen', 2], ['10.77.0.2', 'master_timeout', 10]]);
    const v = s.vhid(7);
    assert.equal(v['master'], '10.77.0.2');
    assert.equal(v['advbase'], 1);
    assert.equal(v['advskew'], 100);
    assert.equal(v['transitions'], 1);
    assert.deepEqual(v['backups'], ['10.77.0.1']);
    assert.equal(v['ucarp_mac'], true);
    for (const id of ELECTION_PROBLEMS) assert.equal(s.byId(id).length, 0, id);
  });
}

test('ucarp-failover: VIP inferred from the gratuitous ARPs; other passphrase bad; none unverified', () => {
  const inferred = runScenario(sample('ucarp-failover.pcap'), { pass: [{ vhid: 7, passphrase: 'carpsecret' }] });
  assert.deepEqual(inferred.status(), { good: 11 });
  const first = inferred.adverts()[0]!;
  assert.deepEqual(derivedOf(first)['carp.vip'], ['10.77.0.100']);
  assert.equal(derivedOf(first)['carp.vip.inferred'], true);
  const wrong = runScenario(sample('ucarp-failover.pcap'), { pass: [{ vhid: 7, passphrase: 'not-it' }], vips: { 7: ['10.77.0.100'] } });
  assert.deepEqual(wrong.status(), { bad: 11 });
  assert.ok(wrong.byId('carp.hmac_mismatch').length >= 1);
  const none = runScenario(sample('ucarp-failover.pcap'));
  assert.deepEqual(none.status(), { unverified: 11 });
});

test('ucarp-preempt: first_seen, master_timeout, then a comes back and preempts', () => {
  const s = runScenario(sample('ucarp-preempt.pcap'), { pass: [{ vhid: 8, passphrase: 'carpsecret' }], vips: { 8: ['10.77.0.108'] } });
  assert.equal(s.adverts().length, 13);
  assert.deepEqual(s.status(), { good: 13 });
  assert.deepEqual(masterStory(s), [['10.77.0.1', 'first_seen', 2], ['10.77.0.2', 'master_timeout', 9], ['10.77.0.1', 'preempted', 14]]);
  const v = s.vhid(8);
  assert.equal(v['master'], '10.77.0.1');
  assert.equal(v['advskew'], 0);
  assert.equal(v['transitions'], 2);
  assert.equal(s.byId('carp.split_brain').length, 0);
  assert.equal(s.byId('carp.replayed_advert').length, 0);
});

for (const [mine, theirs] of [['secret-one', 'secret-two'], ['secret-two', 'secret-one']] as const) {
  test(`ucarp-split-brain with ${mine === 'secret-one' ? "a's" : "b's"} passphrase: split brain and a VHID conflict`, () => {
    const s = runScenario(sample('ucarp-split-brain.pcap'), { pass: [{ vhid: 5, passphrase: mine }], vips: { 5: ['10.77.0.105'] } });
    assert.equal(s.adverts().length, 11);
    const bySrc = (src: string): string[] => s.adverts().filter((f) => f.ip?.src === src).map((f) => String(derivedOf(f)['carp.hmac.status']));
    const a = bySrc('10.77.0.1'), b = bySrc('10.77.0.2');
    assert.equal(a.length, 7);
    assert.equal(b.length, 4);
    assert.deepEqual(new Set(a), new Set([mine === 'secret-one' ? 'good' : 'bad']));
    assert.deepEqual(new Set(b), new Set([mine === 'secret-one' ? 'bad' : 'good']));
    const mm = s.byId('carp.hmac_mismatch');
    assert.deepEqual(mm.map((f) => f.details['src']), [mine === 'secret-one' ? '10.77.0.2' : '10.77.0.1']);
    const sb = s.byId('carp.split_brain');
    assert.equal(sb.length, 1);
    assert.deepEqual([sb[0]!.details['src'], sb[0]!.details['master']].sort(), ['10.77.0.1', '10.77.0.2']);
    const c = s.byId('carp.vhid_conflict');
    assert.equal(c.length, 1);
    assert.equal(c[0]!.details['vhid'], 5);
    assert.equal(c[0]!.details['reason'], 'passphrase_or_addresses');
    // adverts that fail the HMAC never make their sender master: the first master is the node whose adverts verify
    assert.deepEqual(masterStory(s)[0], mine === 'secret-one' ? ['10.77.0.1', 'first_seen', 2] : ['10.77.0.2', 'first_seen', 5]);
    assert.equal(sb[0]!.details['src'], mine === 'secret-one' ? '10.77.0.2' : '10.77.0.1');
    assert.equal(sb[0]!.details['src_verified'], false);
    const pm = s.byId('carp.passphrase_mismatch');
    assert.deepEqual(pm.map((f) => [f.details['senders'], f.details['likely_cause']]), [[[mine === 'secret-one' ? '10.77.0.2' : '10.77.0.1'], 'passphrase']]);
    for (const f of s.findings) assert.ok(!JSON.stringify(f).includes(mine) && !JSON.stringify(f).includes(theirs));
  });
}

test('carp-vrrp-conflict: CARP vhid 9 and a VRRPv2 router with vrid 9', () => {
  const s = runScenario(sample('carp-vrrp-conflict.pcap'), { pass: [{ vhid: 9, passphrase: 'carpsecret' }] });
  assert.deepEqual(s.adverts().map((f) => f.raw.number), [2, 5, 7, 10, 13, 14]);
  const vrrpFrames = s.frames.filter((f) => f.layers.some((l) => l.proto === 'vrrp')).map((f) => f.raw.number);
  assert.deepEqual(vrrpFrames, [3, 6, 9, 11, 12]);
  assert.deepEqual(s.status(), { good: 6 });        // VIP inferred from the garps of frames 1 and 8
  assert.deepEqual(masterStory(s), [['10.77.0.1', 'first_seen', 2]]);
  const c = s.byId('carp.vhid_conflict');
  assert.equal(c.length, 1);
  assert.equal(c[0]!.details['vhid'], 9);
  assert.equal(c[0]!.details['src'], '10.77.0.3');
  assert.equal(c[0]!.details['reason'], 'vrrp');
  assert.deepEqual(c[0]!.frames, [3]);
});

test('keepalived-vrrp: VRRP only, no CARP finding', () => {
  const s = runScenario(sample('keepalived-vrrp.pcap'));
  assert.equal(s.adverts().length, 0);
  assert.deepEqual(s.findings, []);
});

function multi(): ReturnType<typeof runScenario> {
  return runScenario(sample('multi-vhid.pcap'), { pass: [{ vhid: '*', passphrase: 'carpsecret' }] });
}

test('multi-vhid: three first masters, four failovers, no replay or split brain', () => {
  const s = multi();
  assert.equal(s.adverts().length, 58);
  assert.deepEqual(masterStory(s), [
    ['10.77.0.2', 'first_seen', 2],
    ['10.77.0.1', 'first_seen', 4],
    ['10.77.0.3', 'first_seen', 6],
    ['10.77.0.2', 'master_timeout', 28],
    ['10.77.0.3', 'master_timeout', 43],
    ['10.77.0.1', 'master_timeout', 53],
    ['10.77.0.3', 'preempted', 60],
  ]);
  assert.deepEqual(masterStory(s).map((x) => x[0]), ['10.77.0.2', '10.77.0.1', '10.77.0.3', '10.77.0.2', '10.77.0.3', '10.77.0.1', '10.77.0.3']);
  for (const id of ELECTION_PROBLEMS) assert.equal(s.byId(id).length, 0, id);
  // HMAC: good everywhere except adverts sent before their VIP's first garp, which are
  // re-checked (good) once the address is known
  const st = s.status();
  assert.equal(st['bad'] ?? 0, 0);
  let rechecked = 0;
  for (const [vhid, master, since, transitions] of [[11, '10.77.0.2', 28, 1], [12, '10.77.0.3', 43, 1], [13, '10.77.0.3', 60, 2]] as const) {
    const v = s.vhid(vhid);
    assert.equal(v['master'], master);
    assert.equal(v['transitions'], transitions);
    assert.equal(v['hmac'], 'good');
    const f = s.frames[since - 1]!;
    assert.equal(v['since'], `${f.raw.tsSec}.${String(Math.floor(f.raw.tsNsec / 1000)).padStart(6, '0')}`);
    const re = v['rechecked'] as Fields | undefined;
    if (re) { assert.equal(re['bad'], 0); rechecked += re['good'] as number; }
  }
  assert.equal((st['good'] ?? 0) + rechecked, 58);
  assert.equal(st['unverified'] ?? 0, rechecked);
});

test('-z carp,masters on multi-vhid: table of masters and the master periods', () => {
  const s = multi();
  const text = renderCarpMasters(s.summary);
  const lines = text.split('\n');
  const row = (vhid: number): string => lines.find((l) => new RegExp(`^${vhid}\\s+ipv4\\s`).test(l)) ?? '';
  assert.match(row(11), /^11\s+ipv4\s+10\.77\.0\.2\s+\d+\.\d{6}\s+1\s+1\/100\s+0\s+good\s+10\.77\.0\.1$/);
  assert.match(row(12), /^12\s+ipv4\s+10\.77\.0\.3\s+\d+\.\d{6}\s+1\s+1\/100\s+0\s+good\s+10\.77\.0\.2$/);
  assert.match(row(13), /^13\s+ipv4\s+10\.77\.0\.3\s+\d+\.\d{6}\s+2\s+1\/0\s+0\s+good\s+10\.77\.0\.1$/);
  const periods = lines.slice(lines.indexOf('Master periods') + 1).filter((l) => l.startsWith('VHID'));
  assert.equal(periods.length, 7);
  const vh13 = periods.filter((l) => l.startsWith('VHID 13'));
  assert.deepEqual(vh13.map((l) => l.split(/\s+/).filter((w) => /^10\.|first_seen|master_timeout|preempted/.test(w))),
    [['10.77.0.3', 'first_seen'], ['10.77.0.1', 'master_timeout'], ['10.77.0.3', 'preempted']]);
  assert.match(vh13[2]!, /-> end/);
  assert.match(text, /virtual addresses 10\.77\.0\.113 \(inferred, confirmed by the HMAC\)/);
});
