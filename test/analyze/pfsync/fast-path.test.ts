// The pfsync fast path (DecodeOptions.pfsyncAnalysisOnly, used by -q without -Y: UPD_C decoded
// to the fields the analyzer reads) gives exactly the findings and the final summary of the full
// decode, on every pfsync capture the project has: the sample, the builders' OpenBSD v6 and
// FreeBSD 1301/1400/1500 files, the reference captures, scenario sessions, and every prefix cut of
// the builder frames (cut UPD_C messages go through the full decoder).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeFrame } from '../../../src/decode/frame.js';
import { createPfsyncAnalyzer } from '../../../src/analyze/pfsync/index.js';
import type { Finding } from '../../../src/analyze/types.js';
import type { RawFrame } from '../../../src/capture/types.js';
import type { DecodeOptions, Fields } from '../../../src/decode/types.js';
import { readPcap } from '../../support/pcap-read.js';
import { writeBuilderCaptures } from '../../support/pfsync-builder-captures.js';
import { carpdumpOk } from '../../support/cli.js';
import { sample, SHARED } from '../../support/paths.js';
import { rawFrame, timeAt } from '../../support/frames.js';
import { inCI } from '../../support/skip.js';
import { C, CREATOR_A, delC, healthySession, range, then, updC } from '../../support/pfsync-harness.js';
import { deriveFor } from '../../support/derived.js';

const captures = path.join(SHARED, 'captures');

function analyze(frames: readonly RawFrame[], options: DecodeOptions): { findings: Finding[]; summary: Fields; fastMessages: number; fastStates: number } {
  const a = createPfsyncAnalyzer();
  const findings: Finding[] = [];
  let fastMessages = 0;
  let fastStates = 0;
  for (const raw of frames) {
    const frame = decodeFrame(raw, options);
    for (const l of frame.layers) {
      if (l.proto !== 'pfsync') continue;
      for (const s of (l.fields['pfsync.subheaders'] ?? []) as Fields[]) {
        for (const m of (s['pfsync.messages'] ?? []) as Fields[]) {
          if (s['pfsync.action_name'] === 'UPD_C' && 'cid' in m && !('pfsync.state.src.seqhi' in m)) fastMessages++;
          if (m['pfsync.state.format'] === 'openbsd-v6' && 'pfsync.state.proto' in m && !('pfsync.state.ifname' in m)) fastStates++;
        }
      }
    }
    a.onFrame(frame, (f) => findings.push(f), deriveFor(frame));
    for (const ann of frame.annotations) findings.push({ id: ann.id as Finding['id'], severity: 'note', ts: { sec: 0, nsec: 0, digits: 6 }, frames: [raw.number], message: ann.message, details: ann.details ?? {} });
  }
  const last = frames[frames.length - 1];
  a.finish({ sec: last?.tsSec ?? 0, nsec: last?.tsNsec ?? 0, digits: 6 }, (f) => findings.push(f));
  return { findings, summary: a.summary(), fastMessages, fastStates };
}

let fastStatesSeen = 0;

function sameOutcome(name: string, frames: readonly RawFrame[]): number {
  const full = analyze(frames, {});
  const fast = analyze(frames, { pfsyncAnalysisOnly: true });
  assert.equal(full.fastMessages + full.fastStates, 0, `${name}: the full decode keeps every field`);
  fastStatesSeen += fast.fastStates;
  assert.deepEqual(fast.findings, full.findings, `${name}: same findings`);
  assert.deepEqual(fast.summary, full.summary, `${name}: same summary`);
  return fast.fastMessages;
}

const packetsToFrames = (list: { bytes: Uint8Array; at: number }[]): RawFrame[] =>
  list.map((p, i) => rawFrame(p.bytes, { number: i + 1, ...timeAt(1735689600, p.at) }));

test('pfsync fast path: same findings and summary as the full decode on every pfsync capture', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-pfsync-fast-'));
  try {
    const files = [
      sample('pfsync-session.pcap'),
      ...writeBuilderCaptures(tmp),
      ...(fs.existsSync(captures) ? fs.readdirSync(captures).filter((n) => /^pfsync-.*\.pcap$/.test(n)).map((n) => path.join(captures, n)) : []),
    ];
    if (inCI()) assert.ok(files.length >= 12, 'the reference captures are beside the clone in CI');
    let fast = 0;
    for (const f of files) fast += sameOutcome(path.basename(f), readPcap(f));
    // Scenario sessions: healthy, stale and unknown updates, a stranger's flood.
    fast += sameOutcome('healthy', packetsToFrames(healthySession()));
    fast += sameOutcome('stale + unknown + stranger', packetsToFrames(then(healthySession(),
      updC({ src: '192.0.2.1' }, CREATOR_A, [1, 2, 999], 10), updC({ src: C }, CREATOR_A, range(1, 8), 90000), delC({ src: C }, CREATOR_A, [3]))));
    assert.ok(fast >= 20, `UPD_C messages that took the fast path: ${fast}`);
    assert.ok(fastStatesSeen >= 40, `OpenBSD v6 full states that took the fast path: ${fastStatesSeen}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('pfsync fast path: every prefix of every builder frame (cut UPD_C messages) gives the full decode\'s outcome', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-pfsync-fast-'));
  try {
    let cuts = 0;
    for (const f of writeBuilderCaptures(tmp)) {
      const frames = readPcap(f);
      for (const raw of frames) {
        for (let len = 14; len < raw.data.length; len += 7) {
          const cut = { ...raw, data: raw.data.subarray(0, len), capturedLength: len };
          sameOutcome(`${path.basename(f)} frame ${raw.number} cut at ${len}`, [...frames.filter((x) => x.number < raw.number), cut]);
          cuts++;
        }
      }
    }
    assert.ok(cuts > 300, `cuts: ${cuts}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('pfsync fast path through the CLI: -q (fast) prints what -q -Y pfsync (full decode) prints', () => {
  const file = sample('pfsync-session.pcap');
  const run = (...extra: string[]) => carpdumpOk(['-q', '-T', 'jsonl', '-z', 'pfsync,states', '-r', file, ...extra]);
  const fast = run();
  assert.match(fast, /"type":"summary"/);
  assert.equal(fast, run('-Y', 'pfsync'));
});
