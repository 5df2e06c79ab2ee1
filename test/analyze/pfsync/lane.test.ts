// The pfsync lane (decode/pfsync/lane.ts, PipelineConfig.pfsyncLane: -q reads plain UPD_C/UPD packets
// straight into the analyzers' onPfsyncLane) gives exactly what the full decode gives: the same
// findings on the same frames, the same totals and the same final summary, through the pipeline
// with the CLI's analyzers, on every pfsync capture the project has (the sample, the builders'
// files, the reference captures, scenario sessions with stale, unknown and a stranger's updates,
// a ruleset mismatch). And the lane takes only frames whose full decode is eth / ipv4 / pfsync
// without an annotation and with whole UPD_C and UPD messages only, with the same values, whatever the
// bytes (every prefix of every frame, single-byte changes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeFrame } from '../../../src/decode/frame.js';
import { readPfsyncLane, LANE_UPD, LANE_WORDS } from '../../../src/decode/pfsync/lane.js';
import type { RawFrame } from '../../../src/capture/types.js';
import type { Fields } from '../../../src/decode/types.js';
import { readPcap } from '../../support/pcap-read.js';
import { writeBuilderCaptures } from '../../support/pfsync-builder-captures.js';
import { sample, SHARED } from '../../support/paths.js';
import { rawFrame, timeAt } from '../../support/frames.js';
import { inCI } from '../../support/skip.js';
import { A, B, BASE_ID, C, CREATOR_A, delC, healthySession, range, tcpState, then, updC, v6 } from '../../support/pfsync-harness.js';
import { buildState, buildUpdC, type SectionSpec } from '../../builders/pfsync.js';
import { A as TA, B as TB, failover, sync as tsync } from '../../support/takeover-capture.js';
import { runLanes, sweepLane, withIpv4Checksum } from '../../support/lane-harness.js';

const captures = path.join(SHARED, 'captures');


/** Lane frames with full states (UPD) seen by runPipeline. */
let laneUpdFrames = 0;

function runPipeline(frames: readonly RawFrame[], lane: boolean, withSeries = false): { out: string[]; laneFrames: number } {
  const counting = (raw: RawFrame): ReturnType<typeof readPfsyncLane> => {
    const l = readPfsyncLane(raw);
    if (l && l.sectionActions.slice(0, l.sections).includes(LANE_UPD)) laneUpdFrames++;
    return l;
  };
  return runLanes(frames, lane ? { pfsyncLane: counting } : {}, undefined, withSeries);
}

/** Same output with and without the lane (and the report's series with withSeries); returns the frames that took the lane. */
function sameOutcome(name: string, frames: readonly RawFrame[], withSeries = false): number {
  const full = runPipeline(frames, false, withSeries);
  const lane = runPipeline(frames, true, withSeries);
  assert.equal(full.laneFrames, 0);
  assert.deepEqual(lane.out, full.out, `${name}: same findings, totals and summary`);
  return lane.laneFrames;
}

const packetsToFrames = (list: { bytes: Uint8Array; at: number }[]): RawFrame[] =>
  list.map((p, i) => rawFrame(p.bytes, { number: i + 1, ...timeAt(1735689600, p.at) }));

function pfsyncFiles(tmp: string): string[] {
  const files = [
    sample('pfsync-session.pcap'),
    ...writeBuilderCaptures(tmp),
    ...(fs.existsSync(captures) ? fs.readdirSync(captures).filter((n) => /^pfsync-.*\.pcap$/.test(n)).map((n) => path.join(captures, n)) : []),
  ];
  if (inCI()) assert.ok(files.length >= 12, 'the reference captures are beside the clone in CI');
  return files;
}

test('pfsync lane: the same findings, totals and summary as the full decode on every pfsync capture', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-pfsync-lane-'));
  try {
    let taken = 0;
    for (const f of pfsyncFiles(tmp)) taken += sameOutcome(path.basename(f), readPcap(f));
    assert.ok(taken >= 2, `frames that took the lane in the captures: ${taken}`);
    // Stale and unknown updates from a peer (findings raised in the lane), a stranger's UPD_C
    // (its sections go through applySection), its DEL_C (full decode).
    const stale = then(healthySession(),
      updC({ src: A }, CREATOR_A, [1, 2, 999], 10), updC({ src: C }, CREATOR_A, range(1, 8), 90000), delC({ src: C }, CREATOR_A, [3]));
    const n = sameOutcome('stale + unknown + stranger', packetsToFrames(stale));
    assert.ok(n >= 2, `scenario frames that took the lane: ${n}`);
    // Two UPD_C sections in one packet; ruleset checksums that differ between the peers.
    const sec = (n: number, seq: number): SectionSpec => ({ action: 4, messages: [buildUpdC({
      id: BASE_ID + BigInt(n), creatorid: CREATOR_A, src: { state: 4, seqlo: seq, seqhi: seq + 65535 }, dst: { state: 4, seqlo: seq, seqhi: seq + 29200 } })] });
    const fromB = v6({ src: B }, [sec(3, 5000)], { cksum: 'cd'.repeat(16) });
    const fromA = v6({ src: A }, [sec(1, 5000), sec(2, 5000)], { cksum: 'ab'.repeat(16) });
    assert.ok(readPfsyncLane(rawFrame(fromA)) !== undefined, 'a packet of two UPD_C sections takes the lane');
    const m = sameOutcome('two sections + ruleset mismatch', packetsToFrames(then(healthySession(), fromB, fromA)));
    assert.ok(m >= 2, `ruleset scenario frames that took the lane: ${m}`);
    // A CARP takeover (the takeover analyzer's verdict reads the old master's last pfsync time
    // and its MAC: pfsync sent from another address of the same host is matched by MAC).
    const updc = (id: number) => [{ action: 4, messages: [buildUpdC({ id: BigInt(id), creatorid: TA.creator })] }];
    const alias = { ...TA, ip: '10.1.0.1' };
    const takeover = [...failover(), tsync(TB, 0.5, updc(1)), tsync(alias, 2.5, updc(2)), tsync(alias, 7.5, updc(3)), tsync(TB, 8.5, updc(4))]
      .sort((x, y) => x.at - y.at);
    const t = sameOutcome('takeover', packetsToFrames(takeover));
    assert.ok(t >= 4, `takeover scenario frames that took the lane: ${t}`);
    // A UDP state from a UPD (the lane inserts it with its protocol), then a UPD_C that would be
    // stale for a TCP state (same states, lower seqlo) but is not for UDP.
    const udp = v6({ src: A }, [{ action: 14, messages: [buildState('openbsd-v6', { ...tcpState(CREATOR_A, 600, 5000), proto: 17 })] }]);
    const u = sameOutcome('UDP state', packetsToFrames(then(healthySession(), udp, updC({ src: A }, CREATOR_A, [600], 10))));
    assert.ok(u >= 2, `UDP scenario frames that took the lane: ${u}`);
    assert.ok(laneUpdFrames >= 5, `lane frames with full states (bulk updates): ${laneUpdFrames}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

/** The full decode's view of a frame the lane took, as the lane gives it. */
function fullView(raw: RawFrame): unknown {
  const f = decodeFrame(raw, { pfsyncAnalysisOnly: true });
  assert.deepEqual(f.layers.map((l) => `${l.proto}:${l.status}`), ['eth:ok', 'ipv4:ok', 'pfsync:ok'], `frame ${raw.number}: layers`);
  assert.deepEqual(f.annotations, [], `frame ${raw.number}: no annotation`);
  const eth = f.layers[0]!.fields, ip = f.layers[1]!.fields, pf = f.layers[2]!.fields;
  assert.equal(pf['pfsync.ignored'], undefined);
  assert.equal(pf['pfsync.flavor'], 'openbsd-v6');
  assert.equal(pf['pfsync.trailing_bytes'], undefined);
  const sections = pf['pfsync.subheaders'] as Fields[];
  const words: number[] = [];
  for (const s of sections) {
    const full = s['pfsync.action_name'] === 'UPD';
    assert.ok(full || s['pfsync.action_name'] === 'UPD_C', `frame ${raw.number}: ${String(s['pfsync.action_name'])}`);
    assert.equal(s['pfsync.ignored'], undefined);
    const messages = s['pfsync.messages'] as Fields[];
    assert.equal(messages.length, s['pfsync.count']);
    for (const m of messages) {
      assert.equal(m['pfsync.state.format'], full ? 'openbsd-v6' : undefined);
      words.push(m['cid'] as number, m['idh'] as number, m['idl'] as number, m['pfsync.state.src.seqlo'] as number,
        m['pfsync.state.dst.seqlo'] as number, m['pfsync.state.src.state'] as number, m['pfsync.state.dst.state'] as number,
        full ? m['pfsync.state.proto'] as number : 0);
    }
  }
  return {
    src: ip['ip.src'], dst: ip['ip.dst'], mac: eth['eth.src'], cksum: pf['pfsync.cksum'],
    actions: sections.map((s) => s['pfsync.action']), counts: sections.map((s) => s['pfsync.count']), words,
  };
}

function laneView(raw: RawFrame): unknown {
  const l = readPfsyncLane(raw);
  if (!l) return undefined;
  return {
    src: l.ipSrc, dst: l.ipDst, mac: l.ethSrc, cksum: l.cksum,
    actions: l.sectionActions.slice(0, l.sections), counts: l.sectionCounts.slice(0, l.sections),
    words: [...l.words.subarray(0, l.messages * LANE_WORDS)],
  };
}

test('pfsync lane: takes only plain UPD_C/UPD frames, with the full decode\'s values, on every prefix and byte change', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-pfsync-lane-'));
  try {
    // Sections the receivers skip or drop: a UPD_C shorter than 84 bytes, a longer one (taken),
    // an empty one, a section of another action.
    const msg = buildUpdC({ id: 7n, creatorid: CREATOR_A });
    const full = buildState('openbsd-v6', tcpState(CREATOR_A, 7));
    const odd = [
      v6({ src: A }, [{ action: 4, messages: [msg.subarray(0, 80)], lenWords: 20 }, { action: 4, messages: [msg] }]),
      v6({ src: A }, [{ action: 4, messages: [Uint8Array.from([...msg, 0, 0, 0, 0])], lenWords: 22 }, { action: 4, messages: [msg] }]),
      v6({ src: A }, [{ action: 4, messages: [] }, { action: 4, messages: [msg] }]),
      v6({ src: A }, [{ action: 4, messages: [msg] }, { action: 7, messages: [msg.subarray(0, 12)] }]),
      v6({ src: A }, [{ action: 14, messages: [full.subarray(0, 260)], lenWords: 65 }, { action: 4, messages: [msg] }]),
      v6({ src: A }, [{ action: 14, messages: [full, full] }, { action: 4, messages: [msg] }, { action: 14, messages: [] }]),
      v6({ src: A }, [{ action: 13, messages: [full] }]),
    ];
    const stale = packetsToFrames(then(healthySession(), updC({ src: A }, CREATOR_A, [1, 2, 999], 10), ...odd));
    const { taken, checked } = sweepLane([...pfsyncFiles(tmp).flatMap((f) => readPcap(f)), ...stale], 5, laneView, fullView, (raw) => {
      const variants: RawFrame[] = [];
      // Every byte of the headers and of the first subheader changed once (TTL, checksum,
      // version, length, action, count, ...).
      for (let at = 0; at < Math.min(raw.data.length, 58); at++) {
        const data = Uint8Array.from(raw.data);
        data[at] = (data[at]! + 1 + at) & 0xff;
        variants.push({ ...raw, data });
        if (at >= 54 && at < 58) {
          // the first subheader's action, length in words and count, each to a few values
          for (const v of [0, 1, 3, 5, 20, 22, 255]) { const d = Uint8Array.from(raw.data); d[at] = v; variants.push({ ...raw, data: d }); }
        }
        // and with the IPv4 header checksum made right again: the change alone is tested
        if (at >= 14 && at < 34 && at !== 24 && at !== 25) variants.push({ ...raw, data: withIpv4Checksum(data) });
      }
      return variants;
    });
    assert.ok(taken >= 20 && checked > 1000, `variants the lane took: ${taken} of ${checked}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('pfsync lane with --report: the series analyzer sees the same messages and states per time bucket', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-pfsync-lane-series-'));
  try {
    let taken = 0;
    for (const f of pfsyncFiles(tmp)) taken += sameOutcome(`${path.basename(f)} with the series`, readPcap(f), true);
    assert.ok(taken >= 2, `frames that took the lane in the captures: ${taken}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
