// IP Encapsulating Security Payload (RFC 4303), IP protocol / next header 50. The payload is
// encrypted: decoding stops after the SPI and sequence number.
//
//   +---------------------------------------------------------------+
//   |               Security Parameters Index (SPI)                 |
//   |                      Sequence Number                          |
//   |                Payload Data (encrypted) ...                   |
//   +---------------------------------------------------------------+

import type { Dissector } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import type { ProtocolModule } from './module.js';
import { IPPROTO_ESP } from './dispatch-tables.js';

export const ESP_PROTOCOL = {
  id: 'esp',
  name: 'Encapsulating Security Payload',
  fields: [
    { id: 'esp.spi', label: 'ESP SPI', kind: 'hex' },
    { id: 'esp.sequence', label: 'ESP Sequence', kind: 'uint' },
  ],
  annotations: [],
} as const satisfies ProtocolDef;

export const ESP_DISSECTOR: Dissector = {
  proto: 'esp',
  decode(c, out) {
    const fields = out.layer.fields;
    fields['esp.spi'] = c.u32be('ESP SPI');
    fields['esp.sequence'] = c.u32be('ESP sequence');
    return undefined;
  },
};

export const ESP_MODULE = {
  ...ESP_PROTOCOL,
  dissectors: { esp: ESP_DISSECTOR },
  // No probe: an encrypted payload is nothing carpdump shows by default.
  dispatch: { ipProtocols: [{ value: IPPROTO_ESP, dissector: 'esp' }] },
} as const satisfies ProtocolModule;
