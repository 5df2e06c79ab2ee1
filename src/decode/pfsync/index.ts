// pfsync: every wire version (see ../shared/reference/pfsync.md). Exported to the dispatch
// tables: the dissectors by name ('pfsync' for IP protocol 240, 'pfsync-link' for LINKTYPE_PFSYNC
// 246 and OpenBSD's DLT 18) and the protocol definitions for the registry.
//
// A pfsync interface record (section 1.3) starts with the pfsync header, except on OpenBSD 7.4+
// where bpf sees the whole IPv4 datagram (src 0.0.0.0, checksum 0): byte 0 is 0x45..0x4f and
// byte 9 is 240. The 'pfsync-link' dissector writes a zero-length 'pfsynclink' layer saying
// which, and hands off to 'ipv4' (which hands protocol 240 back to 'pfsync') or to 'pfsync'.

import type { Cursor } from '../cursor.js';
import type { DissectContext, Dissector, Handoff, LayerWriter } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';
import { IPPROTO_PFSYNC } from './constants.js';
import { PFSYNC_DEF, PFSYNC_LINK_DEF } from './defs.js';
import { decodePfsync } from './packet.js';
import { LINKTYPE_PFSYNC, LINKTYPE_PFSYNC_OPENBSD18 } from '../dispatch-tables.js';
import { ALWAYS, type ProtocolModule } from '../module.js';

export { PFSYNC_ACTION_TABLES, actionDef, type ActionDef } from './actions.js';
export { PFSYNC_FLAVORS, type PfsyncFlavor } from './constants.js';

/** True when a pfsync interface record begins with an IPv4 header carrying protocol 240. */
export function startsWithPfsyncIPv4(bytes: Uint8Array, at = 0): boolean {
  if (bytes.length < at + 24) return false;
  const b0 = bytes[at]!;
  return b0 >> 4 === 4 && (b0 & 0x0f) >= 5 && bytes[at + 9] === IPPROTO_PFSYNC;
}

const pfsyncDissector: Dissector = {
  proto: 'pfsync',
  decode(c: Cursor, out: LayerWriter, ctx: DissectContext): Handoff | undefined {
    return decodePfsync(c, out, ctx);
  },
};

const pfsyncLinkDissector: Dissector = {
  proto: 'pfsynclink',
  decode(c: Cursor, out: LayerWriter): Handoff | undefined {
    const ip = startsWithPfsyncIPv4(c.bytes, c.pos);
    out.set('pfsynclink.encap', ip ? 'ipv4' : 'pfsync');
    return { next: ip ? 'ipv4' : 'pfsync', start: c.pos, declaredEnd: c.declaredEnd };
  },
};

export const PFSYNC_PROTOCOL_DEFS: readonly ProtocolDef[] = [PFSYNC_DEF, PFSYNC_LINK_DEF];

/**
 * LINKTYPE 18 is DLT_PFSYNC only in OpenBSD/NetBSD/DragonFly files (elsewhere Linux ATM CLIP):
 * true when the bytes look like pfsync — an IPv4 header with protocol 240 (OpenBSD 7.4+), a
 * modern header (version 5/6, pad 0, 20 <= len), or a legacy one (version 1-4, af 0, action <= 10).
 */
export function isPfsyncLinkFrame(bytes: Uint8Array): boolean {
  if (startsWithPfsyncIPv4(bytes)) return true;
  if (bytes.length < 4) return false;
  const version = bytes[0]!;
  if (version === 5 || version === 6) {
    const len = (bytes[2]! << 8) | bytes[3]!;
    return bytes[1] === 0 && len >= 20;
  }
  if (version >= 1 && version <= 4) return bytes[1] === 0 && bytes[2]! <= 10;
  return false;
}

export const PFSYNC_MODULE = {
  ...PFSYNC_DEF,
  dissectors: { pfsync: pfsyncDissector },
  probes: { pfsync: ALWAYS },
  dispatch: { ipProtocols: [{ value: IPPROTO_PFSYNC, dissector: 'pfsync' }] },
} as const satisfies ProtocolModule;

export const PFSYNC_LINK_MODULE = {
  ...PFSYNC_LINK_DEF,
  dissectors: { 'pfsync-link': pfsyncLinkDissector },
  probes: { 'pfsync-link': ALWAYS },
  dispatch: {
    linktypes: [
      { linktype: LINKTYPE_PFSYNC, dissector: 'pfsync-link' },
      // OpenBSD's DLT_PFSYNC 18, only when the bytes look like pfsync
      { linktype: LINKTYPE_PFSYNC_OPENBSD18, dissector: 'pfsync-link', when: (b, s, end) => isPfsyncLinkFrame(s === 0 && end === b.length ? b : b.subarray(s, end)) },
    ],
  },
} as const satisfies ProtocolModule;
