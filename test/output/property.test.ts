// Property: whatever the decoders make of random and mutated frames, every renderer and the
// display filter handle it without throwing (fixed seed, printed by fast-check on failure).

import { test } from 'node:test';
import fc from 'fast-check';
import type { RawFrame } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { evaluateFilter, parseDisplayFilter } from '../../src/filter/display-filter.js';
import { createPalette } from '../../src/output/color.js';
import { createRenderer } from '../../src/output/renderer.js';
import { TimestampFormatter } from '../../src/output/timestamp.js';
import { BufferedWriter, MemoryStream } from '../../src/output/writer.js';
import { carpFrame4, carpFrame6, vrrp2Frame, vrrp3Frame6, arpFrame } from '../builders/packets.js';

const SEED = 20260522;
const seeds = [carpFrame4(), carpFrame6(), vrrp2Frame(), vrrp3Frame6(), arpFrame()];
const FILTERS = ['carp.vhid == 7 || vrrp.prio > 100', 'ip.src == 10.77.0.1 && !carp.hmac', 'carp.counter >= 1 or arp', 'vrrp.ip_addr contains 10'];
const filters = FILTERS.map(parseDisplayFilter);

const frameArb = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), fc.nat(200)).map(([base, flips, cut]) => {
    const b = base.slice(0, Math.max(1, Math.min(base.length, cut)));
    for (const [at, v] of flips) b[at % b.length] = v;
    return b;
  }),
);

function raw(data: Uint8Array, linktype: number): RawFrame {
  return { number: 1, tsSec: 1700000000, tsNsec: 5, tsDigits: 9, linktype, interfaceId: 0, capturedLength: data.length, originalLength: data.length + 3, data };
}

test('random and mutated frames render in every format without an exception', () => {
  fc.assert(
    fc.property(frameArb, fc.constantFrom(1, 0, 101, 113, 276, 228, 229, 246, 18, 12), (data, linktype) => {
      const frame = decodeFrame(raw(data, linktype));
      for (const format of ['text', 'jsonl', 'json', 'fields'] as const) {
        const out = new BufferedWriter(new MemoryStream());
        const r = createRenderer(out, {
          format, verbose: true, hex: true, quiet: false, fields: ['carp.vhid', 'vrrp.ip_addr', 'pfsync.subheaders', 'frame.number'],
          summaries: ['findings', 'carp,masters', 'pfsync,states'], palette: createPalette(1), timestamps: new TimestampFormatter('r', true),
        });
        r.frame(frame, []);
        r.end({ frames: 1, shown: 1, findings: {} }, {});
        out.flush();
      }
      for (const f of filters) evaluateFilter(f, frame);
    }),
    { seed: SEED, numRuns: 1500 },
  );
});
