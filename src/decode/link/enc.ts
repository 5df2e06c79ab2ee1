// OpenBSD enc(4) (LINKTYPE_ENC = 109): IPsec traffic before encryption / after decryption,
// behind a 12-byte struct enchdr (sys/net/if_enc.h). af and flags are in the capturing host's
// byte order (either is accepted, as for LINKTYPE_NULL); spi is in network order.
//
//   0        4        8        12
//   +--------+--------+--------+-------------------
//   |   af   |  spi   | flags  | IPv4 / IPv6 packet
//   +--------+--------+--------+-------------------
//   flags: M_CONF 0x0400 (encrypted), M_AUTH 0x0800 (authenticated), M_AUTH_AH 0x2000

import type { Dissector } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';
import { dissectorForFamily, readFamily } from './null.js';
import { rawIpDissector } from './raw.js';
import { LINKTYPE_ENC } from '../dispatch-tables.js';
import type { ProtocolModule } from '../module.js';

export const ENC_PROTOCOL = {
  id: 'enc',
  name: 'OpenBSD Encapsulating device',
  fields: [
    { id: 'enc.af', label: 'Address Family', kind: 'uint', valueNames: { 2: 'IPv4', 24: 'IPv6' } },
    { id: 'enc.spi', label: 'SPI', kind: 'hex' },
    { id: 'enc.flags', label: 'Flags', kind: 'hex' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

export const ENC_DISSECTOR: Dissector = {
  proto: 'enc',
  decode(c, out) {
    const fields = out.layer.fields;
    c.need(12, 'enc header');
    const af = readFamily(c.bytes, c.pos, true);
    const flagsLe = readFamily(c.bytes, c.pos + 8, true);
    c.pos += 4;
    fields['enc.af'] = af;
    fields['enc.spi'] = c.u32be('SPI');
    c.pos += 4;
    fields['enc.flags'] = flagsLe;
    const next = dissectorForFamily(af) ?? rawIpDissector(c.bytes, c.pos);
    return next ? { next, start: c.pos, declaredEnd: c.declaredEnd } : undefined;
  },
};

export const ENC_MODULE = {
  ...ENC_PROTOCOL,
  dissectors: { enc: ENC_DISSECTOR },
  probes: {
    enc: (b, s, end, next) => s + 12 <= end
      && next.dissector(dissectorForFamily(readFamily(b, s, true)) ?? (s + 12 < end ? rawIpDissector(b, s + 12) : undefined), b, s + 12, end),
  },
  dispatch: { linktypes: [{ linktype: LINKTYPE_ENC, dissector: 'enc' }] },
} as const satisfies ProtocolModule;
