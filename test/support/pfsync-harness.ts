// Scenario harness: builder-made frames -> decodeFrame -> the pfsync analyzer, with decoder
// annotations that are findings turned into findings as the pipeline does (src/pipeline.ts).
// Also the building blocks of a healthy OpenBSD v6 pair (A 192.0.2.1 / creator 0a0a0a01 sends
// a bulk update to B 192.0.2.2 / creator 0a0a0a02, then inserts, updates and deletes).

import { decodeFrame } from '../../src/decode/frame.js';
import { createPfsyncAnalyzer, type PfsyncAnalyzerOptions } from '../../src/analyze/pfsync/index.js';
import { FINDINGS, isFindingId } from '../../src/analyze/findings.js';
import type { Finding } from '../../src/analyze/types.js';
import type { Fields } from '../../src/decode/types.js';
import {
  ah, buildBus, buildIdCreator, buildModernPfsync, buildState, buildUpdC, ethernet, ipv4, pfsyncEthFrame,
  type ModernSpec, type SectionSpec, type StateSpec,
} from '../builders/pfsync.js';
import { rawFrame, timeAt } from './frames.js';
import { deriveFor } from './derived.js';

export const A = '192.0.2.1';
export const B = '192.0.2.2';
export const C = '192.0.2.66';
export const CREATOR_A = 0x0a0a0a01;
export const CREATOR_B = 0x0a0a0a02;
export const BASE_ID = 0x67754b8000000000n;

export interface Packet {
  readonly bytes: Uint8Array;
  /** Seconds after the first frame. */
  readonly at: number;
}

export interface Outcome {
  readonly findings: Finding[];
  readonly summary: Fields;
  readonly pfsync: Record<string, unknown>;
}

export function run(packets: readonly Packet[], options: PfsyncAnalyzerOptions = {}): Outcome {
  const analyzer = createPfsyncAnalyzer(options);
  const findings: Finding[] = [];
  let last = { sec: 1735689600, nsec: 0, digits: 6 };
  packets.forEach((p, i) => {
    const { tsSec: sec, tsNsec: nsec } = timeAt(1735689600, p.at);
    const frame = decodeFrame(rawFrame(p.bytes, { number: i + 1, tsSec: sec, tsNsec: nsec }));
    if (frame.internalError !== undefined) throw new Error(`frame ${i + 1}: ${frame.internalError}`);
    const emitted: Finding[] = [];
    analyzer.onFrame(frame, (f) => emitted.push(f), deriveFor(frame));
    const raised = new Set(emitted.map((f) => f.id));
    for (const a of frame.annotations) {
      if (isFindingId(a.id) && !raised.has(a.id)) {
        emitted.push({ id: a.id, severity: FINDINGS[a.id].severity, ts: { sec, nsec, digits: 6 }, frames: [i + 1], message: a.message, details: a.details ?? {} });
      }
    }
    findings.push(...emitted);
    last = { sec, nsec, digits: 6 };
  });
  analyzer.finish(last, (f) => findings.push(f));
  const summary = analyzer.summary();
  return { findings, summary, pfsync: summary['pfsync'] as Record<string, unknown> };
}

export function ids(o: Outcome, withLink = false): string[] {
  return o.findings.map((f) => f.id).filter((id) => withLink || id !== 'pfsync.unauthenticated_link').sort();
}

export interface Send { src: string; dst?: string; ttl?: number; ipsec?: boolean }

/** One Ethernet/IPv4 (optionally AH-protected) frame carrying a v6 packet. */
export function v6(send: Send, sections: SectionSpec[], extra: Partial<ModernSpec> = {}): Uint8Array {
  const payload = buildModernPfsync({ version: 6, sections, ...extra });
  if (send.ipsec) return ethernet(ipv4(ah(payload, 240), { src: send.src, dst: send.dst ?? '224.0.0.240', ttl: send.ttl ?? 255, proto: 51 }));
  return pfsyncEthFrame(payload, { src: send.src, dst: send.dst ?? '224.0.0.240', ttl: send.ttl ?? 255 });
}

export function tcpState(creatorid: number, n: number, seq = 1000): StateSpec {
  return {
    id: BASE_ID + BigInt(n), creatorid, ifname: 'em0', af: 2, proto: 6, direction: 2,
    wire: { addr0: '203.0.113.10', addr1: '198.51.100.7', port0: 443, port1: 40000 + n, af: 2 },
    src: { state: 4, seqlo: seq, seqhi: seq + 65535 }, dst: { state: 4, seqlo: seq, seqhi: seq + 29200 },
    creation: 10, expire: 86000, timeout: 2,
  };
}

export const bulkRequest = (ipsec = false): Uint8Array => v6({ src: B, ipsec }, [{ action: 5, messages: [buildIdCreator(0n, 0)] }]);
export const busMsg = (src: string, creator: number, status: 1 | 2, ipsec = false): Uint8Array => v6({ src, ipsec }, [{ action: 10, messages: [buildBus(creator, status === 2 ? 2 : 0, status)] }]);
export const fullUpd = (src: string, creator: number, from: number, to: number, ipsec = false): Uint8Array =>
  v6({ src, ipsec }, [{ action: 14, messages: range(from, to).map((n) => buildState('openbsd-v6', tcpState(creator, n))) }]);
export const ins = (send: Send, creator: number, n: number): Uint8Array => v6(send, [{ action: 13, messages: [buildState('openbsd-v6', tcpState(creator, n))] }]);
export const updC = (send: Send, creator: number, ns: number[], seq: number): Uint8Array =>
  v6(send, [{ action: 4, messages: ns.map((n) => buildUpdC({ id: BASE_ID + BigInt(n), creatorid: creator, src: { state: 4, seqlo: seq, seqhi: seq + 65535 }, dst: { state: 4, seqlo: seq, seqhi: seq + 29200 } })) }]);
export const delC = (send: Send, creator: number, ns: number[]): Uint8Array =>
  v6(send, [{ action: 7, messages: ns.map((n) => buildIdCreator(BASE_ID + BigInt(n), creator)) }]);

export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/**
 * A healthy session: B asks for a bulk update, A sends 35 states in two packets between
 * BUS START and END, then A inserts state 36, B inserts its own state 1, A updates states 1-10
 * forward and deletes 11-12, B updates its state. 35 states remain (34 of A, 1 of B).
 */
export function healthySession(ipsec = false): Packet[] {
  return [
    { bytes: bulkRequest(ipsec), at: 0 },
    { bytes: busMsg(A, CREATOR_A, 1, ipsec), at: 0.01 },
    { bytes: fullUpd(A, CREATOR_A, 1, 20, ipsec), at: 0.5 },
    { bytes: fullUpd(A, CREATOR_A, 21, 35, ipsec), at: 1.0 },
    { bytes: busMsg(A, CREATOR_A, 2, ipsec), at: 2.01 },
    { bytes: ins({ src: A, ipsec }, CREATOR_A, 36), at: 3 },
    { bytes: ins({ src: B, ipsec }, CREATOR_B, 1), at: 3.5 },
    { bytes: updC({ src: A, ipsec }, CREATOR_A, range(1, 10), 5000), at: 4 },
    { bytes: delC({ src: A, ipsec }, CREATOR_A, [11, 12]), at: 5 },
    { bytes: updC({ src: B, ipsec }, CREATOR_B, [1], 7000), at: 6 },
  ];
}

/** Append packets `dt` seconds apart after the last one. */
export function then(session: Packet[], ...frames: Uint8Array[]): Packet[] {
  const last = session[session.length - 1]?.at ?? 0;
  return [...session, ...frames.map((bytes, i) => ({ bytes, at: last + 1 + i }))];
}
