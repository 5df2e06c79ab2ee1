// Drive the CARP analyzer over scripted frames and collect what it emits.

import { createCarpAnalyzer, type CarpAnalyzerOptions } from '../../../src/analyze/carp/index.js';
import type { Analyzer, Finding } from '../../../src/analyze/types.js';
import type { DecodedFrame, Fields } from '../../../src/decode/types.js';
import { T0 } from '../../support/carp-frames.js';
import { deriveFor } from '../../support/derived.js';

export interface Run {
  readonly analyzer: Analyzer;
  readonly findings: Finding[];
  readonly frames: DecodedFrame[];
  ids(): string[];
  byId(id: string): Finding[];
  carp(): Fields;
}

export function runCarp(frames: DecodedFrame[], options: Partial<CarpAnalyzerOptions> = {}, finish = true): Run {
  const analyzer = createCarpAnalyzer({ passphrases: [], vips: new Map(), showSecrets: false, ...options });
  const findings: Finding[] = [];
  for (const f of frames) analyzer.onFrame(f, (x) => findings.push(x), deriveFor(f));
  if (finish && frames.length > 0) {
    const last = frames[frames.length - 1]!.raw;
    analyzer.finish({ sec: last.tsSec, nsec: last.tsNsec, digits: 6 }, (x) => findings.push(x));
  }
  return {
    analyzer, findings, frames,
    ids: () => findings.map((f) => f.id),
    byId: (id) => findings.filter((f) => f.id === id),
    carp: () => analyzer.summary()['carp'] as Fields,
  };
}

export function at(t: number): { sec: number; nsec: number; digits: number } {
  const x = T0 + t;
  const sec = Math.floor(x);
  return { sec, nsec: Math.round((x - sec) * 1e9), digits: 6 };
}

/** Adverts every `interval` seconds from `from` to `to` (exclusive) with frame numbers from `n0`. */
export function every(from: number, to: number, interval: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to - 1e-9; t += interval) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}
