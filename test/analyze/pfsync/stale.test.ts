// The kernels' stale rule (pfsync.md 11.4) and the compact state table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seqGt, staleSides } from '../../../src/analyze/pfsync/stale.js';
import { StateTable } from '../../../src/analyze/pfsync/table.js';

const p = (srcState: number, srcSeqlo: number, dstState: number, dstSeqlo: number) => ({ srcState, srcSeqlo, dstState, dstSeqlo });

test('SEQ_GT is serial-number arithmetic (wraps at 2^32)', () => {
  assert.equal(seqGt(10, 5), true);
  assert.equal(seqGt(5, 10), false);
  assert.equal(seqGt(5, 0xfffffff0), true); // 5 is after a sequence number about to wrap
  assert.equal(seqGt(7, 7), false);
});

test('TCP: a seqlo moving backwards at the same state is stale, forward is fresh', () => {
  const st = p(4, 5000, 4, 6000);
  assert.deepEqual(staleSides(6, st, p(4, 4000, 4, 7000), 'classic'), { src: true, dst: false });
  assert.deepEqual(staleSides(6, st, p(4, 5001, 4, 5999), 'classic'), { src: false, dst: true });
  assert.deepEqual(staleSides(6, st, p(4, 5000, 4, 6000), 'classic'), { src: false, dst: false });
});

test('TCP: state going backwards is stale, except into the synproxy states', () => {
  assert.equal(staleSides(6, p(4, 0, 4, 0), p(2, 0, 4, 0), 'classic').src, true);
  assert.equal(staleSides(6, p(12, 0, 4, 0), p(4, 0, 4, 0), 'classic').src, false); // st in PROXY_DST, msg not proxy
  assert.equal(staleSides(6, p(4, 0, 4, 0), p(11, 0, 4, 0), 'classic').src, false); // forward into proxy
});

test('TCP dst: classic compares seqlo from SYN_SENT on, OpenBSD 7.4+ only at equal states', () => {
  const st = p(4, 0, 9, 5000);
  const msg = p(4, 0, 10, 4000); // dst state advanced but seqlo lower
  assert.equal(staleSides(6, st, msg, 'classic').dst, true);
  assert.equal(staleSides(6, st, msg, 'openbsd74').dst, false);
});

test('non-TCP: only the state level counts', () => {
  assert.deepEqual(staleSides(17, p(2, 9, 1, 9), p(1, 0, 2, 0), 'classic'), { src: true, dst: false });
});

test('state table: insert, duplicate, update, remove, clear by creator, cap', () => {
  const t = new StateTable(3);
  const A1 = 0x0a0a0a01, A2 = 0x0a0a0a02, A3 = 0x0a0a0a03;
  const get = (c: number, n: number) => {
    const i = t.find(c, 0, n);
    return i < 0 ? undefined : { proto: t.proto(i), srcState: t.srcState(i), srcSeqlo: t.srcSeqlo(i), dstState: t.dstState(i), dstSeqlo: t.dstSeqlo(i) };
  };
  assert.equal(t.insert(A1, 0, 1, 6, p(4, 1, 4, 2)), 'inserted');
  assert.equal(t.insert(A1, 0, 1, 6, p(4, 1, 4, 2)), 'exists');
  assert.equal(t.insert(A1, 0, 2, 6, p(4, 1, 4, 2)), 'inserted');
  assert.equal(t.insert(A2, 0, 1, 17, p(1, 0, 1, 0)), 'inserted');
  assert.equal(t.insert(A2, 0, 2, 17, p(1, 0, 1, 0)), 'full');
  assert.equal(t.find(A1, 1, 1), -1, 'the high word of the id is part of the key');
  t.setSrc(t.find(A1, 0, 1), 5, 0xfffffffe);
  assert.deepEqual(get(A1, 1), { proto: 6, srcState: 5, srcSeqlo: 0xfffffffe, dstState: 4, dstSeqlo: 2 });
  assert.deepEqual([...t.byCreator.entries()], [[A1, 2], [A2, 1]]);
  assert.equal(t.clearCreator(A1), 2);
  assert.equal(t.size, 1);
  assert.equal(t.remove(A2, 0, 1), true);
  assert.equal(t.remove(A2, 0, 1), false);
  assert.equal(t.size, 0);
  assert.equal(t.byCreator.size, 0);
  for (let i = 0; i < 3; i++) assert.equal(t.insert(A3, 0, i, 6, p(4, i, 4, i)), 'inserted'); // room again after removals
  assert.equal(get(A3, 2)?.srcSeqlo, 2);
});

test('state table: many states, removals and re-inserts through rehashes keep every state findable', () => {
  const t = new StateTable(1_000_000);
  const n = 50_000;
  for (let i = 0; i < n; i++) assert.equal(t.insert(0x1000 + (i % 7), i >>> 3, i * 2654435761 >>> 0, 6, p(4, i, 4, i)), 'inserted');
  for (let i = 0; i < n; i += 2) assert.equal(t.remove(0x1000 + (i % 7), i >>> 3, i * 2654435761 >>> 0), true);
  for (let i = 0; i < n; i += 4) assert.equal(t.insert(0x1000 + (i % 7), i >>> 3, i * 2654435761 >>> 0, 6, p(4, i, 4, i)), 'inserted');
  let found = 0;
  for (let i = 0; i < n; i++) {
    const at = t.find(0x1000 + (i % 7), i >>> 3, i * 2654435761 >>> 0);
    if (at >= 0) { found++; assert.equal(t.srcSeqlo(at), i >>> 0); }
    assert.equal(at >= 0, i % 2 === 1 || i % 4 === 0, `state ${i}`);
  }
  assert.equal(found, t.size);
  assert.equal(t.size, n / 2 + n / 4);
});
