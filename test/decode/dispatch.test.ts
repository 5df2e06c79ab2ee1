// One test per row of the dispatch tables: link types, ethertypes, IP protocols, and the
// per-packet CARP/VRRP decision for IP protocol 112 (carp.md section 8.2).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../builders/packets.js';
import { pflogFrame } from '../builders/pflog.js';
import {
  DISSECTORS, ETHERTYPE_DISSECTORS, IP_PROTOCOL_DISSECTORS, LINKTYPE_DISSECTORS, decideProto112, dissectorForEthertype,
  dissectorForIpProtocol, dissectorForLinktype,
} from '../../src/decode/dispatch.js';
import { decode, protos } from './helpers.js';

const carp4 = () => B.ipv4({ proto: 112 }, B.carp());

test('every dissector name in the tables exists', () => {
  for (const name of [...Object.values(LINKTYPE_DISSECTORS), ...Object.values(ETHERTYPE_DISSECTORS), ...Object.values(IP_PROTOCOL_DISSECTORS), 'carp', 'vrrp', 'loop', 'raw4', 'raw6']) {
    assert.ok(DISSECTORS[name], name);
  }
});

// Link types: one frame per row, and the layer it must produce first.
const linktypeRows: { linktype: number; bytes: () => Uint8Array; first: string; name: string }[] = [
  { linktype: 0, name: 'null', bytes: () => B.nullHeader(2, true, carp4()), first: 'null' },
  { linktype: 1, name: 'eth', bytes: () => B.carpFrame4(), first: 'eth' },
  { linktype: 12, name: 'raw', bytes: carp4, first: 'raw' },
  { linktype: 14, name: 'raw', bytes: carp4, first: 'raw' },
  { linktype: 101, name: 'raw', bytes: carp4, first: 'raw' },
  { linktype: 107, name: 'fr', bytes: () => B.frameRelay(16, 0xcc, carp4()), first: 'fr' },
  { linktype: 108, name: 'loop', bytes: () => B.nullHeader(2, false, carp4()), first: 'null' },
  { linktype: 109, name: 'enc', bytes: () => B.encHeader(2, 1, 0, carp4()), first: 'enc' },
  { linktype: 113, name: 'sll', bytes: () => B.sll(0x0800, carp4()), first: 'sll' },
  { linktype: 117, name: 'pflog', bytes: () => pflogFrame({}, carp4()), first: 'pflog' },
  { linktype: 228, name: 'raw4', bytes: carp4, first: 'raw' },
  { linktype: 229, name: 'raw6', bytes: () => B.ipv6({ nxt: 112 }, B.carp()), first: 'raw' },
  { linktype: 276, name: 'sll2', bytes: () => B.sll2(0x0800, carp4()), first: 'sll2' },
];
for (const row of linktypeRows) {
  test(`linktype ${row.linktype} -> ${row.name}`, () => {
    const bytes = row.bytes();
    assert.equal(dissectorForLinktype(row.linktype, bytes), row.name);
    const f = decode(bytes, row.linktype);
    assert.equal(protos(f)[0], row.first);
    assert.equal(protos(f).at(-1), 'carp');
  });
}

test('every LINKTYPE_DISSECTORS row is covered above (246 by the pfsync rows)', () => {
  const covered = new Set([...linktypeRows.map((r) => r.linktype), 246]);
  for (const lt of Object.keys(LINKTYPE_DISSECTORS)) assert.ok(covered.has(Number(lt)), `linktype ${lt} has no row test`);
});

test('linktype 246 -> pfsync-link', () => {
  assert.equal(dissectorForLinktype(246, Uint8Array.of(6, 0, 0, 20)), 'pfsync-link');
});

test('linktype 18 -> pfsync-link only when the bytes look like pfsync', () => {
  const ipPfsync = B.ipv4({ proto: 240, src: '0.0.0.0', dst: '224.0.0.240' }, new Uint8Array(20));
  assert.equal(dissectorForLinktype(18, ipPfsync), 'pfsync-link');
  assert.equal(dissectorForLinktype(18, Uint8Array.of(0xaa, 0xaa, 0x03, 0, 0, 0)), undefined);
});

test('linktypes 12/14 only for version nibble 4 or 6', () => {
  assert.equal(dissectorForLinktype(12, Uint8Array.of(0x60)), 'raw');
  assert.equal(dissectorForLinktype(14, Uint8Array.of(0x20)), undefined);
});

// Ethertypes.
const ethertypeRows: { type: number; name: string; payload: () => Uint8Array; second: string }[] = [
  { type: 0x0800, name: 'ipv4', payload: carp4, second: 'ipv4' },
  { type: 0x86dd, name: 'ipv6', payload: () => B.ipv6({ nxt: 112 }, B.carp()), second: 'ipv6' },
  { type: 0x0806, name: 'arp', payload: () => B.arp(), second: 'arp' },
  { type: 0x8100, name: 'vlan', payload: () => B.concat(B.u16(5), B.u16(0x0800), carp4()), second: 'vlan' },
  { type: 0x88a8, name: 'vlan', payload: () => B.concat(B.u16(5), B.u16(0x0800), carp4()), second: 'vlan' },
  { type: 0x9100, name: 'vlan', payload: () => B.concat(B.u16(5), B.u16(0x0800), carp4()), second: 'vlan' },
];
for (const row of ethertypeRows) {
  test(`ethertype 0x${row.type.toString(16)} -> ${row.name}`, () => {
    assert.equal(dissectorForEthertype(row.type), row.name);
    const f = decode(B.ethernet({ type: row.type }, row.payload()));
    assert.equal(protos(f)[1], row.second);
  });
}
test('every ETHERTYPE_DISSECTORS row is covered', () => {
  for (const t of Object.keys(ETHERTYPE_DISSECTORS)) assert.ok(ethertypeRows.some((r) => r.type === Number(t)), t);
});
test('unknown ethertype: nothing after eth', () => {
  assert.equal(dissectorForEthertype(0x88cc), undefined);
  assert.deepEqual(protos(decode(B.ethernet({ type: 0x88cc }, new Uint8Array(40)))), ['eth']);
});

// IP protocols.
const info = (start: number, len: number) => ({ ipVersion: 4 as const, start, capturedEnd: start + len, payloadLength: len });
const ipRows: { proto: number; name: string; frame: () => Uint8Array; third: string }[] = [
  { proto: 4, name: 'ipv4', frame: () => B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 4 }, carp4())), third: 'ipv4' },
  { proto: 41, name: 'ipv6', frame: () => B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 41 }, B.ipv6({ nxt: 112 }, B.carp()))), third: 'ipv6' },
  { proto: 50, name: 'esp', frame: () => B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 50 }, new Uint8Array(16))), third: 'esp' },
  { proto: 51, name: 'ah', frame: () => B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 51 }, B.ah(112, 1, 1, B.carp()))), third: 'ah' },
  { proto: 58, name: 'icmpv6', frame: () => B.naFrame(), third: 'icmpv6' },
  { proto: 240, name: 'pfsync', frame: () => B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 240, dst: '224.0.0.240' }, Uint8Array.of(6, 0, 0, 12, ...new Uint8Array(8)))), third: 'pfsync' },
];
for (const row of ipRows) {
  test(`IP protocol ${row.proto} -> ${row.name}`, () => {
    assert.equal(dissectorForIpProtocol(row.proto, new Uint8Array(64), info(0, 64), {}), row.name);
    assert.equal(protos(decode(row.frame()))[2], row.third);
  });
}
test('every IP_PROTOCOL_DISSECTORS row is covered', () => {
  for (const p of Object.keys(IP_PROTOCOL_DISSECTORS)) assert.ok(ipRows.some((r) => r.proto === Number(p)), p);
});
test('unknown IP protocol (UDP): nothing after ipv4', () => {
  assert.equal(dissectorForIpProtocol(17, new Uint8Array(8), info(0, 8), {}), undefined);
  assert.deepEqual(protos(decode(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 17 }, new Uint8Array(8))))), ['eth', 'ipv4']);
});

// IP protocol 112: decided per packet.
const p112Rows: { rule: string; ip: 4 | 6; payload: () => Uint8Array; expect: 'carp' | 'vrrp' }[] = [
  { rule: '1: version 3 -> VRRP', ip: 4, payload: () => B.vrrp3({ src: '10.0.0.1', dst: '224.0.0.18' }), expect: 'vrrp' },
  { rule: '1: version 3 over IPv6 -> VRRP', ip: 6, payload: () => B.vrrp3({ src: 'fe80::1', dst: 'ff02::12' }), expect: 'vrrp' },
  { rule: '2: version 2 over IPv6 -> CARP (even with VRRP-like length)', ip: 6, payload: () => B.vrrp2(), expect: 'carp' },
  { rule: '3: v2, type 1, 36 bytes, byte 3 == 7 -> CARP', ip: 4, payload: () => B.carp(), expect: 'carp' },
  { rule: '4: v2, length 16 + 4n -> VRRPv2', ip: 4, payload: () => B.vrrp2({ addrs: ['1.1.1.1', '2.2.2.2'] }), expect: 'vrrp' },
  { rule: '4: a 36-byte VRRPv2 with 5 addresses -> VRRP', ip: 4, payload: () => B.vrrp2({ addrs: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5'] }), expect: 'vrrp' },
  { rule: '5: v2, 36 bytes, authlen 6 -> CARP', ip: 4, payload: () => B.carp({ authlen: 6 }), expect: 'carp' },
  { rule: '5: v2, type 2, authlen 7 -> CARP', ip: 4, payload: () => B.carp({ type: 2 }), expect: 'carp' },
  { rule: '5: v2 with 40 bytes and byte 3 == 7 (trailing data) -> CARP', ip: 4, payload: () => B.concat(B.carp(), new Uint8Array(4)), expect: 'carp' },
  { rule: '5: v1 with byte 3 == 7 -> CARP (Wireshark heuristic)', ip: 4, payload: () => B.carp({ version: 1 }), expect: 'carp' },
  { rule: '5: v7 -> VRRP (tcpdump default)', ip: 4, payload: () => B.vrrp2({ version: 7, type: 2 }), expect: 'vrrp' },
  { rule: '5: v2, short and inconsistent -> VRRP', ip: 4, payload: () => B.vrrp2({ count: 9 }), expect: 'vrrp' },
  { rule: 'nothing captured -> VRRP', ip: 4, payload: () => new Uint8Array(0), expect: 'vrrp' },
];
for (const row of p112Rows) {
  test(`IP protocol 112, rule ${row.rule}`, () => {
    const p = row.payload();
    assert.equal(decideProto112(row.ip, p, 0, p.length, p.length), row.expect);
    const frame = row.ip === 4
      ? B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112 }, p))
      : B.ethernet({ type: 0x86dd }, B.ipv6({ nxt: 112 }, p));
    assert.equal(protos(decode(frame))[2], row.expect, protos(decode(frame)).join(','));
  });
}

test('IP protocol 112 with --decode-as overrides the rule both ways', () => {
  assert.equal(dissectorForIpProtocol(112, B.carp(), info(0, 36), { decodeAs: 'vrrp' }), 'vrrp');
  const v = B.vrrp2();
  assert.equal(dissectorForIpProtocol(112, v, info(0, v.length), { decodeAs: 'carp' }), 'carp');
  assert.equal(dissectorForIpProtocol(112, v, info(0, v.length), {}), 'vrrp');
});

// A first fragment carries only part of the datagram: the length rules cannot apply.
test('IP protocol 112, first fragment of a CARP advert (24 of 36 bytes, MF) -> CARP', () => {
  const head = B.carp().subarray(0, 24);
  assert.equal(decideProto112(4, head, 0, head.length, head.length, true), 'carp');
  assert.equal(decideProto112(4, head, 0, head.length, head.length, false), 'vrrp');
  const frame = B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112, mf: true }, head));
  assert.equal(protos(decode(frame))[2], 'carp');
});
test('IP protocol 112, first fragment of a VRRPv2 advert (count 2) -> VRRP', () => {
  const head = B.vrrp2({ addrs: ['1.1.1.1', '2.2.2.2'] }).subarray(0, 16);
  assert.equal(decideProto112(4, head, 0, head.length, head.length, true), 'vrrp');
});
