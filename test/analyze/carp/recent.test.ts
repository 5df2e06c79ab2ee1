// RecentMap (src/analyze/carp/recent.ts): the two-generation bounded map behind the (counter,
// HMAC) pairs a VHID group remembers and the per-sender "already reported" sets of the CARP
// analyzer. It holds at most 2 x generation keys and forgets a key only after `generation` newer ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentMap } from '../../../src/analyze/carp/recent.js';

test('RecentMap keeps a key through `generation` newer ones and forgets it after 2 x generation', () => {
  const m = new RecentMap<string, number>(3);
  m.set('a', 1);
  assert.equal(m.get('a'), 1);
  for (const k of ['b', 'c', 'd']) m.set(k, 0); // 'd' rotates: a, b, c become the older generation
  assert.equal(m.get('a'), 1, 'still held in the older generation');
  assert.equal(m.has('a'), true);
  for (const k of ['e', 'f', 'g']) m.set(k, 0); // 'g' rotates again: a, b, c dropped whole
  assert.equal(m.get('a'), undefined);
  assert.equal(m.has('c'), false);
  assert.equal(m.has('d'), true);
  assert.equal(m.has('g'), true);
});

test('RecentMap never holds more than 2 x generation keys, and delete reaches both generations', () => {
  const m = new RecentMap<number, true>(100);
  for (let i = 0; i < 10_000; i++) m.set(i, true);
  let held = 0;
  for (let i = 0; i < 10_000; i++) if (m.has(i)) held++;
  assert.ok(held >= 100 && held <= 200, `held ${held}`);
  assert.equal(m.has(9_999), true);
  const older = 10_000 - held; // the oldest key still held sits in the older generation
  assert.equal(m.has(older), true);
  m.delete(older);
  m.delete(9_999);
  assert.equal(m.has(older), false);
  assert.equal(m.has(9_999), false);
});
