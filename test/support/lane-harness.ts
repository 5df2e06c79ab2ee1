// Shared by the lane tests (test/analyze/pfsync/lane.test.ts, test/analyze/carp/lane.test.ts,
// test/analyze/arp-lane.test.ts): the capture files they run on, the CLI's analyzers, a recorder
// of what a -q renderer could print, byte-changed frames with the IPv4 header checksum made right
// again, and the check that a lane reader gives the full decode's values on every variant it takes.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { RawFrame, RecordTaker } from '../../src/capture/types.js';
import { internetChecksum } from '../../src/decode/checksum.js';
import { createPfsyncAnalyzer } from '../../src/analyze/pfsync/index.js';
import { createCarpAnalyzer, type CarpAnalyzerOptions } from '../../src/analyze/carp/index.js';
import { createVrrpAnalyzer } from '../../src/analyze/vrrp/index.js';
import { createPflogAnalyzer } from '../../src/analyze/pflog.js';
import { createTakeoverAnalyzer, tapFindings } from '../../src/analyze/takeover/index.js';
import type { AnalyzedFrame, Analyzer, Finding } from '../../src/analyze/types.js';
import type { Fields } from '../../src/decode/types.js';
import type { Renderer } from '../../src/output/renderer.js';
import { Pipeline, type PipelineConfig } from '../../src/pipeline.js';
import { createSeriesAnalyzer } from '../../src/analyze/series/index.js';
import { readPcap } from './pcap-read.js';
import { REPO_ROOT, SHARED } from './paths.js';
import { inCI } from './skip.js';

/** The CLI's analyzers (cli.ts createAnalyzers), fresh; the CARP analyzer with these options. */
export function cliAnalyzers(carpOptions: CarpAnalyzerOptions = { passphrases: [], vips: new Map(), showSecrets: false }): Analyzer[] {
  const takeover = createTakeoverAnalyzer();
  return [
    takeover,
    tapFindings(createCarpAnalyzer(carpOptions), (f, emit) => takeover.onFinding(f, emit)),
    createPfsyncAnalyzer(),
    createVrrpAnalyzer({}),
    createPflogAnalyzer(),
  ];
}

/**
 * The frames through the pipeline as -q runs them, with the CLI's analyzers (the CARP analyzer
 * with `carpOptions`), the given lanes, and with `withSeries` the series analyzer --report adds
 * (per-VHID advert gaps, pfsync message counts; its series are printed last): what a -q
 * renderer could print, and how many frames the lanes took.
 */
export function runLanes(frames: readonly RawFrame[], lanes: Pick<PipelineConfig, 'pfsyncLane' | 'carpLane' | 'arpLane' | 'carpLaneRecord'>,
  carpOptions?: CarpAnalyzerOptions, withSeries = false): { out: string[]; laneFrames: number; recordsTaken: number } {
  const renderer = new Recorder();
  const list = cliAnalyzers(carpOptions);
  const series = withSeries ? createSeriesAnalyzer(list.find((a) => a.name === 'pfsync')) : undefined;
  if (series) list.push(series);
  const p = new Pipeline({ decodeOptions: { pfsyncAnalysisOnly: true }, all: false, analyzers: list, renderer, ...lanes, isInterestingRecord: () => true });
  // With carpLaneRecord, each frame is first offered as a file reader offers a record
  // (Pipeline.takeRecord: the bytes inside a larger block, at an odd offset), and made a frame
  // only when not taken; the reader never offers a frame whose time is out of range.
  let taker: RecordTaker | undefined;
  if (lanes.carpLaneRecord) p.attachPrefilter({ name: 'test', run: async () => {}, stop: () => {}, setPrefilter: () => {}, setRecordTaker: (t) => { taker = t; } });
  let recordsTaken = 0;
  for (const raw of frames) {
    if (taker !== undefined && raw.timeOutOfRange === undefined) {
      const bytes = new Uint8Array(raw.data.length + 5).fill(0xa5);
      bytes.set(raw.data, 3);
      const { data: _, capturePoint: __, timeOutOfRange: ___, ...fields } = raw;
      if (taker({ ...fields, bytes, start: 3 })) { recordsTaken++; continue; }
    }
    p.onFrame(raw);
  }
  p.finish();
  if (series) renderer.out.push(`series: ${JSON.stringify(series.series())}`);
  return { out: renderer.out, laneFrames: p.laneFrames, recordsTaken };
}

/** What a -q renderer could print: findings under their frame, loose findings, the end. */
export class Recorder implements Renderer {
  readonly out: string[] = [];
  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    // with the previous frame's time the pipeline keeps for it (the display filter's
    // frame.time_delta): a lane frame's output must carry it as the full decode's does
    const previous = (frame as { readonly previousEpoch?: number }).previousEpoch;
    for (const f of findings) this.out.push(`frame ${frame.raw.number} (previous ${previous}): ${JSON.stringify(f)}`);
  }
  finding(f: Finding): void {
    this.out.push(`loose: ${JSON.stringify(f)}`);
  }
  end(totals: unknown, summary: Fields): void {
    this.out.push(`end: ${JSON.stringify(totals)} ${JSON.stringify(summary)}`);
  }
}

/** A copy of an Ethernet / IPv4 (20-byte header at 14) frame with its IPv4 header checksum right. */
export function withIpv4Checksum(data: Uint8Array): Uint8Array {
  const fixed = Uint8Array.from(data);
  fixed[24] = 0; fixed[25] = 0;
  const sum = internetChecksum(fixed, 14, 34);
  fixed[24] = sum >> 8; fixed[25] = sum & 0xff;
  return fixed;
}

/** Each variant the lane takes must give what the full decode gives; returns how many it took of how many. */
export function checkLaneVariants<V>(variants: Iterable<RawFrame>, laneView: (raw: RawFrame) => V | undefined, fullView: (raw: RawFrame) => V): { taken: number; checked: number } {
  let taken = 0, checked = 0;
  for (const v of variants) {
    checked++;
    const lane = laneView(v);
    if (lane === undefined) continue;
    taken++;
    assert.deepEqual(lane, fullView(v), `frame ${v.number} (${v.data.length} bytes)`);
  }
  return { taken, checked };
}

/**
 * A lane's sweep over bytes: every source frame, each of its prefixes (from the 14 bytes of an
 * Ethernet header, every `step` bytes), and for a frame the lane takes what `more` makes of it
 * (changed bytes, trailers, ...), each checked by checkLaneVariants; how many it took of how many.
 */
export function sweepLane<V>(sources: Iterable<RawFrame>, step: number, laneView: (raw: RawFrame) => V | undefined, fullView: (raw: RawFrame) => V,
  more: (raw: RawFrame) => RawFrame[]): { taken: number; checked: number } {
  let taken = 0, checked = 0;
  for (const raw of sources) {
    const variants: RawFrame[] = [raw];
    for (let len = 14; len < raw.data.length; len += step) variants.push({ ...raw, data: raw.data.subarray(0, len), capturedLength: len });
    if (laneView(raw) !== undefined) variants.push(...more(raw));
    const n = checkLaneVariants(variants, laneView, fullView);
    taken += n.taken;
    checked += n.checked;
  }
  return { taken, checked };
}

/** Every classic pcap of samples/, the reference captures and the public corpus (at least 20 in CI). */
export function captureFiles(): string[] {
  const dirs = [path.join(REPO_ROOT, 'samples'), path.join(SHARED, 'captures'), path.join(SHARED, 'corpus', 'public')];
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|cap)$/.test(e.name)) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  if (inCI()) assert.ok(out.length >= 20, 'the reference captures are beside the clone in CI');
  return out;
}

/** The frames of a classic pcap file, or undefined (pcapng, or a file the test reader does not take). */
export function framesOf(file: string): RawFrame[] | undefined {
  try {
    return readPcap(file);
  } catch {
    return undefined;
  }
}
