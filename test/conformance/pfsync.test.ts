// Conformance: every ../shared/captures/pfsync-*.pcap decodes to the values listed in
// pfsync-expected-decode.txt (an independent research decoder's output), field for field.
// Our fields are printed in the oracle's line format (pfsync-oracle-format.ts) and compared line
// by line. The oracle's '!' lines are its own analysis (UPD_C for ids it has not seen, without a
// bulk update): carpdump raises pfsync.unknown_state only after a complete bulk update, so those
// lines are checked separately against the analyzer's behaviour below.
// ../shared is read in place (never copied); outside CI a missing folder skips with a reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../src/decode/frame.js';
import type { RawFrame } from '../../src/capture/types.js';
import { oracleLines } from './pfsync-oracle-format.js';
import { readPcap } from '../support/pcap-read.js';
import { createPfsyncAnalyzer } from '../../src/analyze/pfsync/index.js';
import type { Finding } from '../../src/analyze/types.js';
import { buildBus, buildLegacyPfsync, buildModernPfsync, pfsyncEthFrame } from '../builders/pfsync.js';
import { SHARED } from '../support/paths.js';
import { skipReason } from '../support/skip.js';
import { IGNORE_DERIVED } from '../support/derived.js';

const captures = path.join(SHARED, 'captures');
const skip = skipReason({ paths: [path.join(captures, 'pfsync-expected-decode.txt')] });

/** The expected-decode file split into { capture name -> lines } (comments dropped). */
function expectedByCapture(): Map<string, string[]> {
  const text = fs.readFileSync(path.join(captures, 'pfsync-expected-decode.txt'), 'utf8');
  const map = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^=== (\S+)/.exec(line);
    if (m) { current = []; map.set(m[1]!, current); continue; }
    if (current && line.trim() !== '') current.push(line);
  }
  return map;
}

test('pfsync conformance with the research-oracle decode', { skip }, async (t) => {
  const expected = expectedByCapture();
  assert.ok(expected.size >= 7, 'expected-decode lists every pfsync capture');
  for (const [name, lines] of expected) {
    await t.test(name, () => {
      const frames = readPcap(path.join(captures, name)).map((raw) => decodeFrame(raw));
      for (const f of frames) {
        assert.equal(f.internalError, undefined, `frame ${f.raw.number}: ${f.internalError}`);
        assert.ok(f.layers.some((l) => l.proto === 'pfsync' && l.status === 'ok'), `frame ${f.raw.number} has an ok pfsync layer`);
      }
      const ours = frames.flatMap(oracleLines);
      const theirs = lines.filter((l) => !l.trimStart().startsWith('!'));
      assert.deepEqual(ours, theirs);
    });
  }
});

test('pfsync conformance: no pfsync.* annotation on the well-formed reference frames', { skip }, () => {
  for (const name of fs.readdirSync(captures).filter((n) => /^pfsync-.*\.pcap$/.test(n))) {
    for (const raw of readPcap(path.join(captures, name))) {
      const f = decodeFrame(raw);
      const ids = f.annotations.map((a) => a.id).filter((id) => id.startsWith('pfsync.'));
      assert.deepEqual(ids, [], `${name} frame ${raw.number}`);
    }
  }
});

/** The expected-decode's '!' lines per capture: { frame, id, creatorid } of each UPD_C for an unknown state. */
function bangLines(): Map<string, { frame: number; state: string }[]> {
  const text = fs.readFileSync(path.join(captures, 'pfsync-expected-decode.txt'), 'utf8');
  const map = new Map<string, { frame: number; state: string }[]>();
  let name = '';
  let frame = 0;
  for (const line of text.split('\n')) {
    let m = /^=== (\S+)/.exec(line);
    if (m) { name = m[1]!; map.set(name, []); continue; }
    m = /^frame (\d+) /.exec(line);
    if (m) { frame = Number(m[1]); continue; }
    if (!line.trimStart().startsWith('!')) continue;
    m = /^\s*! UPD_C for unknown state ([0-9a-f]{16})\/([0-9a-f]{8}) /.exec(line);
    assert.ok(m, `a '!' line this test knows how to check: ${line}`);
    map.get(name)!.push({ frame, state: `${m[1]}/${m[2]}` });
  }
  return map;
}

/** UPD_C unknown_state findings of the analyzer over the frames, as { frame, id/creator }. */
function unknownUpdC(frames: RawFrame[], offset: number): { frame: number; state: string }[] {
  const a = createPfsyncAnalyzer();
  const found: Finding[] = [];
  for (const raw of frames) a.onFrame(decodeFrame(raw), (f) => found.push(f), IGNORE_DERIVED);
  return found.filter((f) => f.id === 'pfsync.unknown_state' && f.message.startsWith('UPD_C'))
    .map((f) => ({ frame: f.frames[0]! - offset, state: `${String(f.details['state_id'])}/${String(f.details['creatorid'])}` }));
}

test('pfsync conformance: the oracle\'s \'!\' lines (UPD_C for unknown states) against the analyzer', { skip }, () => {
  const bangs = bangLines();
  const total = [...bangs.values()].reduce((n, l) => n + l.length, 0);
  assert.ok(total >= 4, `'!' lines found: ${total}`);
  for (const [name, expected] of bangs) {
    const frames = readPcap(path.join(captures, name));
    // Without a bulk update carpdump does not know the table is complete: no unknown_state at all.
    assert.deepEqual(unknownUpdC(frames, 0), [], `${name}: no unknown_state before a complete bulk update`);
    // With a complete bulk update before the capture (a BUS end from the capture's creator, in the
    // capture's own link type and pfsync family), the analyzer flags exactly the oracle's '!' ids.
    const first = frames[0]!;
    const legacy = (first.linktype === 246 ? first.data[0]! : 0) <= 4 && /legacy/.test(name);
    const payload = legacy
      ? buildLegacyPfsync({ version: 3, action: 9, records: [buildBus(0x1a2b3c4d, 0, 2, true)] })
      : buildModernPfsync({ version: /v5/.test(name) ? 5 : 6, sections: [{ action: 10, messages: [buildBus(0x1a2b3c4d, 0, 2)] }] });
    const data = first.linktype === 1 ? pfsyncEthFrame(payload, { src: '192.0.2.1', ttl: 255 }) : payload;
    const bus: RawFrame = { ...first, number: 1, data, capturedLength: data.length, originalLength: data.length };
    const shifted = frames.map((f) => ({ ...f, number: f.number + 1 }));
    assert.deepEqual(unknownUpdC([bus, ...shifted], 1), expected, `${name}: unknown_state exactly on the oracle's '!' lines`);
  }
});
