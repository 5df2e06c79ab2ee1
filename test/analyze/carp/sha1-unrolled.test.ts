// The --wordlist audit's fast path agrees with node:crypto: the unrolled SHA-1 compressions
// (src/analyze/carp/sha1-unrolled.ts, generated) one by one, and whole HMACs through auditBlock
// with the message schedule precomputed, over random keys of 0-19 bytes and messages of 0-200
// bytes (one to four blocks). The generated file must be what its generator writes today.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { compressAt, compressScheduled, ipadState, opadState, outerState } from '../../../src/analyze/carp/sha1-unrolled.js';
import { SHA1_IV } from '../../../src/analyze/carp/sha1.js';
import { auditBlock, encodeWords, prepareTarget, scheduleWithK } from '../../../src/analyze/carp/wordlist-hmac.js';
import { IPAD, OPAD, sha1UnrolledSource } from '../../support/sha1-unrolled-gen.js';
import { checkProperty } from '../../support/fc-seed.js';
import { REPO_ROOT } from '../../support/paths.js';

/** SHA-1 padding of `m` as big-endian words (what node:crypto hashes). */
function padded(m: Uint8Array): Int32Array {
  const n = Math.ceil((m.length + 9) / 64) * 64;
  const b = Buffer.alloc(n);
  b.set(m);
  b[m.length] = 0x80;
  b.writeUInt32BE(Math.floor((m.length * 8) / 2 ** 32), n - 8);
  b.writeUInt32BE((m.length * 8) >>> 0, n - 4);
  return Int32Array.from({ length: n / 4 }, (_, i) => b.readInt32BE(4 * i));
}
const digestOf = (s: Int32Array): string => Buffer.concat([...s].map((w) => { const b = Buffer.alloc(4); b.writeInt32BE(w); return b; })).toString('hex');
/** The key's five words (19 bytes at most, zero-padded). */
function keyWords(key: Uint8Array): number[] {
  const b = Buffer.alloc(20);
  b.set(key.subarray(0, 19));
  return [0, 1, 2, 3, 4].map((i) => b.readInt32BE(4 * i));
}

test('sha1-unrolled.ts is its generator\'s output (regenerate: node dist/test/support/sha1-unrolled-gen.js)', () => {
  assert.equal(readFileSync(join(REPO_ROOT, 'src/analyze/carp/sha1-unrolled.ts'), 'utf8'), sha1UnrolledSource());
});

test('compressAt and compressScheduled = SHA-1 of node:crypto (property)', () => {
  checkProperty(fc.property(fc.uint8Array({ maxLength: 250 }), (m) => {
    const blocks = padded(m);
    const a = Int32Array.from(SHA1_IV);
    const b = Int32Array.from(SHA1_IV);
    const wk = new Int32Array(80);
    for (let o = 0; o < blocks.length; o += 16) {
      compressAt(a, blocks, o);
      scheduleWithK(blocks.subarray(o, o + 16), wk, 0);
      compressScheduled(b, wk, 0);
    }
    const want = createHash('sha1').update(m).digest('hex');
    assert.equal(digestOf(a), want);
    assert.equal(digestOf(b), want);
  }), { seed: 20261207, numRuns: 300 });
});

test('ipadState / opadState / outerState = the HMAC key blocks and outer hash (property)', () => {
  checkProperty(fc.property(fc.uint8Array({ maxLength: 19 }), fc.uint8Array({ maxLength: 120 }), (key, m) => {
    const k = keyWords(key);
    for (const [fn, pad] of [[ipadState, IPAD], [opadState, OPAD]] as const) {
      const block = Int32Array.from({ length: 16 }, (_, i) => (i < 5 ? k[i]! : 0) ^ pad);
      const want = Int32Array.from(SHA1_IV);
      compressAt(want, block, 0);
      const got = new Int32Array(5);
      fn(got, Int32Array.from(k));
      assert.deepEqual(got, want);
    }
    // the whole HMAC: inner hash by blocks, then outerState from the opad state
    const inner = Int32Array.from(SHA1_IV);
    ipadState(inner, Int32Array.from(k));
    const msg = padded(Buffer.concat([Buffer.alloc(64), m])).subarray(16); // M's blocks after the key block
    for (let o = 0; o < msg.length; o += 16) compressAt(inner, msg, o);
    const o = new Int32Array(5);
    opadState(o, Int32Array.from(k));
    const out = new Int32Array(5);
    outerState(out, o, inner);
    assert.equal(digestOf(out), createHmac('sha1', key).update(m).digest('hex'));
  }), { seed: 20261208, numRuns: 300 });
});

test('auditBlock finds a passphrase exactly when createHmac agrees (property: hit, and a one-bit-off md)', () => {
  checkProperty(fc.property(
    fc.array(fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }), { minLength: 1, maxLength: 12 }),
    fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(159),
    (words, m, pick, bit) => {
      const idx = pick % words.length;
      const key = Buffer.from(words[idx]!, 'utf8').subarray(0, 19);
      const md = createHmac('sha1', key).update(m).digest();
      const block = encodeWords(words);
      const hit = auditBlock(block, [prepareTarget({ message: m, md })]);
      assert.ok(hit, 'the word is found');
      assert.ok(hit.index <= idx);
      assert.deepEqual(createHmac('sha1', Buffer.from(words[hit.index]!, 'utf8').subarray(0, 19)).update(m).digest(), md);
      const off = Buffer.from(md);
      off[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(auditBlock(block, [prepareTarget({ message: m, md: off })]), undefined, 'one bit off: no word');
    }), { seed: 20261209, numRuns: 300 });
});
