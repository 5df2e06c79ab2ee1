// Bounded memory: the tracker holds 1M synced states (fed as real decoded bulk-update packets)
// in well under 500 MB, and then takes 1M compressed updates for them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../../src/decode/frame.js';
import { createPfsyncAnalyzer } from '../../../src/analyze/pfsync/index.js';
import { buildModernPfsync, buildPfsyncUpdCPacket, buildState, pfsyncEthFrame, BASE_TS } from '../../builders/pfsync.js';
import { rawFrame } from '../../support/frames.js';
import { tcpState } from '../../support/pfsync-harness.js';
import { IGNORE_DERIVED } from '../../support/derived.js';

const STATES = 1_000_000;
const PER_PACKET = 5; // 5 x 264-byte v6 states per 1500-byte packet
const STATE_AT = 14 + 20 + 20 + 4; // Ethernet, IPv4, pfsync header, subheader

function patchId(frame: Uint8Array, at: number, id: number): void {
  // ids are BE u64; the low 32 bits are enough to make 1M distinct ones
  frame[at + 4] = (id >>> 24) & 0xff; frame[at + 5] = (id >>> 16) & 0xff; frame[at + 6] = (id >>> 8) & 0xff; frame[at + 7] = id & 0xff;
}

test('1M tracked states in under 500 MB; 1M UPD_C applied to them', (t) => {
  const before = process.memoryUsage();
  const analyzer = createPfsyncAnalyzer();
  const sink = (): void => {};
  const template = pfsyncEthFrame(buildModernPfsync({ version: 6, sections: [{ action: 14, messages: Array.from({ length: PER_PACKET }, () => buildState('openbsd-v6', tcpState(0x0a0a0a01, 0))) }] }), { src: '192.0.2.1' });
  let n = 0;
  for (let p = 0; n < STATES; p++) {
    const bytes = Uint8Array.from(template);
    for (let j = 0; j < PER_PACKET; j++) patchId(bytes, STATE_AT + j * 264, ++n);
    analyzer.onFrame(decodeFrame(rawFrame(bytes, { number: p + 1, tsSec: BASE_TS + p + 1 })), sink, IGNORE_DERIVED);
  }
  const after = process.memoryUsage();
  const grownMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
  const summary = analyzer.summary()['pfsync'] as Record<string, unknown>;
  assert.equal(summary['states'], STATES);
  assert.ok(grownMb < 500, `heap grew ${grownMb.toFixed(0)} MB`);
  t.diagnostic(`heap + array buffers grew ${grownMb.toFixed(0)} MB for ${STATES} states`);
  const upd = buildPfsyncUpdCPacket({ creatorid: 0x0a0a0a01, firstId: 0x67754b8000000001n, count: 16, seq: 5000 });
  const findings: string[] = [];
  const start = performance.now();
  for (let first = 1, p = 0; first <= STATES; first += 16, p++) {
    const bytes = Uint8Array.from(upd);
    for (let j = 0; j < 16; j++) patchId(bytes, STATE_AT + j * 84, first + j);
    analyzer.onFrame(decodeFrame(rawFrame(bytes, { number: p + 1, tsSec: BASE_TS + p + 1 })), (f) => findings.push(f.id), IGNORE_DERIVED);
  }
  t.diagnostic(`1M UPD_C decoded and applied in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  assert.deepEqual(findings, []);
  assert.deepEqual((analyzer.summary()['pfsync'] as Record<string, unknown>)['messages_by_action'], { UPD: STATES, UPD_C: 1_000_000 });
});
