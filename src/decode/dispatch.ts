// Dispatch: link type -> dissector, ethertype -> dissector, IP protocol -> dissector, built
// from the protocol modules' rows (decode/protocols.ts, decode/protocol-set.ts); the lookups
// the dissectors call are in dispatch-tables.ts. Each row has a test (test/decode/dispatch.test.ts).

import type { Dissector } from './dissector.js';
import { PROTOCOLS } from './protocols.js';

export {
  decideProto112, dissectorForEthertype, dissectorForIpProtocol,
  LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW_DLT12, LINKTYPE_RAW_OPENBSD14, LINKTYPE_PFSYNC_OPENBSD18, LINKTYPE_RAW,
  LINKTYPE_FRELAY, LINKTYPE_LOOP, LINKTYPE_ENC, LINKTYPE_LINUX_SLL, LINKTYPE_PFLOG, LINKTYPE_IPV4, LINKTYPE_IPV6,
  LINKTYPE_PFSYNC, LINKTYPE_LINUX_SLL2,
} from './dispatch-tables.js';

/** Every dissector by name; Handoff.next names one of these. */
export const DISSECTORS: Readonly<Record<string, Dissector>> = PROTOCOLS.dissectors;

/** Ethertype -> dissector name (Ethernet, 802.1Q/802.1ad tags, SLL, SLL2, FR SNAP). */
export const ETHERTYPE_DISSECTORS: Readonly<Record<number, string>> = Object.fromEntries(PROTOCOLS.tables.ethertypes);

/** IP protocol / IPv6 next header -> dissector name (112 is decided per packet by heuristic rows). */
export const IP_PROTOCOL_DISSECTORS: Readonly<Record<number, string>> = Object.fromEntries(PROTOCOLS.tables.ipProtocols);

/** Link types that map to one dissector whatever the bytes. */
export const LINKTYPE_DISSECTORS: Readonly<Record<number, string>> = Object.fromEntries(
  [...PROTOCOLS.linktypes.values()].filter((r) => !r.when).map((r) => [r.linktype, r.dissector]),
);

/**
 * LINKTYPE_* -> dissector name, or undefined when not decoded. Some link types need a look at
 * the bytes: 12 and 14 are raw IP only when the version nibble says 4 or 6; 18 is OpenBSD's
 * DLT_PFSYNC only when the bytes look like pfsync (the rows' `when`).
 */
export function dissectorForLinktype(linktype: number, bytes: Uint8Array): string | undefined {
  return PROTOCOLS.dissectorForLinktype(linktype, bytes);
}
