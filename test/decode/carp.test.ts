// CARP dissector: field values, checksum status and every annotation, on builder frames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../builders/packets.js';
import fc from 'fast-check';
import { u64Decimal } from '../../src/decode/carp.js';
import { annotationIds, decode, layerFields, protos } from './helpers.js';
import { checkProperty } from '../support/fc-seed.js';

const HMAC = B.hexBytes('47c888778c62a986ae1d2c7ae2aa69117b7a33c4');

test('CARP fields of an IPv4 advert (ucarp vector of carp.md 3.4, rebuilt)', () => {
  const f = decode(B.carpFrame4({ vhid: 7, advskew: 0, advbase: 1, counter: 0x0aaad807d3b6bb6en, hmac: HMAC }));
  assert.deepEqual(protos(f), ['eth', 'ipv4', 'carp']);
  const c = layerFields(f, 'carp');
  assert.deepEqual(c, {
    'carp.version': 2, 'carp.type': 1, 'carp.vhid': 7, 'carp.advskew': 0, 'carp.authlen': 7,
    'carp.demotion': 0, 'carp.adver_int': 1, 'carp.checksum': 0x915d, 'carp.checksum.status': 'good',
    'carp.counter': '768664214548429678', 'carp.hmac': '47c888778c62a986ae1d2c7ae2aa69117b7a33c4',
    'carp.interval': 1,
  });
  assert.deepEqual(f.annotations, []);
  assert.equal(f.internalError, undefined);
});

const cases: { name: string; frame: Uint8Array; fields: Record<string, unknown>; annotations: string[] }[] = [
  { name: 'advskew 100 gives interval 1 + 100/256', frame: B.carpFrame4({ advskew: 100 }), fields: { 'carp.advskew': 100, 'carp.interval': 1 + 100 / 256 }, annotations: [] },
  { name: 'IPv6 advert', frame: B.carpFrame6({ vhid: 10 }), fields: { 'carp.vhid': 10, 'carp.checksum.status': 'good' }, annotations: [] },
  { name: 'largest counter', frame: B.carpFrame4({ counter: 0xffffffffffffffffn }), fields: { 'carp.counter': '18446744073709551615' }, annotations: [] },
  { name: 'bow-out', frame: B.carpFrame4({ advbase: 255, advskew: 255 }), fields: { 'carp.bow_out': true, 'carp.interval': 255 + 255 / 256 }, annotations: ['carp.bow_out'] },
  { name: 'demoted', frame: B.carpFrame4({ demote: 128 }), fields: { 'carp.demotion': 128 }, annotations: ['carp.demotion'] },
  { name: 'TTL 64', frame: B.carpFrame4({}, { ttl: 64 }), fields: { 'carp.vhid': 7 }, annotations: ['carp.bad_ttl'] },
  { name: 'hop limit 1', frame: B.carpFrame6({}, { hlim: 1 }), fields: { 'carp.vhid': 7 }, annotations: ['carp.bad_ttl'] },
  { name: 'authlen 6 (tshark heuristic rejects, still CARP by length 36)', frame: B.carpFrame4({ authlen: 6 }), fields: { 'carp.authlen': 6 }, annotations: ['carp.bad_authlen'] },
  { name: 'type 2', frame: B.carpFrame4({ type: 2 }), fields: { 'carp.type': 2 }, annotations: ['carp.bad_type'] },
  { name: 'version 1 with authlen 7', frame: B.carpFrame4({ version: 1 }), fields: { 'carp.version': 1 }, annotations: ['carp.bad_version'] },
  { name: 'vhid 0', frame: B.carpFrame4({ vhid: 0 }), fields: { 'carp.vhid': 0 }, annotations: ['carp.vhid_zero'] },
];

for (const tc of cases) {
  test(`CARP: ${tc.name}`, () => {
    const f = decode(tc.frame);
    const c = layerFields(f, 'carp');
    for (const [k, v] of Object.entries(tc.fields)) assert.deepEqual(c[k], v, k);
    assert.deepEqual(annotationIds(f), tc.annotations);
  });
}

test('carp.bad_checksum: message and details name the stored and the right checksum', () => {
  const good = B.carp({ vhid: 10, advskew: 100 });
  const right = (good[6]! << 8) | good[7]!;
  const f = decode(B.carpFrame4({ vhid: 10, advskew: 100, checksum: 0x1cc1 }));
  const c = layerFields(f, 'carp');
  assert.equal(c['carp.checksum'], 0x1cc1);
  assert.equal(c['carp.checksum.status'], 'bad');
  const a = f.annotations.find((x) => x.id === 'carp.bad_checksum');
  assert.ok(a);
  assert.equal(a.message, `bad cksum 0x1cc1, should be 0x${right.toString(16)}`);
  assert.deepEqual(a.details, { checksum: 0x1cc1, expected: right });
  assert.equal(a.severity, 'error');
});

test('carp.trailing_bytes: checksum over the 36 header bytes only, extra length reported', () => {
  const payload = B.concat(B.carp(), Uint8Array.of(1, 2, 3, 4));
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112 }, payload)));
  const c = layerFields(f, 'carp');
  assert.equal(c['carp.checksum.status'], 'good');
  assert.equal(c['carp.trailing_length'], 4);
  assert.deepEqual(annotationIds(f), ['carp.trailing_bytes']);
});

test('carp.truncated: IP payload declared shorter than 36 bytes', () => {
  const short = B.carp().subarray(0, 20);
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112 }, short)), 1, { decodeAs: 'carp' });
  const l = f.layers.find((x) => x.proto === 'carp')!;
  assert.equal(l.status, 'truncated');
  assert.equal(l.fields['carp.vhid'], 7);
  assert.equal(l.fields['carp.checksum.status'], 'unverified');
  assert.equal(l.fields['carp.hmac'], undefined);
  assert.ok(annotationIds(f).includes('carp.truncated'));
});

test('carp.truncated: cut by the snap length, Ethernet padding never read as CARP', () => {
  const full = B.carpFrame4();
  const f = decode(full.subarray(0, full.length - 10), 1, {}, full.length);
  const l = f.layers.find((x) => x.proto === 'carp')!;
  assert.equal(l.status, 'truncated');
  assert.equal(l.fields['carp.counter'], '768664214548429678');
  assert.equal(l.fields['carp.checksum.status'], 'unverified');
  assert.deepEqual(annotationIds(f), ['carp.truncated']);
});

test('CARP in a first IPv4 fragment: checksum unverified', () => {
  const f = decode(B.carpFrame4({}, { mf: true, df: false }));
  assert.equal(layerFields(f, 'carp')['carp.checksum.status'], 'unverified');
  assert.ok(annotationIds(f).includes('ip.fragment'));
});

test('Ethernet padding after a CARP advert is not trailing data', () => {
  const f = decode(B.concat(B.carpFrame4(), new Uint8Array(6)));
  assert.deepEqual(annotationIds(f), []);
  assert.equal(layerFields(f, 'carp')['carp.trailing_length'], undefined);
});

test('u64Decimal agrees with BigInt for every 64-bit value (property, edges)', () => {
  const edges: [number, number][] = [[0, 0], [0x1fffff, 0xffffffff], [0x200000, 0], [0xffffffff, 0xffffffff], [0x0aaad807, 0xd3b6bb6e], [1, 0]];
  for (const [hi, lo] of edges) assert.equal(u64Decimal(hi, lo), ((BigInt(hi) << 32n) | BigInt(lo)).toString(), `${hi}:${lo}`);
  checkProperty(fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (hi, lo) => {
    assert.equal(u64Decimal(hi, lo), ((BigInt(hi) << 32n) | BigInt(lo)).toString());
  }), { seed: 64, numRuns: 5000 });
});
