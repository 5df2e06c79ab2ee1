// Verdict rules of issue 10/18: VIP discovery for a known passphrase, carp.hmac_unverifiable,
// carp.passphrase_mismatch causes, held adverts (order and bounds), replay membership, and
// FreeBSD's repeated counter+HMAC. Reference HMACs are computed here with node:crypto.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { advert, garp, referenceHmac } from '../../support/carp-frames.js';
import { runCarp, type Run } from './run.js';
import { HOLD_ADVERTS, HOLD_SECONDS } from '../../../src/analyze/carp/index.js';
import type { DecodedFrame } from '../../../src/decode/types.js';
import { deriveFor, derivedOf } from '../../support/derived.js';

const PASS = [{ vhid: 7, passphrase: 'carpsecret' }];
const status = (r: Run): unknown[] => r.frames.filter((f) => f.layers.some((l) => l.proto === 'carp')).map((f) => derivedOf(f)['carp.hmac.status']);
const vips = (m: Record<number, string[]>): Map<number, string[]> => new Map(Object.entries(m).map(([k, v]) => [Number(k), v]));

/** HMAC of 02 01 [lladdr] vhid addr-bytes counter (the caller orders the addresses). */
function mac(pass: string, vhid: number, addrBytes: number[][], counter: bigint, lladdr?: number[]): string {
  const c = Buffer.alloc(8); c.writeBigUInt64BE(counter);
  const m = Buffer.concat([Buffer.from([2, 1]), Buffer.from(lladdr ?? []), Buffer.from([vhid]), ...addrBytes.map((a) => Buffer.from(a)), c]);
  return createHmac('sha1', pass).update(m).digest('hex');
}
const counterOf = (n: number): bigint => 0x1000000000000000n + BigInt(n) * 7919n;
/** Adverts at 0, 1 and 2 s from SRC, signed with carpsecret over VIP. */
const threeAdverts = (src: string, vip: string[]): DecodedFrame[] => [0, 1, 2].map((t) => advert({ n: t + 1, t, src, pass: 'carpsecret', vip }));

test('discovery: a single VIP in the sender\'s /24 is found with the passphrase alone (carp.vip_discovered once)', () => {
  const frames = threeAdverts('192.168.88.2', ['192.168.88.44']);
  const r = runCarp(frames, { passphrases: PASS });
  assert.deepEqual(status(r), ['good', 'good', 'good']);
  const d = r.byId('carp.vip_discovered');
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.details['addresses'], ['192.168.88.44']);
  assert.equal(d[0]!.details['searched'], 44);
  assert.match(d[0]!.message, /--vip 7:192\.168\.88\.44/);
  assert.equal(derivedOf(frames[2]!)['carp.vip.inferred'], true);
});

test('discovery: a pair in the /24, and a single in the other half of the /23', () => {
  const pair = [0, 1].map((t) => advert({ n: t + 1, t, src: '10.9.8.1', pass: 'carpsecret', vip: ['10.9.8.200', '10.9.8.7'] }));
  const r = runCarp(pair, { passphrases: PASS });
  assert.deepEqual(status(r), ['good', 'good']);
  assert.deepEqual(r.byId('carp.vip_discovered')[0]!.details['addresses'], ['10.9.8.7', '10.9.8.200']);
  const other = [advert({ n: 1, t: 0, src: '10.9.8.1', pass: 'carpsecret', vip: ['10.9.9.77'] })];
  const o = runCarp(other, { passphrases: PASS });
  assert.deepEqual(status(o), ['good']);
  assert.deepEqual(o.byId('carp.vip_discovered')[0]!.details['addresses'], ['10.9.9.77']);
});

test('discovery: IPv6 link-local VIP among the addresses seen on the segment; prefix::1-ff', () => {
  const ll = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42];
  const a = advert({ n: 1, t: 0, src: 'fe80::42', af: 'ipv6', hmac: mac('carpsecret', 7, [ll], counterOf(1)), counter: counterOf(1) });
  const r = runCarp([a], { passphrases: PASS });
  assert.deepEqual(status(r), ['good']);
  assert.equal(derivedOf(a)['carp.hmac.variant'], 'sorted-v6ll');
  assert.deepEqual(r.byId('carp.vip_discovered')[0]!.details['addresses'], ['fe80::42']);
  const g = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b];
  const b = advert({ n: 1, t: 0, src: '2001:db8::5', af: 'ipv6', hmac: mac('carpsecret', 7, [g], counterOf(1)), counter: counterOf(1) });
  const r2 = runCarp([b], { passphrases: PASS });
  assert.deepEqual(status(r2), ['good']);
  assert.deepEqual(r2.byId('carp.vip_discovered')[0]!.details['addresses'], ['2001:db8::b']);
});

test('miss: carp.hmac_unverifiable once per VHID, saying what was searched; adverts stay unverified', () => {
  const frames = threeAdverts('10.77.0.1', ['172.16.5.5']);
  const r = runCarp(frames, { passphrases: PASS });
  assert.deepEqual(status(r), ['unverified', 'unverified', 'unverified']);
  const u = r.byId('carp.hmac_unverifiable');
  assert.equal(u.length, 1);
  assert.equal(u[0]!.severity, 'warn');
  assert.match(String(u[0]!.details['searched']), /^32639 candidate address sets \(10\.77\.0\.0\/24/);
  assert.equal(r.byId('carp.passphrase_mismatch').length, 0);
  assert.equal(r.byId('carp.vip_discovered').length, 0);
});

test('passphrase_mismatch likely_cause addresses: --vip incomplete, the adverts verify with another candidate set', () => {
  const frames = [
    garp(1, 0, '10.77.0.101', '00:00:5e:00:01:07'),
    advert({ n: 2, t: 1, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.100', '10.77.0.101'] }),
    advert({ n: 3, t: 2, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.100', '10.77.0.101'] }),
  ];
  const r = runCarp(frames, { passphrases: PASS, vips: vips({ 7: ['10.77.0.100'] }) });
  assert.deepEqual(status(r), ['bad', 'bad']);
  const pm = r.byId('carp.passphrase_mismatch');
  assert.equal(pm.length, 1);
  assert.equal(pm[0]!.details['likely_cause'], 'addresses');
  assert.deepEqual(pm[0]!.details['missing'], ['10.77.0.101']);
  assert.deepEqual(pm[0]!.details['extra'], []);
  assert.deepEqual(pm[0]!.details['senders'], ['10.77.0.1']);
});

test('passphrase_mismatch likely_cause addresses (inferred): a second sender hashes another VIP set', () => {
  const frames = [
    advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.100'] }),
    advert({ n: 2, t: 0.5, src: '10.77.0.2', advskew: 100, pass: 'carpsecret', vip: ['10.77.0.150'] }),
  ];
  const r = runCarp(frames, { passphrases: PASS });
  assert.deepEqual(status(r), ['good', 'bad']);
  const pm = r.byId('carp.passphrase_mismatch');
  assert.deepEqual(pm.map((f) => [f.details['senders'], f.details['likely_cause'], f.details['verifies_with']]), [[['10.77.0.2'], 'addresses', ['10.77.0.150']]]);
});

test('passphrase_mismatch likely_cause variant: same passphrase and VIP, hashed with the lladdr', () => {
  const vip = [10, 77, 0, 100];
  const m1 = advert({ n: 1, t: 0, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.100'] });
  const ll = [2, 0, 0, 0x77, 0, 2];
  const m2 = advert({ n: 2, t: 0.5, src: '10.77.0.2', advskew: 100, mac: '02:00:00:77:00:02', counter: counterOf(2), hmac: mac('carpsecret', 7, [vip], counterOf(2), ll) });
  const r = runCarp([m1, m2], { passphrases: PASS, vips: vips({ 7: ['10.77.0.100'] }) });
  assert.deepEqual(status(r), ['good', 'good']);
  assert.equal(derivedOf(m2)['carp.hmac.variant'], 'lladdr');
  const pm = r.byId('carp.passphrase_mismatch');
  assert.deepEqual(pm.map((f) => [f.details['likely_cause'], f.details['variant'], f.details['vhid_variant']]), [['variant', 'lladdr', 'sorted']]);
});

test('a later candidate (lladdr, one address of the set) verifies advert after advert, each with its own counter', () => {
  // match() writes each advert's counter into a candidate's blocks only when it tries it: the
  // candidates after the first must get it too, not keep the counter they were built with
  const ll = [2, 0, 0, 0x77, 0, 2];
  const viaLladdr = [2, 3, 4, 5].map((n) => advert({ n, t: n, src: '10.77.0.2', mac: '02:00:00:77:00:02', counter: counterOf(n),
    hmac: mac('carpsecret', 7, [[10, 77, 0, 100]], counterOf(n), ll) }));
  const r = runCarp(viaLladdr, { passphrases: PASS, vips: vips({ 7: ['10.77.0.100'] }) });
  assert.deepEqual(status(r), ['good', 'good', 'good', 'good']);
  assert.deepEqual(viaLladdr.map((f) => derivedOf(f)['carp.hmac.variant']), ['lladdr', 'lladdr', 'lladdr', 'lladdr']);
  // ucarp's one address per advert: the second address of the --vip set, the last candidate
  const single = [1, 2, 3, 4].map((n) => advert({ n, t: n, src: '10.77.0.1', counter: counterOf(n),
    hmac: mac('carpsecret', 7, [[10, 77, 0, 101]], counterOf(n)) }));
  const r2 = runCarp(single, { passphrases: PASS, vips: vips({ 7: ['10.77.0.100', '10.77.0.101'] }) });
  assert.deepEqual(status(r2), ['good', 'good', 'good', 'good']);
  assert.deepEqual(single.map((f) => derivedOf(f)['carp.hmac.variant']), ['ucarp-single', 'ucarp-single', 'ucarp-single', 'ucarp-single']);
});

test('held: another sender\'s first adverts wait for the address set, then are bad (not unverified), in order', () => {
  const VIPX = ['192.0.2.100'];            // not found by the search: only the ARP tells it
  const frames: DecodedFrame[] = [
    advert({ n: 1, t: 0, src: '10.77.0.2', advskew: 100, pass: 'other', vip: VIPX }),
    advert({ n: 2, t: 1.39, src: '10.77.0.2', advskew: 100, pass: 'other', vip: VIPX }),
    garp(3, 2, '192.0.2.100', '00:00:5e:00:01:07'),
    advert({ n: 4, t: 2.5, src: '10.77.0.1', pass: 'carpsecret', vip: VIPX }),
    advert({ n: 5, t: 2.8, src: '10.77.0.2', advskew: 100, pass: 'other', vip: VIPX }),
  ];
  const seen: Array<[number, string]> = [];
  const r = runCarp([], { passphrases: PASS });
  const emitFor = (n: number) => (f: { id: string }): void => { seen.push([n, f.id]); };
  r.analyzer.onFrame(frames[0]!, emitFor(1), deriveFor(frames[0]!));
  assert.equal(r.analyzer.holding?.(), true);
  r.analyzer.onFrame(frames[1]!, emitFor(2), deriveFor(frames[1]!));
  r.analyzer.onFrame(frames[2]!, emitFor(3), deriveFor(frames[2]!));
  assert.equal(derivedOf(frames[0]!)['carp.hmac.status'], undefined);
  r.analyzer.onFrame(frames[3]!, emitFor(4), deriveFor(frames[3]!));
  assert.equal(r.analyzer.holding?.(), false);
  r.analyzer.onFrame(frames[4]!, emitFor(5), deriveFor(frames[4]!));
  assert.deepEqual([1, 2, 4, 5].map((n) => derivedOf(frames[n - 1]!)['carp.hmac.status']), ['bad', 'bad', 'good', 'bad']);
  // the held frames' findings went to their own frames, and before frame 4's
  assert.deepEqual(seen.filter(([, id]) => id === 'carp.hmac_mismatch' || id === 'carp.passphrase_mismatch').map(([n]) => n), [1, 1]);
  assert.ok(seen.findIndex(([n]) => n === 4) > seen.findIndex(([n]) => n === 1));
  // 10.77.0.2 (bad) is never master
  assert.ok(!seen.some(([n, id]) => id === 'carp.master_changed' && n !== 4));
});

test(`held: bounded to ${HOLD_ADVERTS} adverts and ${HOLD_SECONDS} s of packet time, then released unverified in order`, () => {
  const many = Array.from({ length: HOLD_ADVERTS + 3 }, (_, i) => advert({ n: i + 1, t: i * 0.1, src: '10.77.0.1', pass: 'carpsecret', vip: ['172.16.5.5'] }));
  const r = runCarp([], { passphrases: PASS });
  let releasedAt = 0;
  for (const f of many) {
    r.analyzer.onFrame(f, (x) => r.findings.push(x), deriveFor(f));
    if (!r.analyzer.holding?.() && releasedAt === 0) releasedAt = f.raw.number;
  }
  assert.equal(releasedAt, HOLD_ADVERTS);
  assert.ok(many.slice(0, HOLD_ADVERTS).every((f) => derivedOf(f)['carp.hmac.status'] === 'unverified'));
  const slow = [0, 4, 8, 12].map((t, i) => advert({ n: i + 1, t, src: '10.77.0.1', pass: 'carpsecret', vip: ['172.16.5.5'] }));
  const s = runCarp([], { passphrases: PASS });
  const holding: boolean[] = [];
  for (const f of slow) { s.analyzer.onFrame(f, () => undefined, deriveFor(f)); holding.push(s.analyzer.holding?.() ?? false); }
  assert.deepEqual(holding, slow.map((f) => f.raw.tsSec - slow[0]!.raw.tsSec < HOLD_SECONDS));
  assert.equal(derivedOf(slow[0]!)['carp.hmac.status'], 'unverified');     // released by the time bound
  // a live tick past the bound releases too
  const t = runCarp([], { passphrases: PASS });
  t.analyzer.onFrame(slow[0]!, () => undefined, deriveFor(slow[0]!));
  assert.equal(t.analyzer.holding?.(), true);
  t.analyzer.onTick({ sec: slow[0]!.raw.tsSec + HOLD_SECONDS + 1, nsec: 0, digits: 6 }, () => undefined);
  assert.equal(t.analyzer.holding?.(), false);
});

test('replay: an intruder whose own adverts fail the HMAC and who replays a member\'s advert never becomes master', () => {
  const g = (n: number, t: number): DecodedFrame => advert({ n, t, src: '10.77.0.1', pass: 'carpsecret', vip: ['10.77.0.100'] });
  const forged = (n: number, t: number): DecodedFrame => advert({ n, t, src: '10.77.0.66', mac: '02:00:00:00:00:66', pass: 'guess', vip: ['10.77.0.100'] });
  const genuine = g(1, 0);
  const replay = (n: number, t: number): DecodedFrame => advert({ n, t, src: '10.77.0.66', mac: '02:00:00:00:00:66', counter: counterOf(1), hmac: String(genuine.layers[2]!.fields['carp.hmac']) });
  const frames = [genuine, forged(2, 0.3), g(3, 1), forged(4, 1.3), replay(5, 6), replay(6, 7)];
  const r = runCarp(frames, { passphrases: PASS, vips: vips({ 7: ['10.77.0.100'] }) });
  assert.deepEqual(status(r), ['good', 'bad', 'good', 'bad', 'good', 'good']);
  assert.deepEqual(r.byId('carp.master_changed').map((f) => f.details['src']), ['10.77.0.1']);
  const rp = r.byId('carp.replayed_advert');
  assert.equal(rp.length, 1);
  assert.deepEqual(rp[0]!.details['original_frames'], [1]);
  assert.equal(rp[0]!.frames.at(-1), 5);     // reported at the first replay: its sender's own adverts failed
  assert.equal(r.byId('carp.split_brain').filter((f) => f.frames.at(-1)! >= 5).length, 0);
});

test('replay without a passphrase: a source that keeps its own counter sequence is a member; one that does not is replaying', () => {
  const a = (n: number, t: number, c: bigint): DecodedFrame => advert({ n, t, src: '10.77.0.1', counter: c, hmac: c.toString(16).padStart(40, '0') });
  const b = (n: number, t: number, c: bigint): DecodedFrame => advert({ n, t, src: '10.77.0.2', advskew: 100, counter: c, hmac: c.toString(16).padStart(40, '0') });
  // b originated 500, then sends 501 which a sent first: continues its own sequence -> shared, not a replay
  const ok = runCarp([a(1, 0, 100n), b(2, 5, 500n), a(3, 5.5, 501n), b(4, 6, 501n)]);
  assert.equal(ok.byId('carp.replayed_advert').length, 0);
  // c sent 900 and 901, then repeats a's 100 and 101: not its sequence -> replay, never master
  const c = (n: number, t: number, ctr: bigint): DecodedFrame => advert({ n, t, src: '10.77.0.9', counter: ctr, hmac: ctr.toString(16).padStart(40, '0') });
  const bad = runCarp([a(1, 0, 100n), a(2, 1, 101n), c(3, 1.2, 900n), c(4, 6, 100n), c(5, 7, 101n)]);
  assert.deepEqual(bad.byId('carp.replayed_advert').map((f) => f.details['src']), ['10.77.0.9']);
  assert.ok(!bad.byId('carp.master_changed').some((f) => f.frames.at(-1)! >= 4));
});

test('FreeBSD: one counter and HMAC repeated in every advert of one master is not a reflection or a replay', () => {
  const h = referenceHmac('pass123', 1, ['192.168.88.44'], 5n);
  const frames = Array.from({ length: 45 }, (_, i) => advert({ n: i + 1, t: i, vhid: 1, src: '192.168.88.1', mac: '00:00:5e:00:01:01', counter: 5n, hmac: h }));
  const r = runCarp(frames, { passphrases: [{ vhid: 1, passphrase: 'pass123' }] });
  assert.ok(status(r).every((s) => s === 'good'));
  assert.equal(r.byId('carp.replayed_advert').length, 0);
  assert.equal(r.byId('carp.split_brain').length, 0);
  const src = ((r.carp()['vhids'] as Array<Record<string, unknown>>)[0]!['sources'] as Array<Record<string, unknown>>)[0]!;
  assert.equal(src['duplicates'], 44);
});

test('a flood of senders: the VIP search runs for the first 16 senders of a VHID only, later ones say so', () => {
  const frames = Array.from({ length: 20 }, (_, i) => advert({ n: i + 1, t: i, src: `10.77.0.${i + 1}`, pass: 'carpsecret', vip: ['172.16.5.5'] }));
  runCarp(frames, { passphrases: PASS });
  const reason = (i: number): string => String(derivedOf(frames[i]!)['carp.hmac.reason']);
  for (let i = 0; i < 16; i++) assert.match(reason(i), /searched 32639 candidate address sets/, `sender ${i + 1}`);
  for (let i = 16; i < 20; i++) assert.match(reason(i), /searched 0 candidate address sets \(none: more than 16 senders on this VHID/, `sender ${i + 1}`);
});
