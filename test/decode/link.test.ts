// Link-layer dissectors: Ethernet and VLAN tags, SLL/SLL2, NULL/LOOP, raw IP, Frame Relay, enc.
// Modules: eth, vlan, sll, sll2, null, raw, fr, enc

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../builders/packets.js';
import { annotationIds, decode, layerFields, protos } from './helpers.js';

const carp4 = () => B.ipv4({ proto: 112 }, B.carp());
const carp6 = () => B.ipv6({ nxt: 112 }, B.carp());

test('Ethernet fields', () => {
  const f = decode(B.carpFrame4());
  assert.deepEqual(layerFields(f, 'eth'), { 'eth.dst': '01:00:5e:00:00:12', 'eth.src': '00:00:5e:00:01:07', 'eth.type': 0x0800 });
});

test('802.3 length field: eth.len, nothing decoded after it', () => {
  const f = decode(B.ethernet({ type: 46 }, new Uint8Array(46)));
  assert.deepEqual(protos(f), ['eth']);
  assert.equal(layerFields(f, 'eth')['eth.len'], 46);
});

const vlanCases: { name: string; tags: { tpid: number; id: number; priority?: number }[] }[] = [
  { name: '802.1Q', tags: [{ tpid: 0x8100, id: 36, priority: 5 }] },
  { name: '802.1ad + 802.1Q (QinQ)', tags: [{ tpid: 0x88a8, id: 100 }, { tpid: 0x8100, id: 36 }] },
  { name: '0x9100 + 802.1Q', tags: [{ tpid: 0x9100, id: 7 }, { tpid: 0x8100, id: 4095 }] },
];
for (const tc of vlanCases) {
  test(`VLAN: ${tc.name}`, () => {
    const f = decode(B.ethernetTagged(tc.tags, 0x0800, carp4()));
    assert.deepEqual(protos(f), ['eth', ...tc.tags.map(() => 'vlan'), 'ipv4', 'carp']);
    const vlans = f.layers.filter((l) => l.proto === 'vlan');
    tc.tags.forEach((t, i) => {
      assert.equal(vlans[i]!.fields['vlan.id'], t.id);
      assert.equal(vlans[i]!.fields['vlan.priority'], t.priority ?? 0);
      assert.equal(vlans[i]!.fields['vlan.etype'], i + 1 < tc.tags.length ? tc.tags[i + 1]!.tpid : 0x0800);
    });
    assert.equal(layerFields(f, 'carp')['carp.checksum.status'], 'good');
  });
}

test('SLL (113): fields and IPv6 CARP behind it', () => {
  const f = decode(B.sll(0x86dd, carp6()), 113);
  assert.deepEqual(protos(f), ['sll', 'ipv6', 'carp']);
  assert.deepEqual(layerFields(f, 'sll'), { 'sll.pkttype': 2, 'sll.hatype': 1, 'sll.halen': 6, 'sll.src.eth': '02:00:00:00:00:0a', 'sll.etype': 0x86dd });
});

test('SLL2 (276): fields and IPv4 CARP behind it', () => {
  const f = decode(B.sll2(0x0800, carp4()), 276);
  assert.deepEqual(protos(f), ['sll2', 'ipv4', 'carp']);
  const s = layerFields(f, 'sll2');
  assert.equal(s['sll.etype'], 0x0800);
  assert.equal(s['sll.ifindex'], 3);
  assert.equal(s['sll.pkttype'], 2);
  assert.equal(s['sll.src.eth'], '02:00:00:00:00:0a');
});

test('SLL with a Linux protocol below 1536: sll.ltype, nothing after', () => {
  const f = decode(B.sll(4, new Uint8Array(10)), 113);
  assert.deepEqual(protos(f), ['sll']);
  assert.equal(layerFields(f, 'sll')['sll.ltype'], 4);
});

const familyCases = [
  { linktype: 0, family: 2, le: true, next: 'ipv4', swapped: false },
  { linktype: 0, family: 2, le: false, next: 'ipv4', swapped: true },
  { linktype: 0, family: 24, le: true, next: 'ipv6', swapped: false },
  { linktype: 0, family: 28, le: true, next: 'ipv6', swapped: false },
  { linktype: 0, family: 30, le: false, next: 'ipv6', swapped: true },
  { linktype: 108, family: 2, le: false, next: 'ipv4', swapped: false },
  { linktype: 108, family: 24, le: false, next: 'ipv6', swapped: false },
  { linktype: 108, family: 24, le: true, next: 'ipv6', swapped: true },
];
for (const tc of familyCases) {
  test(`linktype ${tc.linktype}: family ${tc.family} stored ${tc.le ? 'little' : 'big'}-endian`, () => {
    const f = decode(B.nullHeader(tc.family, tc.le, tc.next === 'ipv4' ? carp4() : carp6()), tc.linktype);
    assert.deepEqual(protos(f), ['null', tc.next, 'carp']);
    const n = layerFields(f, 'null');
    assert.equal(n['null.family'], tc.family);
    assert.equal(n['null.family.swapped'] ?? false, tc.swapped);
  });
}

test('NULL with an unknown family: nothing decoded after it', () => {
  const f = decode(B.nullHeader(99, true, carp4()), 0);
  assert.deepEqual(protos(f), ['null']);
});

const rawCases = [
  { linktype: 101, bytes: carp4, next: 'ipv4' },
  { linktype: 101, bytes: carp6, next: 'ipv6' },
  { linktype: 12, bytes: carp4, next: 'ipv4' },
  { linktype: 14, bytes: carp6, next: 'ipv6' },
  { linktype: 228, bytes: carp4, next: 'ipv4' },
  { linktype: 229, bytes: carp6, next: 'ipv6' },
];
for (const tc of rawCases) {
  test(`raw IP linktype ${tc.linktype} -> ${tc.next}`, () => {
    const f = decode(tc.bytes(), tc.linktype);
    assert.deepEqual(protos(f), ['raw', tc.next, 'carp']);
    assert.equal(f.layers[0]!.length, 0);
  });
}

test('linktype 12 whose first nibble is not 4 or 6 is not decoded', () => {
  const f = decode(Uint8Array.of(0x21, 0, 0, 0), 12);
  assert.deepEqual(protos(f), []);
  assert.deepEqual(annotationIds(f), ['frame.unsupported_linktype']);
});

test('unknown link type: no layers, frame.unsupported_linktype', () => {
  const f = decode(B.carpFrame4(), 147);
  assert.deepEqual(protos(f), []);
  assert.deepEqual(annotationIds(f), ['frame.unsupported_linktype']);
});

test('Frame Relay RFC 2427: DLCI, NLPID IPv4 and IPv6', () => {
  const f4 = decode(B.frameRelay(100, 0xcc, carp4()), 107);
  assert.deepEqual(protos(f4), ['fr', 'ipv4', 'carp']);
  const fr = layerFields(f4, 'fr');
  assert.equal(fr['fr.dlci'], 100);
  assert.equal(fr['fr.control'], 3);
  assert.equal(fr['fr.nlpid'], 0xcc);
  const f6 = decode(B.frameRelay(16, 0x8e, carp6()), 107);
  assert.deepEqual(protos(f6), ['fr', 'ipv6', 'carp']);
});

test('Frame Relay Cisco encapsulation, 3-octet address (tcpdump fuzz capture header)', () => {
  const hdr = B.hexBytes('80ea9d0800');
  const f = decode(B.concat(hdr, carp4()), 107);
  assert.deepEqual(protos(f), ['fr', 'ipv4', 'carp']);
  const fr = layerFields(f, 'fr');
  assert.equal(fr['fr.dlci'], 33703);
  assert.equal(fr['fr.fecn'], true);
  assert.equal(fr['fr.de'], true);
  assert.equal(fr['fr.ethertype'], 0x0800);
});

test('OpenBSD enc (109): af, spi, flags, then IP', () => {
  const f = decode(B.encHeader(2, 0x1000abcd, 0x0c00, carp4()), 109);
  assert.deepEqual(protos(f), ['enc', 'ipv4', 'carp']);
  assert.deepEqual(layerFields(f, 'enc'), { 'enc.af': 2, 'enc.spi': 0x1000abcd, 'enc.flags': 0x0c00 });
  const f6 = decode(B.encHeader(24, 1, 0, carp6()), 109);
  assert.deepEqual(protos(f6), ['enc', 'ipv6', 'carp']);
});

test('eth.truncated: frame shorter than the Ethernet header', () => {
  const f = decode(B.carpFrame4().subarray(0, 10), 1, {}, 70);
  assert.equal(f.layers[0]!.status, 'truncated');
  assert.equal(layerFields(f, 'eth')['eth.dst'], '01:00:5e:00:00:12');
  assert.deepEqual(annotationIds(f), ['eth.truncated']);
});
