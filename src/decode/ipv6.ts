// IPv6 (RFC 8200). Walks the extension headers hop-by-hop (0), routing (43), fragment (44) and
// destination options (60) inside this layer; AH (51) and ESP (50) become their own layers.
// ipv6.nxt is the protocol found after the walk. Sets ctx.ip (hop limit, addresses, the
// upper-layer length) before handing off; non-first fragments are not decoded further.
//
//   +-------+---------------+---------------------------------------+
//   |Version| Traffic Class |              Flow Label               |
//   +-------+---------------+-------+---------------+---------------+
//   |        Payload Length         |  Next Header  |   Hop Limit   |
//   +-------------------------------+---------------+---------------+
//   |                  Source Address (128 bits)                    |
//   |               Destination Address (128 bits)                  |
//   +---------------------------------------------------------------+
//   Extension header (0, 43, 60): next(8) hdr_ext_len(8, 8-octet units not counting the first)
//   Fragment header (44):         next(8) reserved(8) offset(13) res(2) M(1) identification(32)

import type { Dissector } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import type { FieldValue, IpContext } from './types.js';
import { Cursor, DecodeStop, formatIPv6 } from './cursor.js';
import { ETHERTYPE_IPV6, IPPROTO_IPV6, handOffIpPayload } from './dispatch-tables.js';
import type { Probe, ProtocolModule } from './module.js';
import { IP_PROTOCOL_NAMES } from './ipv4.js';

export const IPV6_PROTOCOL = {
  id: 'ipv6',
  name: 'Internet Protocol Version 6',
  fields: [
    { id: 'ipv6.version', label: 'Version', kind: 'uint' },
    { id: 'ipv6.tclass', label: 'Traffic Class', kind: 'hex' },
    { id: 'ipv6.flow', label: 'Flow Label', kind: 'hex' },
    { id: 'ipv6.plen', label: 'Payload Length', kind: 'uint' },
    { id: 'ipv6.nxt', label: 'Next Header (upper layer)', kind: 'uint', valueNames: IP_PROTOCOL_NAMES },
    { id: 'ipv6.hlim', label: 'Hop Limit', kind: 'uint' },
    { id: 'ipv6.src', label: 'Source Address', kind: 'ipv6' },
    { id: 'ipv6.dst', label: 'Destination Address', kind: 'ipv6' },
    { id: 'ipv6.ext_headers', label: 'Extension headers walked', kind: 'array' },
    { id: 'ipv6.fragment.offset', label: 'Fragment Offset', kind: 'uint', unit: 'bytes' },
    { id: 'ipv6.fragment.more', label: 'More Fragments', kind: 'bool' },
    { id: 'ipv6.fragment.id', label: 'Identification', kind: 'hex' },
  ],
  annotations: [
    { id: 'ipv6.bad_version', severity: 'warn', summary: 'IP version is not 6 where IPv6 was expected', group: 'malformed' },
    { id: 'ipv6.fragment', severity: 'note', summary: 'IPv6 fragment: a non-first fragment is not decoded further, a first one without checksum checks', group: 'sequence' },
  ],
} as const satisfies ProtocolDef;

export const IPV6_HEADER_LENGTH = 40;
/** More extension headers than this in one packet is treated as malformed. */
export const IPV6_MAX_EXTENSION_HEADERS = 8;

export const IPV6_DISSECTOR: Dissector = {
  proto: 'ipv6',
  decode(c, out, ctx) {
    const fields = out.layer.fields;
    const start = c.pos;
    const w0 = c.u32be('IPv6 version, class and flow');
    const version = w0 >>> 28;
    fields['ipv6.version'] = version;
    if (version !== 6) {
      out.annotate('ipv6.bad_version', `IP version ${version} where IPv6 was expected`, { version });
      return undefined;
    }
    fields['ipv6.tclass'] = (w0 >>> 20) & 0xff;
    fields['ipv6.flow'] = w0 & 0xfffff;
    const plen = c.u16be('IPv6 payload length');
    fields['ipv6.plen'] = plen;
    let nxt = c.u8('IPv6 next header');
    const hlim = c.u8('IPv6 hop limit');
    fields['ipv6.hlim'] = hlim;
    c.need(32, 'IPv6 addresses');
    const bytes = c.bytes;
    const srcAt = c.pos;
    const src = formatIPv6(bytes, srcAt);
    const dst = formatIPv6(bytes, srcAt + 16);
    fields['ipv6.src'] = src;
    fields['ipv6.dst'] = dst;
    c.pos += 32;
    const payloadEnd = Math.min(start + IPV6_HEADER_LENGTH + plen, c.declaredEnd);
    // Extension headers, bounded by the payload length.
    const e = new Cursor(bytes, c.pos, payloadEnd);
    let ext: FieldValue[] | undefined;
    let fragmented = false;
    let fragOffset = 0;
    for (let n = 0; nxt === 0 || nxt === 43 || nxt === 44 || nxt === 60; n++) {
      if (n >= IPV6_MAX_EXTENSION_HEADERS) throw new DecodeStop('malformed', 'too many IPv6 extension headers', e.pos);
      (ext ??= []).push(nxt);
      const at = e.pos;
      if (nxt === 44) {
        e.need(8, 'IPv6 fragment header');
        const next = bytes[at]!;
        const offM = (bytes[at + 2]! << 8) | bytes[at + 3]!;
        fragOffset = offM & 0xfff8;
        const more = (offM & 1) !== 0;
        fields['ipv6.fragment.offset'] = fragOffset;
        fields['ipv6.fragment.more'] = more;
        e.pos = at + 4;
        fields['ipv6.fragment.id'] = e.u32be('IPv6 fragment identification');
        fragmented = true;
        nxt = next;
      } else {
        e.need(2, 'IPv6 extension header');
        const next = bytes[at]!;
        const len = (bytes[at + 1]! + 1) * 8;
        e.skip(len, 'IPv6 extension header');
        nxt = next;
      }
      c.pos = e.pos;
    }
    if (ext) fields['ipv6.ext_headers'] = ext;
    fields['ipv6.nxt'] = nxt;
    const ip: IpContext = {
      version: 6,
      srcBytes: bytes.subarray(srcAt, srcAt + 16),
      dstBytes: bytes.subarray(srcAt + 16, srcAt + 32),
      src,
      dst,
      ttl: hlim,
      payloadLength: start + IPV6_HEADER_LENGTH + plen - c.pos,
      fragmented,
    };
    return handOffIpPayload(c, out, ctx, ip, nxt, payloadEnd, fragOffset, 'ipv6.fragment');
  },
};

/** The fixed header, then hop-by-hop (0), routing (43), fragment (44), destination options (60). */
const probeIPv6: Probe = (b, at, end, next) => {
  if (at + IPV6_HEADER_LENGTH > end) return false;
  let nh = b[at + 6]!;
  let p = at + IPV6_HEADER_LENGTH;
  for (let i = 0; nh === 0 || nh === 43 || nh === 44 || nh === 60; i++) {
    if (i >= IPV6_MAX_EXTENSION_HEADERS) return true;
    if (p + 2 > end) return false;
    const following = b[p]!;
    p += nh === 44 ? 8 : (b[p + 1]! + 1) * 8;
    nh = following;
  }
  return p <= end && next.ipProtocol(nh, b, p, end);
};

export const IPV6_MODULE = {
  ...IPV6_PROTOCOL,
  dissectors: { ipv6: IPV6_DISSECTOR },
  probes: { ipv6: probeIPv6 },
  dispatch: {
    ethertypes: [{ value: ETHERTYPE_IPV6, dissector: 'ipv6' }],
    // IPv6 in IP: the prefilter accepts tunnels without looking inside.
    ipProtocols: [{ value: IPPROTO_IPV6, dissector: 'ipv6', prefilter: 'accept' }],
  },
} as const satisfies ProtocolModule;
