// The one list of protocol modules (decode/module.ts). The registry, the dissector table, the
// dispatch tables, the record prefilter (decode/protocol-set.ts) and the decoder half of the
// findings (analyze/policy.ts) are built from it. Adding a protocol: one decode/<proto> file
// exporting its module, and one line here (the meta-tests then ask for its tests).

import { ETH_MODULE, VLAN_MODULE } from './link/ethernet.js';
import { SLL_MODULE, SLL2_MODULE } from './link/sll.js';
import { NULL_MODULE } from './link/null.js';
import { RAW_MODULE } from './link/raw.js';
import { FR_MODULE } from './link/fr.js';
import { ENC_MODULE } from './link/enc.js';
import { PFLOG_MODULE } from './link/pflog.js';
import { IPV4_MODULE } from './ipv4.js';
import { IPV6_MODULE } from './ipv6.js';
import { AH_MODULE } from './ah.js';
import { ESP_MODULE } from './esp.js';
import { ARP_MODULE } from './arp.js';
import { ICMPV6_MODULE } from './icmpv6.js';
import { CARP_MODULE } from './carp.js';
import { VRRP_MODULE } from './vrrp.js';
import { PFSYNC_LINK_MODULE, PFSYNC_MODULE } from './pfsync/index.js';
import { activateDispatchTables } from './dispatch-tables.js';
import type { ModuleAnnotation } from './module.js';
import { buildProtocolSet } from './protocol-set.js';
import type { ProtocolDef } from './registry.js';

/** Every protocol carpdump decodes, outermost first. */
export const MODULES = [
  ETH_MODULE, VLAN_MODULE, SLL_MODULE, SLL2_MODULE, NULL_MODULE, RAW_MODULE, FR_MODULE,
  ENC_MODULE, IPV4_MODULE, IPV6_MODULE, AH_MODULE, ESP_MODULE, ARP_MODULE, ICMPV6_MODULE,
  CARP_MODULE, VRRP_MODULE, PFSYNC_MODULE, PFSYNC_LINK_MODULE, PFLOG_MODULE,
] as const;

/** Annotations of the frame decoder itself, not of a protocol. */
export const FRAME_ANNOTATIONS = [
  { id: 'frame.unsupported_linktype', severity: 'note', summary: 'the link type is not decoded', group: 'malformed' },
  { id: 'frame.time_out_of_range', severity: 'warn', summary: 'the capture file gives a time carpdump cannot show (beyond ±8.64e12 s, e.g. a huge if_tsoffset): shown as 0, exact time in the message', group: 'malformed', finding: true },
  { id: 'frame.too_many_layers', severity: 'note', summary: 'more nested layers than carpdump decodes (e.g. a long VLAN tag stack)', group: 'malformed' },
  { id: 'carpdump.internal_error', severity: 'error', summary: 'a dissector failed unexpectedly (a carpdump bug)', group: 'malformed', finding: true },
] as const satisfies readonly ModuleAnnotation[];

export const PROTOCOLS = buildProtocolSet(MODULES, FRAME_ANNOTATIONS);
activateDispatchTables(PROTOCOLS.tables);

export const PROTOCOL_DEFS: readonly ProtocolDef[] = MODULES;
export const REGISTRY = PROTOCOLS.registry;
