// The 3M-creator pfsync flood of issue 12, shared by test/analyze/pfsync/creator-flood.test.ts
// and `npm run bench:hostile`: OpenBSD v6 UPD packets of PER_PACKET full states, each state with
// a random creator id and the next state id.

import { buildModernPfsync, buildState, pfsyncEthFrame } from './pfsync.js';
import { tcpState } from '../support/pfsync-harness.js';

export const PER_PACKET = 200; // 200 x 264-byte v6 states: a 52 kB frame (pfsync len is a u16)
export const STATE_AT = 14 + 20 + 20 + 4; // Ethernet, IPv4, pfsync header, subheader
export const template = pfsyncEthFrame(buildModernPfsync({
  version: 6, sections: [{ action: 14, messages: Array.from({ length: PER_PACKET }, () => buildState('openbsd-v6', tcpState(1, 0))) }],
}), { src: '192.0.2.1' });

/** One UPD packet of PER_PACKET states, each with a random creator id and the next state id. */
export function floodPacket(rand: () => number, firstId: number): Uint8Array {
  const b = Uint8Array.from(template);
  const v = new DataView(b.buffer);
  for (let j = 0; j < PER_PACKET; j++) {
    const at = STATE_AT + j * 264;
    v.setUint32(at + 4, firstId + j); // id (low word)
    v.setUint32(at + 236, (Math.floor(rand() * 0xffffffff) | 1) >>> 0); // creatorid (never 0)
  }
  return b;
}
