// Raw IP link types: LINKTYPE_RAW (101; also DLT_RAW's 12 and OpenBSD's 14 in files that use
// the DLT value), where the version nibble of the first byte tells IPv4 from IPv6, and
// LINKTYPE_IPV4 (228) / LINKTYPE_IPV6 (229), fixed. The 'raw' layer is empty (zero length):
// it only records that no link header was there.
//
//   +-------+------------------------
//   | ver:4 | rest of the IP header ...
//   +-------+------------------------

import type { Dissector } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';
import { LINKTYPE_RAW, LINKTYPE_RAW_DLT12, LINKTYPE_RAW_OPENBSD14, LINKTYPE_IPV4, LINKTYPE_IPV6 } from '../dispatch-tables.js';
import type { ProtocolModule } from '../module.js';

export const RAW_PROTOCOL = {
  id: 'raw',
  name: 'Raw packet data',
  fields: [],
  annotations: [],
} as const satisfies ProtocolDef;

/** The dissector for a raw IP packet at `at`, by its version nibble. */
export function rawIpDissector(bytes: Uint8Array, at: number): 'ipv4' | 'ipv6' | undefined {
  if (at >= bytes.length) return undefined;
  const v = bytes[at]! >> 4;
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

export const RAW_DISSECTOR: Dissector = {
  proto: 'raw',
  decode(c) {
    c.need(1, 'IP version');
    const next = rawIpDissector(c.bytes, c.pos);
    return next ? { next, start: c.pos, declaredEnd: c.declaredEnd } : undefined;
  },
};

export const RAW4_DISSECTOR: Dissector = {
  proto: 'raw',
  decode(c) {
    return { next: 'ipv4', start: c.pos, declaredEnd: c.declaredEnd };
  },
};

export const RAW6_DISSECTOR: Dissector = {
  proto: 'raw',
  decode(c) {
    return { next: 'ipv6', start: c.pos, declaredEnd: c.declaredEnd };
  },
};

/** DLT_RAW's 12 and OpenBSD's 14 are raw IP only when the version nibble says 4 or 6. */
const rawIpVersion = (b: Uint8Array, at: number, end: number): boolean => at < end && rawIpDissector(b, at) !== undefined;

export const RAW_MODULE = {
  ...RAW_PROTOCOL,
  dissectors: { raw: RAW_DISSECTOR, raw4: RAW4_DISSECTOR, raw6: RAW6_DISSECTOR },
  probes: {
    raw: (b, s, end, next) => s < end && next.dissector(rawIpDissector(b, s), b, s, end),
    raw4: (b, s, end, next) => next.dissector('ipv4', b, s, end),
    raw6: (b, s, end, next) => next.dissector('ipv6', b, s, end),
  },
  dispatch: {
    linktypes: [
      { linktype: LINKTYPE_RAW, dissector: 'raw' },
      { linktype: LINKTYPE_RAW_DLT12, dissector: 'raw', when: rawIpVersion },
      { linktype: LINKTYPE_RAW_OPENBSD14, dissector: 'raw', when: rawIpVersion },
      { linktype: LINKTYPE_IPV4, dissector: 'raw4' },
      { linktype: LINKTYPE_IPV6, dissector: 'raw6' },
    ],
  },
} as const satisfies ProtocolModule;
