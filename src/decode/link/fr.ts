// Frame Relay (LINKTYPE_FRELAY = 107): Q.922 address, then either RFC 2427 (Q.933 UI 0x03 +
// NLPID, 0xcc IPv4, 0x8e IPv6, 0x80 SNAP) or Cisco encapsulation (an ethertype right after the
// address, as in tcpdump's fuzz captures).
//
//   Q.922 address, 2 to 4 octets, EA = 1 in the last:
//   octet 1: DLCI(6) C/R EA      octet 2: DLCI(4) FECN BECN DE EA
//   octet 3 (if any): DLCI(7) EA  or  DLCI(6) D/C EA (last)
//   then: 0x03 [0x00 pad] NLPID ...          (RFC 2427)
//     or: ethertype(2) ...                   (Cisco)

import type { Dissector, Handoff } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';
import { LINKTYPE_FRELAY, dissectorForEthertype } from '../dispatch-tables.js';
import { DecodeStop } from '../cursor.js';
import { peekU16, type Probe, type ProtocolModule } from '../module.js';

export const FR_PROTOCOL = {
  id: 'fr',
  name: 'Frame Relay',
  fields: [
    { id: 'fr.dlci', label: 'DLCI', kind: 'uint' },
    { id: 'fr.cr', label: 'C/R', kind: 'bool' },
    { id: 'fr.fecn', label: 'FECN', kind: 'bool' },
    { id: 'fr.becn', label: 'BECN', kind: 'bool' },
    { id: 'fr.de', label: 'DE', kind: 'bool' },
    { id: 'fr.control', label: 'Control', kind: 'hex' },
    { id: 'fr.nlpid', label: 'NLPID', kind: 'hex', valueNames: { 0xcc: 'IP', 0x8e: 'IPv6', 0x80: 'SNAP' } },
    { id: 'fr.snap.oui', label: 'SNAP OUI', kind: 'hex' },
    { id: 'fr.snap.pid', label: 'SNAP protocol id', kind: 'hex' },
    { id: 'fr.ethertype', label: 'Type (Cisco encapsulation)', kind: 'hex' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

const NLPID_IPV4 = 0xcc;
const NLPID_IPV6 = 0x8e;
const NLPID_SNAP = 0x80;

export const FR_DISSECTOR: Dissector = {
  proto: 'fr',
  decode(c, out) {
    const fields = out.layer.fields;
    const a0 = c.u8('Q.922 address');
    const a1 = c.u8('Q.922 address');
    fields['fr.cr'] = (a0 & 0x02) !== 0;
    fields['fr.fecn'] = (a1 & 0x08) !== 0;
    fields['fr.becn'] = (a1 & 0x04) !== 0;
    fields['fr.de'] = (a1 & 0x02) !== 0;
    let dlci = ((a0 >> 2) << 4) | (a1 >> 4);
    if ((a1 & 1) === 0) {
      const a2 = c.u8('Q.922 address');
      if ((a2 & 1) === 1) {
        dlci = (dlci << 6) | (a2 >> 2);
      } else {
        const a3 = c.u8('Q.922 address');
        if ((a3 & 1) === 0) throw new DecodeStop('malformed', 'Q.922 address longer than 4 octets', c.pos);
        dlci = (((dlci << 7) | (a2 >> 1)) << 6) | (a3 >> 2);
      }
    }
    fields['fr.dlci'] = dlci;
    c.need(1, 'Frame Relay control or type');
    let next: string | undefined;
    if (c.bytes[c.pos] === 0x03) {
      fields['fr.control'] = c.u8('Q.933 control');
      let nlpid = c.u8('NLPID');
      if (nlpid === 0) nlpid = c.u8('NLPID'); // optional pad octet
      fields['fr.nlpid'] = nlpid;
      if (nlpid === NLPID_IPV4) next = 'ipv4';
      else if (nlpid === NLPID_IPV6) next = 'ipv6';
      else if (nlpid === NLPID_SNAP) {
        const oui = (c.u8('SNAP OUI') << 16) | c.u16be('SNAP OUI');
        const pid = c.u16be('SNAP protocol id');
        fields['fr.snap.oui'] = oui;
        fields['fr.snap.pid'] = pid;
        if (oui === 0) next = dissectorForEthertype(pid);
      }
    } else {
      const type = c.u16be('Cisco ethertype');
      fields['fr.ethertype'] = type;
      next = dissectorForEthertype(type);
    }
    const h: Handoff | undefined = next ? { next, start: c.pos, declaredEnd: c.declaredEnd } : undefined;
    return h;
  },
};

/** The Q.922 address (2 to 4 octets), then RFC 2427 NLPID / SNAP or a Cisco ethertype. */
const probeFrameRelay: Probe = (b, s, end, next) => {
  const n = end - s;
  if (n < 2) return false;
  let p = 2;
  if ((b[s + 1]! & 1) === 0) {
    if (n < 3) return false;
    p = 3;
    if ((b[s + 2]! & 1) === 0) {
      if (n < 4 || (b[s + 3]! & 1) === 0) return false;
      p = 4;
    }
  }
  if (p >= n) return false;
  if (b[s + p] === 0x03) {
    p++;
    if (p < n && b[s + p] === 0) p++;
    if (p >= n) return false;
    const nlpid = b[s + p]!;
    p++;
    if (nlpid === NLPID_IPV4) return next.dissector('ipv4', b, s + p, end);
    if (nlpid === NLPID_IPV6) return next.dissector('ipv6', b, s + p, end);
    if (nlpid !== NLPID_SNAP || p + 5 > n) return false;
    if (b[s + p] !== 0 || b[s + p + 1] !== 0 || b[s + p + 2] !== 0) return false;
    return next.ethertype(peekU16(b, s + p + 3), b, s + p + 5, end);
  }
  if (p + 2 > n) return false;
  return next.ethertype(peekU16(b, s + p), b, s + p + 2, end);
};

export const FR_MODULE = {
  ...FR_PROTOCOL,
  dissectors: { fr: FR_DISSECTOR },
  probes: { fr: probeFrameRelay },
  dispatch: { linktypes: [{ linktype: LINKTYPE_FRELAY, dissector: 'fr' }] },
} as const satisfies ProtocolModule;
