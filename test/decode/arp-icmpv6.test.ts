// ARP and ICMPv6 neighbour discovery dissectors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../builders/packets.js';
import { annotationIds, decode, layerFields, protos } from './helpers.js';

const arpCases = [
  { name: 'gratuitous request', a: { opcode: 1, senderIp: '10.77.0.100', targetIp: '10.77.0.100' }, gratuitous: true },
  { name: 'ordinary request', a: { opcode: 1, senderIp: '10.77.0.1', targetIp: '10.77.0.2' }, gratuitous: false },
  { name: 'gratuitous reply', a: { opcode: 2, senderIp: '10.77.0.100', targetIp: '10.77.0.100', targetMac: 'ff:ff:ff:ff:ff:ff' }, gratuitous: true },
];
for (const tc of arpCases) {
  test(`ARP: ${tc.name}`, () => {
    const f = decode(B.arpFrame(tc.a));
    assert.deepEqual(protos(f), ['eth', 'arp']);
    const a = layerFields(f, 'arp');
    assert.equal(a['arp.hw.type'], 1);
    assert.equal(a['arp.proto.type'], 0x0800);
    assert.equal(a['arp.opcode'], tc.a.opcode);
    assert.equal(a['arp.src.hw_mac'], '00:00:5e:00:01:07');
    assert.equal(a['arp.src.proto_ipv4'], tc.a.senderIp);
    assert.equal(a['arp.dst.hw_mac'], tc.a.targetMac ?? '00:00:00:00:00:00');
    assert.equal(a['arp.dst.proto_ipv4'], tc.a.targetIp);
    assert.equal(a['arp.isgratuitous'], tc.gratuitous);
  });
}

test('ARP with non-Ethernet sizes: addresses as hex', () => {
  const body = B.concat(B.u16(6), B.u16(0x0800), Uint8Array.of(2, 4), B.u16(1), Uint8Array.of(0xaa, 0xbb), B.ip4('1.2.3.4'), Uint8Array.of(0xcc, 0xdd), B.ip4('1.2.3.5'));
  const a = layerFields(decode(B.ethernet({ type: 0x0806 }, body)), 'arp');
  assert.equal(a['arp.src.hw'], 'aabb');
  assert.equal(a['arp.dst.hw'], 'ccdd');
  assert.equal(a['arp.src.proto_ipv4'], '1.2.3.4');
  assert.equal(a['arp.isgratuitous'], false);
});

test('ICMPv6 neighbour advertisement: flags, target, link-layer address, checksum', () => {
  const f = decode(B.naFrame({ r: true, s: false, o: true, target: '2001:db8::100', lladdr: '00:00:5e:00:01:0a' }));
  assert.deepEqual(protos(f), ['eth', 'ipv6', 'icmpv6']);
  const i = layerFields(f, 'icmpv6');
  assert.equal(i['icmpv6.type'], 136);
  assert.equal(i['icmpv6.code'], 0);
  assert.equal(i['icmpv6.checksum.status'], 'good');
  assert.equal(i['icmpv6.nd.na.flag.r'], true);
  assert.equal(i['icmpv6.nd.na.flag.s'], false);
  assert.equal(i['icmpv6.nd.na.flag.o'], true);
  assert.equal(i['icmpv6.nd.na.target_address'], '2001:db8::100');
  assert.equal(i['icmpv6.opt.linkaddr'], '00:00:5e:00:01:0a');
  assert.deepEqual(f.annotations, []);
});

test('icmpv6.bad_checksum', () => {
  const f = decode(B.naFrame({ checksum: 0xbeef }));
  assert.equal(layerFields(f, 'icmpv6')['icmpv6.checksum.status'], 'bad');
  assert.deepEqual(annotationIds(f), ['icmpv6.bad_checksum']);
});

test('ICMPv6 neighbour solicitation target and source link-layer option', () => {
  const src = 'fe80::1';
  const dst = 'ff02::1:ff00:100';
  const m = B.concat(Uint8Array.of(135, 0), B.u16(0), B.u32(0), B.ip6('2001:db8::100'), Uint8Array.of(1, 1), B.macBytes('02:00:00:00:00:0a'));
  const ck = B.rfc1071(m, B.pseudoSum(B.ip6(src), B.ip6(dst), m.length, 58));
  m[2] = ck >> 8; m[3] = ck & 0xff;
  const f = decode(B.ethernet({ type: 0x86dd }, B.ipv6({ nxt: 58, src, dst }, m)));
  const i = layerFields(f, 'icmpv6');
  assert.equal(i['icmpv6.nd.ns.target_address'], '2001:db8::100');
  assert.equal(i['icmpv6.opt.src_linkaddr'], '02:00:00:00:00:0a');
  assert.equal(i['icmpv6.checksum.status'], 'good');
});

test('icmpv6.malformed: ND option of length 0', () => {
  const m = B.concat(Uint8Array.of(136, 0), B.u16(0), B.u32(0), B.ip6('2001:db8::1'), Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0));
  const f = decode(B.ethernet({ type: 0x86dd }, B.ipv6({ nxt: 58 }, m)));
  assert.ok(annotationIds(f).includes('icmpv6.malformed'));
  assert.equal(layerFields(f, 'icmpv6')['icmpv6.nd.na.target_address'], '2001:db8::1');
});
