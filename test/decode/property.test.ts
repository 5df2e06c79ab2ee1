// Fixed-seed property tests (fast-check prints the seed and the shrunk counterexample on
// failure; re-run with CARPDUMP_FC_SEED=<seed> to reproduce):
//  - any bytes under any supported link type decode with zero internal errors;
//  - mutated and cut valid frames decode with zero internal errors;
//  - the probe never says false for a frame that decodes to carp/vrrp/pfsync/arp/icmpv6;
//  - builder -> decode round trip of CARP fields.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrame } from '../../src/decode/frame.js';
import { isInterestingFrame } from '../../src/decode/probe.js';
import type { DecodedFrame } from '../../src/decode/types.js';
import * as B from '../builders/packets.js';
import { validFixtures } from './fixtures.js';
import { checkProperty } from '../support/fc-seed.js';
import { rawFrame } from '../support/frames.js';

const SEED = 0x0c4a9112; // default; checkProperty takes CARPDUMP_FC_SEED instead when set
const RUNS = Number(process.env['CARPDUMP_FC_RUNS'] ?? 3000);
const LINKTYPES = [0, 1, 12, 14, 18, 101, 107, 108, 109, 113, 228, 229, 246, 276];
const WATCHED = new Set(['carp', 'vrrp', 'pfsync', 'arp', 'icmpv6']);

function checkFrame(f: DecodedFrame, probe: boolean): void {
  if (f.internalError !== undefined) throw new Error(`internal error: ${f.internalError}`);
  if (!probe) {
    const hit = f.layers.find((l) => WATCHED.has(l.proto));
    if (hit) throw new Error(`probe said false but the frame has a ${hit.proto} layer`);
  }
}

const decodeAs = fc.constantFrom(undefined, 'carp' as const, 'vrrp' as const);

test('any bytes under any link type: no internal error, probe is a superset', () => {
  checkProperty(
    fc.property(fc.constantFrom(...LINKTYPES), fc.uint8Array({ maxLength: 200 }), fc.nat(300), decodeAs, (lt, data, extra, as) => {
      const raw = rawFrame(data, { linktype: lt, originalLength: data.length + (extra % 3 === 0 ? extra : 0) });
      checkFrame(decodeFrame(raw, as ? { decodeAs: as } : {}), isInterestingFrame(raw));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

/** A valid fixture with some bytes overwritten, maybe cut, maybe with a different wire length. */
const mutated = fc.record({
  fixture: fc.constantFrom(...validFixtures()),
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  wire: fc.nat(64),
  as: decodeAs,
});

test('mutated valid frames: no internal error, probe is a superset', () => {
  checkProperty(
    fc.property(mutated, ({ fixture, edits, cut, wire, as }) => {
      const bytes = Uint8Array.from(fixture.bytes);
      for (const [at, v] of edits) bytes[at % bytes.length] = v;
      const data = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
      const raw = rawFrame(data, { linktype: fixture.linktype, originalLength: Math.max(data.length, fixture.bytes.length - 32 + wire) });
      checkFrame(decodeFrame(raw, as ? { decodeAs: as } : {}), isInterestingFrame(raw));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('CARP builder -> decode round trip', () => {
  checkProperty(
    fc.property(
      fc.record({
        vhid: fc.integer({ min: 1, max: 255 }), advskew: fc.integer({ min: 0, max: 254 }), advbase: fc.integer({ min: 0, max: 254 }),
        demote: fc.integer({ min: 0, max: 255 }), counter: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        hmac: fc.uint8Array({ minLength: 20, maxLength: 20 }), v6: fc.boolean(),
      }),
      (o) => {
        const frame = o.v6 ? B.carpFrame6(o) : B.carpFrame4(o);
        const f = decodeFrame(rawFrame(frame));
        const c = f.layers.find((l) => l.proto === 'carp');
        assert.ok(c, 'carp layer');
        assert.equal(c.fields['carp.vhid'], o.vhid);
        assert.equal(c.fields['carp.advskew'], o.advskew);
        assert.equal(c.fields['carp.adver_int'], o.advbase);
        assert.equal(c.fields['carp.demotion'], o.demote);
        assert.equal(c.fields['carp.counter'], o.counter.toString());
        assert.equal(c.fields['carp.hmac'], Buffer.from(o.hmac).toString('hex'));
        assert.equal(c.fields['carp.checksum.status'], 'good');
        assert.equal(c.fields['carp.interval'], o.advbase + o.advskew / 256);
      },
    ),
    { seed: SEED, numRuns: 500 },
  );
});
