// pfsync text output: the tcpdump-like line, the pfctl-like -V tree and -z pfsync,states.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPfsyncLine, renderPfsyncTree } from '../../src/output/pfsync-text.js';
import { renderPfsyncStates } from '../../src/output/pfsync-summary.js';
import { buildIdCreator, buildModernPfsync, buildState, buildUpdC, buildLegacyPfsync } from '../builders/pfsync.js';
import { decodePayload, pfsyncLayer, SAMPLE_STATE, ID, CREATOR } from '../support/pfsync-fixtures.js';
import { healthySession, run } from '../support/pfsync-harness.js';

const upd = buildUpdC({ id: ID, creatorid: CREATOR, src: { state: 4, seqlo: 5, seqhi: 10 }, dst: { state: 4 } });

test('line: version, len, then each section as NAME xCOUNT', () => {
  const p = buildModernPfsync({ version: 6, sections: [{ action: 4, messages: [upd, upd, upd] }, { action: 7, messages: [buildIdCreator(ID, CREATOR)] }] });
  assert.equal(renderPfsyncLine(pfsyncLayer(decodePayload(p))), `pfsync v6 len ${p.length}: UPD_C x3, DEL_C x1`);
  const v5 = buildModernPfsync({ version: 5, sections: [{ action: 13, messages: [buildState('freebsd-1400', SAMPLE_STATE)] }] });
  assert.equal(renderPfsyncLine(pfsyncLayer(decodePayload(v5))), `pfsync v5 (freebsd) len ${v5.length}: INS_1400 x1, EOF`);
  const bulk = buildModernPfsync({ version: 6, sections: [{ action: 5, messages: [buildIdCreator(0n, 0)] }] });
  assert.equal(renderPfsyncLine(pfsyncLayer(decodePayload(bulk))), 'pfsync v6 len 36: UPD_REQ bulk');
  const legacy = buildLegacyPfsync({ version: 3, action: 5, records: [new Uint8Array(16)] });
  assert.equal(renderPfsyncLine(pfsyncLayer(decodePayload(legacy))), 'pfsync v3 (legacy): DEL_C x1');
});

test('tree: pfctl-style state with NAT in parentheses, windows, age/expiry, counters', () => {
  const p = buildModernPfsync({ version: 6, sections: [{ action: 13, messages: [buildState('openbsd-v6', SAMPLE_STATE)] }] });
  const lines = renderPfsyncTree(pfsyncLayer(decodePayload(p)));
  assert.equal(lines[0], 'Version: 6 (openbsd-v6, by version)');
  assert.ok(lines.includes('    id 67754b8000000001/1a2b3c4d em0 tcp 198.51.100.7:61000 (10.0.0.7:51515) -> 203.0.113.10:443    ESTABLISHED:ESTABLISHED'), lines.join('\n'));
  assert.ok(lines.includes('       [1000000 + 65535] wscale 7  [2000000 + 29200] wscale 7'), lines.join('\n'));
  assert.ok(lines.includes('       age 00:01:00, expires in 23:59:00, 10:8 pkts, 1500:9000 bytes, rule 3'), lines.join('\n'));
});

test('-z pfsync,states: peers, bulk, messages, states by creator, findings by id', () => {
  const o = run(healthySession());
  const text = renderPfsyncStates({ findings: { 'pfsync.unauthenticated_link': 1, 'carp.demoted': 2 }, ...o.summary });
  assert.match(text, /peers: 2/);
  assert.match(text, /192\.0\.2\.1 +creator 0a0a0a01 +openbsd-v6 +7 packets/);
  assert.match(text, /bulk updates: 1\n {4}from 192\.0\.2\.1 \(creator 0a0a0a01\): requested 1735689600\.000000, started 1735689600\.010000, ended 1735689602\.010000, 2\.01 s, 35 states/);
  assert.match(text, /states known at the end: 35\n {4}creator 0a0a0a01: 34\n {4}creator 0a0a0a02: 1/);
  assert.match(text, /findings: pfsync\.unauthenticated_link 1\n$/);
  assert.doesNotMatch(text, /carp\.demoted/);
  assert.equal(renderPfsyncStates({}), '');
});
