// The CARP lane (decode/carp-lane.ts, PipelineConfig.carpLane: -q reads plain Ethernet / IPv4 /
// CARP v2 adverts straight into the analyzers' onCarpLane) gives exactly what the full decode
// gives: the same findings on the same frames, the same totals and the same final summary,
// through the pipeline with the CLI's analyzers, with and without a passphrase and --vip, on
// every capture the project has (samples, the reference captures, the public corpus) and on
// built sessions (failovers with gratuitous ARPs, a forged and a replayed advert, a demoted
// node, a second group on the VHID, a VRRP router on it). And the lane takes only frames whose
// full decode is eth / ipv4 / carp without an annotation, with the same values, whatever the
// bytes (every prefix of every frame, single-byte changes).

import { test } from 'node:test';
import fc from 'fast-check';
import { checkProperty } from '../../support/fc-seed.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { decodeFrame } from '../../../src/decode/frame.js';
import { readCarpLane, readCarpLaneRecord, type CarpPair } from '../../../src/decode/carp-lane.js';
import { advertOf, LaneAdvertFacts, type AdvertFacts } from '../../../src/analyze/carp/facts.js';
import { interfaceLink } from '../../../src/analyze/facts.js';
import { timeOf, toSeconds } from '../../../src/analyze/types.js';
import type { CarpAnalyzerOptions } from '../../../src/analyze/carp/index.js';
import type { RawFrame } from '../../../src/capture/types.js';
import { findLayer, fieldNum, fieldStr } from '../../../src/decode/fields.js';
import { REPO_ROOT } from '../../support/paths.js';
import { rawFrame, timeAt } from '../../support/frames.js';
import { arp, carp, ethernet, ipv4, vrrp2 } from '../../builders/packets.js';
import { ucarpHmac } from '../../builders/make-samples.js';
import { captureFiles, checkLaneVariants, framesOf, runLanes, sweepLane, withIpv4Checksum } from '../../support/lane-harness.js';
import { A as TA, B as TB, data as tdata, failover, sync as tsync, T0 } from '../../support/takeover-capture.js';
import { buildUpdC } from '../../builders/pfsync.js';
import { counterBytes, hexDigestWords } from '../../../src/analyze/carp/hmac.js';

const PASS = 'lanepass';


/** The full decode (none), the lane on frames (frames), or on records first as a file reader offers them (records: Pipeline.takeRecord). */
function runPipeline(frames: readonly RawFrame[], lane: 'none' | 'frames' | 'records', carpOptions: CarpAnalyzerOptions, withSeries: boolean): { out: string[]; laneFrames: number; recordsTaken: number } {
  return runLanes(frames, lane === 'none' ? {} : lane === 'frames' ? { carpLane: readCarpLane } : { carpLane: readCarpLane, carpLaneRecord: readCarpLaneRecord },
    carpOptions, withSeries);
}

/** The option sets the test runs: no passphrase; the right one with --vip; the right one without; a wrong one. */
function optionSets(vips: ReadonlyMap<number, readonly string[]>): [string, CarpAnalyzerOptions][] {
  const pass = (p: string) => [{ vhid: '*' as const, passphrase: p }];
  return [
    ['no passphrase', { passphrases: [], vips: new Map(), showSecrets: false }],
    ['passphrase and --vip', { passphrases: pass(PASS), vips, showSecrets: false }],
    ['passphrase, no --vip', { passphrases: pass(PASS), vips: new Map(), showSecrets: false }],
    ['wrong passphrase and --vip', { passphrases: pass('wrong'), vips, showSecrets: false }],
    ['--wordlist holding the passphrase', { passphrases: [], vips: new Map(), showSecrets: false, wordlist: ['admin', 'carp', PASS] }],
  ];
}

/** Same output with and without the lane under every option set (and the report's series with withSeries); returns the frames that took the lane. */
function sameOutcome(name: string, frames: readonly RawFrame[], vips: ReadonlyMap<number, readonly string[]> = new Map(), withSeries = false): number {
  let taken = 0;
  for (const [what, o] of optionSets(vips)) {
    const full = runPipeline(frames, 'none', o, withSeries);
    const lane = runPipeline(frames, 'frames', o, withSeries);
    const records = runPipeline(frames, 'records', o, withSeries);
    assert.equal(full.laneFrames, 0);
    assert.deepEqual(lane.out, full.out, `${name}, ${what}: same findings, totals and summary`);
    assert.deepEqual(records.out, full.out, `${name}, ${what}: the same from records`);
    // the record path takes what the frame path takes (a record it declines comes back as a frame, which the lane may take then)
    assert.equal(records.laneFrames, lane.laneFrames, `${name}, ${what}: the same lane frames`);
    assert.equal(lane.recordsTaken, 0);
    if (lane.laneFrames > 0) assert.ok(records.recordsTaken > 0, `${name}, ${what}: records taken in place`);
    taken += lane.laneFrames;
  }
  return taken;
}

const VIP = (vhid: number): string => `10.96.0.${100 + vhid}`;
const MAC = (node: number): string => `02:00:00:96:00:0${node}`;

/**
 * A real-shaped session: 4 VHIDs, two ucarp nodes each (advskew 0 / 100, own MACs, per-node
 * counters, HMAC with PASS over the VHID's VIP), the master once a second; every 13 s one VHID
 * fails over (4 s of silence, then the other node with a gratuitous ARP). Then the odd ones: a
 * third host forging VHID 1 (bad HMAC), a replay of a real advert from another MAC, a demoted
 * advert, a second group with another advbase on VHID 2, a TTL-64 advert, a VRRP router on VRID 3.
 */
function session(): RawFrame[] {
  const frames: RawFrame[] = [];
  const add = (at: number, data: Uint8Array): void => { frames.push(rawFrame(data, { number: frames.length + 1, ...timeAt(1735689600, at) })); };
  const advert = (node: number, vhid: number, counter: bigint, o: { advskew?: number; advbase?: number; demote?: number; ttl?: number; pass?: string; mac?: string } = {}): Uint8Array =>
    ethernet({ type: 0x0800, src: o.mac ?? MAC(node) }, ipv4({ proto: 112, src: `10.96.0.${node}`, ...(o.ttl !== undefined ? { ttl: o.ttl } : {}) }, carp({
      vhid, advbase: o.advbase ?? 1, advskew: o.advskew ?? (node === 1 ? 0 : 100), demote: o.demote ?? 0, counter,
      hmac: ucarpHmac(o.pass ?? PASS, vhid, VIP(vhid), counter),
    })));
  const master = [0, 1, 1, 1, 1];
  const silent = [-1, -1, -1, -1, -1];
  const counters = [0n, 0x1000n, 0x2000n];
  let last: Uint8Array | undefined;
  for (let sec = 0; sec < 120; sec++) {
    if (sec > 0 && sec % 13 === 0) silent[(sec / 13) % 4 + 1] = sec + 4;
    for (let vhid = 1; vhid <= 4; vhid++) {
      if (sec < silent[vhid]!) continue;
      if (sec === silent[vhid]) {
        master[vhid] = 3 - master[vhid]!;
        add(sec + vhid / 100 - 0.001, ethernet({ type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff', src: MAC(master[vhid]!) },
          arp({ opcode: 1, senderMac: MAC(master[vhid]!), senderIp: VIP(vhid), targetMac: '00:00:00:00:00:00', targetIp: VIP(vhid) })));
      }
      const node = master[vhid]!;
      counters[node]! += 1n;
      last = advert(node, vhid, counters[node]!);
      add(sec + vhid / 100, last);
    }
    if (sec === 30) add(sec + 0.5, advert(9, 1, 77n, { pass: 'forged' }));
    if (sec === 40 && last) add(sec + 0.5, Uint8Array.from([...last.subarray(0, 6), 2, 0, 0, 0x96, 0, 9, ...last.subarray(12)]));
    if (sec === 50) add(sec + 0.5, advert(1, 4, 5n, { demote: 20 }));
    if (sec === 60) add(sec + 0.5, advert(7, 2, 9n, { advbase: 3, advskew: 0 }));
    if (sec === 70) add(sec + 0.5, advert(1, 3, 11n, { ttl: 64 }));
    if (sec === 80) add(sec + 0.5, ethernet({ type: 0x0800, src: '00:00:5e:00:01:03' }, ipv4({ proto: 112, src: '10.96.0.50' }, vrrp2({ vrid: 3, prio: 200, addrs: ['10.96.0.200'] }))));
  }
  return frames;
}

const sessionVips = new Map([1, 2, 3, 4].map((v) => [v, [VIP(v)]] as const));

test('CARP lane: the same findings, totals and summary as the full decode, with and without passphrase and --vip', () => {
  const n = sameOutcome('built session', session(), sessionVips);
  // CARP beside pfsync: the pfsync analyzer's segment hosts (its link report lists the hosts seen
  // besides the pfsync speakers: C advertises CARP only) and the takeover analyzer's view.
  const updc = (id: number) => [{ action: 4, messages: [buildUpdC({ id: BigInt(id), creatorid: TA.creator })] }];
  const C = { ...TB, ip: '10.0.0.3', mac: '02:00:00:00:00:0c' };
  const pkts = [...failover(), tsync(TA, 0.5, updc(1)), tsync(TA, 5.5, updc(2)), tsync(TB, 14.5, updc(3)),
    ...[1, 4, 8, 12].map((t) => ({ at: t + 0.2, bytes: ethernet({ type: 0x0800, src: C.mac }, ipv4({ proto: 112, src: C.ip }, carp({ vhid: 9, advskew: 50, counter: BigInt(t) }))) })),
    // D: a second CARP-only host on C's VHID (its first advert is a lane frame: the VHID is known)
    ...[14, 16].map((t) => ({ at: t + 0.3, bytes: ethernet({ type: 0x0800, src: '02:00:00:00:00:0d' }, ipv4({ proto: 112, src: '10.0.0.4' }, carp({ vhid: 9, advskew: 60, counter: BigInt(100 + t) }))) }))]
    .sort((a, b) => a.at - b.at);
  const toFrames = (list: { at: number; bytes: Uint8Array }[]): RawFrame[] => list.map((p, i) => rawFrame(p.bytes, { number: i + 1, ...timeAt(T0, p.at) }));
  assert.ok(sameOutcome('CARP beside pfsync', toFrames(pkts)) >= 10); // without a passphrase (the others hold: no --vip)
  // A takeover by B, whose pfsync comes from another address of the same host (found by B's CARP
  // MAC, learnt from its adverts: lane frames), with data flows from B's own address before it
  // (a node's flows are not "unsynced").
  const aliasB = { ...TB, ip: '10.1.0.2' };
  const takeover = [...failover(), tsync(TA, 0.5, updc(1)), tsync(aliasB, 1.5, updc(2)), tsync(aliasB, 8.5, updc(3)),
    tdata(6, TB.ip, '192.0.2.7'), tdata(6.5, '198.51.100.1', '192.0.2.8')].sort((a, b) => a.at - b.at);
  assert.ok(sameOutcome('takeover, pfsync from an alias', toFrames(takeover)) >= 10);
  // The same, with B's MAC changed for one advert the lane does not take (TTL 64: the full decode)
  // between lane adverts with its own MAC, the last of them B's takeover: the takeover analyzer
  // must know B's MAC again by then (it finds B's pfsync alias by it).
  const bAd = (at: number, mac: string, ttl: number): { at: number; bytes: Uint8Array } => ({
    at, bytes: ethernet({ type: 0x0800, src: mac }, ipv4({ proto: 112, src: TB.ip, ttl }, carp({ vhid: 7, advskew: 100, counter: BigInt(Math.round(at * 10)) }))),
  });
  const flip = [...takeover, bAd(12.9, TB.mac, 255), bAd(13.1, '02:00:00:00:00:ee', 64)].sort((a, b) => a.at - b.at);
  assert.ok(sameOutcome('takeover, B\'s MAC changed once by a full-decode advert', toFrames(flip)) >= 10);
  assert.ok(n >= 4 * 300, `session frames that took the lane (5 option sets): ${n}`);
  let taken = 0, files = 0;
  for (const f of captureFiles()) {
    const frames = framesOf(f);
    if (!frames || !frames.some((r) => readCarpLane(r) !== undefined)) continue;
    files++;
    taken += sameOutcome(path.relative(REPO_ROOT, f), frames, new Map([[7, ['10.77.0.100']], [10, ['10.77.0.110']]]));
  }
  assert.ok(files >= 3 && taken >= 10, `capture files with lane frames: ${files}, frames that took the lane: ${taken}`);
});

/** The pair as numbers: the lane's, or what verify() and the replay check parse from the texts (analyze/carp/auth.ts, group.ts). */
interface Pair { md: number[]; counter: number[]; hi: number; lo: number }
/** An advert's facts as the analysis reads them (every field of AdvertFacts; `parsed` aside). */
type FactsView = Record<string, unknown>;
interface View {
  ipSrc: string; ipDst: string; ethSrc: string; vhid: number; advskew: number; advbase: number; pair: Pair;
  /** The facts, a held advert's facts, and the numbers (`parsed`) of each. */
  facts: FactsView; held: FactsView; factsPair: Pair | undefined; heldPair: Pair | undefined;
}

const FACT_KEYS: readonly (keyof AdvertFacts)[] = ['frame', 'ts', 't', 'link', 'af', 'src', 'dst', 'ttl', 'ethSrc', 'acceptable',
  'vhid', 'version', 'type', 'advbase', 'advskew', 'demote', 'counter', 'hmac'];
const factsView = (ad: AdvertFacts): FactsView => Object.fromEntries(FACT_KEYS.map((k) => [k, ad[k]]));

function pairOfTexts(counter: string, hmac: string): Pair {
  const md = hexDigestWords(hmac, new Int32Array(5))!;
  const c = counterBytes(counter, new Uint8Array(8))!;
  const word = (at: number): number => (c[at]! << 24) | (c[at + 1]! << 16) | (c[at + 2]! << 8) | c[at + 3]!;
  return { md: [...md], counter: [...c], hi: word(0), lo: word(4) };
}

const pairView = (p: CarpPair | undefined): Pair | undefined => p && { md: [...p.md], counter: [...p.counter], hi: p.hi, lo: p.lo };

function laneView(raw: RawFrame): View | undefined {
  const l = readCarpLane(raw);
  if (!l) return undefined;
  assert.equal(l.raw, raw);
  const pair = pairView(l.pair)!;
  // the facts the analysis gets (counter and HMAC texts made from the numbers when read), and a held advert's copy
  const ts = timeOf(raw);
  const ad = new LaneAdvertFacts(l).of(l, interfaceLink(raw));
  assert.deepEqual(ad.ts, ts);
  assert.equal(ad.t, toSeconds(ts));
  assert.equal(ad.parsed, l.pair);
  const held = ad.detached();
  // a held advert's numbers are its own, not the lane's reused arrays
  assert.ok(held.parsed !== undefined && held.parsed.md !== l.pair.md && held.parsed.counter !== l.pair.counter);
  return {
    ipSrc: l.ipSrc, ipDst: l.ipDst, ethSrc: l.ethSrc, vhid: l.vhid, advskew: l.advskew, advbase: l.advbase, pair,
    facts: factsView(ad), held: factsView(held), factsPair: pairView(ad.parsed), heldPair: pairView(held.parsed),
  };
}

/** What the full decode says of a frame the lane took: eth / ipv4 / carp, nothing annotated, a plain v2 advert; its values. */
function fullView(raw: RawFrame): View {
  const f = decodeFrame(raw, { pfsyncAnalysisOnly: true });
  assert.deepEqual(f.layers.map((l) => `${l.proto}:${l.status}`), ['eth:ok', 'ipv4:ok', 'carp:ok'], `frame ${raw.number}: layers`);
  assert.deepEqual(f.annotations, [], `frame ${raw.number}: annotations`);
  const c = findLayer(f, 'carp')!;
  assert.equal(fieldNum(c, 'carp.version'), 2);
  assert.equal(fieldNum(c, 'carp.type'), 1);
  assert.equal(fieldNum(c, 'carp.demotion'), 0);
  assert.equal(c.fields['carp.checksum.status'], 'good');
  assert.equal(f.ip?.ttl, 255);
  assert.equal(f.ip?.fragmented, false);
  return {
    ipSrc: f.ip!.src, ipDst: f.ip!.dst, ethSrc: fieldStr(findLayer(f, 'eth'), 'eth.src')!,
    vhid: fieldNum(c, 'carp.vhid')!, advskew: fieldNum(c, 'carp.advskew')!, advbase: fieldNum(c, 'carp.adver_int')!,
    pair: pairOfTexts(fieldStr(c, 'carp.counter')!, fieldStr(c, 'carp.hmac')!),
    facts: factsView(advertOf(f)!), held: factsView(advertOf(f)!),
    factsPair: pairView(advertOf(f)!.parsed), heldPair: pairView(advertOf(f)!.parsed),
  };
}

test('CARP lane: takes only plain v2 adverts, with the full decode\'s values, on every prefix and byte change', () => {
  const sources = [...session(), ...captureFiles().flatMap((f) => framesOf(f) ?? []).filter((r) => r.data.length < 200)];
  const { taken, checked } = sweepLane(sources, 3, laneView, fullView, (raw) => {
    const variants: RawFrame[] = [];
    variants.push({ ...raw, originalLength: raw.data.length + 4 }); // cut by the snap length
    variants.push({ ...raw, data: Uint8Array.from([...raw.data, 0, 0, 0, 0]), capturedLength: raw.data.length + 4, originalLength: raw.data.length + 4 }); // trailer
    // every byte changed once, and the IPv4 header bytes with its checksum made right again
    for (let at = 0; at < raw.data.length; at++) {
      const data = Uint8Array.from(raw.data);
      data[at] = (data[at]! + 1 + at) & 0xff;
      variants.push({ ...raw, data });
      if (at >= 14 && at < 34 && at !== 24 && at !== 25) variants.push({ ...raw, data: withIpv4Checksum(data) });
    }
    // each IPv4 and CARP header byte one less: a checksum off by one (a sum of 0xfffe, or a
    // borrow through the word), which only an exact fold and compare refuses
    for (let at = 14; at < raw.data.length; at++) {
      const data = Uint8Array.from(raw.data);
      data[at] = (data[at]! - 1) & 0xff;
      variants.push({ ...raw, data });
    }
    return variants;
  });
  assert.ok(taken >= 300 && checked > 10_000, `variants the lane took: ${taken} of ${checked}`);
});

test('CARP lane with --report: the series analyzer sees the same advert gaps per VHID and sender', () => {
  assert.ok(sameOutcome('built session with the series', session(), sessionVips, true) >= 4 * 300);
});

test('CARP lane: takes every plain advert whatever its addresses, MACs, fields, counter and HMAC (both checksums right)', () => {
  // The lane's checks against the full decode's on random content (its checksums included),
  // beyond the few kinds of advert the captures hold.
  const u8 = fc.integer({ min: 0, max: 255 });
  checkProperty(fc.property(
    fc.tuple(u8, u8, u8, u8), fc.tuple(u8, u8, u8, u8), fc.uint8Array({ minLength: 6, maxLength: 6 }),
    fc.integer({ min: 1, max: 255 }), u8, fc.integer({ min: 0, max: 254 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ minLength: 20, maxLength: 20 }),
    (src, dst, mac, vhid, advskew, advbase, counter, hmac) => {
      const data = ethernet({ type: 0x0800, src: [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':') },
        ipv4({ proto: 112, src: src.join('.'), dst: dst.join('.') }, carp({ vhid, advskew, advbase, counter, hmac })));
      const raw = rawFrame(data, { number: 1, ...timeAt(1735689600, 0) });
      const { taken } = checkLaneVariants([raw], laneView, fullView);
      assert.equal(taken, 1, `the lane declined ${Buffer.from(data).toString('hex')}`);
    }), { numRuns: 2000, seed: 23 });
});
