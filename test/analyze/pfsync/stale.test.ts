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
  const k = (c: string, n: number) => StateTable.key(c, n.toString(16).padStart(16, '0'));
  assert.equal(t.insert(k('0a0a0a01', 1), 6, p(4, 1, 4, 2)), 'inserted');
  assert.equal(t.insert(k('0a0a0a01', 1), 6, p(4, 1, 4, 2)), 'exists');
  assert.equal(t.insert(k('0a0a0a01', 2), 6, p(4, 1, 4, 2)), 'inserted');
  assert.equal(t.insert(k('0a0a0a02', 1), 17, p(1, 0, 1, 0)), 'inserted');
  assert.equal(t.insert(k('0a0a0a02', 2), 17, p(1, 0, 1, 0)), 'full');
  t.update(k('0a0a0a01', 1), p(5, 0xfffffffe, 9, 9), { src: true, dst: false });
  assert.deepEqual(t.get(k('0a0a0a01', 1)), { proto: 6, srcState: 5, srcSeqlo: 0xfffffffe, dstState: 4, dstSeqlo: 2 });
  assert.deepEqual([...t.byCreator.entries()], [['0a0a0a01', 2], ['0a0a0a02', 1]]);
  assert.equal(t.clearCreator('0a0a0a01'), 2);
  assert.equal(t.size, 1);
  assert.equal(t.remove(k('0a0a0a02', 1)), true);
  assert.equal(t.remove(k('0a0a0a02', 1)), false);
  assert.equal(t.size, 0);
  assert.equal(t.byCreator.size, 0);
  for (let i = 0; i < 3; i++) assert.equal(t.insert(k('0a0a0a03', i), 6, p(4, i, 4, i)), 'inserted'); // freed slots reused
  assert.equal(t.get(k('0a0a0a03', 2))?.srcSeqlo, 2);
});
