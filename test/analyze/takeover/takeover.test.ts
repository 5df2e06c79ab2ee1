// The takeover analyzer on builder-made captures: a CARP pair (A 10.0.0.1 master, B 10.0.0.2
// backup, VHID 7) that also syncs with pfsync from the same addresses; A falls silent and B takes
// over (master_timeout). Every frame goes through decodeFrame and the analyzers as in the CLI
// (the CARP analyzer tapped so the takeover analyzer sees its findings).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../../src/decode/frame.js';
import { createCarpAnalyzer } from '../../../src/analyze/carp/index.js';
import { createPfsyncAnalyzer } from '../../../src/analyze/pfsync/index.js';
import { createTakeoverAnalyzer, tapFindings, GRACE_SECONDS } from '../../../src/analyze/takeover/index.js';
import type { Finding } from '../../../src/analyze/types.js';
import type { Fields } from '../../../src/decode/types.js';
import * as pf from '../../builders/pfsync.js';
import { A, ACT, B, bulkEnd, bulkRequest, bulkStart, data, failover, state, sync, T0, type Pkt } from '../../support/takeover-capture.js';
import { rawFrame, timeAt } from '../../support/frames.js';
import { deriveFor } from '../../support/derived.js';

function run(packets: Pkt[]): { findings: Finding[]; takeovers: Fields[] } {
  const takeover = createTakeoverAnalyzer();
  const analyzers = [
    takeover, // first, as in the CLI
    tapFindings(createCarpAnalyzer({ passphrases: [], vips: new Map(), showSecrets: false }), (f, emit) => takeover.onFinding(f, emit)),
    createPfsyncAnalyzer(),
  ];
  const findings: Finding[] = [];
  [...packets].sort((a, b) => a.at - b.at).forEach((p, i) => {
    const frame = decodeFrame(rawFrame(p.bytes, { number: i + 1, ...timeAt(T0, p.at) }));
    assert.equal(frame.internalError, undefined);
    for (const a of analyzers) a.onFrame(frame, (f) => findings.push(f), deriveFor(frame));
  });
  const summary = takeover.summary();
  return { findings, takeovers: (summary['takeovers'] ?? []) as Fields[] };
}

const unsynced = (r: { findings: Finding[] }): Finding[] => r.findings.filter((f) => f.id === 'carp.takeover_unsynced');

test('a takeover after a complete bulk update, every flow synced: a record and no finding', () => {
  const r = run([
    ...failover(), bulkRequest(0.2), bulkStart(0.3), bulkEnd(0.5),
    data(5, '198.51.100.7', '203.0.113.10'), sync(A, 5.1, [{ action: ACT.INS, messages: [state(1n, A, '198.51.100.7', '203.0.113.10')] }]),
  ]);
  assert.ok(r.findings.some((f) => f.id === 'carp.master_changed' && f.details['cause'] === 'master_timeout'));
  assert.deepEqual(unsynced(r), []);
  assert.equal(r.takeovers.length, 1);
  const t = r.takeovers[0]!;
  assert.equal(t['master'], B.ip);
  assert.equal(t['previous'], A.ip);
  assert.equal(t['bulk'], 'completed');
  assert.equal(t['unsynced_flows'], 0);
  assert.equal(t['flows_checked'], 1);
  assert.equal(t['old_master_pfsync_ago'], 8.4); // takeover 13.5, A's last pfsync 5.1
  assert.equal(t['unsynced'], false);
});

test('a flow opened before the takeover that pfsync never sent: carp.takeover_unsynced with its frame', () => {
  const r = run([
    ...failover(), bulkRequest(0.2), bulkStart(0.3), bulkEnd(0.5),
    data(5, '198.51.100.7', '203.0.113.10'), sync(A, 5.1, [{ action: ACT.INS, messages: [state(1n, A, '198.51.100.7', '203.0.113.10')] }]),
    data(8, '198.51.100.9', '203.0.113.10'), // never synced
  ]);
  const f = unsynced(r);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'warn');
  assert.equal(f[0]!.details['unsynced_flows'], 1);
  assert.equal(f[0]!.details['vhid'], 7);
  assert.match(f[0]!.message, /198\.51\.100\.9/);
  // the data frame is among the frames, the master change's frame last
  const change = r.findings.find((x) => x.id === 'carp.master_changed' && x.details['cause'] === 'master_timeout')!;
  assert.equal(f[0]!.frames[f[0]!.frames.length - 1], change.frames[change.frames.length - 1]);
  assert.equal(f[0]!.frames.length, 2);
  assert.equal(r.takeovers[0]!['unsynced'], true);
});

test('flows younger than the grace time, or older than the window, are not held against pfsync', () => {
  const r = run([
    ...failover(), bulkRequest(0.2), bulkStart(0.3), bulkEnd(0.5),
    data(13.5 - GRACE_SECONDS / 2, '198.51.100.20', '203.0.113.10'), // too young
    data(1, '198.51.100.21', '203.0.113.10'), // 12.5 s before: outside the window
  ]);
  assert.deepEqual(unsynced(r), []);
  assert.equal(r.takeovers[0]!['flows_checked'], 0);
});

test('the new master\'s bulk update started and did not end: incomplete, a finding', () => {
  const r = run([...failover(), bulkRequest(0.2), bulkStart(0.3)]);
  assert.equal(r.takeovers[0]!['bulk'], 'incomplete');
  assert.equal(r.takeovers[0]!['unsynced_flows'], null); // no data side visible
  assert.equal(unsynced(r).length, 1);
  assert.match(unsynced(r)[0]!.message, /bulk update/);
});

test('no pfsync in the capture: no record, no finding', () => {
  const r = run([...failover(), data(8, '198.51.100.9', '203.0.113.10')]);
  assert.deepEqual(r.takeovers, []);
  assert.deepEqual(unsynced(r), []);
});

test('pfsync on other addresses than CARP: the nodes are matched by Ethernet source', () => {
  const syncA = { ...A, ip: '192.168.99.1' };
  const syncB = { ...B, ip: '192.168.99.2' };
  const r = run([
    ...failover(),
    sync(syncB, 0.2, [{ action: ACT.UPD_REQ, messages: [pf.buildIdCreator(0n, 0)] }]),
    sync(syncA, 0.3, [{ action: ACT.BUS, messages: [pf.buildBus(A.creator, 0, 1)] }]),
    sync(syncA, 0.5, [{ action: ACT.BUS, messages: [pf.buildBus(A.creator, 1, 2)] }]),
    sync(syncA, 9.5, [{ action: ACT.INS, messages: [state(2n, A, '198.51.100.30', '203.0.113.10')] }]),
  ]);
  assert.equal(r.takeovers[0]!['bulk'], 'completed');
  assert.equal(r.takeovers[0]!['old_master_pfsync_ago'], 4);
});

test('tapFindings keeps the wrapped analyzer\'s hold and duplicate policy (else held CARP verdicts are lost)', () => {
  let holding = true;
  const inner = {
    name: 'x', onFrame: () => undefined, onTick: () => undefined, finish: () => undefined, summary: () => ({}),
    holding: () => holding, seesDuplicates: true,
  };
  const tapped = tapFindings(inner, () => undefined);
  assert.equal(tapped.holding?.(), true);
  holding = false;
  assert.equal(tapped.holding?.(), false);
  assert.equal(tapped.seesDuplicates, true);
});
