// Dispatch tables: link type -> dissector, ethertype -> dissector, IP protocol -> dissector.
// The ethertype and IP protocol rows live in dispatch-tables.ts (a leaf module the dissectors
// import); this module names every dissector and holds the link type row.
// Each row has a test (test/decode/dispatch.test.ts).

import type { Dissector } from './dissector.js';
import { ETH_DISSECTOR, VLAN_DISSECTOR } from './link/ethernet.js';
import { SLL_DISSECTOR, SLL2_DISSECTOR } from './link/sll.js';
import { LOOP_DISSECTOR, NULL_DISSECTOR } from './link/null.js';
import { RAW_DISSECTOR, RAW4_DISSECTOR, RAW6_DISSECTOR, rawIpDissector } from './link/raw.js';
import { FR_DISSECTOR } from './link/fr.js';
import { ENC_DISSECTOR } from './link/enc.js';
import { PFLOG_DISSECTOR } from './link/pflog.js';
import { IPV4_DISSECTOR } from './ipv4.js';
import { IPV6_DISSECTOR } from './ipv6.js';
import { AH_DISSECTOR } from './ah.js';
import { ESP_DISSECTOR } from './esp.js';
import { ARP_DISSECTOR } from './arp.js';
import { ICMPV6_DISSECTOR } from './icmpv6.js';
import { CARP_DISSECTOR } from './carp.js';
import { VRRP_DISSECTOR } from './vrrp.js';
import { PFSYNC_DISSECTORS, isPfsyncLinkFrame } from './pfsync/index.js';

export {
  ETHERTYPE_DISSECTORS, IP_PROTOCOL_DISSECTORS, decideProto112, dissectorForEthertype, dissectorForIpProtocol,
} from './dispatch-tables.js';

/** Every dissector by name; Handoff.next names one of these. */
export const DISSECTORS: Readonly<Record<string, Dissector>> = {
  eth: ETH_DISSECTOR,
  vlan: VLAN_DISSECTOR,
  sll: SLL_DISSECTOR,
  sll2: SLL2_DISSECTOR,
  null: NULL_DISSECTOR,
  loop: LOOP_DISSECTOR,
  raw: RAW_DISSECTOR,
  raw4: RAW4_DISSECTOR,
  raw6: RAW6_DISSECTOR,
  fr: FR_DISSECTOR,
  enc: ENC_DISSECTOR,
  pflog: PFLOG_DISSECTOR,
  ipv4: IPV4_DISSECTOR,
  ipv6: IPV6_DISSECTOR,
  ah: AH_DISSECTOR,
  esp: ESP_DISSECTOR,
  arp: ARP_DISSECTOR,
  icmpv6: ICMPV6_DISSECTOR,
  carp: CARP_DISSECTOR,
  vrrp: VRRP_DISSECTOR,
  ...PFSYNC_DISSECTORS,
};

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_DLT12 = 12;
export const LINKTYPE_RAW_OPENBSD14 = 14;
export const LINKTYPE_PFSYNC_OPENBSD18 = 18;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_FRELAY = 107;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_ENC = 109;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_PFLOG = 117;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_PFSYNC = 246;
export const LINKTYPE_LINUX_SLL2 = 276;

/** Link types that map to one dissector whatever the bytes. */
export const LINKTYPE_DISSECTORS: Readonly<Record<number, string>> = {
  [LINKTYPE_NULL]: 'null',
  [LINKTYPE_ETHERNET]: 'eth',
  [LINKTYPE_RAW]: 'raw',
  [LINKTYPE_FRELAY]: 'fr',
  [LINKTYPE_LOOP]: 'loop',
  [LINKTYPE_ENC]: 'enc',
  [LINKTYPE_LINUX_SLL]: 'sll',
  [LINKTYPE_PFLOG]: 'pflog',
  [LINKTYPE_IPV4]: 'raw4',
  [LINKTYPE_IPV6]: 'raw6',
  [LINKTYPE_PFSYNC]: 'pfsync-link',
  [LINKTYPE_LINUX_SLL2]: 'sll2',
};

/**
 * LINKTYPE_* -> dissector name, or undefined when not decoded. Some link types need a look at
 * the bytes: 12 and 14 are raw IP only when the version nibble says 4 or 6; 18 is OpenBSD's
 * DLT_PFSYNC only when the bytes look like pfsync.
 */
export function dissectorForLinktype(linktype: number, bytes: Uint8Array): string | undefined {
  let name: string | undefined;
  if (linktype === LINKTYPE_RAW_DLT12 || linktype === LINKTYPE_RAW_OPENBSD14) {
    name = rawIpDissector(bytes, 0) ? 'raw' : undefined;
  } else if (linktype === LINKTYPE_PFSYNC_OPENBSD18) {
    name = isPfsyncLinkFrame(bytes) ? 'pfsync-link' : undefined;
  } else {
    name = LINKTYPE_DISSECTORS[linktype];
  }
  return name !== undefined && DISSECTORS[name] ? name : undefined;
}
