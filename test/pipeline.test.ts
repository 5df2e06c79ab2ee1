// The pipeline's policies, with frames from the packet builders and scripted analyzers:
// which frames are decoded and shown, annotation ids that are findings, -c, -Y, internal errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzedFrame, Analyzer, DeriveSink, Finding } from '../src/analyze/types.js';
import type { CaptureSource, RawFrame } from '../src/capture/types.js';
import type { DecodedFrame, Fields } from '../src/decode/types.js';
import { isInterestingFrame } from '../src/decode/probe.js';
import { parseDisplayFilter } from '../src/filter/display-filter.js';
import type { Renderer } from '../src/output/renderer.js';
import { Pipeline, runPipeline, type PipelineConfig } from '../src/pipeline.js';
import { arpFrame, carpFrame4, ethernet, ipv4, vrrp2Frame } from './builders/packets.js';
import { rawFrame } from './support/frames.js';
import { readCarpLane } from '../src/decode/carp-lane.js';

function numbered(data: Uint8Array, number: number): RawFrame {
  return rawFrame(data, { number, tsSec: 1700000000 + number });
}

class RecordingRenderer implements Renderer {
  shown: { number: number; findings: string[] }[] = [];
  /** carp.hmac.status as derived beside each shown frame. */
  status: unknown[] = [];
  loose: string[] = [];
  ended: { frames: number; shown: number; findings: Record<string, number>; summary: Fields } | undefined;
  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    this.shown.push({ number: frame.raw.number, findings: findings.map((f) => f.id) });
    this.status.push(frame.derived['carp.hmac.status']);
  }
  finding(f: Finding): void {
    this.loose.push(`${f.id}@${f.frames.join(',')}`);
  }
  end(totals: { frames: number; shown: number; findings: Readonly<Record<string, number>> }, summary: Fields): void {
    this.ended = { frames: totals.frames, shown: totals.shown, findings: { ...totals.findings }, summary };
  }
}

/** An analyzer that raises a finding on frames whose number is listed, and records what it saw. */
function scripted(raiseOn: Record<number, Finding['id']>, opts: { throwOn?: number; derive?: number } = {}): Analyzer & { seen: number[] } {
  const seen: number[] = [];
  return {
    name: 'scripted',
    seen,
    onFrame(frame, emit, derive) {
      seen.push(frame.raw.number);
      if (frame.raw.number === opts.throwOn) throw new Error('boom');
      if (frame.raw.number === opts.derive) derive('carp.hmac.status', 'good');
      const id = raiseOn[frame.raw.number];
      if (id) emit({ id, severity: 'note', ts: { sec: frame.raw.tsSec, nsec: 0, digits: 6 }, frames: [frame.raw.number], message: 'm', details: {} });
    },
    onTick(now, emit) {
      emit({ id: 'carp.master_silent', severity: 'warn', ts: now, frames: [], message: 'silent', details: {} });
    },
    finish(now, emit) {
      emit({ id: 'pfsync.bulk_incomplete', severity: 'warn', ts: now, frames: [], message: 'end', details: {} });
    },
    summary: () => ({ carp: { vhids: [] } }),
  };
}

function config(over: Partial<PipelineConfig> & { renderer: Renderer }): PipelineConfig {
  return { decodeOptions: {}, all: false, analyzers: [], isInteresting: isInterestingFrame, ...over };
}

const udp = ethernet({ type: 0x0800 }, ipv4({ proto: 17, src: '10.0.0.1', dst: '10.0.0.2' }, new Uint8Array(8)));

test('default: CARP/VRRP shown, others analysed only when the probe says so, findings of hidden frames printed alone', () => {
  const r = new RecordingRenderer();
  const a = scripted({ 3: 'carp.vhid_conflict' });
  const p = new Pipeline(config({ renderer: r, analyzers: [a] }));
  p.onFrame(numbered(carpFrame4(), 1));
  p.onFrame(numbered(udp, 2));
  p.onFrame(numbered(arpFrame(), 3));
  p.onFrame(numbered(vrrp2Frame(), 4));
  const res = p.finish();
  assert.deepEqual(a.seen, [1, 3, 4], 'the UDP frame is not decoded nor analysed');
  assert.deepEqual(r.shown.map((s) => s.number), [1, 3, 4], 'an ARP frame with a finding is shown');
  assert.equal(res.frames, 4);
  assert.equal(res.shown, 3);
  assert.deepEqual(r.loose, ['pfsync.bulk_incomplete@'], 'finish() findings come last');
  assert.deepEqual(r.ended?.summary, { carp: { vhids: [] } });
  assert.deepEqual(res.findings, { 'carp.vhid_conflict': 1, 'pfsync.bulk_incomplete': 1 });
  assert.equal(res.worstSeverity, 'warn');
});

test('an ARP frame without findings or derived values is hidden; with derived values it is shown', () => {
  const r = new RecordingRenderer();
  const p = new Pipeline(config({ renderer: r, analyzers: [scripted({}, { derive: 2 })] }));
  p.onFrame(numbered(arpFrame(), 1));
  p.onFrame(numbered(arpFrame(), 2));
  p.finish();
  assert.deepEqual(r.shown.map((s) => s.number), [2]);
});

test('-A shows every frame', () => {
  const r = new RecordingRenderer();
  const p = new Pipeline(config({ renderer: r, all: true }));
  p.onFrame(numbered(udp, 1));
  p.onFrame(numbered(new Uint8Array(3), 2));
  assert.equal(p.finish().shown, 2);
});

test('decoder annotations whose id is a finding become findings of that frame, once', () => {
  const r = new RecordingRenderer();
  const p = new Pipeline(config({ renderer: r }));
  p.onFrame(numbered(carpFrame4({ checksum: 0x1cc1 }, { ttl: 64 }), 1));
  const res = p.finish();
  assert.deepEqual(r.shown[0]?.findings.sort(), ['carp.bad_checksum', 'carp.bad_ttl']);
  assert.equal(res.worstSeverity, 'error');

  // An analyzer that raises the same id on the frame is not doubled.
  const r2 = new RecordingRenderer();
  const p2 = new Pipeline(config({ renderer: r2, analyzers: [scripted({ 1: 'carp.bad_ttl' })] }));
  p2.onFrame(numbered(carpFrame4({}, { ttl: 64 }), 1));
  p2.finish();
  assert.deepEqual(r2.shown[0]?.findings, ['carp.bad_ttl']);
});

test('-Y filters shown frames and hides the findings of filtered frames (still counted)', () => {
  const r = new RecordingRenderer();
  const p = new Pipeline(config({ renderer: r, displayFilter: parseDisplayFilter('carp.vhid == 8') }));
  p.onFrame(numbered(carpFrame4({ vhid: 7 }, { ttl: 64 }), 1));
  p.onFrame(numbered(carpFrame4({ vhid: 8 }), 2));
  const res = p.finish();
  assert.deepEqual(r.shown.map((s) => s.number), [2]);
  assert.deepEqual(r.loose, []);
  assert.deepEqual(res.findings, { 'carp.bad_ttl': 1 });
});

test('-Y sees the fields the analyzers derived', () => {
  const r = new RecordingRenderer();
  const p = new Pipeline(config({ renderer: r, analyzers: [scripted({}, { derive: 2 })], displayFilter: parseDisplayFilter('carp.hmac.status == good') }));
  p.onFrame(numbered(carpFrame4(), 1));
  p.onFrame(numbered(carpFrame4(), 2));
  p.finish();
  assert.deepEqual(r.shown.map((s) => s.number), [2]);
});

test('an analyzer exception is an internal error finding and the run goes on', () => {
  const r = new RecordingRenderer();
  const p = new Pipeline(config({ renderer: r, analyzers: [scripted({}, { throwOn: 1 })] }));
  p.onFrame(numbered(carpFrame4(), 1));
  p.onFrame(numbered(carpFrame4(), 2));
  const res = p.finish();
  assert.equal(res.internalErrorCount, 1);
  assert.equal(res.internalErrors[0]?.frame, 1);
  assert.match(res.internalErrors[0]!.message, /scripted analyzer: boom/);
  assert.deepEqual(r.shown.map((s) => s.findings), [['carpdump.internal_error'], []]);
});

test('ticks give timer findings on their own', () => {
  const r = new RecordingRenderer();
  const p = new Pipeline(config({ renderer: r, analyzers: [scripted({})] }));
  p.onTick({ sec: 1700000005, nsec: 0 });
  assert.deepEqual(r.loose, ['carp.master_silent@']);
});

test('runPipeline: -c stops the source; a source error comes back after the summary', async () => {
  const frames = [1, 2, 3, 4, 5].map((n) => numbered(carpFrame4(), n));
  let stopped = false;
  const source: CaptureSource = {
    name: 'test',
    async run(sink) {
      for (const f of frames) { if (stopped) break; sink(f); }
    },
    stop() { stopped = true; },
  };
  const r = new RecordingRenderer();
  const { result, error } = await runPipeline(source, config({ renderer: r, count: 2 }));
  assert.equal(error, undefined);
  assert.equal(result.frames, 2);
  assert.equal(stopped, true);

  const failing: CaptureSource = {
    name: 'bad',
    async run(sink) { sink(frames[0]!); throw new Error('truncated record'); },
    stop() {},
  };
  const r2 = new RecordingRenderer();
  const out = await runPipeline(failing, config({ renderer: r2 }));
  assert.equal(out.result.frames, 1);
  assert.ok(r2.ended, 'summary rendered before the error is reported');
  assert.match(String(out.error), /truncated record/);
});

test('-w gets every frame, decoded or not', () => {
  const written: number[] = [];
  const p = new Pipeline(config({ renderer: new RecordingRenderer(), frameWriter: { writeFrame: (f) => written.push(f.number) } }));
  p.onFrame(numbered(udp, 1));
  p.onFrame(numbered(carpFrame4(), 2));
  p.finish();
  assert.deepEqual(written, [1, 2]);
});

test('held frames: output waits while an analyzer holds, then comes in capture order with late findings and derived values', () => {
  const r = new RecordingRenderer();
  const heldEmits: Array<{ frame: DecodedFrame; emit: (f: Finding) => void; derive: DeriveSink }> = [];
  let holding = false;
  const holder: Analyzer = {
    name: 'holder',
    onFrame(frame, emit, derive) {
      const n = frame.raw.number;
      if (n === 1 || n === 2) { holding = true; heldEmits.push({ frame, emit, derive }); return; }
      if (n === 4 && holding) {
        for (const h of heldEmits) {
          h.derive('carp.hmac.status', 'bad');
          h.emit({ id: 'carp.hmac_mismatch', severity: 'error', ts: { sec: h.frame.raw.tsSec, nsec: 0, digits: 6 }, frames: [h.frame.raw.number], message: 'late', details: {} });
        }
        holding = false;
      }
    },
    onTick() {},
    finish() {},
    summary: () => ({}),
    holding: () => holding,
  };
  const p = new Pipeline(config({ renderer: r, analyzers: [holder], all: true }));
  const arp = arpFrame();
  p.onFrame(numbered(carpFrame4(), 1));
  p.onFrame(numbered(carpFrame4(), 2));
  p.onFrame(numbered(arp, 3));
  assert.equal(r.shown.length, 0);                             // nothing rendered while held
  p.onFrame(numbered(carpFrame4(), 4));
  assert.deepEqual(r.shown.map((s) => [s.number, s.findings]), [[1, ['carp.hmac_mismatch']], [2, ['carp.hmac_mismatch']], [3, []], [4, []]]);
  assert.deepEqual(r.status, ['bad', 'bad', undefined, undefined]);  // derived late, beside frames 1 and 2 only
  p.finish();
  assert.deepEqual(r.ended!.findings, { 'carp.hmac_mismatch': 2 });
  // still holding at the end: everything is rendered by finish(), loose findings after the frames
  const r2 = new RecordingRenderer();
  const p2 = new Pipeline(config({ renderer: r2, analyzers: [{ ...scripted({}), holding: () => true }], all: true }));
  p2.onFrame(numbered(carpFrame4(), 1));
  p2.onFrame(numbered(carpFrame4(), 2));
  assert.equal(r2.shown.length, 0);
  p2.finish();
  assert.deepEqual(r2.shown.map((s) => s.number), [1, 2]);
  assert.deepEqual(r2.loose, ['pfsync.bulk_incomplete@']);
});

test('lanes: each analyzer\'s handler runs in order; one that throws is named in the internal error and the others still run', () => {
  // The pipeline binds the analyzers' lane handlers once (processLane, carpLaneDeclined): the
  // analyzer named in the error must be the one whose handler threw, and a decliner declines.
  const calls: string[] = [];
  const laneAnalyzer = (name: string, throwOn?: number, declineOn?: number): Analyzer => ({
    name,
    onFrame(frame) { calls.push(`${name}:full:${frame.raw.number}`); },
    onCarpLane(lane) {
      calls.push(`${name}:lane:${lane.raw.number}`);
      if (lane.raw.number === throwOn) throw new Error(`boom in ${name}`);
    },
    onPfsyncLane() {},
    onArpLane() {},
    ...(declineOn !== undefined ? { carpLaneDeclined: (lane: { raw: RawFrame }) => lane.raw.number === declineOn } : {}),
    onTick() {},
    finish() {},
    summary: () => ({}),
  });
  const r = new RecordingRenderer();
  const p = new Pipeline(config({
    renderer: r, decodeOptions: { pfsyncAnalysisOnly: true }, carpLane: readCarpLane,
    analyzers: [laneAnalyzer('first', undefined, 3), laneAnalyzer('second', 2)],
  }));
  for (let n = 1; n <= 3; n++) p.onFrame(numbered(carpFrame4(), n));
  const res = p.finish();
  assert.deepEqual(calls, ['first:lane:1', 'second:lane:1', 'first:lane:2', 'second:lane:2', 'first:full:3', 'second:full:3']);
  assert.equal(p.laneFrames, 2);
  assert.equal(res.internalErrorCount, 1);
  assert.equal(res.internalErrors[0]?.frame, 2);
  assert.match(res.internalErrors[0]!.message, /^second analyzer: boom in second$/);
});
