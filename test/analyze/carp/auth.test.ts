// HMAC status per frame (carp.hmac.status / .variant / .reason, carp.vip), virtual-address
// inference, the passphrase audit findings and passphrase-related VHID conflicts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advert, arpReply, garp, unsolicitedNa } from '../../support/carp-frames.js';
import { runCarp, type Run } from './run.js';
import type { Fields } from '../../../src/decode/types.js';
import { deriveFor, derivedOf } from '../../support/derived.js';

const VIP = ['10.77.0.100'];
const vips = (m: Record<number, string[]>): Map<number, string[]> => new Map(Object.entries(m).map(([k, v]) => [Number(k), v]));
const status = (r: Run): unknown[] => r.frames.filter((f) => f.layers.some((l) => l.proto === 'carp')).map((f) => derivedOf(f)['carp.hmac.status']);
function noSecret(r: Run, ...secrets: string[]): void {
  const text = JSON.stringify(r.findings) + JSON.stringify(r.analyzer.summary()) + JSON.stringify(r.frames.map((f) => derivedOf(f)));
  for (const s of secrets) assert.ok(!text.includes(s), `secret ${s.length} chars leaked`);
}

test('good with the passphrase and --vip; variant and addresses in derived fields', () => {
  const frames = [0, 1, 2].map((t) => advert({ n: t + 1, t, src: '10.77.0.1', pass: 'carpsecret', vip: VIP }));
  const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }], vips: vips({ 7: VIP }) });
  assert.deepEqual(status(r), ['good', 'good', 'good']);
  assert.equal(derivedOf(frames[0]!)['carp.hmac.variant'], 'sorted');
  assert.deepEqual(derivedOf(frames[0]!)['carp.vip'], VIP);
  assert.equal(derivedOf(frames[0]!)['carp.vip.inferred'], false);
  assert.equal((r.carp()['vhids'] as Fields[])[0]!['hmac'], 'good');
  assert.deepEqual(r.ids(), ['carp.master_changed']);
  noSecret(r, 'carpsecret');
});

test("'*' passphrase applies to every VHID", () => {
  const frames = [advert({ n: 1, t: 0, src: '10.77.0.1', vhid: 3, pass: 'pw', vip: ['10.0.0.3'] })];
  const r = runCarp(frames, { passphrases: [{ vhid: '*', passphrase: 'pw' }], vips: vips({ 3: ['10.0.0.3'] }) });
  assert.deepEqual(status(r), ['good']);
});

test('bad with a wrong passphrase: carp.hmac_mismatch once per source, no secret in it', () => {
  const frames = [0, 1, 2].map((t) => advert({ n: t + 1, t, src: '10.77.0.1', pass: 'other-secret', vip: VIP }));
  const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }], vips: vips({ 7: VIP }) });
  assert.deepEqual(status(r), ['bad', 'bad', 'bad']);
  assert.equal(r.byId('carp.hmac_mismatch').length, 1);
  assert.equal(r.byId('carp.hmac_mismatch')[0]!.severity, 'error');
  noSecret(r, 'carpsecret', 'other-secret');
});

test('unverified, with the reason: no addresses (VIP outside the searched candidates); no passphrase', () => {
  const a = runCarp([advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'carpsecret', vip: ['192.0.2.9'] })], { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }] });
  assert.deepEqual(status(a), ['unverified']);
  assert.match(String(derivedOf(a.frames[0]!)['carp.hmac.reason']), /virtual addresses of VHID 7 not known .*searched/);
  const b = runCarp([advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'carpsecret', vip: VIP })], { vips: vips({ 7: VIP }) });
  assert.deepEqual(status(b), ['unverified']);
  assert.match(String(derivedOf(b.frames[0]!)['carp.hmac.reason']), /no passphrase for VHID 7/);
  assert.deepEqual(a.ids(), ['carp.hmac_unverifiable', 'carp.master_changed']);
  assert.deepEqual(b.ids(), ['carp.master_changed']);
});

test('empty passphrase verifies: carp.no_passphrase once per VHID', () => {
  const frames = [0, 1].map((t) => advert({ n: t + 1, t, src: '10.77.0.1', pass: '', vip: VIP }));
  const r = runCarp(frames, { vips: vips({ 7: VIP }) });
  assert.deepEqual(status(r), ['good', 'good']);
  assert.equal(derivedOf(frames[0]!)['carp.hmac.key'], 'empty');
  assert.equal(r.byId('carp.no_passphrase').length, 1);
  assert.equal(r.byId('carp.no_passphrase')[0]!.details['vhid'], 7);
});

// verify() gives a sender's next advert the last good verdict when the candidate that made it
// verifies that advert (VhidAuth.repeat): every advert is still checked, with --vip and with the
// addresses the HMAC confirmed, and a change of key, sender or MAC is seen.
test('a sender whose adverts verify, then one that does not: bad at once, then good again (--vip and confirmed addresses)', () => {
  const pass = [{ vhid: 7, passphrase: 'carpsecret' }];
  const run = (withVip: boolean): Run => {
    const frames = [
      ...(withVip ? [] : [garp(1, -0.5, VIP[0]!, '00:00:5e:00:01:07')]),
      ...[0, 1, 2].map((t) => advert({ n: t + 2, t, src: '10.77.0.1', pass: 'carpsecret', vip: VIP })),
      advert({ n: 5, t: 3, src: '10.77.0.1', pass: 'not-the-passphrase', vip: VIP }),
      advert({ n: 6, t: 4, src: '10.77.0.1', pass: 'carpsecret', vip: VIP, hmac: '11'.repeat(20) }),
      advert({ n: 7, t: 5, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.99'] }),
      advert({ n: 8, t: 6, src: '10.77.0.1', pass: 'carpsecret', vip: VIP }),
    ];
    return runCarp(frames, withVip ? { passphrases: pass, vips: vips({ 7: VIP }) } : { passphrases: pass });
  };
  for (const withVip of [true, false]) {
    const r = run(withVip);
    assert.deepEqual(status(r), ['good', 'good', 'good', 'bad', 'bad', 'bad', 'good'], withVip ? '--vip' : 'confirmed addresses');
    assert.equal(r.byId('carp.hmac_mismatch').length, 1);
  }
});

test('inferred addresses: gratuitous ARP from the virtual MAC; earlier adverts held, then good', () => {
  const opts = { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }] };
  const VIPX = ['192.0.2.100']; // outside the sender's /24: only the ARP tells it
  const frames = [
    advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'carpsecret', vip: VIPX }),
    advert({ n: 2, t: 1, src: '10.77.0.1', pass: 'carpsecret', vip: VIPX }),
    garp(3, 1.5, '192.0.2.100', '00:00:5e:00:01:07'),
    advert({ n: 4, t: 2, src: '10.77.0.1', pass: 'carpsecret', vip: VIPX }),
  ];
  const r = runCarp(frames.slice(0, 2), opts, false);
  assert.equal(r.analyzer.holding?.(), true);
  assert.equal(derivedOf(frames[0]!)['carp.hmac.status'], undefined);   // held: no verdict yet
  for (const f of frames.slice(2)) r.analyzer.onFrame(f, (x) => r.findings.push(x), deriveFor(f));
  assert.equal(r.analyzer.holding?.(), false);
  assert.deepEqual(status(runCarpView(r, frames)), ['good', 'good', 'good']);
  assert.deepEqual(derivedOf(frames[3]!)['carp.vip'], VIPX);
  assert.equal(derivedOf(frames[3]!)['carp.vip.inferred'], true);
  const v = (r.carp()['vhids'] as Fields[])[0]!;
  assert.deepEqual(v['vips'], VIPX);
  assert.equal(v['vips_inferred'], true);
  assert.deepEqual(r.byId('carp.master_changed').map((f) => f.frames.at(-1)), [1]);
});

function runCarpView(r: Run, frames: ReturnType<typeof advert>[]): Run {
  return { ...r, frames };
}

test('inferred addresses: ucarp gratuitous ARP from the real MAC among other hosts; the HMAC picks the set', () => {
  const frames = [
    garp(1, 0, '10.77.0.200', '02:00:00:00:00:99'),           // some other host announcing itself
    garp(2, 0.1, '10.77.0.100', '02:00:00:00:00:0a'),         // ucarp: VIP from node A's real MAC
    arpReply(3, 0.2, '10.77.0.150', '00:00:5e:00:00:09'),     // ucarp-MAC reply for another VHID
    advert({ n: 4, t: 1, src: '10.77.0.1', pass: 'carpsecret', vip: VIP, mac: '00:00:5e:00:00:07' }),
  ];
  const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }] });
  assert.deepEqual(status(r), ['good']);
  assert.deepEqual(derivedOf(frames[3]!)['carp.vip'], VIP);
  assert.equal((r.carp()['vhids'] as Fields[])[0]!['ucarp_mac'], true);
});

test('a sender that moves to ucarp\'s virtual source MAC after its first adverts is seen to (ucarp_mac, its MACs)', () => {
  const frames = [
    advert({ n: 1, t: 1, src: '10.77.0.1', pass: 'carpsecret', vip: VIP, mac: '02:00:00:00:00:0a' }),
    advert({ n: 2, t: 2, src: '10.77.0.1', pass: 'carpsecret', vip: VIP, mac: '02:00:00:00:00:0a' }),
    advert({ n: 3, t: 3, src: '10.77.0.1', pass: 'carpsecret', vip: VIP, mac: '00:00:5e:00:00:07' }),
    advert({ n: 4, t: 4, src: '10.77.0.1', pass: 'carpsecret', vip: VIP, mac: '00:00:5e:00:00:07' }),
  ];
  const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }], vips: vips({ 7: VIP }) });
  const v = (r.carp()['vhids'] as Fields[])[0]!;
  assert.equal(v['ucarp_mac'], true);
  const src = (v['sources'] as Fields[])[0]!;
  assert.equal(src['mac'], '00:00:5e:00:00:07');
  assert.equal(src['ucarp_mac'], true);
});

test('no passphrase: each advert names the VHID\'s candidates as they are then (a second announcement adds one)', () => {
  const frames = [
    garp(1, 0, '10.77.0.100', '00:00:5e:00:01:07'),
    advert({ n: 2, t: 1, src: '10.77.0.1', pass: 'carpsecret', vip: VIP }),
    advert({ n: 3, t: 2, src: '10.77.0.1', pass: 'carpsecret', vip: VIP }),
    garp(4, 2.5, '10.77.0.101', '00:00:5e:00:01:07'),
    advert({ n: 5, t: 3, src: '10.77.0.1', pass: 'carpsecret', vip: VIP }),
  ];
  const r = runCarp(frames, { passphrases: [] });
  assert.deepEqual(status(r), ['unverified', 'unverified', 'unverified']);
  assert.deepEqual([1, 2, 4].map((i) => derivedOf(frames[i]!)['carp.vip']), [['10.77.0.100'], ['10.77.0.100'], ['10.77.0.100', '10.77.0.101']]);
  assert.deepEqual([1, 2, 4].map((i) => derivedOf(frames[i]!)['carp.hmac.reason']), Array(3).fill('no passphrase for VHID 7 (--carp-pass)'));
});

test('inferred candidates that do not verify: unverified, never bad; passphrase_mismatch says why', () => {
  const frames = [
    garp(1, 0, '10.77.0.100', '00:00:5e:00:01:07'),
    advert({ n: 2, t: 1, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.100', '192.0.2.101'] }),
    advert({ n: 3, t: 2, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.100', '192.0.2.101'] }),
  ];
  const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }] });
  assert.deepEqual(status(r), ['unverified', 'unverified']);
  assert.match(String(derivedOf(frames[1]!)['carp.hmac.reason']), /no candidate address set verifies/);
  assert.equal(r.byId('carp.hmac_mismatch').length, 0);
  const pm = r.byId('carp.passphrase_mismatch');
  assert.equal(pm.length, 1);
  assert.deepEqual(pm[0]!.details['senders'], ['10.77.0.1']);
  assert.equal(pm[0]!.details['likely_cause'], 'passphrase');
});

test('IPv6: unsolicited NA from the virtual MAC supplies the VIP of an IPv6 advert', () => {
  const v6 = ['2001:db8::9'];
  const frames = [
    unsolicitedNa(1, 0, '2001:db8::9', '00:00:5e:00:01:09'),
    advert({ n: 2, t: 1, src: 'fe80::a', af: 'ipv6', vhid: 9, hmac: undefined, pass: undefined }),
  ];
  const r = runCarp(frames, { passphrases: [{ vhid: 9, passphrase: 'x' }] });
  // the builder's reference HMAC is IPv4-only: here only the inference is checked
  assert.deepEqual(derivedOf(frames[1]!)['carp.vip'], v6);
  assert.equal(derivedOf(frames[1]!)['carp.vip.inferred'], true);
  assert.deepEqual(status(r), ['unverified']);
});

test('wordlist: carp.weak_passphrase names the VHID, not the passphrase (unless --show-secrets)', () => {
  const mk = (): ReturnType<typeof advert>[] => [0, 1, 2].map((t) => advert({ n: t + 1, t, src: '10.77.0.1', pass: 'opnsense', vip: VIP }));
  const wordlist = ['123456', 'password', 'opnsense', 'carp'];
  const r = runCarp(mk(), { vips: vips({ 7: VIP }), wordlist });
  const w = r.byId('carp.weak_passphrase');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.details['vhid'], 7);
  assert.equal(w[0]!.details['wordlist_line'], 3);
  assert.equal(w[0]!.details['passphrase'], undefined);
  assert.deepEqual(status(r), ['good', 'good', 'good']);
  noSecret(r, 'opnsense');
  const audit = (r.carp()['audit'] as Fields[]);
  assert.equal(audit.length, 1);            // run once per VHID, not per advert
  const s = runCarp(mk(), { vips: vips({ 7: VIP }), wordlist, showSecrets: true });
  assert.equal(s.byId('carp.weak_passphrase')[0]!.details['passphrase'], 'opnsense');
  // no hit: nothing raised, still unverified
  const n = runCarp(mk(), { vips: vips({ 7: VIP }), wordlist: ['a', 'b'] });
  assert.equal(n.byId('carp.weak_passphrase').length, 0);
  assert.deepEqual(status(n), ['unverified', 'unverified', 'unverified']);
});

test('VHID conflict: one source verifies, another does not; or two sources verify with different passphrases', () => {
  const frames = [
    advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'clusterA', vip: VIP }),
    advert({ n: 2, t: 0.5, src: '10.77.0.8', pass: 'clusterB', vip: VIP, advskew: 50 }),
  ];
  const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'clusterA' }], vips: vips({ 7: VIP }) });
  assert.deepEqual(status(r), ['good', 'bad']);
  const c = r.byId('carp.vhid_conflict');
  assert.deepEqual(c.map((f) => [f.details['reason'], f.details['src']]), [['passphrase_or_addresses', '10.77.0.8']]);
  assert.equal(r.byId('carp.hmac_mismatch').length, 1);
  noSecret(r, 'clusterA', 'clusterB');
  const frames2 = [
    advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'clusterA', vip: VIP }),
    advert({ n: 2, t: 0.5, src: '10.77.0.8', pass: 'clusterB', vip: VIP, advskew: 50 }),
  ];
  const r2 = runCarp(frames2, { passphrases: [{ vhid: 7, passphrase: 'clusterA' }, { vhid: '*', passphrase: 'clusterB' }], vips: vips({ 7: VIP }) });
  assert.deepEqual(status(r2), ['good', 'good']);
  assert.deepEqual(r2.byId('carp.vhid_conflict').map((f) => f.details['reason']), ['passphrase']);
});

test('the same passphrase given twice (VHID and *) is one key: no passphrase conflict', () => {
  const frames = [
    advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'same', vip: VIP }),
    advert({ n: 2, t: 0.5, src: '10.77.0.8', pass: 'same', vip: VIP, advskew: 50 }),
  ];
  const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'same-but-wrong' }, { vhid: 7, passphrase: 'same' }, { vhid: '*', passphrase: 'same' }], vips: vips({ 7: VIP }) });
  assert.deepEqual(status(r), ['good', 'good']);
  assert.equal(r.byId('carp.vhid_conflict').length, 0);
});
