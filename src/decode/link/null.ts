// BSD loopback encapsulation: LINKTYPE_NULL (0, the 4-byte address family in the capturing
// host's byte order) and LINKTYPE_LOOP (108, OpenBSD, network byte order). Files get moved
// between hosts, so both accept either byte order: the reading that is below 0x10000 wins.
//
//   0                4
//   +----------------+-----------------
//   | address family | IPv4 / IPv6 packet
//   +----------------+-----------------
//
// AF_INET is 2 everywhere; AF_INET6 is 24 (OpenBSD, NetBSD), 28 (FreeBSD), 30 (macOS),
// 10 (Linux) or 23 (Windows).

import type { Dissector, Handoff, LayerWriter } from '../dissector.js';
import type { Cursor } from '../cursor.js';
import type { ProtocolDef } from '../registry.js';
import { LINKTYPE_NULL, LINKTYPE_LOOP } from '../dispatch-tables.js';
import type { Probe, ProtocolModule } from '../module.js';

export const NULL_PROTOCOL = {
  id: 'null',
  name: 'Null/Loopback',
  fields: [
    { id: 'null.family', label: 'Family', kind: 'uint', valueNames: { 2: 'IP', 10: 'IPv6 (Linux)', 23: 'IPv6 (Windows)', 24: 'IPv6 (OpenBSD/NetBSD)', 28: 'IPv6 (FreeBSD)', 30: 'IPv6 (Darwin)' } },
    { id: 'null.family.swapped', label: 'Family stored in the other byte order', kind: 'bool' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

/** Address family -> dissector name (shared with the probe and OpenBSD enc). */
export function dissectorForFamily(family: number): string | undefined {
  if (family === 2) return 'ipv4';
  if (family === 24 || family === 28 || family === 30 || family === 10 || family === 23) return 'ipv6';
  return undefined;
}

/** The family word at `at`, read big-endian unless that reading is >= 0x10000. */
export function readFamily(bytes: Uint8Array, at: number, littleFirst: boolean): number {
  const be = ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
  const le = ((bytes[at + 3]! << 24) >>> 0) + ((bytes[at + 2]! << 16) | (bytes[at + 1]! << 8) | bytes[at]!);
  if (littleFirst) return le < 0x10000 ? le : be;
  return be < 0x10000 ? be : le;
}

function decodeFamily(c: Cursor, littleFirst: boolean, out: LayerWriter): Handoff | undefined {
  const fields = out.layer.fields;
  c.need(4, 'address family');
  const b = c.bytes;
  const p = c.pos;
  const be = ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  const le = ((b[p + 3]! << 24) >>> 0) + ((b[p + 2]! << 16) | (b[p + 1]! << 8) | b[p]!);
  const natural = littleFirst ? le : be;
  const family = natural < 0x10000 ? natural : littleFirst ? be : le;
  c.pos += 4;
  fields['null.family'] = family;
  if (family !== natural) fields['null.family.swapped'] = true;
  const next = dissectorForFamily(family);
  return next ? { next, start: c.pos, declaredEnd: c.declaredEnd } : undefined;
}

/** LINKTYPE_NULL: host byte order, little-endian hosts being the common case. */
export const NULL_DISSECTOR: Dissector = {
  proto: 'null',
  decode(c, out) {
    return decodeFamily(c, true, out);
  },
};

/** LINKTYPE_LOOP: network byte order. */
export const LOOP_DISSECTOR: Dissector = {
  proto: 'null',
  decode(c, out) {
    return decodeFamily(c, false, out);
  },
};

/** The family word, then IPv4 or IPv6 (LINKTYPE_NULL little-endian first, LOOP big-endian first). */
function probeFamily(littleFirst: boolean): Probe {
  return (b, s, end, next) => s + 4 <= end && next.dissector(dissectorForFamily(readFamily(b, s, littleFirst)), b, s + 4, end);
}

export const NULL_MODULE = {
  ...NULL_PROTOCOL,
  dissectors: { null: NULL_DISSECTOR, loop: LOOP_DISSECTOR },
  probes: { null: probeFamily(true), loop: probeFamily(false) },
  dispatch: {
    linktypes: [
      { linktype: LINKTYPE_NULL, dissector: 'null' },
      { linktype: LINKTYPE_LOOP, dissector: 'loop' },
    ],
  },
} as const satisfies ProtocolModule;
