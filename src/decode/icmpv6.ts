// ICMPv6 (RFC 4443), next header 58; Neighbor Solicitation (135) and Advertisement (136) of
// Neighbor Discovery (RFC 4861) in detail: an unsolicited NA from a virtual MAC tells the CARP
// analyzer a VHID's IPv6 address. The checksum covers the IPv6 pseudo-header.
//
//   0       1       2               4
//   +-------+-------+---------------+
//   | type  | code  |   checksum    |
//   +-------+-------+---------------+
//   NS: reserved(32) target(128) options...
//   NA: R S O reserved(29) target(128) options...
//   option: type(8) length(8, units of 8 bytes) data; 1 = source, 2 = target link-layer address

import type { Dissector, LayerWriter } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import { Cursor, DecodeStop, formatMac } from './cursor.js';
import { checksumVerifies, expectedChecksum, pseudoHeaderSum } from './checksum.js';
import { IPPROTO_ICMPV6 } from './dispatch-tables.js';
import { ALWAYS, type ProtocolModule } from './module.js';

export const ICMPV6_ND_NS = 135;
export const ICMPV6_ND_NA = 136;

export const ICMPV6_PROTOCOL = {
  id: 'icmpv6',
  name: 'Internet Control Message Protocol v6',
  fields: [
    { id: 'icmpv6.type', label: 'Type', kind: 'uint', valueNames: { 1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem', 128: 'Echo (ping) request', 129: 'Echo (ping) reply', 133: 'Router Solicitation', 134: 'Router Advertisement', 135: 'Neighbor Solicitation', 136: 'Neighbor Advertisement', 137: 'Redirect' } },
    { id: 'icmpv6.code', label: 'Code', kind: 'uint' },
    { id: 'icmpv6.checksum', label: 'Checksum', kind: 'hex' },
    { id: 'icmpv6.checksum.status', label: 'Checksum Status', kind: 'status' },
    { id: 'icmpv6.nd.ns.target_address', label: 'Target Address', kind: 'ipv6' },
    { id: 'icmpv6.nd.na.flag', label: 'Flags', kind: 'hex' },
    { id: 'icmpv6.nd.na.flag.r', label: 'Router', kind: 'bool' },
    { id: 'icmpv6.nd.na.flag.s', label: 'Solicited', kind: 'bool' },
    { id: 'icmpv6.nd.na.flag.o', label: 'Override', kind: 'bool' },
    { id: 'icmpv6.nd.na.target_address', label: 'Target Address', kind: 'ipv6' },
    { id: 'icmpv6.opt.linkaddr', label: 'Link-layer address', kind: 'mac' },
    { id: 'icmpv6.opt.src_linkaddr', label: 'Source link-layer address', kind: 'mac' },
    { id: 'icmpv6.opt.target_linkaddr', label: 'Target link-layer address', kind: 'mac' },
    // Derived by the CARP analysis (analyze/carp): this announcement is a virtual-address candidate.
    { id: 'icmpv6.carp.vip_candidate', label: 'CARP virtual-address candidate', kind: 'address' },
    { id: 'icmpv6.carp.vhid', label: 'VHID of the virtual MAC', kind: 'uint' },
  ],
  annotations: [
    { id: 'icmpv6.bad_checksum', severity: 'warn', summary: 'ICMPv6 checksum (with the IPv6 pseudo-header) is wrong', group: 'checksum' },
  ],
} as const satisfies ProtocolDef;

/** Neighbor Discovery options: the first source / target link-layer address (Ethernet). */
function decodeOptions(c: Cursor, out: LayerWriter): void {
  const fields = out.layer.fields;
  while (c.remainingDeclared >= 2) {
    const at = c.pos;
    c.need(2, 'ND option header');
    const type = c.bytes[at]!;
    const len = c.bytes[at + 1]! * 8;
    if (len === 0) throw new DecodeStop('malformed', 'ND option with length 0', at + 1);
    c.need(len, 'ND option');
    if ((type === 1 || type === 2) && len === 8) {
      const mac = formatMac(c.bytes, at + 2);
      fields[type === 1 ? 'icmpv6.opt.src_linkaddr' : 'icmpv6.opt.target_linkaddr'] = mac;
      fields['icmpv6.opt.linkaddr'] = mac;
    }
    c.pos = at + len;
  }
}

export const ICMPV6_DISSECTOR: Dissector = {
  proto: 'icmpv6',
  decode(c, out, ctx) {
    const fields = out.layer.fields;
    const start = c.pos;
    const type = c.u8('ICMPv6 type');
    fields['icmpv6.type'] = type;
    fields['icmpv6.code'] = c.u8('ICMPv6 code');
    const checksum = c.u16be('ICMPv6 checksum');
    fields['icmpv6.checksum'] = checksum;
    const ip = ctx.ip;
    const end = c.declaredEnd;
    if (ip && ip.version === 6 && !ip.fragmented && end <= c.bytes.length && end - start === ip.payloadLength) {
      const pseudo = pseudoHeaderSum(ip.srcBytes, ip.dstBytes, ip.payloadLength, IPPROTO_ICMPV6);
      if (checksumVerifies(c.bytes, start, end, pseudo)) {
        fields['icmpv6.checksum.status'] = 'good';
      } else {
        const expected = expectedChecksum(c.bytes, start, end, start + 2, pseudo);
        fields['icmpv6.checksum.status'] = 'bad';
        out.annotate('icmpv6.bad_checksum', `bad icmp6 cksum 0x${checksum.toString(16)}, should be 0x${expected.toString(16)}`, { checksum, expected });
      }
    } else {
      fields['icmpv6.checksum.status'] = 'unverified';
    }
    if (type === ICMPV6_ND_NS) {
      c.skip(4, 'NS reserved');
      fields['icmpv6.nd.ns.target_address'] = c.ipv6('NS target address');
      decodeOptions(c, out);
    } else if (type === ICMPV6_ND_NA) {
      const flags = c.u32be('NA flags');
      fields['icmpv6.nd.na.flag'] = flags;
      fields['icmpv6.nd.na.flag.r'] = (flags & 0x80000000) !== 0;
      fields['icmpv6.nd.na.flag.s'] = (flags & 0x40000000) !== 0;
      fields['icmpv6.nd.na.flag.o'] = (flags & 0x20000000) !== 0;
      fields['icmpv6.nd.na.target_address'] = c.ipv6('NA target address');
      decodeOptions(c, out);
    }
    return undefined;
  },
};

export const ICMPV6_MODULE = {
  ...ICMPV6_PROTOCOL,
  dissectors: { icmpv6: ICMPV6_DISSECTOR },
  probes: { icmpv6: ALWAYS },
  dispatch: { ipProtocols: [{ value: IPPROTO_ICMPV6, dissector: 'icmpv6' }] },
} as const satisfies ProtocolModule;
