// VRRP dissector (v2 and v3 over IPv4 and IPv6): fields, checksums and every annotation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../builders/packets.js';
import { annotationIds, decode, layerFields, protos } from './helpers.js';
import { assertFields } from '../support/assert.js';

test('VRRPv2 with simple-text auth and two addresses', () => {
  const f = decode(B.vrrp2Frame({ vrid: 51, prio: 150, authType: 1, auth: 'kapass', addrs: ['10.77.0.51', '10.77.0.61'] }));
  assert.deepEqual(protos(f), ['eth', 'ipv4', 'vrrp']);
  const v = layerFields(f, 'vrrp');
  assertFields(v, {
    'vrrp.version': 2,
    'vrrp.type': 1,
    'vrrp.virt_rtr_id': 51,
    'vrrp.prio': 150,
    'vrrp.addr_count': 2,
    'vrrp.auth_type': 1,
    'vrrp.adver_int': 1,
    'vrrp.checksum.status': 'good',
    'vrrp.ip_addr': ['10.77.0.51', '10.77.0.61'],
    'vrrp.auth_string': 'kapass',
  });
  assert.deepEqual(f.annotations, []);
});

test('VRRPv3 over IPv4: pseudo-header checksum good, centisecond interval', () => {
  const f = decode(B.vrrp3Frame4({ vrid: 52, maxAdverInt: 100 }));
  const v = layerFields(f, 'vrrp');
  assertFields(v, {
    'vrrp.version': 3,
    'vrrp.short_adver_int': 100,
    'vrrp.adver_int': undefined,
    'vrrp.checksum.status': 'good',
    'vrrp.ip_addr': ['10.77.0.52'],
  });
  assert.deepEqual(f.annotations, []);
});

test('VRRPv3 over IPv6: IPv6 addresses, pseudo-header checksum good', () => {
  const f = decode(B.vrrp3Frame6({ addrs: ['fd00:77::53', '2001:db8::1'] }));
  const v = layerFields(f, 'vrrp');
  assert.deepEqual(v['vrrp.ip_addr'], ['fd00:77::53', '2001:db8::1']);
  assert.equal(v['vrrp.checksum.status'], 'good');
  assert.deepEqual(f.annotations, []);
});

test('vrrp.bad_checksum (v2): stored and expected values', () => {
  const right = B.vrrp2();
  const expected = (right[6]! << 8) | right[7]!;
  const f = decode(B.vrrp2Frame({ checksum: 0x1234 }));
  assert.equal(layerFields(f, 'vrrp')['vrrp.checksum.status'], 'bad');
  const a = f.annotations.find((x) => x.id === 'vrrp.bad_checksum');
  assert.deepEqual(a?.details, { checksum: 0x1234, expected });
});

test('vrrp.bad_checksum (v3): a checksum computed without the pseudo-header is bad', () => {
  const m = B.vrrp3({ src: '10.77.0.1', dst: '224.0.0.18' });
  m[6] = 0; m[7] = 0;
  const noPseudo = B.rfc1071(m);
  const f = decode(B.vrrp3Frame4({ checksum: noPseudo }));
  assert.deepEqual(annotationIds(f), ['vrrp.bad_checksum']);
});

test('vrrp.bad_ttl', () => {
  const f = decode(B.vrrp2Frame({}, { ttl: 5 }));
  assert.deepEqual(annotationIds(f), ['vrrp.bad_ttl']);
});

test('vrrp.bad_length: count says 4 addresses, the message has room for 3 -> malformed at the declared end', () => {
  const f = decode(B.vrrp2Frame({ count: 4 }), 1, { decodeAs: 'vrrp' });
  const ids = annotationIds(f);
  assert.ok(ids.includes('vrrp.bad_length'), ids.join());
  assert.ok(ids.includes('vrrp.malformed'), ids.join());
  const l = f.layers.find((x) => x.proto === 'vrrp')!;
  assert.equal(l.status, 'malformed');
  assert.deepEqual(l.fields['vrrp.ip_addr'], ['10.77.0.51', '0.0.0.0', '0.0.0.0']);
});

test('vrrp.bad_version: version 7 stops after the common bytes', () => {
  const f = decode(B.vrrp2Frame({ version: 7, type: 2 }));
  assert.deepEqual(annotationIds(f), ['vrrp.bad_version']);
  const v = layerFields(f, 'vrrp');
  assert.equal(v['vrrp.version'], 7);
  assert.equal(v['vrrp.checksum'], undefined);
});

test('vrrp.truncated: cut in the address list keeps the fields before the cut', () => {
  const full = B.vrrp2Frame({ addrs: ['10.0.0.1', '10.0.0.2'] });
  const f = decode(full.subarray(0, 14 + 20 + 8 + 6), 1, {}, full.length);
  const l = f.layers.find((x) => x.proto === 'vrrp')!;
  assert.equal(l.status, 'truncated');
  assert.deepEqual(l.fields['vrrp.ip_addr'], ['10.0.0.1']);
  assert.equal(l.fields['vrrp.checksum.status'], 'unverified');
  assert.ok(annotationIds(f).includes('vrrp.truncated'));
});

test('--decode-as carp turns a VRRPv2 advert into a (bad) CARP layer; --decode-as vrrp the reverse', () => {
  const v = decode(B.vrrp2Frame(), 1, { decodeAs: 'carp' });
  assert.deepEqual(protos(v), ['eth', 'ipv4', 'carp']);
  const c = decode(B.carpFrame4(), 1, { decodeAs: 'vrrp' });
  assert.deepEqual(protos(c), ['eth', 'ipv4', 'vrrp']);
  assert.equal(layerFields(c, 'vrrp')['vrrp.addr_count'], 7);
});

test('VRRPv2 without authentication data (auth type 0, length 8 + 4n) is not a length error', () => {
  const full = B.vrrp2({ addrs: ['192.168.0.1', '192.168.0.2'] });
  const short = full.slice(0, 16);
  short[6] = 0; short[7] = 0;
  const ck = B.rfc1071(short);
  short[6] = ck >> 8; short[7] = ck & 0xff;
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112 }, short)));
  assert.deepEqual(annotationIds(f), []);
  const v = layerFields(f, 'vrrp');
  assert.deepEqual(v['vrrp.ip_addr'], ['192.168.0.1', '192.168.0.2']);
  assert.equal(v['vrrp.checksum.status'], 'good');
  const withAuth = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112 }, B.vrrp2({ authType: 1, auth: 'x', count: 2, addrs: ['1.1.1.1'] }))));
  assert.ok(annotationIds(withAuth).includes('vrrp.bad_length'));
});
