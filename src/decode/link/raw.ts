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

export const RAW_PROTOCOL: ProtocolDef = {
  id: 'raw',
  name: 'Raw packet data',
  fields: [],
  annotations: [],
};

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
