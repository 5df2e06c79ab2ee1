// IPv4 (RFC 791). Sets ctx.ip for the upper layer, verifies the header checksum (RFC 1071),
// keeps options as hex, and bounds the payload by the total length (so Ethernet padding is
// never read as payload). Non-first fragments are not decoded further; first fragments are,
// with upper-layer checksums unverified (IpContext.fragmented).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-------+-------+---------------+-------------------------------+
//   |Version|  IHL  |   DS field    |          Total Length         |
//   +-------+-------+---------------+-----+-------------------------+
//   |         Identification        |Flags|     Fragment Offset     |
//   +---------------+---------------+-----+-------------------------+
//   |  Time to Live |    Protocol   |         Header Checksum       |
//   +---------------+---------------+-------------------------------+
//   |                       Source Address                          |
//   |                    Destination Address                        |
//   |                    Options (IHL > 5) ...                      |
//   +---------------------------------------------------------------+

import type { Dissector } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import type { IpContext } from './types.js';
import { DecodeStop, formatIPv4 } from './cursor.js';
import { checksumVerifies, expectedChecksum } from './checksum.js';
import { ETHERTYPE_IPV4, IPPROTO_IPV4, LINKTYPE_PFSYNC, LINKTYPE_PFSYNC_OPENBSD18, handOffIpPayload } from './dispatch-tables.js';
import type { ProtocolModule } from './module.js';

export const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH',
  58: 'ICMPv6', 112: 'VRRP/CARP', 240: 'PFSYNC',
};

export const IPV4_PROTOCOL = {
  id: 'ipv4',
  name: 'Internet Protocol Version 4',
  fields: [
    { id: 'ip.version', label: 'Version', kind: 'uint' },
    { id: 'ip.hdr_len', label: 'Header Length', kind: 'uint', unit: 'bytes' },
    { id: 'ip.dsfield', label: 'Differentiated Services Field', kind: 'hex' },
    { id: 'ip.len', label: 'Total Length', kind: 'uint' },
    { id: 'ip.id', label: 'Identification', kind: 'hex' },
    { id: 'ip.flags', label: 'Flags', kind: 'hex' },
    { id: 'ip.flags.rb', label: 'Reserved bit', kind: 'bool' },
    { id: 'ip.flags.df', label: "Don't fragment", kind: 'bool' },
    { id: 'ip.flags.mf', label: 'More fragments', kind: 'bool' },
    { id: 'ip.frag_offset', label: 'Fragment Offset', kind: 'uint', unit: 'bytes' },
    { id: 'ip.ttl', label: 'Time to Live', kind: 'uint' },
    { id: 'ip.proto', label: 'Protocol', kind: 'uint', valueNames: IP_PROTOCOL_NAMES },
    { id: 'ip.checksum', label: 'Header Checksum', kind: 'hex' },
    { id: 'ip.checksum.status', label: 'Header checksum status', kind: 'status' },
    { id: 'ip.src', label: 'Source Address', kind: 'ipv4' },
    { id: 'ip.dst', label: 'Destination Address', kind: 'ipv4' },
    { id: 'ip.options', label: 'Options', kind: 'bytes' },
  ],
  annotations: [
    { id: 'ip.bad_checksum', severity: 'warn', summary: 'IPv4 header checksum is wrong', group: 'checksum' },
    { id: 'ip.bad_version', severity: 'warn', summary: 'IP version is not 4 where IPv4 was expected', group: 'malformed' },
    { id: 'ip.fragment', severity: 'note', summary: 'IPv4 fragment: a non-first fragment is not decoded further, a first one without checksum checks', group: 'sequence' },
  ],
} as const satisfies ProtocolDef;

const IPV4_HEADER_MIN = 20;

export const IPV4_DISSECTOR: Dissector = {
  proto: 'ipv4',
  decode(c, out, ctx) {
    const fields = out.layer.fields;
    const start = c.pos;
    const b0 = c.u8('IPv4 version');
    const version = b0 >> 4;
    const hdrLen = (b0 & 0x0f) * 4;
    fields['ip.version'] = version;
    if (version !== 4) {
      out.annotate('ip.bad_version', `IP version ${version} where IPv4 was expected`, { version });
      return undefined;
    }
    fields['ip.hdr_len'] = hdrLen;
    fields['ip.dsfield'] = c.u8('IPv4 DS field');
    const totalLength = c.u16be('IPv4 total length');
    fields['ip.len'] = totalLength;
    fields['ip.id'] = c.u16be('IPv4 identification');
    const ff = c.u16be('IPv4 flags and fragment offset');
    const mf = (ff & 0x2000) !== 0;
    const fragOffset = (ff & 0x1fff) * 8;
    fields['ip.flags'] = ff >> 13;
    fields['ip.flags.rb'] = (ff & 0x8000) !== 0;
    fields['ip.flags.df'] = (ff & 0x4000) !== 0;
    fields['ip.flags.mf'] = mf;
    fields['ip.frag_offset'] = fragOffset;
    const ttl = c.u8('IPv4 TTL');
    fields['ip.ttl'] = ttl;
    const protocol = c.u8('IPv4 protocol');
    fields['ip.proto'] = protocol;
    const checksum = c.u16be('IPv4 header checksum');
    fields['ip.checksum'] = checksum;
    const bytes = c.bytes;
    // OpenBSD 7.4+ pfsync0 taps the datagram before the header checksum is filled in (it is 0):
    // on the pfsync link types a zero checksum means "not computed", as with checksum offload.
    const notComputed = checksum === 0 && (ctx.linktype === LINKTYPE_PFSYNC || ctx.linktype === LINKTYPE_PFSYNC_OPENBSD18);
    if (hdrLen >= IPV4_HEADER_MIN && start + hdrLen <= c.capturedEnd && !notComputed) {
      if (checksumVerifies(bytes, start, start + hdrLen)) {
        fields['ip.checksum.status'] = 'good';
      } else {
        const expected = expectedChecksum(bytes, start, start + hdrLen, start + 10);
        fields['ip.checksum.status'] = 'bad';
        out.annotate('ip.bad_checksum', `bad IPv4 header cksum 0x${checksum.toString(16)}, should be 0x${expected.toString(16)}`, { checksum, expected });
      }
    } else {
      fields['ip.checksum.status'] = 'unverified';
    }
    c.need(8, 'IPv4 addresses');
    const srcAt = c.pos;
    const src = formatIPv4(bytes, srcAt);
    const dst = formatIPv4(bytes, srcAt + 4);
    fields['ip.src'] = src;
    fields['ip.dst'] = dst;
    c.pos += 8;
    if (hdrLen < IPV4_HEADER_MIN) throw new DecodeStop('malformed', `IPv4 header length ${hdrLen} < 20`, start);
    if (hdrLen > IPV4_HEADER_MIN) fields['ip.options'] = c.hex(hdrLen - IPV4_HEADER_MIN, 'IPv4 options');
    if (totalLength < hdrLen) throw new DecodeStop('malformed', `IPv4 total length ${totalLength} < header length ${hdrLen}`, start + 2);
    const payloadEnd = Math.min(start + totalLength, c.declaredEnd);
    const fragmented = mf || fragOffset !== 0;
    const ip: IpContext = {
      version: 4,
      srcBytes: bytes.subarray(srcAt, srcAt + 4),
      dstBytes: bytes.subarray(srcAt + 4, srcAt + 8),
      src,
      dst,
      ttl,
      payloadLength: totalLength - hdrLen,
      fragmented,
    };
    return handOffIpPayload(c, out, ctx, ip, protocol, payloadEnd, fragOffset, 'ip.fragment');
  },
};

export const IPV4_MODULE = {
  ...IPV4_PROTOCOL,
  dissectors: { ipv4: IPV4_DISSECTOR },
  // The protocol byte is all the prefilter reads (the payload starts after the IHL words).
  probes: { ipv4: (b, at, end, next) => at + 10 <= end && next.ipProtocol(b[at + 9]!, b, at + (b[at]! & 0x0f) * 4, end) },
  dispatch: {
    ethertypes: [{ value: ETHERTYPE_IPV4, dissector: 'ipv4' }],
    // IPv4 in IP: the prefilter accepts tunnels without looking inside.
    ipProtocols: [{ value: IPPROTO_IPV4, dissector: 'ipv4', prefilter: 'accept' }],
  },
} as const satisfies ProtocolModule;
