// Read a capture file with the project's CaptureParser, decode every frame and run the CARP
// analyzer over it, collecting findings per frame (scenario tests).

import { readFileSync } from 'node:fs';
import { CaptureParser } from '../../src/capture/parser.js';
import type { RawFrame } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { DecodedFrame, Fields } from '../../src/decode/types.js';
import { createCarpAnalyzer, type CarpAnalyzerOptions, type CarpPassphrase } from '../../src/analyze/carp/index.js';
import type { Finding } from '../../src/analyze/types.js';
import { deriveFor, derivedOf } from '../support/derived.js';

export function readCapture(file: string): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  const parser = new CaptureParser((raw: RawFrame) => {
    const copy: RawFrame = { ...raw, data: Uint8Array.from(raw.data) };
    frames.push(decodeFrame(copy));
  });
  parser.feed(readFileSync(file));
  parser.end();
  return frames;
}

export interface Scenario {
  readonly frames: DecodedFrame[];
  readonly findings: Finding[];
  readonly summary: Fields;
  ids(): string[];
  byId(id: string): Finding[];
  /** Frame numbers of CARP adverts. */
  adverts(): DecodedFrame[];
  status(): Record<string, number>;
  vhid(vhid: number, af?: string): Fields;
}

export function runScenario(file: string, opts: { pass?: CarpPassphrase[]; vips?: Record<number, string[]>; wordlist?: string[] } = {}): Scenario {
  const frames = readCapture(file);
  const options: CarpAnalyzerOptions = {
    passphrases: opts.pass ?? [],
    vips: new Map(Object.entries(opts.vips ?? {}).map(([k, v]) => [Number(k), v])),
    showSecrets: false,
    ...(opts.wordlist ? { wordlist: opts.wordlist } : {}),
  };
  const analyzer = createCarpAnalyzer(options);
  const findings: Finding[] = [];
  for (const f of frames) analyzer.onFrame(f, (x) => findings.push(x), deriveFor(f));
  const last = frames[frames.length - 1]!.raw;
  analyzer.finish({ sec: last.tsSec, nsec: last.tsNsec, digits: last.tsDigits }, (x) => findings.push(x));
  const summary = analyzer.summary();
  const adverts = (): DecodedFrame[] => frames.filter((f) => f.layers.some((l) => l.proto === 'carp'));
  return {
    frames, findings, summary,
    ids: () => findings.map((f) => f.id),
    byId: (id) => findings.filter((f) => f.id === id),
    adverts,
    status: () => {
      const out: Record<string, number> = {};
      for (const f of adverts()) { const s = String(derivedOf(f)['carp.hmac.status']); out[s] = (out[s] ?? 0) + 1; }
      return out;
    },
    vhid: (vhid, af = 'ipv4') => {
      const v = ((summary['carp'] as Fields)['vhids'] as Fields[]).find((x) => x['vhid'] === vhid && x['af'] === af);
      if (!v) throw new Error(`no summary for vhid ${vhid}`);
      return v;
    },
  };
}

/** [src, cause, frame] of every carp.master_changed. */
export function masterStory(s: Scenario, vhid?: number): Array<[unknown, unknown, unknown]> {
  return s.byId('carp.master_changed')
    .filter((f) => vhid === undefined || f.details['vhid'] === vhid)
    .map((f) => [f.details['src'], f.details['cause'], f.frames[f.frames.length - 1]]);
}
