// The registry of every protocol's fields and annotations.

import { Registry } from './registry.js';
import { ETH_PROTOCOL, VLAN_PROTOCOL } from './link/ethernet.js';
import { SLL_PROTOCOL, SLL2_PROTOCOL } from './link/sll.js';
import { NULL_PROTOCOL } from './link/null.js';
import { RAW_PROTOCOL } from './link/raw.js';
import { FR_PROTOCOL } from './link/fr.js';
import { ENC_PROTOCOL } from './link/enc.js';
import { PFLOG_PROTOCOL } from './link/pflog.js';
import { IPV4_PROTOCOL } from './ipv4.js';
import { IPV6_PROTOCOL } from './ipv6.js';
import { AH_PROTOCOL } from './ah.js';
import { ESP_PROTOCOL } from './esp.js';
import { ARP_PROTOCOL } from './arp.js';
import { ICMPV6_PROTOCOL } from './icmpv6.js';
import { CARP_PROTOCOL } from './carp.js';
import { VRRP_PROTOCOL } from './vrrp.js';
import { PFSYNC_PROTOCOL_DEFS } from './pfsync/index.js';
import type { ProtocolDef } from './registry.js';

/** Every protocol carpdump decodes, outermost first. */
export const PROTOCOL_DEFS: readonly ProtocolDef[] = [
  ETH_PROTOCOL, VLAN_PROTOCOL, SLL_PROTOCOL, SLL2_PROTOCOL, NULL_PROTOCOL, RAW_PROTOCOL, FR_PROTOCOL,
  ENC_PROTOCOL, IPV4_PROTOCOL, IPV6_PROTOCOL, AH_PROTOCOL, ESP_PROTOCOL, ARP_PROTOCOL, ICMPV6_PROTOCOL,
  CARP_PROTOCOL, VRRP_PROTOCOL, ...PFSYNC_PROTOCOL_DEFS, PFLOG_PROTOCOL,
];

export const REGISTRY = new Registry().addAnnotations([
  { id: 'frame.unsupported_linktype', severity: 'note', summary: 'the link type is not decoded' },
  { id: 'frame.time_out_of_range', severity: 'warn', summary: 'the capture file gives a time carpdump cannot show (beyond ±8.64e12 s): shown as 0' },
  { id: 'frame.too_many_layers', severity: 'note', summary: 'more nested layers than carpdump decodes (e.g. a long VLAN tag stack)' },
  { id: 'carpdump.internal_error', severity: 'error', summary: 'a dissector failed unexpectedly (a carpdump bug: please report it with the frame)' },
]);
for (const def of PROTOCOL_DEFS) REGISTRY.add(def);
