// Linux "cooked" captures: SLL (LINKTYPE_LINUX_SLL = 113) and SLL2 (LINKTYPE_LINUX_SLL2 = 276),
// per https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and ..._SLL2.html.
//
//   SLL (16 bytes)                          SLL2 (20 bytes)
//   0  packet type      (2)                 0  protocol type     (2)
//   2  ARPHRD_ type     (2)                 2  reserved (MBZ)    (2)
//   4  address length   (2)                 4  interface index   (4)
//   6  address          (8, zero padded)    8  ARPHRD_ type      (2)
//   14 protocol type    (2)                 10 packet type       (1)
//                                           11 address length    (1)
//                                           12 address           (8)
//
// Protocol type is an ethertype, except the Linux values below 1536 (1 = Novell 802.3,
// 4 = 802.2 LLC, ...), which are not decoded further. Both layers use the sll.* field ids
// (Wireshark does the same).

import type { Dissector, Handoff } from '../dissector.js';
import type { Cursor } from '../cursor.js';
import type { LayerWriter } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';
import { handoffForType } from './ethernet.js';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, dissectorForEthertype } from '../dispatch-tables.js';
import { formatMac, toHex } from '../cursor.js';
import { peekU16, type ProtocolModule } from '../module.js';

const PACKET_TYPES: Readonly<Record<number, string>> = {
  0: 'Unicast to us', 1: 'Broadcast', 2: 'Multicast', 3: 'Unicast to another host', 4: 'Sent by us',
};

export const SLL_PROTOCOL = {
  id: 'sll',
  name: 'Linux cooked capture v1',
  fields: [
    { id: 'sll.pkttype', label: 'Packet type', kind: 'uint', valueNames: PACKET_TYPES },
    { id: 'sll.hatype', label: 'Link-layer address type', kind: 'uint' },
    { id: 'sll.halen', label: 'Link-layer address length', kind: 'uint' },
    { id: 'sll.src.eth', label: 'Source', kind: 'mac' },
    { id: 'sll.src.other', label: 'Source (other link-layer address)', kind: 'bytes' },
    { id: 'sll.etype', label: 'Protocol', kind: 'hex' },
    { id: 'sll.ltype', label: 'Protocol (Linux non-ethertype)', kind: 'uint' },
    { id: 'sll.ifindex', label: 'Interface index', kind: 'uint' },
    { id: 'sll.reserved', label: 'Reserved', kind: 'hex' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

export const SLL2_PROTOCOL = {
  id: 'sll2',
  name: 'Linux cooked capture v2',
  fields: [],
  annotations: [],
} as const satisfies ProtocolDef;

/** The 8-byte address slot: a MAC when the length says 6, hex otherwise. */
function writeAddress(c: Cursor, out: LayerWriter, halen: number): void {
  const fields = out.layer.fields;
  c.need(8, 'SLL address');
  if (halen === 6) fields['sll.src.eth'] = formatMac(c.bytes, c.pos);
  else if (halen > 0) fields['sll.src.other'] = toHex(c.bytes, c.pos, c.pos + Math.min(halen, 8));
  c.pos += 8;
}

function handoffForProtocol(c: Cursor, out: LayerWriter, protocol: number): Handoff | undefined {
  const fields = out.layer.fields;
  if (protocol < 1536) {
    fields['sll.ltype'] = protocol;
    return undefined;
  }
  fields['sll.etype'] = protocol;
  return handoffForType(c, protocol);
}

export const SLL_DISSECTOR: Dissector = {
  proto: 'sll',
  decode(c, out) {
    const fields = out.layer.fields;
    fields['sll.pkttype'] = c.u16be('SLL packet type');
    fields['sll.hatype'] = c.u16be('SLL ARPHRD type');
    const halen = c.u16be('SLL address length');
    fields['sll.halen'] = halen;
    writeAddress(c, out, halen);
    return handoffForProtocol(c, out, c.u16be('SLL protocol'));
  },
};

export const SLL2_DISSECTOR: Dissector = {
  proto: 'sll2',
  decode(c, out) {
    const fields = out.layer.fields;
    const protocol = c.u16be('SLL2 protocol');
    fields['sll.reserved'] = c.u16be('SLL2 reserved');
    fields['sll.ifindex'] = c.u32be('SLL2 interface index');
    fields['sll.hatype'] = c.u16be('SLL2 ARPHRD type');
    fields['sll.pkttype'] = c.u8('SLL2 packet type');
    const halen = c.u8('SLL2 address length');
    fields['sll.halen'] = halen;
    writeAddress(c, out, halen);
    return handoffForProtocol(c, out, protocol);
  },
};

export const SLL_MODULE = {
  ...SLL_PROTOCOL,
  dissectors: { sll: SLL_DISSECTOR },
  probes: { sll: (b, s, end, next) => s + 16 <= end && next.ethertype(peekU16(b, s + 14), b, s + 16, end) },
  dispatch: { linktypes: [{ linktype: LINKTYPE_LINUX_SLL, dissector: 'sll' }] },
} as const satisfies ProtocolModule;

export const SLL2_MODULE = {
  ...SLL2_PROTOCOL,
  dissectors: { sll2: SLL2_DISSECTOR },
  probes: { sll2: (b, s, end, next) => s + 20 <= end && next.ethertype(peekU16(b, s), b, s + 20, end) },
  dispatch: { linktypes: [{ linktype: LINKTYPE_LINUX_SLL2, dissector: 'sll2' }] },
} as const satisfies ProtocolModule;
