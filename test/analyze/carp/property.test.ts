// Property test (fixed seed): random advert sequences never throw, and the summary agrees with
// the findings (the master is a source that was heard; transitions = master changes after the
// first sighting; the timeline has one period per master_changed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { advert } from './frames.js';
import { runCarp } from './run.js';
import type { Fields } from '../../../src/decode/types.js';
import { checkProperty } from '../../fc-seed.js';

const step = fc.record({
  dt: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 6, noNaN: true })),
  src: fc.constantFrom('10.77.0.1', '10.77.0.2', '10.77.0.3'),
  advbase: fc.constantFrom(0, 1, 1, 1, 2, 255),
  advskew: fc.constantFrom(0, 0, 100, 240, 255),
  demote: fc.constantFrom(0, 0, 0, 1, 128),
  counter: fc.bigInt({ min: 0n, max: 5n }),
  vhid: fc.constantFrom(7, 7, 8),
});

test('random advert sequences: no exception, summary consistent with findings', () => {
  checkProperty(fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
    let t = 0;
    const frames = steps.map((s, i) => {
      t += s.dt;
      return advert({ n: i + 1, t, src: s.src, vhid: s.vhid, advbase: s.advbase, advskew: s.advskew, demote: s.demote, counter: s.counter, hmac: s.counter.toString(16).padStart(40, '0') });
    });
    const r = runCarp(frames);
    for (const f of r.findings) {
      assert.ok(f.frames.length > 0);
      for (const n of f.frames) assert.ok(n >= 1 && n <= frames.length);
    }
    const vhids = r.carp()['vhids'] as Fields[];
    const timeline = r.carp()['timeline'] as Fields[];
    const changes = r.byId('carp.master_changed');
    assert.equal(timeline.length, changes.length);
    for (const v of vhids) {
      const mine = changes.filter((c) => c.details['vhid'] === v['vhid']);
      const firsts = mine.filter((c) => c.details['cause'] === 'first_seen').length;
      assert.ok(firsts <= 1);
      assert.equal(v['transitions'], mine.length - firsts);
      if (v['master'] !== null) {
        assert.ok(steps.some((s) => s.src === v['master']));
        assert.equal(mine.at(-1)?.details['src'], v['master']);
      }
    }
    const tick = (): void => r.analyzer.onTick({ sec: 1_700_000_000 + Math.ceil(t) + 100, nsec: 0, digits: 6 }, () => undefined);
    tick();
  }), { seed: 112, numRuns: 300 });
});
