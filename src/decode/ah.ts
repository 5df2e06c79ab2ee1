// IP Authentication Header (RFC 4302), IP protocol / next header 51. Decoded as its own layer
// and walked through to the protocol it protects (CARP/VRRP/pfsync may be sent under AH). The
// upper layer sees ctx.ip with the payload length reduced by the AH length.
//
//    0               1               2               3
//   +---------------+---------------+-------------------------------+
//   |  Next Header  |  Payload Len  |           RESERVED            |
//   +---------------+---------------+-------------------------------+
//   |                 Security Parameters Index (SPI)               |
//   |                    Sequence Number Field                      |
//   |                Integrity Check Value (variable) ...           |
//   +---------------------------------------------------------------+
//   AH length in bytes = (Payload Len + 2) * 4.

import type { Dissector } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import type { IpContext } from './types.js';
import { DecodeStop } from './cursor.js';
import { IPPROTO_AH, dissectorForIpProtocol } from './dispatch-tables.js';
import type { ProtocolModule } from './module.js';
import { IP_PROTOCOL_NAMES } from './ipv4.js';

export const AH_PROTOCOL = {
  id: 'ah',
  name: 'Authentication Header',
  fields: [
    { id: 'ah.next_header', label: 'Next header', kind: 'uint', valueNames: IP_PROTOCOL_NAMES },
    { id: 'ah.length', label: 'Length', kind: 'uint', unit: 'bytes' },
    { id: 'ah.spi', label: 'AH SPI', kind: 'hex' },
    { id: 'ah.sequence', label: 'AH Sequence', kind: 'uint' },
    { id: 'ah.icv', label: 'AH ICV', kind: 'bytes' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

export const AH_DISSECTOR: Dissector = {
  proto: 'ah',
  decode(c, out, ctx) {
    const fields = out.layer.fields;
    const start = c.pos;
    const nextHeader = c.u8('AH next header');
    fields['ah.next_header'] = nextHeader;
    const length = (c.u8('AH payload length') + 2) * 4;
    fields['ah.length'] = length;
    c.skip(2, 'AH reserved');
    fields['ah.spi'] = c.u32be('AH SPI');
    fields['ah.sequence'] = c.u32be('AH sequence');
    if (length < 12) throw new DecodeStop('malformed', `AH length ${length} < 12`, start + 1);
    fields['ah.icv'] = c.hex(length - 12, 'AH ICV');
    const outer = ctx.ip;
    if (!outer) return undefined;
    const ip: IpContext = { ...outer, payloadLength: outer.payloadLength - length };
    ctx.ip = ip;
    ctx.frame.ip = ip;
    const next = dissectorForIpProtocol(nextHeader, c.bytes, {
      ipVersion: ip.version,
      start: c.pos,
      capturedEnd: Math.min(c.bytes.length, c.declaredEnd),
      payloadLength: ip.payloadLength,
      fragmented: ip.fragmented,
    }, ctx.options);
    return next ? { next, start: c.pos, declaredEnd: c.declaredEnd } : undefined;
  },
};

export const AH_MODULE = {
  ...AH_PROTOCOL,
  dissectors: { ah: AH_DISSECTOR },
  // The prefilter accepts AH without looking inside (the ICV length varies).
  dispatch: { ipProtocols: [{ value: IPPROTO_AH, dissector: 'ah', prefilter: 'accept' }] },
} as const satisfies ProtocolModule;
