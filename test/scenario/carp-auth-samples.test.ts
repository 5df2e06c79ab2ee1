// Verdicts in the hard cases, on the project's own real recordings (samples/record.sh scenarios
// j, k, l with real ucarp; the intruder's frames injected by tcpreplay from a namespace). The
// expectations are those written in samples/README.md before the recordings were made.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carpdump } from '../support/cli.js';
import { sample } from '../support/paths.js';
import { masterStory, runScenario, type Scenario } from './carp-helpers.js';
import { derivedOf } from '../support/derived.js';

const statusBySrc = (s: Scenario, src: string): string[] =>
  s.adverts().filter((f) => f.ip?.src === src).map((f) => String(derivedOf(f)['carp.hmac.status']));

for (const [mine, good, bad] of [['secret-one', '10.77.0.1', '10.77.0.2'], ['secret-two', '10.77.0.2', '10.77.0.1']] as const) {
  test(`ucarp-passphrase-split (no ARP) with ${good}'s passphrase: ${good} good and master, ${bad} bad from its first advert`, () => {
    const s = runScenario(sample('ucarp-passphrase-split.pcap'), { pass: [{ vhid: 6, passphrase: mine }] });
    const g = statusBySrc(s, good), b = statusBySrc(s, bad);
    assert.ok(g.length >= 3 && b.length >= 3);
    assert.deepEqual(new Set(g), new Set(['good']));
    assert.deepEqual(new Set(b), new Set(['bad']));        // b's first adverts came before a's: held, then bad
    const d = s.byId('carp.vip_discovered');
    assert.deepEqual(d.map((f) => f.details['addresses']), [['10.77.0.106']]);
    const pm = s.byId('carp.passphrase_mismatch');
    assert.deepEqual(pm.map((f) => [f.details['senders'], f.details['likely_cause']]), [[[bad], 'passphrase']]);
    assert.deepEqual(s.byId('carp.hmac_mismatch').map((f) => f.details['src']), [bad]);
    assert.deepEqual(masterStory(s).map((m) => m.slice(0, 2)), [[good, 'first_seen']]);
    const sb = s.byId('carp.split_brain');
    assert.equal(sb.length, 1);
    assert.deepEqual([sb[0]!.details['src'], sb[0]!.details['master'], sb[0]!.details['src_verified']], [bad, good, false]);
    assert.equal(s.byId('carp.hmac_unverifiable').length, 0);
  });
}

test('ucarp-passphrase-split through the CLI: held adverts printed in capture order; --fail-on warn exits 3', () => {
  const r = carpdump(['-r', sample('ucarp-passphrase-split.pcap'), '--carp-pass', '6:secret-one', '--fail-on', 'warn', '-T', 'fields', '-e', 'frame.number', '-e', 'carp.hmac.status']);
  assert.equal(r.status, 3);
  const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(rows.map((x) => Number(x[0])), [...rows.keys()].map((i) => i + 1));
  assert.ok(rows.every((x) => x[1] === 'good' || x[1] === 'bad'), r.stdout);
});

test('ucarp-failover-noarp: the passphrase alone verifies every advert (VIP found by the search)', () => {
  const s = runScenario(sample('ucarp-failover-noarp.pcap'), { pass: [{ vhid: 7, passphrase: 'carpsecret' }] });
  const n = s.adverts().length;
  assert.ok(n >= 6);
  assert.deepEqual(s.status(), { good: n });
  const d = s.byId('carp.vip_discovered');
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.details['addresses'], ['10.77.0.100']);
  assert.ok(Number(d[0]!.details['searched']) >= 1);
  assert.deepEqual(masterStory(s).map((m) => m.slice(0, 2)), [['10.77.0.1', 'first_seen'], ['10.77.0.2', 'master_timeout']]);
  const withVip = runScenario(sample('ucarp-failover-noarp.pcap'), { pass: [{ vhid: 7, passphrase: 'carpsecret' }], vips: { 7: ['10.77.0.100'] } });
  assert.deepEqual(withVip.status(), { good: n });
  assert.equal(withVip.byId('carp.vip_discovered').length, 0);
  assert.deepEqual(masterStory(withVip), masterStory(s));
});

test('ucarp-failover-noarp: a wrong passphrase is carp.hmac_unverifiable saying what was searched; exit codes', () => {
  const s = runScenario(sample('ucarp-failover-noarp.pcap'), { pass: [{ vhid: 7, passphrase: 'wrongpass' }] });
  assert.deepEqual(Object.keys(s.status()), ['unverified']);
  const u = s.byId('carp.hmac_unverifiable');
  assert.equal(u.length, 1);
  assert.match(String(u[0]!.details['searched']), /10\.77\.0\.0\/24/);
  assert.equal(u[0]!.severity, 'warn');
  assert.equal(carpdump(['-r', sample('ucarp-failover-noarp.pcap'), '-q', '--carp-pass', '7:wrongpass', '--fail-on', 'warn']).status, 3);
  assert.equal(carpdump(['-r', sample('ucarp-failover-noarp.pcap'), '-q', '--carp-pass', '7:carpsecret', '--fail-on', 'warn']).status, 0);
  // with ARP in the capture (ucarp-failover.pcap) a wrong passphrase is a passphrase_mismatch
  assert.equal(carpdump(['-r', sample('ucarp-failover.pcap'), '-q', '--carp-pass', '7:wrongpass', '--fail-on', 'warn']).status, 3);
  const f = runScenario(sample('ucarp-failover.pcap'), { pass: [{ vhid: 7, passphrase: 'wrongpass' }] });
  assert.deepEqual(f.byId('carp.passphrase_mismatch').map((x) => x.details['likely_cause']), ['passphrase', 'passphrase']);
});

test('carp-intruder: forged adverts bad, replays reported, the intruder never master', () => {
  const s = runScenario(sample('carp-intruder.pcap'), { pass: [{ vhid: 20, passphrase: 'carpsecret' }] });
  assert.deepEqual(new Set(statusBySrc(s, '10.77.0.1')), new Set(['good']));
  const c = statusBySrc(s, '10.77.0.3');
  assert.deepEqual(c, ['bad', 'bad', 'bad', 'good', 'good', 'good']);
  assert.deepEqual(s.byId('carp.passphrase_mismatch').map((f) => [f.details['senders'], f.details['likely_cause']]), [[['10.77.0.3'], 'passphrase']]);
  const rp = s.byId('carp.replayed_advert');
  assert.equal(rp.length, 1);
  assert.equal(rp[0]!.details['src'], '10.77.0.3');
  const originals = rp[0]!.details['original_frames'] as number[];
  assert.ok(originals.length >= 1);
  for (const n of originals) assert.equal(s.frames[n - 1]!.ip?.src, '10.77.0.1');
  assert.deepEqual(masterStory(s).map((m) => m.slice(0, 2)), [['10.77.0.1', 'first_seen']]);
  assert.equal(s.vhid(20)['master'], '10.77.0.1');
  const replayFrames = new Set(s.adverts().filter((f) => f.ip?.src === '10.77.0.3' && derivedOf(f)['carp.hmac.status'] === 'good').map((f) => f.raw.number));
  for (const sb of s.byId('carp.split_brain')) {
    assert.equal(sb.details['src_verified'], false);
    assert.ok(!replayFrames.has(sb.frames.at(-1)!));
  }
  // without a passphrase: the replays still do not continue the intruder's own counters
  const none = runScenario(sample('carp-intruder.pcap'));
  assert.deepEqual(none.byId('carp.replayed_advert').map((f) => f.details['src']), ['10.77.0.3']);
  assert.ok(!masterStory(none).some((m) => m[0] === '10.77.0.3' && replayFrames.has(m[2] as number)));
});

test('genuine takeover exception on the real recordings: shared counters of members are not replays', () => {
  const m = runScenario(sample('multi-vhid.pcap'), { pass: [{ vhid: '*', passphrase: 'carpsecret' }] });
  assert.equal(m.byId('carp.replayed_advert').length, 0);
  assert.deepEqual(masterStory(m, 13).map((x) => x.slice(0, 2)), [['10.77.0.3', 'first_seen'], ['10.77.0.1', 'master_timeout'], ['10.77.0.3', 'preempted']]);
  const shared = (m.vhid(13)['sources'] as Array<Record<string, unknown>>).reduce((n, x) => n + Number(x['shared_counters']), 0);
  assert.ok(shared >= 1);
  const noPass = runScenario(sample('multi-vhid.pcap'));
  assert.equal(noPass.byId('carp.replayed_advert').length, 0);
  // the intruder recording: after the replay, ucarp node a continues from the replayed counter (+1)
  const i = runScenario(sample('carp-intruder.pcap'), { pass: [{ vhid: 20, passphrase: 'carpsecret' }] });
  assert.equal(i.byId('carp.replayed_advert').length, 1);
});
