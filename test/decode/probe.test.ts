// The fast probe: true for every frame that may carry CARP/VRRP/pfsync/ARP/ICMPv6, false for
// ordinary background traffic (the pipeline decodes only what the probe accepts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInterestingFrame } from '../../src/decode/probe.js';
import * as B from '../builders/packets.js';
import { validFixtures } from './fixtures.js';
import { rawFrame } from '../support/frames.js';

for (const fx of validFixtures()) {
  const interesting = !fx.name.endsWith('/esp');
  test(`probe ${interesting ? 'accepts' : 'rejects'} ${fx.name}`, () => {
    assert.equal(isInterestingFrame(rawFrame(fx.bytes, { linktype: fx.linktype })), interesting);
  });
}

const udp = () => B.ipv4({ proto: 17, dst: '10.0.0.2' }, new Uint8Array(28));
const tcp6 = () => B.ipv6({ nxt: 6, dst: '2001:db8::2' }, new Uint8Array(40));
const background: { name: string; linktype: number; bytes: () => Uint8Array }[] = [
  { name: 'eth/ipv4/udp', linktype: 1, bytes: () => B.ethernet({ type: 0x0800 }, udp()) },
  { name: 'eth/ipv6/tcp', linktype: 1, bytes: () => B.ethernet({ type: 0x86dd }, tcp6()) },
  { name: 'eth/vlan/ipv4/udp', linktype: 1, bytes: () => B.ethernetTagged([{ tpid: 0x8100, id: 5 }], 0x0800, udp()) },
  { name: 'eth/ipv6+hbh/tcp', linktype: 1, bytes: () => B.ethernet({ type: 0x86dd }, B.ipv6({ nxt: 0, ext: B.ipv6Ext(6) }, new Uint8Array(20))) },
  { name: 'eth/LLDP', linktype: 1, bytes: () => B.ethernet({ type: 0x88cc }, new Uint8Array(30)) },
  { name: 'sll/ipv4/udp', linktype: 113, bytes: () => B.sll(0x0800, udp()) },
  { name: 'sll2/ipv6/tcp', linktype: 276, bytes: () => B.sll2(0x86dd, tcp6()) },
  { name: 'null/ipv4/udp', linktype: 0, bytes: () => B.nullHeader(2, true, udp()) },
  { name: 'raw/ipv6/tcp', linktype: 101, bytes: tcp6 },
  { name: 'fr/ipv4/udp', linktype: 107, bytes: () => B.frameRelay(1, 0xcc, udp()) },
  { name: 'enc/ipv4/udp', linktype: 109, bytes: () => B.encHeader(2, 1, 0, udp()) },
  { name: 'unknown linktype', linktype: 147, bytes: () => B.carpFrame4() },
  { name: 'empty Ethernet', linktype: 1, bytes: () => new Uint8Array(0) },
];
for (const row of background) {
  test(`probe rejects ${row.name}`, () => {
    assert.equal(isInterestingFrame(rawFrame(row.bytes(), { linktype: row.linktype })), false);
  });
}

test('probe accepts pfsync over IPv4, the pfsync link type, and AH', () => {
  assert.equal(isInterestingFrame(rawFrame(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 240 }, new Uint8Array(12))))), true);
  assert.equal(isInterestingFrame(rawFrame(Uint8Array.of(6, 0, 0, 12), { linktype: 246 })), true);
  assert.equal(isInterestingFrame(rawFrame(B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 51 }, B.ah(112, 1, 1, B.carp()))))), true);
});

test('probe accepts an IPv6 fragment header chain ending in 112', () => {
  const bytes = B.carpFrame6({}, { nxt: 0, ext: B.concat(B.ipv6Ext(44), B.ipv6Fragment(112, 0, true)) });
  assert.equal(isInterestingFrame(rawFrame(bytes)), true);
});
