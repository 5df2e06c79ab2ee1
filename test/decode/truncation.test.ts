// Truncation sweep: every prefix of every valid fixture decodes without an internal error; the
// layer that was cut ends 'truncated' and keeps the fields before the cut, and every earlier
// layer is decoded exactly as in the whole frame.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue } from '../../src/decode/types.js';
import { decode } from './helpers.js';
import { validFixtures } from './fixtures.js';

/** A value seen in a cut layer agrees with the whole frame's value. */
function agrees(id: string, cut: FieldValue, whole: FieldValue | undefined): boolean {
  if (id.endsWith('.status')) return cut === 'unverified' || cut === whole;
  if (Array.isArray(cut) && Array.isArray(whole)) return cut.every((v, i) => v === whole[i]);
  return JSON.stringify(cut) === JSON.stringify(whole);
}

for (const fx of validFixtures()) {
  test(`truncation sweep: ${fx.name}`, () => {
    const whole = decode(fx.bytes, fx.linktype);
    assert.equal(whole.internalError, undefined);
    assert.ok(whole.layers.every((l) => l.status === 'ok'), `${fx.name} must decode cleanly`);
    for (let k = 0; k < fx.bytes.length; k++) {
      const f = decode(fx.bytes.subarray(0, k), fx.linktype, {}, fx.bytes.length);
      const where = `${fx.name} cut at ${k}`;
      assert.equal(f.internalError, undefined, where);
      assert.ok(f.layers.length > 0, `${where}: no layer`);
      const last = f.layers[f.layers.length - 1]!;
      assert.equal(last.status, 'truncated', `${where}: last layer ${last.proto} is ${last.status}`);
      assert.ok(f.annotations.some((a) => a.id === `${last.proto}.truncated`), `${where}: no ${last.proto}.truncated`);
      for (let i = 0; i < f.layers.length; i++) {
        const l = f.layers[i]!;
        const w = whole.layers[i]!;
        if (l.proto !== w.proto) { assert.equal(i, f.layers.length - 1, `${where}: layer ${i} differs`); continue; }
        if (i < f.layers.length - 1) { assert.deepEqual(l.fields, w.fields, `${where}: layer ${l.proto}`); continue; }
        for (const [id, v] of Object.entries(l.fields)) assert.ok(agrees(id, v, w.fields[id]), `${where}: ${id}=${JSON.stringify(v)} vs ${JSON.stringify(w.fields[id])}`);
      }
    }
  });
}
