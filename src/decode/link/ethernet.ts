// Ethernet II / IEEE 802.3 (LINKTYPE_ETHERNET = 1) and IEEE 802.1Q / 802.1ad VLAN tags
// (ethertypes 0x8100, 0x88a8, 0x9100; stacked tags are one 'vlan' layer each, outer first).
//
//   Ethernet:  0      6      12     14
//             +------+------+------+----------
//             | dst  | src  | type | payload ...   type <= 1500: 802.3 length (LLC not decoded)
//             +------+------+------+----------
//   VLAN tag (after a TPID of 0x8100/0x88a8/0x9100 in the previous type field):
//             +-----+---+-------------+------+
//             | PCP |DEI|   VID (12)  | type |
//             +-----+---+-------------+------+
//               3     1       12        16 bits
//
// Ethernet padding is not cut here: the IP total length bounds the IP payload.

import type { Dissector, Handoff } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';
import { LINKTYPE_ETHERNET, dissectorForEthertype } from '../dispatch-tables.js';
import type { Cursor } from '../cursor.js';
import { peekU16, type ProtocolModule } from '../module.js';

const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8100: '802.1Q Virtual LAN',
  0x88a8: '802.1ad Provider Bridge (Q-in-Q)', 0x9100: 'QinQ (legacy)',
};

export const ETH_PROTOCOL = {
  id: 'eth',
  name: 'Ethernet II',
  fields: [
    { id: 'eth.dst', label: 'Destination', kind: 'mac' },
    { id: 'eth.src', label: 'Source', kind: 'mac' },
    { id: 'eth.type', label: 'Type', kind: 'hex', valueNames: ETHERTYPE_NAMES },
    { id: 'eth.len', label: 'Length (IEEE 802.3)', kind: 'uint', unit: 'bytes' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

export const VLAN_PROTOCOL = {
  id: 'vlan',
  name: '802.1Q Virtual LAN',
  fields: [
    { id: 'vlan.priority', label: 'Priority', kind: 'uint' },
    { id: 'vlan.dei', label: 'DEI', kind: 'uint' },
    { id: 'vlan.id', label: 'ID', kind: 'uint' },
    { id: 'vlan.etype', label: 'Type', kind: 'hex', valueNames: ETHERTYPE_NAMES },
    { id: 'vlan.len', label: 'Length (IEEE 802.3)', kind: 'uint', unit: 'bytes' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

/** Continue after an ethertype (a value <= 1500 is an 802.3 length: nothing decoded after it). Also SLL's. */
export function handoffForType(c: Cursor, type: number): Handoff | undefined {
  if (type <= 1500) return undefined; // 802.3 length: LLC/SNAP payloads are not decoded
  const next = dissectorForEthertype(type);
  return next ? { next, start: c.pos, declaredEnd: c.declaredEnd } : undefined;
}

export const ETH_DISSECTOR: Dissector = {
  proto: 'eth',
  decode(c, out) {
    const fields = out.layer.fields;
    fields['eth.dst'] = c.mac('Ethernet destination');
    fields['eth.src'] = c.mac('Ethernet source');
    const type = c.u16be('Ethernet type');
    if (type <= 1500) fields['eth.len'] = type;
    else fields['eth.type'] = type;
    return handoffForType(c, type);
  },
};

export const VLAN_DISSECTOR: Dissector = {
  proto: 'vlan',
  decode(c, out) {
    const fields = out.layer.fields;
    const tci = c.u16be('802.1Q tag control');
    fields['vlan.priority'] = tci >> 13;
    fields['vlan.dei'] = (tci >> 12) & 1;
    fields['vlan.id'] = tci & 0x0fff;
    const type = c.u16be('802.1Q type');
    if (type <= 1500) fields['vlan.len'] = type;
    else fields['vlan.etype'] = type;
    return handoffForType(c, type);
  },
};

export const ETH_MODULE = {
  ...ETH_PROTOCOL,
  dissectors: { eth: ETH_DISSECTOR },
  probes: { eth: (b, s, end, next) => s + 14 <= end && next.ethertype(peekU16(b, s + 12), b, s + 14, end) },
  dispatch: { linktypes: [{ linktype: LINKTYPE_ETHERNET, dissector: 'eth' }] },
} as const satisfies ProtocolModule;

export const VLAN_MODULE = {
  ...VLAN_PROTOCOL,
  dissectors: { vlan: VLAN_DISSECTOR },
  probes: { vlan: (b, at, end, next) => at + 4 <= end && next.ethertype(peekU16(b, at + 2), b, at + 4, end) },
  dispatch: {
    ethertypes: [
      { value: 0x8100, dissector: 'vlan' }, // IEEE 802.1Q customer tag
      { value: 0x88a8, dissector: 'vlan' }, // IEEE 802.1ad service tag (QinQ outer)
      { value: 0x9100, dissector: 'vlan' }, // pre-standard QinQ outer tag
    ],
  },
} as const satisfies ProtocolModule;
