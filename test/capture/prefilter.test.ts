// The record prefilter: records it rejects are numbered and counted but never become frames;
// the pipeline and the CLI give the same results with and without it.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CaptureParser } from '../../src/capture/parser.js';
import type { RawFrame } from '../../src/capture/types.js';
import { isInterestingFrame, isInterestingRecord } from '../../src/decode/probe.js';
import { buildPcap, buildPcapng, mulberry32 } from '../builders/capture.js';
import { arp, carpFrame4, ethernet, ipv4, ipv6 } from '../builders/packets.js';
import { carpdump } from '../support/cli.js';
import { rawFrame } from '../support/frames.js';

const T0 = 1700000000;

/** A mix of background (UDP/TCP over IPv4/IPv6) and interesting frames (CARP, ARP), seeded. */
function mixedRecords(n: number, seed: number): { tsSec: number; tsFrac: number; data: Uint8Array }[] {
  const rnd = mulberry32(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const data = r < 0.1 ? carpFrame4({ vhid: 1 + (i % 3) })
      : r < 0.15 ? ethernet({ type: 0x0806 }, arp())
        : r < 0.6 ? ethernet({ type: 0x0800 }, ipv4({ proto: r < 0.4 ? 6 : 17 }, new Uint8Array(20 + (i % 50))))
          : ethernet({ type: 0x86dd }, ipv6({ nxt: 17 }, new Uint8Array(8 + (i % 30))));
    out.push({ tsSec: T0 + Math.floor(i / 10), tsFrac: (i % 10) * 100000, data });
  }
  return out;
}

function readAll(bytes: Uint8Array, withPrefilter: boolean, chunk: number): { frames: RawFrame[]; count: number } {
  const frames: RawFrame[] = [];
  const p = new CaptureParser((f) => frames.push({ ...f, data: f.data.slice() }));
  if (withPrefilter) p.setPrefilter((b, s, e, lt) => isInterestingRecord(b, s, e, lt));
  for (let i = 0; i < bytes.length; i += chunk) p.feed(bytes.subarray(i, i + chunk));
  p.end();
  return { frames, count: p.frameCount };
}

for (const format of ['pcap', 'pcapng'] as const) {
  test(`${format}: the prefilter keeps exactly the interesting frames, numbered as in the file`, () => {
    const records = mixedRecords(400, 7);
    const bytes = format === 'pcap' ? buildPcap({ endian: 'le', records })
      : buildPcapng([{ endian: 'be', blocks: [{ kind: 'idb', linktype: 1 },
        ...records.map((r) => ({ kind: 'epb' as const, interfaceId: 0, ts: BigInt(r.tsSec) * 1000000n + BigInt(r.tsFrac), data: r.data }))] }]);
    for (const chunk of [1, 97, 4096, bytes.length]) {
      const all = readAll(bytes, false, chunk);
      const kept = readAll(bytes, true, chunk);
      assert.equal(kept.count, 400, 'every record is counted');
      const expected = all.frames.filter(isInterestingFrame);
      assert.ok(expected.length > 20 && expected.length < 200, 'the mix has both kinds');
      assert.deepEqual(kept.frames.map((f) => f.number), expected.map((f) => f.number));
      assert.deepEqual(kept.frames.map((f) => Buffer.from(f.data).toString('hex')), expected.map((f) => Buffer.from(f.data).toString('hex')));
    }
  });
}

for (const format of ['pcap', 'pcapng'] as const) {
  test(`${format}: a record taker sees each record the prefilter passes, as its frame would be; what it takes is numbered, never emitted`, () => {
    const records = mixedRecords(400, 9);
    const bytes = format === 'pcap' ? buildPcap({ endian: 'le', records })
      : buildPcapng([{ endian: 'be', blocks: [{ kind: 'idb', linktype: 1 }, { kind: 'idb', linktype: 1 },
        ...records.map((r, i) => ({ kind: 'epb' as const, interfaceId: i % 2, ts: BigInt(r.tsSec) * 1000000n + BigInt(r.tsFrac), data: r.data }))] }]);
    for (const chunk of [1, 97, 4096, bytes.length]) {
      const kept = readAll(bytes, true, chunk);
      const emitted: RawFrame[] = [];
      const offered: RawFrame[] = [];
      const p = new CaptureParser((f) => emitted.push({ ...f, data: f.data.slice() }));
      p.setPrefilter((b, s, e, lt) => isInterestingRecord(b, s, e, lt));
      // takes every other CARP advert: the record as the frame it would have been
      p.setRecordTaker((r) => {
        const { bytes: b, start, ...rest } = r;
        offered.push({ ...rest, data: b.slice(start, start + r.capturedLength) });
        return r.capturedLength === 70 && offered.length % 2 === 0;
      });
      for (let i = 0; i < bytes.length; i += chunk) p.feed(bytes.subarray(i, i + chunk));
      p.end();
      assert.equal(p.frameCount, 400, 'every record is counted');
      assert.deepEqual(offered, kept.frames, 'offered: the frames the prefilter keeps, field for field');
      const taken = offered.filter((f, i) => f.capturedLength === 70 && (i + 1) % 2 === 0);
      assert.ok(taken.length > 5, 'some records were taken');
      const takenNumbers = new Set(taken.map((f) => f.number));
      assert.deepEqual(emitted, kept.frames.filter((f) => !takenNumbers.has(f.number)), 'the rest are emitted as before');
    }
  });
}

test('isInterestingRecord on a record inside a larger buffer equals isInterestingFrame on the record', () => {
  const rnd = mulberry32(11);
  for (const r of mixedRecords(300, 3)) {
    // Random bytes around the record must not change the answer (bounds are the record's own).
    const before = Math.floor(rnd() * 40);
    const after = Math.floor(rnd() * 40);
    const buf = new Uint8Array(before + r.data.length + after).map(() => Math.floor(rnd() * 256));
    buf.set(r.data, before);
    for (let cut = 0; cut <= r.data.length; cut += 7) {
      const frame = rawFrame(r.data.subarray(0, cut), { tsSec: 0, originalLength: r.data.length });
      assert.equal(isInterestingRecord(buf, before, before + cut, 1), isInterestingFrame(frame), `cut ${cut}`);
    }
  }
});

test('carpdump gives the same jsonl with the prefilter (default) and without it (-c forces every frame)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carpdump-prefilter-'));
  try {
    const file = path.join(dir, 'mixed.pcap');
    writeFileSync(file, buildPcap({ endian: 'le', records: mixedRecords(2000, 5) }));
    const run = (extra: string[]) => carpdump(['-r', file, '-T', 'jsonl', ...extra]);
    const fast = run([]);
    const slow = run(['-c', '1000000']);
    assert.equal(fast.status, 0, fast.stderr);
    assert.equal(slow.status, 0, slow.stderr);
    assert.ok(fast.stdout.includes('"frames":2000'), 'every frame is counted in the summary');
    assert.equal(fast.stdout, slow.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
