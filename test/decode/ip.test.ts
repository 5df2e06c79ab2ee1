// IPv4, IPv6 (extension headers, fragments), AH and ESP dissectors, and the IpContext they
// hand to the upper layer.
// Modules: ipv4, ipv6, ah, esp

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../builders/packets.js';
import { annotationIds, decode, layerFields, protos } from './helpers.js';
import { assertFields } from '../support/assert.js';

test('IPv4 fields and ctx.ip', () => {
  const f = decode(B.carpFrame4({}, { src: '10.77.0.1', dst: '224.0.0.18', ttl: 255, id: 0xc11e, tos: 0x10 }));
  const ip = layerFields(f, 'ipv4');
  assertFields(ip, {
    'ip.version': 4,
    'ip.hdr_len': 20,
    'ip.dsfield': 0x10,
    'ip.len': 56,
    'ip.id': 0xc11e,
    'ip.flags.df': true,
    'ip.flags.mf': false,
    'ip.frag_offset': 0,
    'ip.ttl': 255,
    'ip.proto': 112,
    'ip.checksum.status': 'good',
    'ip.src': '10.77.0.1',
    'ip.dst': '224.0.0.18',
  });
  assert.ok(f.ip);
  assert.equal(f.ip.version, 4);
  assert.equal(f.ip.ttl, 255);
  assert.equal(f.ip.payloadLength, 36);
  assert.equal(f.ip.fragmented, false);
  assert.deepEqual([...f.ip.srcBytes], [10, 77, 0, 1]);
  assert.deepEqual([...f.ip.dstBytes], [224, 0, 0, 18]);
});

test('ip.bad_checksum with stored and expected values', () => {
  const good = B.ipv4({ proto: 112 }, B.carp());
  const expected = (good[10]! << 8) | good[11]!;
  const f = decode(B.carpFrame4({}, { checksum: 0xabcd }));
  assert.equal(layerFields(f, 'ipv4')['ip.checksum.status'], 'bad');
  const a = f.annotations.find((x) => x.id === 'ip.bad_checksum');
  assert.deepEqual(a?.details, { checksum: 0xabcd, expected });
  assert.deepEqual(protos(f), ['eth', 'ipv4', 'carp']);
});

test('IPv4 options kept as hex, checksum covers them', () => {
  const f = decode(B.carpFrame4({}, { options: Uint8Array.of(0x94, 0x04, 0x00, 0x00) }));
  const ip = layerFields(f, 'ipv4');
  assert.equal(ip['ip.hdr_len'], 24);
  assert.equal(ip['ip.options'], '94040000');
  assert.equal(ip['ip.checksum.status'], 'good');
  assert.equal(layerFields(f, 'carp')['carp.checksum.status'], 'good');
});

test('ip.fragment: a non-first fragment is not decoded further', () => {
  const f = decode(B.carpFrame4({}, { fragOffset: 64, df: false }));
  assert.deepEqual(protos(f), ['eth', 'ipv4']);
  assert.deepEqual(annotationIds(f), ['ip.fragment']);
  assert.equal(f.ip?.fragmented, true);
});

test('ip.bad_version: version 6 behind ethertype 0x0800', () => {
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv6({ nxt: 112 }, B.carp())));
  assert.deepEqual(protos(f), ['eth', 'ipv4']);
  assert.deepEqual(annotationIds(f), ['ip.bad_version']);
});

test('ipv4.malformed: IHL below 5 and total length below the header length', () => {
  const ihl = B.carpFrame4();
  ihl[14] = 0x44;
  assert.ok(annotationIds(decode(ihl)).includes('ipv4.malformed'));
  const f = decode(B.carpFrame4({}, { totalLength: 12 }));
  assert.ok(annotationIds(f).includes('ipv4.malformed'));
  assert.equal(layerFields(f, 'ipv4')['ip.dst'], '224.0.0.18');
});

test('IPv6 fields and ctx.ip', () => {
  const f = decode(B.carpFrame6({}, { tclass: 0xe0, flow: 0x12345, hlim: 255 }));
  const ip = layerFields(f, 'ipv6');
  assertFields(ip, {
    'ipv6.tclass': 0xe0,
    'ipv6.flow': 0x12345,
    'ipv6.plen': 36,
    'ipv6.nxt': 112,
    'ipv6.hlim': 255,
    'ipv6.src': 'fe80::2a0:98ff:fe01:2',
    'ipv6.dst': 'ff02::12',
  });
  assert.equal(f.ip?.version, 6);
  assert.equal(f.ip?.payloadLength, 36);
});

const extCases = [
  { name: 'hop-by-hop', ext: () => B.ipv6Ext(112), first: 0, list: [0] },
  { name: 'destination options', ext: () => B.ipv6Ext(112), first: 60, list: [60] },
  { name: 'routing + destination options', ext: () => B.concat(B.ipv6Ext(60), B.ipv6Ext(112)), first: 43, list: [43, 60] },
  { name: 'hop-by-hop + first fragment', ext: () => B.concat(B.ipv6Ext(44), B.ipv6Fragment(112, 0, true)), first: 0, list: [0, 44] },
];
for (const tc of extCases) {
  test(`IPv6 extension headers walked: ${tc.name}`, () => {
    const f = decode(B.carpFrame6({}, { nxt: tc.first, ext: tc.ext() }));
    assert.deepEqual(protos(f), ['eth', 'ipv6', 'carp']);
    const ip = layerFields(f, 'ipv6');
    assert.equal(ip['ipv6.nxt'], 112);
    assert.deepEqual(ip['ipv6.ext_headers'], tc.list);
    assert.equal(f.ip?.payloadLength, 36);
    assert.equal(layerFields(f, 'carp')['carp.checksum.status'], tc.list.includes(44) ? 'unverified' : 'good');
  });
}

test('ipv6.fragment: non-first fragment not decoded further', () => {
  const f = decode(B.carpFrame6({}, { nxt: 44, ext: B.ipv6Fragment(112, 1448, false) }));
  assert.deepEqual(protos(f), ['eth', 'ipv6']);
  assert.deepEqual(annotationIds(f), ['ipv6.fragment']);
  assert.equal(layerFields(f, 'ipv6')['ipv6.fragment.offset'], 1448);
});

test('ipv6.bad_version: version 4 behind ethertype 0x86dd', () => {
  const f = decode(B.ethernet({ type: 0x86dd }, B.ipv4({ proto: 112 }, B.carp())));
  assert.deepEqual(annotationIds(f), ['ipv6.bad_version']);
});

test('ipv6.malformed: an extension header longer than the payload length', () => {
  const ext = B.ipv6Ext(112);
  ext[1] = 20;
  const f = decode(B.carpFrame6({}, { nxt: 0, ext }));
  assert.ok(annotationIds(f).includes('ipv6.malformed'));
});

test('AH over IPv4 walked through to CARP, payload length reduced', () => {
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 51 }, B.ah(112, 0x1000, 5, B.carp()))));
  assert.deepEqual(protos(f), ['eth', 'ipv4', 'ah', 'carp']);
  const a = layerFields(f, 'ah');
  assertFields(a, { 'ah.next_header': 112, 'ah.length': 24, 'ah.spi': 0x1000, 'ah.sequence': 5, 'ah.icv': 'ab'.repeat(12) });
  assert.equal(f.ip?.payloadLength, 36);
  assert.equal(layerFields(f, 'carp')['carp.checksum.status'], 'good');
  assert.deepEqual(f.annotations, []);
});

test('AH over IPv6 walked through to VRRPv3', () => {
  const src = 'fe80::1';
  const dst = 'ff02::12';
  const f = decode(B.ethernet({ type: 0x86dd }, B.ipv6({ nxt: 51, src, dst }, B.ah(112, 1, 1, B.vrrp3({ src, dst })))));
  assert.deepEqual(protos(f), ['eth', 'ipv6', 'ah', 'vrrp']);
  assert.equal(layerFields(f, 'ipv6')['ipv6.nxt'], 51);
  assert.equal(layerFields(f, 'vrrp')['vrrp.checksum.status'], 'good');
});

test('ah.malformed: AH length below 12', () => {
  const body = B.ah(112, 1, 1, B.carp());
  body[1] = 0;
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 51 }, body)));
  assert.ok(annotationIds(f).includes('ah.malformed'));
});

test('ESP stops with SPI and sequence', () => {
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 50 }, B.concat(B.u32(0xdeadbeef), B.u32(42), new Uint8Array(32)))));
  assert.deepEqual(protos(f), ['eth', 'ipv4', 'esp']);
  assert.deepEqual(layerFields(f, 'esp'), { 'esp.spi': 0xdeadbeef, 'esp.sequence': 42 });
});

test('IP-in-IP: the inner header sets ctx.ip', () => {
  const inner = B.ipv4({ proto: 112, src: '192.0.2.1', ttl: 255 }, B.carp());
  const f = decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 4, ttl: 60 }, inner)));
  assert.deepEqual(protos(f), ['eth', 'ipv4', 'ipv4', 'carp']);
  assert.equal(f.ip?.src, '192.0.2.1');
  assert.deepEqual(annotationIds(f), []);
});

test('pfsync link types: a zero IPv4 header checksum is unverified, not bad (OpenBSD 7.4+ pfsync0)', () => {
  const dgram = B.ipv4({ proto: 240, src: '0.0.0.0', dst: '224.0.0.240', checksum: 0 }, Uint8Array.of(6, 0, 0, 12, ...new Uint8Array(8)));
  for (const lt of [246, 18]) {
    const f = decode(dgram, lt);
    assert.equal(layerFields(f, 'ipv4')['ip.checksum.status'], 'unverified', `linktype ${lt}`);
    assert.ok(!annotationIds(f).includes('ip.bad_checksum'));
  }
  const eth = decode(B.ethernet({ type: 0x0800 }, dgram));
  assert.equal(layerFields(eth, 'ipv4')['ip.checksum.status'], 'bad');
});
