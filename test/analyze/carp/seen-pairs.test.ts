// SeenPairs (the replay check's table of (counter, HMAC) pairs) against a plain model: a list of
// the last `capacity` pairs added, searched in full. Small key spaces force repeats, colliding
// buckets, long probe runs, ring wrap-around (stale buckets of overwritten slots, the index built
// again) and growth from 256 slots. Each sequence runs twice: get() then add(), and findOrAdd()
// (the replay check's one probe).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkProperty } from '../../support/fc-seed.js';
import { SeenPairs } from '../../../src/analyze/carp/seen-pairs.js';
import { follows } from '../../../src/analyze/carp/group.js';

interface Pair { md: number[]; hi: number; lo: number }
interface Entry extends Pair { src: string; eth: string | undefined; frame: number }

const same = (a: Pair, b: Pair): boolean => a.hi === b.hi && a.lo === b.lo && a.md.every((w, i) => w === b.md[i]);

/** Runs `ops` (a pair and whether to add it when not held) on a table and on the model. */
function check(capacity: number, ops: { pair: Pair; add: boolean }[]): void {
  const t = new SeenPairs(capacity);
  const one = new SeenPairs(capacity);
  const model: Entry[] = [];
  ops.forEach(({ pair, add }, frame) => {
    const md = Int32Array.from(pair.md);
    const want = model.find((e) => same(e, pair));
    const held = want ? { src: want.src, ethSrc: want.eth, frame: want.frame } : undefined;
    const got = t.get(md, pair.hi, pair.lo);
    assert.deepEqual(got, held, `frame ${frame}`);
    const src = `10.0.0.${frame % 7}`, eth = frame % 3 === 0 ? undefined : `02:00:00:00:00:0${frame % 5}`;
    if (add) {
      const at = one.findOrAdd(md, pair.hi, pair.lo, src, eth, frame);
      assert.deepEqual(at < 0 ? undefined : { src: one.srcAt(at), ethSrc: one.ethSrcAt(at), frame: one.frameAt(at) }, held, `findOrAdd, frame ${frame}`);
    } else {
      assert.deepEqual(one.get(md, pair.hi, pair.lo), held, `findOrAdd's table, frame ${frame}`);
    }
    if (!want && add) {
      t.add(md, pair.hi, pair.lo, src, eth, frame);
      model.push({ ...pair, src, eth, frame });
      if (model.length > capacity) model.shift();
    }
  });
}

// A pool of pairs from a tiny alphabet: many share a first word and counter (one home bucket:
// long probe runs, runs that wrap past the last bucket) or differ in one word only.
const small = fc.constantFrom(0, 1, -1, -0x80000000);
const pair = fc.record({ md: fc.array(small, { minLength: 5, maxLength: 5 }), hi: fc.constantFrom(0, 1, -1), lo: fc.constantFrom(0, 1, -7) });
const run = fc.array(pair, { minLength: 1, maxLength: 60, size: 'max' }).chain((pool) =>
  fc.array(fc.record({ i: fc.nat(pool.length - 1), add: fc.boolean() }), { maxLength: 400, size: 'max' })
    .map((ops) => ops.map(({ i, add }) => ({ pair: pool[i]!, add }))));

test('SeenPairs: the model\'s answers for any sequence, small capacities (wrap-around, stale buckets in crowded runs)', () => {
  checkProperty(fc.property(fc.integer({ min: 1, max: 40 }), run, (capacity, ops) => {
    check(capacity, ops);
  }), { numRuns: 400, seed: 21 });
  // pairs that differ in one word only, each word in turn
  const base: Pair = { md: [5, 6, 7, 8, 9], hi: 3, lo: 4 };
  const variants: Pair[] = [base, ...[0, 1, 2, 3, 4].map((k) => ({ ...base, md: base.md.map((w, i) => (i === k ? w + 1 : w)) })),
    { ...base, hi: 2 }, { ...base, lo: 5 }];
  check(8, [...variants.map((p) => ({ pair: p, add: true })), ...variants.map((p) => ({ pair: p, add: false }))]);
});

test('SeenPairs: grows from 256 slots to its capacity and keeps the last `capacity` pairs', () => {
  // distinct counters, then repeats of early and late ones
  const ops: { pair: Pair; add: boolean }[] = [];
  for (let i = 0; i < 2500; i++) ops.push({ pair: { md: [i % 3, i, 0, 0, 0], hi: 0, lo: i }, add: true });
  for (const i of [0, 1, 99, 100, 101, 1499, 1500, 2499]) ops.push({ pair: { md: [i % 3, i, 0, 0, 0], hi: 0, lo: i }, add: false });
  check(1000, ops);
  check(4096, ops);
  // the oldest pair goes exactly when the capacity is passed
  const t = new SeenPairs(300);
  const md = (i: number): Int32Array => Int32Array.from([i, 0, 0, 0, 0]);
  for (let i = 0; i < 300; i++) t.add(md(i), 0, i, 's', undefined, i);
  assert.equal(t.get(md(0), 0, 0)?.frame, 0);
  t.add(md(300), 0, 300, 's', undefined, 300);
  assert.equal(t.get(md(0), 0, 0), undefined);
  assert.equal(t.get(md(1), 0, 1)?.frame, 1);
  assert.equal(t.get(md(300), 0, 300)?.frame, 300);
});

test('SeenPairs: pairs made to share the fast hash switch the table to its keyed hash, with the same answers', () => {
  // hi 0, the digest's first word = counter low word ^ K: hashOf is the same for all, the pairs
  // differ in the digest's second word. Without the key every lookup walked the whole run.
  const collide = (i: number): Pair => ({ md: [(i ^ 0x5a5a5a5a) | 0, i, 0, 0, 0], hi: 0, lo: i });
  const ops: { pair: Pair; add: boolean }[] = [];
  for (let i = 0; i < 1500; i++) ops.push({ pair: collide(i), add: true });
  for (const i of [0, 1, 63, 64, 65, 1000, 1199, 1200, 1499]) ops.push({ pair: collide(i), add: false });
  for (let i = 1400; i < 1600; i++) ops.push({ pair: collide(i), add: true });
  check(300, ops);
  const t = new SeenPairs(4096);
  for (let i = 0; i < 63; i++) t.add(Int32Array.from(collide(i).md), 0, i, 's', undefined, i);
  assert.equal(t.keyed, false, 'runs shorter than LONG_PROBE keep the fast hash');
  for (let i = 63; i < 200; i++) t.findOrAdd(Int32Array.from(collide(i).md), 0, i, 's', undefined, i);
  assert.equal(t.keyed, true);
  for (let i = 0; i < 200; i++) assert.equal(t.get(Int32Array.from(collide(i).md), 0, i)?.frame, i);
  assert.equal(t.get(Int32Array.from(collide(200).md), 0, 200), undefined);
});

test('SeenPairs: random digests never switch to the keyed hash (100k pairs through a 4096-slot table)', () => {
  const t = new SeenPairs(4096);
  let x = 99;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) | 0);
  const md = new Int32Array(5);
  for (let i = 0; i < 100_000; i++) {
    md[0] = next(); md[1] = next(); md[2] = next(); md[3] = next(); md[4] = next();
    assert.equal(t.findOrAdd(md, 0, i, 's', undefined, i), -1);
  }
  assert.equal(t.keyed, false);
});

// group.ts follows(): the replay check's "this sender continues its own counter" on the u64's two
// unsigned words, against the same question asked of BigInts (what it answered on decimal texts).
test('follows: (hi, lo) is the last counter + 1 exactly as for the u64 as a BigInt, carries and the top included', () => {
  const u64 = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);
  const word = fc.oneof(fc.constantFrom(0, 1, 0xfffffffe, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
  checkProperty(fc.property(word, word, word, word, fc.boolean(), (lh, ll, h, l, plusOne) => {
    // half the cases are last + 1 (mod 2^64 where that wraps), so that both answers are common
    if (plusOne) { const n = (u64(lh, ll) + 1n) & 0xffffffffffffffffn; h = Number(n >> 32n); l = Number(n & 0xffffffffn); }
    assert.equal(follows(lh, ll, h, l), u64(h, l) === u64(lh, ll) + 1n, `${lh}:${ll} -> ${h}:${l}`);
  }), { numRuns: 2000, seed: 22 });
  assert.equal(follows(0, 0xffffffff, 1, 0), true);
  assert.equal(follows(0xffffffff, 0xffffffff, 0, 0), false);
  assert.equal(follows(7, 9, 7, 10), true);
  assert.equal(follows(7, 9, 8, 10), false);
});
