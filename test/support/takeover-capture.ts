// Builder-made captures of a CARP pair that also syncs with pfsync (for the takeover analyzer's
// tests and the report's browser test): A 10.0.0.1 master, B 10.0.0.2 backup, VHID 7, pfsync
// from the same addresses and MACs; A falls silent at 10 s and B takes over at 13.5 s.

import { PcapWriter } from '../../src/capture/writer.js';
import { carp } from '../builders/packets.js';
import * as pf from '../builders/pfsync.js';
import { rawFrame, timeAt } from './frames.js';

export const A = { ip: '10.0.0.1', mac: '02:00:00:00:00:0a', creator: 0x0a0a0a01 };
export const B = { ip: '10.0.0.2', mac: '02:00:00:00:00:0b', creator: 0x0a0a0a02 };
export const ACT = { UPD_REQ: 5, BUS: 10, INS: 13, UPD: 14 } as const;
export const T0 = 1_735_689_600;

export interface Pkt { at: number; bytes: Uint8Array }

/** An advert of H; each node counts on its own (one counter base per node), as a real one does. */
export const advert = (h: typeof A, at: number, advskew: number): Pkt => ({
  at, bytes: pf.ethernet(pf.ipv4(carp({ vhid: 7, advbase: 1, advskew, counter: (BigInt(h.creator) << 20n) + BigInt(Math.round(at * 10)) }), { src: h.ip, dst: '224.0.0.18', proto: 112 }), 0x0800, h.mac, '01:00:5e:00:00:12'),
});
export const sync = (h: typeof A, at: number, sections: pf.SectionSpec[]): Pkt => ({
  at, bytes: pf.pfsyncEthFrame(pf.buildModernPfsync({ version: 6, sections }), { src: h.ip, ttl: 255 }, h.mac),
});
export const state = (id: bigint, h: typeof A, client: string, server: string): Uint8Array => pf.buildState('openbsd-v6', {
  id, creatorid: h.creator, proto: 6, af: 2, wire: { addr0: server, addr1: client, port0: 443, port1: 50000 },
  src: { state: 4, seqlo: 1000, seqhi: 66535 }, dst: { state: 4, seqlo: 2000, seqhi: 31200 },
});
/** A data-side TCP segment through the firewall (not decoded beyond IP). */
export const data = (at: number, src: string, dst: string): Pkt => ({
  at, bytes: pf.ethernet(pf.ipv4(new Uint8Array(20), { src, dst, proto: 6, ttl: 63 }), 0x0800, '02:00:00:00:00:99', '00:00:5e:00:01:07'),
});
export const bulkRequest = (at: number): Pkt => sync(B, at, [{ action: ACT.UPD_REQ, messages: [pf.buildIdCreator(0n, 0)] }]);
export const bulkStart = (at: number): Pkt => sync(A, at, [{ action: ACT.BUS, messages: [pf.buildBus(A.creator, 0, 1)] }]);
export const bulkEnd = (at: number): Pkt => sync(A, at, [{ action: ACT.BUS, messages: [pf.buildBus(A.creator, 1, 2)] }]);

/** A master 0..10 s, B takes over at 13.5 s, then advertises. */
export function failover(): Pkt[] {
  const p: Pkt[] = [];
  for (let t = 0; t <= 10; t++) p.push(advert(A, t, 0));
  for (let t = 13.5; t < 18; t += 1.4) p.push(advert(B, t, 100));
  return p;
}

/** The packets in time order as a microsecond pcap. */
export function writeCapture(path: string, packets: readonly Pkt[]): void {
  const w = new PcapWriter(path, { linktype: 1 });
  [...packets].sort((a, b) => a.at - b.at).forEach((p, i) => w.writeFrame(rawFrame(p.bytes, { number: i + 1, ...timeAt(T0, p.at) })));
  w.close();
}
