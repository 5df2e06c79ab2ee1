// Exit status of a completed run: internal errors, --fail-on thresholds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completedStatus } from '../../src/cli.js';
import type { PipelineResult } from '../../src/pipeline.js';

function result(over: Partial<PipelineResult> = {}): PipelineResult {
  return { frames: 3, shown: 3, findings: {}, worstSeverity: undefined, internalErrors: [], internalErrorCount: 0, ...over };
}

test('no findings: 0, with or without --fail-on', () => {
  assert.deepEqual(completedStatus(undefined, result()), { status: 0 });
  assert.deepEqual(completedStatus('note', result()), { status: 0 });
});

test('--fail-on: met at the threshold or above, not below', () => {
  const warn = result({ worstSeverity: 'warn', findings: { 'carp.bad_ttl': 1 } });
  assert.equal(completedStatus('note', warn).status, 3);
  assert.equal(completedStatus('warn', warn).status, 3);
  assert.equal(completedStatus('error', warn).status, 0);
  assert.equal(completedStatus(undefined, warn).status, 0);
});

test('internal errors: exit 1 with one line naming the first frame, even when --fail-on is met', () => {
  const r = result({
    worstSeverity: 'error',
    internalErrors: [{ frame: 12, message: 'carp dissector: boom' }, { frame: 13, message: 'x' }],
    internalErrorCount: 5,
  });
  const s = completedStatus('note', r);
  assert.equal(s.status, 1);
  assert.equal(s.message, '5 internal errors (first: frame 12: carp dissector: boom); this is a carpdump bug, please report it with the capture');
  assert.ok(!s.message.includes('\n'));
});
