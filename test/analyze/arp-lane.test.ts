// The ARP lane (decode/arp-lane.ts, PipelineConfig.arpLane: -q reads plain Ethernet ARP requests
// that are not gratuitous straight into the analyzers' onArpLane) gives exactly what the full
// decode gives: the same findings on the same frames, the same totals (frames shown among them:
// an ARP request is not shown) and the same final summary, through the pipeline with the CLI's
// analyzers and the other two lanes, on every capture the project has and on a built segment
// (ARP requests, probes, replies, gratuitous ARP of CARP failovers, VLAN-tagged and cut ARP, and a
// pfsync bulk update that the analysis gives up on while only ARP requests pass: its finding lands
// on an ARP lane frame). And the lane takes only frames whose full decode is eth / arp without an
// annotation, a request that is not gratuitous, with the same sender address, whatever the bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { decodeFrame } from '../../src/decode/frame.js';
import { readArpLane } from '../../src/decode/arp-lane.js';
import { readCarpLane } from '../../src/decode/carp-lane.js';
import { readPfsyncLane } from '../../src/decode/pfsync/lane.js';
import type { CarpAnalyzerOptions } from '../../src/analyze/carp/index.js';
import type { RawFrame } from '../../src/capture/types.js';
import { findLayer, fieldNum, fieldStr } from '../../src/decode/fields.js';
import { REPO_ROOT } from '../support/paths.js';
import { inCI } from '../support/skip.js';
import { rawFrame, timeAt } from '../support/frames.js';
import { arp, carp, ethernet, ipv4 } from '../builders/packets.js';
import { ucarpHmac } from '../builders/make-samples.js';
import { captureFiles, framesOf, runLanes, sweepLane } from '../support/lane-harness.js';
import { bulkRequest, bulkStart, sync, A, T0, type Pkt } from '../support/takeover-capture.js';
import { buildUpdC } from '../builders/pfsync.js';

const PASS = 'arplane';
const VIP = '10.95.0.100';

/** The CLI's -q: all three lanes, or the pfsync and CARP lanes only. */
function runPipeline(frames: readonly RawFrame[], arpLane: boolean, carpOptions: CarpAnalyzerOptions, withSeries: boolean): { out: string[]; laneFrames: number } {
  return runLanes(frames, { pfsyncLane: readPfsyncLane, carpLane: readCarpLane, ...(arpLane ? { arpLane: readArpLane } : {}) }, carpOptions, withSeries);
}

/** Same output with and without the ARP lane, with and without a passphrase; returns the frames the ARP lane took. */
function sameOutcome(name: string, frames: readonly RawFrame[], withSeries = false): { taken: number; out: string[] } {
  let taken = 0;
  let out: string[] = [];
  const sets: [string, CarpAnalyzerOptions][] = [
    ['no passphrase', { passphrases: [], vips: new Map(), showSecrets: false }],
    ['passphrase and --vip', { passphrases: [{ vhid: '*', passphrase: PASS }], vips: new Map([[5, [VIP]]]), showSecrets: false }],
  ];
  for (const [what, o] of sets) {
    const full = runPipeline(frames, false, o, withSeries);
    const lane = runPipeline(frames, true, o, withSeries);
    assert.deepEqual(lane.out, full.out, `${name}, ${what}: same findings, totals and summary`);
    taken += lane.laneFrames - full.laneFrames;
    out = full.out;
  }
  return { taken, out };
}

const host = (n: number): { mac: string; ip: string } => ({ mac: `02:00:00:95:00:${n.toString(16).padStart(2, '0')}`, ip: `10.95.0.${n}` });
const request = (from: number, to: number, pad = false): Uint8Array => {
  const f = ethernet({ type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff', src: host(from).mac },
    arp({ opcode: 1, senderMac: host(from).mac, senderIp: host(from).ip, targetMac: '00:00:00:00:00:00', targetIp: host(to).ip }));
  return pad ? Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]) : f;
};

/**
 * A segment: ARP requests between 20 hosts (some padded to 60 bytes), an ARP probe (sender
 * 0.0.0.0), replies, VLAN-tagged and cut requests, one before everything else; a CARP pair on
 * VHID 5 (ucarp HMAC over VIP) failing over at 30 s with a gratuitous ARP; pfsync UPD_C from A,
 * and a bulk update A starts for B at 2.05 s and never ends (the analysis gives up 60 s later,
 * on the next frame: an ARP request).
 */
function segment(): RawFrame[] {
  const pkts: Pkt[] = [];
  let counter = 0x500n;
  const advert = (node: number, at: number): void => {
    counter++;
    pkts.push({ at, bytes: ethernet({ type: 0x0800, src: host(node).mac }, ipv4({ proto: 112, src: host(node).ip }, carp({
      vhid: 5, advbase: 1, advskew: node === 1 ? 0 : 100, counter, hmac: ucarpHmac(PASS, 5, VIP, counter),
    }))) });
  };
  for (let t = 0; t < 90; t++) {
    if (t < 30) advert(1, t);
    if (t >= 34) advert(2, t);
    if (t === 34) pkts.push({ at: t - 0.01, bytes: ethernet({ type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff', src: host(2).mac }, arp({ opcode: 1, senderMac: host(2).mac, senderIp: VIP, targetIp: VIP })) });
    for (let k = 0; k < 5; k++) pkts.push({ at: t + 0.1 + k / 10, bytes: request(3 + ((t * 7 + k) % 20), 3 + ((t + k * 3) % 20), (t + k) % 3 === 0) });
    if (t % 10 === 3) pkts.push({ at: t + 0.15, bytes: ethernet({ type: 0x0806, src: host(4).mac }, arp({ opcode: 2, senderMac: host(4).mac, senderIp: host(4).ip, targetMac: host(5).mac, targetIp: host(5).ip })) });
    if (t % 10 === 4) pkts.push({ at: t + 0.16, bytes: ethernet({ type: 0x0806, src: host(6).mac }, arp({ opcode: 1, senderMac: host(6).mac, senderIp: '0.0.0.0', targetIp: host(60).ip })) });
    if (t % 10 === 5) pkts.push({ at: t + 0.17, bytes: Uint8Array.from([...request(7, 8).subarray(0, 12), 0x81, 0, 0, 10, ...request(7, 8).subarray(12)]) });
    if (t % 10 === 6) pkts.push({ at: t + 0.18, bytes: request(9, 10).subarray(0, 38) });
    if (t < 20 && t % 2 === 0) pkts.push(sync(A, t + 0.05, [{ action: 4, messages: [buildUpdC({ id: BigInt(t + 1), creatorid: A.creator })] }]));
  }
  // the first frame of the capture is an ARP request (the report's series starts there)
  pkts.push({ at: -1, bytes: request(3, 4) });
  pkts.push(bulkRequest(1.95), bulkStart(2.05)); // given up at 62.05: the next frame is an ARP request (62.1)
  return pkts.sort((a, b) => a.at - b.at).map((p, i) => rawFrame(p.bytes, { number: i + 1, ...timeAt(T0, p.at) }));
}

test('ARP lane: the same findings, totals and summary as the full decode, on a built segment and every capture', () => {
  const frames = segment();
  const { taken, out } = sameOutcome('built segment', frames);
  assert.ok(taken >= 2 * 400, `ARP requests that took the lane (2 option sets): ${taken}`);
  // The bulk update's give-up finding is raised on an ARP request (a lane frame): the lane's own finding path.
  const onArp = out.filter((l) => l.includes('pfsync.bulk_incomplete') && /^frame (\d+) /.test(l))
    .map((l) => Number(/^frame (\d+) /.exec(l)![1]));
  assert.equal(onArp.length, 1, out.filter((l) => l.includes('bulk_incomplete')).join('\n'));
  assert.ok(readArpLane(frames[onArp[0]! - 1]!) !== undefined, `frame ${onArp[0]} is an ARP lane frame`);
  assert.ok(out.some((l) => l.includes('carp.master_changed') && l.includes('10.95.0.2')), 'the failover is seen');
  assert.ok(sameOutcome('built segment with the series', frames, true).taken >= 2 * 400);
  let files = 0, fromFiles = 0;
  for (const f of captureFiles()) {
    const list = framesOf(f);
    if (!list || !list.some((r) => readArpLane(r) !== undefined)) continue;
    files++;
    fromFiles += sameOutcome(path.relative(REPO_ROOT, f), list).taken;
  }
  // Of the captures only the public corpus's fuzz-2006-06-26-2594.pcap has ARP requests that are
  // not gratuitous (the lab recordings' ARP is ucarp's and keepalived's gratuitous ARP): in CI, it must count.
  if (inCI()) assert.ok(files >= 1 && fromFiles >= 10, `capture files with ARP lane frames: ${files}, frames that took the lane: ${fromFiles}`);
});

interface View { spa: string }

function laneView(raw: RawFrame): View | undefined {
  const l = readArpLane(raw);
  if (!l) return undefined;
  assert.equal(l.raw, raw);
  return { spa: l.spa };
}

/** What the full decode says of a frame the lane took: eth / arp, nothing annotated, a request that is not gratuitous. */
function fullView(raw: RawFrame): View {
  const f = decodeFrame(raw, { pfsyncAnalysisOnly: true });
  assert.deepEqual(f.layers.map((l) => `${l.proto}:${l.status}`), ['eth:ok', 'arp:ok'], `frame ${raw.number}: layers`);
  assert.deepEqual(f.annotations, [], `frame ${raw.number}: annotations`);
  const a = findLayer(f, 'arp')!;
  assert.equal(fieldNum(a, 'arp.opcode'), 1);
  assert.equal(a.fields['arp.isgratuitous'], false);
  assert.equal(fieldNum(a, 'arp.hw.type'), 1);
  assert.equal(fieldNum(a, 'arp.proto.type'), 0x0800);
  assert.notEqual(fieldStr(a, 'arp.src.proto_ipv4'), fieldStr(a, 'arp.dst.proto_ipv4'));
  return { spa: fieldStr(a, 'arp.src.proto_ipv4')! };
}

test('ARP lane: takes only plain requests that are not gratuitous, with the full decode\'s sender, on every prefix and byte change', () => {
  const sources = [...segment(), ...captureFiles().flatMap((f) => framesOf(f) ?? []).filter((r) => r.data.length < 200)];
  const { taken, checked } = sweepLane(sources, 3, laneView, fullView, (raw) => {
    const variants: RawFrame[] = [];
    variants.push({ ...raw, originalLength: raw.data.length + 18 }); // cut by the snap length
    variants.push({ ...raw, data: Uint8Array.from([...raw.data, 1, 2, 3, 4]), capturedLength: raw.data.length + 4, originalLength: raw.data.length + 4 }); // trailer
    variants.push({ ...raw, linktype: 113 }); // not Ethernet
    // every byte changed once; and the target address made the sender's (gratuitous)
    for (let at = 0; at < Math.min(raw.data.length, 42); at++) {
      const data = Uint8Array.from(raw.data);
      data[at] = (data[at]! + 1 + at) & 0xff;
      variants.push({ ...raw, data });
    }
    const grat = Uint8Array.from(raw.data);
    grat.set(grat.subarray(28, 32), 38);
    variants.push({ ...raw, data: grat });
    return variants;
  });
  assert.ok(taken >= 300 && checked > 10_000, `variants the lane took: ${taken} of ${checked}`);
});
