// The passphrase audit's own SHA-1/HMAC must agree with node:crypto bit for bit; the 1M-word
// figure is measured and printed (not asserted: timing depends on the machine).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { auditWordlist } from '../../../src/analyze/carp/wordlist.js';
import { checkProperty } from '../../support/fc-seed.js';

const ref = (word: string, m: Uint8Array): Uint8Array => createHmac('sha1', Buffer.from(word, 'utf8').subarray(0, 19)).update(m).digest();

test('auditWordlist finds exactly the words whose HMAC matches (property, fixed seed)', () => {
  checkProperty(fc.property(
    fc.array(fc.string({ maxLength: 30, unit: 'grapheme' }), { minLength: 1, maxLength: 20 }),
    fc.uint8Array({ minLength: 11, maxLength: 200 }),
    fc.nat(),
    (words, message, pick) => {
      const idx = pick % words.length;
      const md = ref(words[idx]!, message);
      const hit = auditWordlist(words, [{ message, md }]);
      assert.ok(hit);
      assert.ok(hit.index <= idx);
      assert.deepEqual(ref(words[hit.index]!, message), md);
    }), { seed: 20261122, numRuns: 200 });
});

test('auditWordlist: no hit, several targets, target index reported', () => {
  const m1 = Buffer.from('0201070a4d00640aaad807d3b6bb6e', 'hex');
  const m2 = Buffer.from('0201070a4d00650aaad807d3b6bb6e', 'hex');
  assert.equal(auditWordlist(['a', 'b'], [{ message: m1, md: ref('c', m1) }]), undefined);
  assert.deepEqual(auditWordlist(['a', 'b', 'c'], [{ message: m1, md: ref('x', m1) }, { message: m2, md: ref('b', m2) }]), { index: 1, target: 1 });
  assert.equal(auditWordlist(['a'], []), undefined);
});

test('auditWordlist: 1M candidates against one advert (measured)', () => {
  const message = Buffer.from('0201070a4d00640aaad807d3b6bb6e', 'hex');
  const md = Buffer.from('47c888778c62a986ae1d2c7ae2aa69117b7a33c4', 'hex'); // carp.md 3.4 frame 1
  const words: string[] = [];
  for (let i = 0; i < 1_000_000; i++) words.push(`candidate${i}`);
  words.push('carpsecret');
  const started = process.hrtime.bigint();
  const hit = auditWordlist(words, [{ message, md }]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(hit?.index, 1_000_000);
  // the same work with crypto.createHmac per candidate, on a tenth of the list, for comparison
  const t2 = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) ref(words[i]!, message);
  const refUs = Number(process.hrtime.bigint() - t2) / 1e3 / 100_000;
  console.log(`# wordlist audit: ${words.length} candidates in ${ms.toFixed(0)} ms (${((ms * 1000) / words.length).toFixed(2)} us each; createHmac per candidate: ${refUs.toFixed(2)} us)`);
});
