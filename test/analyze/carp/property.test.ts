// Property test (fixed seed): random advert sequences never throw, and the summary agrees with
// the findings (the master is a source that was heard; transitions = master changes after the
// first sighting; the timeline has one period per master_changed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { advert } from '../../support/carp-frames.js';
import { runCarp } from './run.js';
import type { Fields } from '../../../src/decode/types.js';
import { checkProperty } from '../../support/fc-seed.js';
import { derivedOf } from '../../support/derived.js';

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

// With a passphrase known: genuine members A and B (good HMAC), a forger F (bad HMAC) and a
// replayer R (copies a counter and HMAC another source sent earlier). No master change is ever
// caused by a replayed or HMAC-bad advert, and no split brain by a replayed one; a split brain
// whose trigger failed the HMAC says so (src_verified false).
const attack = fc.record({
  dt: fc.double({ min: 0, max: 5, noNaN: true }),
  who: fc.constantFrom('A', 'A', 'B', 'F', 'R'),
  advskew: fc.constantFrom(0, 100, 200),
  pick: fc.nat(),
});

test('random sequences with forgers and replayers: no master change or split brain from a replayed or bad advert', () => {
  const SRC = { A: '10.77.0.1', B: '10.77.0.2', F: '10.77.0.66', R: '10.77.0.99' } as const;
  checkProperty(fc.property(fc.array(attack, { minLength: 1, maxLength: 50 }), (steps) => {
    let t = 0;
    const sent: { counter: bigint; hmac: string }[] = [];
    const kind = new Map<number, 'good' | 'bad' | 'replay'>();
    const frames = steps.map((s, i) => {
      t += s.dt;
      const n = i + 1;
      const counter = 0x2000000000000000n + BigInt(n);
      if (s.who === 'R' && sent.length > 0) {
        const o = sent[s.pick % sent.length]!;
        kind.set(n, 'replay');
        return advert({ n, t, src: SRC.R, mac: '02:00:00:00:00:99', advskew: s.advskew, counter: o.counter, hmac: o.hmac });
      }
      const who = s.who === 'R' ? 'F' : s.who;
      const f = advert({ n, t, src: SRC[who], mac: `02:00:00:00:00:0${who === 'A' ? 1 : who === 'B' ? 2 : 6}`, advskew: s.advskew, counter, pass: who === 'F' ? 'forged' : 'carpsecret', vip: ['10.77.0.100'] });
      sent.push({ counter, hmac: String(f.layers[2]!.fields['carp.hmac']) });
      kind.set(n, who === 'F' ? 'bad' : 'good');
      return f;
    });
    const r = runCarp(frames, { passphrases: [{ vhid: 7, passphrase: 'carpsecret' }], vips: new Map([[7, ['10.77.0.100']]]) });
    for (const f of frames) {
      const k = kind.get(f.raw.number);
      if (k === 'bad') assert.equal(derivedOf(f)['carp.hmac.status'], 'bad');
    }
    for (const m of r.byId('carp.master_changed')) {
      const trigger = m.frames.at(-1)!;
      assert.equal(kind.get(trigger), 'good', `master change at frame ${trigger} (${String(kind.get(trigger))})`);
      assert.notEqual(m.details['src'], SRC.F);
      assert.notEqual(m.details['src'], SRC.R);
    }
    for (const sb of r.byId('carp.split_brain')) {
      const trigger = sb.frames.at(-1)!;
      assert.notEqual(kind.get(trigger), 'replay', `split brain at replayed frame ${trigger}`);
      if (kind.get(trigger) === 'bad') assert.equal(sb.details['src_verified'], false);
    }
    const masters = (r.carp()['vhids'] as Fields[]).map((v) => v['master']);
    assert.ok(!masters.includes(SRC.F) && !masters.includes(SRC.R));
  }), { seed: 1010, numRuns: 300 });
});
