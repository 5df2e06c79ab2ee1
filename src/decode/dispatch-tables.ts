// The dispatch tables as data, in a leaf module the dissectors can import without an import
// cycle (dispatch.ts maps the names to the dissector objects and imports every dissector).
// Each row has a test in test/decode/dispatch.test.ts.

import type { Cursor } from './cursor.js';
import type { DissectContext, Handoff, LayerWriter } from './dissector.js';
import type { DecodeOptions, IpContext } from './types.js';
import { PFSYNC_DISSECTORS } from './pfsync/index.js';

/** Ethertype -> dissector name (Ethernet, 802.1Q/802.1ad tags, SLL, SLL2, FR SNAP). */
export const ETHERTYPE_DISSECTORS: Readonly<Record<number, string>> = {
  0x0800: 'ipv4',
  0x86dd: 'ipv6',
  0x0806: 'arp',
  0x8100: 'vlan', // IEEE 802.1Q customer tag
  0x88a8: 'vlan', // IEEE 802.1ad service tag (QinQ outer)
  0x9100: 'vlan', // pre-standard QinQ outer tag
};

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;

export function dissectorForEthertype(ethertype: number): string | undefined {
  return ETHERTYPE_DISSECTORS[ethertype];
}

export const IPPROTO_IPV4 = 4;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_CARP = 112; // IANA "VRRP"; the BSDs call it IPPROTO_CARP
export const IPPROTO_PFSYNC = 240;

/** IP protocol / IPv6 next header -> dissector name (112 is decided per packet, see below). */
export const IP_PROTOCOL_DISSECTORS: Readonly<Record<number, string>> = {
  [IPPROTO_IPV4]: 'ipv4',
  [IPPROTO_IPV6]: 'ipv6',
  [IPPROTO_ESP]: 'esp',
  [IPPROTO_AH]: 'ah',
  [IPPROTO_ICMPV6]: 'icmpv6',
  [IPPROTO_PFSYNC]: 'pfsync',
};

/**
 * CARP or VRRP for one IP protocol 112 payload (reference/carp.md section 8.2):
 *  1. version 3 -> VRRPv3 (CARP never uses 3);
 *  2. version 2 over IPv6 -> CARP (VRRPv2 is IPv4-only);
 *  3. version 2, type 1, length 36, byte 3 == 7 -> CARP (a 36-byte VRRPv2 has count 5);
 *  4. version 2 and length == 16 + 4 * byte 3 -> VRRPv2;
 *  5. otherwise, with length >= 36: version 2 and (byte 3 == 7 or length == 36) -> CARP with a
 *     wrong type/authlen; version 1 and byte 3 == 7 -> CARP (Wireshark's heuristic takes v1);
 *     anything else -> VRRP (tcpdump's default for protocol 112).
 * `payloadLength` is the IP payload length as declared; bytes past `capturedEnd` are unknown
 * (nothing captured: VRRP, as tcpdump decides by default).
 */
export function decideProto112(
  ipVersion: 4 | 6,
  bytes: Uint8Array,
  start: number,
  capturedEnd: number,
  payloadLength: number,
  fragmented = false,
): 'carp' | 'vrrp' {
  if (start >= capturedEnd) return 'vrrp';
  const b0 = bytes[start]!;
  const version = b0 >> 4;
  if (version === 3) return 'vrrp';
  if (version === 2 && ipVersion === 6) return 'carp';
  const haveByte3 = start + 3 < capturedEnd;
  const byte3 = haveByte3 ? bytes[start + 3]! : -1;
  // A first fragment's length is not the datagram's, so the length rules cannot apply: decide on
  // the header bytes alone, as Wireshark's heuristic does (version 2, type 1, authlen 7).
  if (fragmented) return version === 2 && (b0 & 0x0f) === 1 && byte3 === 7 ? 'carp' : 'vrrp';
  if (version === 2 && (b0 & 0x0f) === 1 && payloadLength === 36 && byte3 === 7) return 'carp';
  if (version === 2 && haveByte3 && payloadLength === 16 + 4 * byte3) return 'vrrp';
  if (version === 2 && payloadLength >= 36 && (byte3 === 7 || payloadLength === 36)) return 'carp';
  if (version === 1 && payloadLength >= 36 && byte3 === 7) return 'carp';
  return 'vrrp';
}

/** Facts about the IP payload that the protocol dispatch needs. */
export interface IpPayloadInfo {
  readonly ipVersion: 4 | 6;
  readonly start: number;
  /** Captured end of the payload (min of the bytes and the declared end). */
  readonly capturedEnd: number;
  readonly payloadLength: number;
  /** A first fragment: payloadLength is the fragment's, not the datagram's. */
  readonly fragmented?: boolean;
}

/** IP protocol -> dissector name, or undefined when carpdump does not decode it. */
export function dissectorForIpProtocol(
  protocol: number,
  bytes: Uint8Array,
  p: IpPayloadInfo,
  options: DecodeOptions,
): string | undefined {
  if (protocol === IPPROTO_CARP) {
    return options.decodeAs ?? decideProto112(p.ipVersion, bytes, p.start, p.capturedEnd, p.payloadLength, p.fragmented);
  }
  const name = IP_PROTOCOL_DISSECTORS[protocol];
  if (name === 'pfsync' && !PFSYNC_DISSECTORS['pfsync']) return undefined;
  return name;
}

/**
 * The common end of the IPv4 and IPv6 dissectors: publish the IP context (TTL, addresses,
 * fragmentation) for the upper layers, stop at a non-first fragment, and hand the payload
 * (c.pos .. payloadEnd) to its protocol's dissector. `fragmentId` is the layer's annotation.
 */
export function handOffIpPayload(
  c: Cursor, out: LayerWriter, ctx: DissectContext, ip: IpContext,
  protocol: number, payloadEnd: number, fragOffset: number, fragmentId: 'ip.fragment' | 'ipv6.fragment',
): Handoff | undefined {
  ctx.ip = ip;
  ctx.frame.ip = ip;
  if (ip.fragmented) {
    if (fragOffset !== 0) {
      out.annotate(fragmentId, `fragment at offset ${fragOffset}: not decoded further`, { offset: fragOffset });
      return undefined;
    }
    out.annotate(fragmentId, 'first fragment: upper-layer checksums not verified', { offset: 0 });
  }
  const next = dissectorForIpProtocol(protocol, c.bytes, {
    ipVersion: ip.version,
    start: c.pos,
    capturedEnd: Math.min(c.bytes.length, payloadEnd),
    payloadLength: ip.payloadLength,
    fragmented: ip.fragmented,
  }, ctx.options);
  return next ? { next, start: c.pos, declaredEnd: payloadEnd } : undefined;
}
