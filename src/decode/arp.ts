// ARP (RFC 826), ethertype 0x0806. Ethernet/IPv4 addresses are shown as text; other address
// sizes as hex. A gratuitous ARP (sender IP == target IP) announces a (virtual) address: the
// CARP analyzer uses it to learn a VHID's addresses from its virtual MAC.
//
//   0         2          4       5        6        8
//   +---------+----------+-------+--------+--------+------------------------------------+
//   | hw type | protocol | hlen  | plen   | opcode | sha(hlen) spa(plen) tha(hlen) tpa(plen)
//   +---------+----------+-------+--------+--------+------------------------------------+

import type { Dissector } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import type { Fields } from './types.js';
import { formatIPv4, formatMac, toHex, type Cursor } from './cursor.js';

import { ETHERTYPE_ARP } from './dispatch-tables.js';
import { ALWAYS, type ProtocolModule } from './module.js';

export const ARP_PROTOCOL = {
  id: 'arp',
  name: 'Address Resolution Protocol',
  fields: [
    { id: 'arp.hw.type', label: 'Hardware type', kind: 'uint', valueNames: { 1: 'Ethernet' } },
    { id: 'arp.proto.type', label: 'Protocol type', kind: 'hex', valueNames: { 0x0800: 'IPv4' } },
    { id: 'arp.hw.size', label: 'Hardware size', kind: 'uint' },
    { id: 'arp.proto.size', label: 'Protocol size', kind: 'uint' },
    { id: 'arp.opcode', label: 'Opcode', kind: 'uint', valueNames: { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply' } },
    { id: 'arp.isgratuitous', label: 'Is gratuitous', kind: 'bool' },
    { id: 'arp.src.hw_mac', label: 'Sender MAC address', kind: 'mac' },
    { id: 'arp.src.proto_ipv4', label: 'Sender IP address', kind: 'ipv4' },
    { id: 'arp.dst.hw_mac', label: 'Target MAC address', kind: 'mac' },
    { id: 'arp.dst.proto_ipv4', label: 'Target IP address', kind: 'ipv4' },
    { id: 'arp.src.hw', label: 'Sender hardware address', kind: 'bytes' },
    { id: 'arp.src.proto', label: 'Sender protocol address', kind: 'bytes' },
    { id: 'arp.dst.hw', label: 'Target hardware address', kind: 'bytes' },
    { id: 'arp.dst.proto', label: 'Target protocol address', kind: 'bytes' },
    // Derived by the CARP analysis (analyze/carp): this announcement is a virtual-address candidate.
    { id: 'arp.carp.vip_candidate', label: 'CARP virtual-address candidate', kind: 'address' },
    { id: 'arp.carp.vhid', label: 'VHID of the virtual MAC', kind: 'uint' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

/** The field ids of one side's addresses (Ethernet MAC / IPv4 as text, other sizes as hex). */
const SENDER = { name: 'sender', mac: 'arp.src.hw_mac', hw: 'arp.src.hw', ipv4: 'arp.src.proto_ipv4', proto: 'arp.src.proto' } as const;
const TARGET = { name: 'target', mac: 'arp.dst.hw_mac', hw: 'arp.dst.hw', ipv4: 'arp.dst.proto_ipv4', proto: 'arp.dst.proto' } as const;

/** sha/spa or tha/tpa: hlen hardware then plen protocol bytes. Returns where the protocol address starts. */
function readAddresses(c: Cursor, fields: Fields, side: typeof SENDER | typeof TARGET, hlen: number, plen: number, ipv4: boolean): number {
  const b = c.bytes;
  c.need(hlen, `ARP ${side.name} hardware address`);
  if (hlen === 6) fields[side.mac] = formatMac(b, c.pos);
  else fields[side.hw] = toHex(b, c.pos, c.pos + hlen);
  c.pos += hlen;
  const at = c.pos;
  c.need(plen, `ARP ${side.name} protocol address`);
  if (ipv4) fields[side.ipv4] = formatIPv4(b, at);
  else fields[side.proto] = toHex(b, at, at + plen);
  c.pos += plen;
  return at;
}

export const ARP_DISSECTOR: Dissector = {
  proto: 'arp',
  decode(c, out) {
    const fields = out.layer.fields;
    fields['arp.hw.type'] = c.u16be('ARP hardware type');
    const protoType = c.u16be('ARP protocol type');
    fields['arp.proto.type'] = protoType;
    const hlen = c.u8('ARP hardware size');
    const plen = c.u8('ARP protocol size');
    fields['arp.hw.size'] = hlen;
    fields['arp.proto.size'] = plen;
    fields['arp.opcode'] = c.u16be('ARP opcode');
    const ipv4 = plen === 4 && protoType === 0x0800;
    const spaAt = readAddresses(c, fields, SENDER, hlen, plen, ipv4);
    const tpaAt = readAddresses(c, fields, TARGET, hlen, plen, ipv4);
    const b = c.bytes;
    let same = true;
    for (let i = 0; i < plen; i++) if (b[spaAt + i] !== b[tpaAt + i]) { same = false; break; }
    fields['arp.isgratuitous'] = same;
    return undefined;
  },
};

export const ARP_MODULE = {
  ...ARP_PROTOCOL,
  dissectors: { arp: ARP_DISSECTOR },
  probes: { arp: ALWAYS },
  dispatch: { ethertypes: [{ value: ETHERTYPE_ARP, dissector: 'arp' }] },
} as const satisfies ProtocolModule;
