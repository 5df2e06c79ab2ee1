// Conformance: the REAL ucarp capture of ../shared/captures (ucarp 1.5.2, vhid 7, passphrase
// carpsecret, VIP 10.77.0.100; node .1 master, killed, node .2 takes over). Expectations from
// ../shared/captures/README.md and reference/carp.md 3.4, written before the run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SHARED } from '../support/paths.js';
import { skipReason } from '../support/skip.js';
import { masterStory, runScenario } from './carp-helpers.js';
import { derivedOf } from '../support/derived.js';

/** A conformance capture in ../shared (beside the clone; in CI too). */
const cap = { file: path.join(SHARED, 'captures', 'ucarp-ipv4-vhid7.pcap') };
const skip = skipReason({ paths: [cap.file] });
const PASS = [{ vhid: 7 as const, passphrase: 'carpsecret' }];

test('ucarp capture verifies on every frame with carpsecret and 10.77.0.100', { skip: skip }, () => {
  const s = runScenario(cap.file, { pass: PASS, vips: { 7: ['10.77.0.100'] } });
  assert.equal(s.adverts().length, 8);
  assert.deepEqual(s.status(), { good: 8 });
  for (const f of s.adverts()) assert.equal(derivedOf(f)['carp.hmac.variant'], 'sorted');
  assert.equal(s.vhid(7)['hmac'], 'good');
});

test('ucarp capture fails with any other passphrase or VIP', { skip: skip }, () => {
  for (const passphrase of ['carpsecreT', 'carpsecret ', 'carp', '']) {
    const s = runScenario(cap.file, { pass: [{ vhid: 7, passphrase }], vips: { 7: ['10.77.0.100'] } });
    assert.deepEqual(s.status(), { bad: 8 }, `passphrase of ${passphrase.length} chars`);
    assert.equal(s.byId('carp.hmac_mismatch').length, 2); // once per source
  }
  const wrongVip = runScenario(cap.file, { pass: PASS, vips: { 7: ['10.77.0.101'] } });
  assert.deepEqual(wrongVip.status(), { bad: 8 });
  const none = runScenario(cap.file, { vips: { 7: ['10.77.0.100'] } });
  assert.deepEqual(none.status(), { unverified: 8 });
});

test('ucarp capture story: .1 master (first_seen), then .2 after master_timeout', { skip: skip }, () => {
  const s = runScenario(cap.file, { pass: PASS, vips: { 7: ['10.77.0.100'] } });
  assert.deepEqual(masterStory(s), [['10.77.0.1', 'first_seen', 1], ['10.77.0.2', 'master_timeout', 7]]);
  const v = s.vhid(7);
  assert.equal(v['master'], '10.77.0.2');
  assert.equal(v['transitions'], 1);
  assert.equal(v['advskew'], 100);
  assert.deepEqual(v['backups'], ['10.77.0.1']);
  assert.equal(v['ucarp_mac'], true);
  assert.deepEqual(s.ids().filter((i) => i !== 'carp.master_changed'), []);
});

test('ucarp capture: the wordlist audit finds carpsecret (the advert alone, VIP given)', { skip: skip }, () => {
  const s = runScenario(cap.file, { vips: { 7: ['10.77.0.100'] }, wordlist: ['admin', 'password', 'carpsecret'] });
  const w = s.byId('carp.weak_passphrase');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.frames[0], 1);
  assert.ok(!w[0]!.message.includes('carpsecret'));
  assert.deepEqual(s.status(), { good: 8 });
});
