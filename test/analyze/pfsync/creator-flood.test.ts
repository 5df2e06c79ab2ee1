// Hostile input (issue 12): 3M pfsync states from random creator ids. The state table and the
// per-creator summary stay bounded: the creator cap (default 10,000) is reached once and raised
// once as pfsync.creator_cap, the summary names at most 100 creators and counts the rest, and
// `-z pfsync,states` shows the top 20 and an "N more" line. The input is built here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeFrame } from '../../../src/decode/frame.js';
import { createPfsyncAnalyzer } from '../../../src/analyze/pfsync/index.js';
import { rawFrame } from '../../support/frames.js';
import { floodPacket, PER_PACKET, STATE_AT, template } from '../../builders/creator-flood.js';
import { buildPcap, mulberry32 } from '../../builders/capture.js';
import { carpdumpOk } from '../../support/cli.js';
import { BASE_TS } from '../../builders/pfsync.js';
import { IGNORE_DERIVED } from '../../support/derived.js';


test('3M states from random creator ids: one pfsync.creator_cap, table and summary bounded', (t) => {
  const STATES = 3_000_000;
  const rand = mulberry32(12);
  const before = process.memoryUsage();
  const analyzer = createPfsyncAnalyzer();
  const found: string[] = [];
  for (let p = 0; p * PER_PACKET < STATES; p++) {
    analyzer.onFrame(decodeFrame(rawFrame(floodPacket(rand, p * PER_PACKET + 1), { number: p + 1, tsSec: BASE_TS + p + 1 })), (f) => found.push(f.id), IGNORE_DERIVED);
  }
  const after = process.memoryUsage();
  const grownMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
  t.diagnostic(`heap + array buffers grew ${grownMb.toFixed(0)} MB`);
  assert.deepEqual(found, ['pfsync.creator_cap']);
  const s = analyzer.summary()['pfsync'] as Record<string, unknown>;
  // Only states of the first 10,000 creators are tracked (a few later states reuse one of them).
  const states = s['states'] as number;
  assert.ok(states >= 10_000 && states < 10_100, `states tracked: ${states}`);
  const listed = Object.values(s['states_by_creator'] as Record<string, number>);
  assert.equal(listed.length, 100);
  assert.equal(s['creators'], 10_000);
  assert.equal(s['creators_not_listed'], 9_900);
  assert.equal(s['states_not_listed'], states - listed.reduce((a, b) => a + b, 0));
  assert.ok(grownMb < 150, `memory stays bounded: grew ${grownMb.toFixed(0)} MB`);
});

test('the creator cap is an option; the summary lists the creators with the most states first', () => {
  const analyzer = createPfsyncAnalyzer({ creatorCap: 3 });
  const found: string[] = [];
  const frame = (creators: number[], first: number) => {
    const b = Uint8Array.from(template);
    const v = new DataView(b.buffer);
    for (let j = 0; j < PER_PACKET; j++) {
      v.setUint32(STATE_AT + j * 264 + 4, first + j);
      v.setUint32(STATE_AT + j * 264 + 236, creators[j % creators.length]!);
    }
    return b;
  };
  // 200 states in a cycle of 7: creator a 29, b 58, c 85 states; d is the 4th creator, past the cap.
  analyzer.onFrame(decodeFrame(rawFrame(frame([0xa, 0xb, 0xb, 0xc, 0xc, 0xc, 0xd], 1), { number: 1, tsSec: BASE_TS + 1 })), (f) => found.push(f.id), IGNORE_DERIVED);
  assert.deepEqual(found, ['pfsync.creator_cap']);
  const s = analyzer.summary()['pfsync'] as Record<string, unknown>;
  assert.deepEqual(Object.entries(s['states_by_creator'] as object), [['0000000c', 85], ['0000000b', 58], ['0000000a', 29]]);
  assert.equal(s['creators'], undefined, 'nothing left out: no counts of what is not listed');
});

test('-z pfsync,states on the flood: the top 20 creators and one "N more" line', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-creator-flood-'));
  try {
    const rand = mulberry32(7);
    const records = Array.from({ length: 60 }, (_, p) => ({ tsSec: 1735689600 + p, tsFrac: 0, data: floodPacket(rand, p * PER_PACKET + 1) }));
    const file = path.join(tmp, 'flood.pcap');
    fs.writeFileSync(file, buildPcap({ endian: 'le', records }));
    const out = carpdumpOk(['-q', '-z', 'pfsync,states', '-r', file]);
    const creatorLines = out.split('\n').filter((l) => /^ {4}creator [0-9a-f]{8}: \d+$/.test(l));
    assert.equal(creatorLines.length, 20);
    assert.match(out, /^ {4}9980 more creator\(s\) with 9980 state\(s\)$/m);
    assert.match(out, /pfsync\.creator_cap 1/);
    assert.match(out, /states known at the end: 10000$/m);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
