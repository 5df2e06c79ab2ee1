// VRRP adverts for the election tests: wire bytes from the test builders (test/builders),
// decoded by the real frame decoder, so the analyzer sees exactly what a capture would give it.

import { decodeFrame } from '../../src/decode/frame.js';
import type { DecodedFrame, Fields } from '../../src/decode/types.js';
import { createVrrpAnalyzer, type VrrpAnalyzerOptions } from '../../src/analyze/vrrp/index.js';
import type { Analyzer, Finding } from '../../src/analyze/types.js';
import { vrrp2Frame, vrrp3Frame4, vrrp3Frame6 } from '../builders/packets.js';
import { rawFrame, timeAt } from './frames.js';
import { deriveFor } from './derived.js';

export const T0 = 1_700_000_000;

export interface VrrpSpec {
  t: number;                   // packet time, seconds after T0
  src: string;                 // primary address (IP source); an IPv6 one makes a VRRPv3/IPv6 advert
  prio?: number;               // default 100
  vrid?: number;               // default 1
  version?: 2 | 3;             // default 2 for IPv4, 3 for IPv6
  interval?: number;           // seconds (v2 whole seconds; v3 sent as centiseconds), default 1
  ttl?: number;                // default 255
  checksum?: number;           // override (a wrong one makes receivers drop it)
  iface?: number;              // pcapng interface, default 0
}

/** Decoded frames numbered 1.. in the order given (times must not go backwards). */
export function adverts(specs: readonly VrrpSpec[]): DecodedFrame[] {
  return specs.map((s, i) => {
    const v6 = s.src.includes(':');
    const version = s.version ?? (v6 ? 3 : 2);
    const vrid = s.vrid ?? 1;
    const prio = s.prio ?? 100;
    const interval = s.interval ?? 1;
    const check = s.checksum !== undefined ? { checksum: s.checksum } : {};
    const bytes = v6
      ? vrrp3Frame6({ vrid, prio, maxAdverInt: Math.round(interval * 100), ...check }, { src: s.src, hlim: s.ttl ?? 255 })
      : version === 3
        ? vrrp3Frame4({ vrid, prio, maxAdverInt: Math.round(interval * 100), ...check }, { src: s.src, ttl: s.ttl ?? 255 })
        : vrrp2Frame({ vrid, prio, adverInt: interval, ...check }, { src: s.src, ttl: s.ttl ?? 255 });
    return decodeFrame(rawFrame(bytes, { number: i + 1, ...timeAt(T0, s.t), interfaceId: s.iface ?? 0 }));
  });
}

/** `n` adverts every `interval` s from `from` on, with the same fields. */
export function every(from: number, n: number, spec: Omit<VrrpSpec, 't'>): VrrpSpec[] {
  const step = spec.interval ?? 1;
  return Array.from({ length: n }, (_, i) => ({ ...spec, t: Math.round((from + i * step) * 1e6) / 1e6 }));
}

/** Sorted by time (stable), for interleaving several routers' adverts. */
export function byTime(...lists: VrrpSpec[][]): VrrpSpec[] {
  return lists.flat().sort((a, b) => a.t - b.t);
}

export interface VrrpRun {
  readonly analyzer: Analyzer;
  readonly findings: Finding[];
  byId(id: string): Finding[];
  /** [src, cause] of every vrrp.master_changed. */
  story(): Array<[unknown, unknown]>;
  vrrp(): Fields;
  vrid(vrid: number, af?: string): Fields;
}

export function runVrrp(frames: readonly DecodedFrame[], options: VrrpAnalyzerOptions = {}): VrrpRun {
  const analyzer = createVrrpAnalyzer(options);
  const findings: Finding[] = [];
  for (const f of frames) analyzer.onFrame(f, (x) => findings.push(x), deriveFor(f));
  const last = frames[frames.length - 1]?.raw;
  if (last) analyzer.finish({ sec: last.tsSec, nsec: last.tsNsec, digits: 6 }, (x) => findings.push(x));
  const vrrp = (): Fields => analyzer.summary()['vrrp'] as Fields;
  return {
    analyzer, findings,
    byId: (id) => findings.filter((f) => f.id === id),
    story: () => findings.filter((f) => f.id === 'vrrp.master_changed').map((f) => [f.details['src'], f.details['cause']]),
    vrrp,
    vrid: (vrid, af = 'ipv4') => {
      const v = (vrrp()['vrids'] as Fields[]).find((x) => x['vrid'] === vrid && x['af'] === af);
      if (!v) throw new Error(`no summary for vrid ${vrid} ${af}`);
      return v;
    },
  };
}
