// Builder-made pfsync captures for the BSD-printer oracle test: one file per wire format the
// project decodes in full (OpenBSD v6, FreeBSD v5 with 1301, 1400 and 1500 state records), each
// with every action the format has that the printers render (full states over TCP/UDP/ICMP and
// IPv6, NAT'd keys, INS_ACK, UPD_C, DEL_C, UPD_REQ, CLR, BUS). Written to a directory the caller
// owns (a temp dir): the project keeps no capture made for the test.

import fs from 'node:fs';
import path from 'node:path';
import * as pf from '../builders/pfsync.js';
import { buildPcap } from '../builders/capture.js';

const A = { ip: '192.0.2.1', creator: 0x1a2b3c4d };
const B = { ip: '192.0.2.2', creator: 0x5e6f7081 };

type Layout = 'openbsd-v6' | 'freebsd-1301' | 'freebsd-1400' | 'freebsd-1500';

/** Full-state records of every shape the printers format differently. */
function states(layout: Layout): Uint8Array[] {
  const v6 = layout === 'openbsd-v6';
  const af6 = v6 ? 24 : 28;
  const keyAf = (af: number) => (v6 ? af : undefined);
  const base = { creatorid: A.creator, creation: 3661, expire: 86340, packets: [10n, 8n] as [bigint, bigint], bytes: [1500n, 9000n] as [bigint, bigint] };
  const list: pf.StateSpec[] = [
    { // TCP, outbound, NAT (stack key differs), wscale, seqdiff, anchor + rule
      ...base, id: 0x67754b8000000001n, ifname: 'em0', af: 2, proto: 6, direction: 2, rule: 3, anchor: 1,
      wire: { addr0: '203.0.113.10', addr1: '198.51.100.7', port0: 443, port1: 61000, af: keyAf(2) },
      stack: { addr0: '203.0.113.10', addr1: '10.0.0.7', port0: 443, port1: 51515, af: keyAf(2) },
      src: { state: 4, seqlo: 1000000, seqhi: 1065535, wscale: 7, seqdiff: 12345 }, dst: { state: 4, seqlo: 2000000, seqhi: 2029200, wscale: 7 },
      tagname: 'lan', rtIfname: 'em1', origIfname: 'em0',
    },
    { // UDP over IPv6, inbound, no rule
      ...base, id: 0x67754b8000000002n, ifname: 'em1', af: af6, proto: 17, direction: 1,
      wire: { addr0: '2001:db8::53', addr1: '2001:db8:1::10', port0: 53, port1: 40000, af: keyAf(af6) },
      src: { state: 2 }, dst: { state: 1 }, timeout: 8,
    },
    { // ICMP echo, inbound (the printers copy the id into the other key's port)
      ...base, id: 0x67754b8000000003n, ifname: 'vio0', af: 2, proto: 1, direction: 1, rule: 0,
      wire: { addr0: '198.51.100.20', addr1: '192.0.2.99', port0: 1234, port1: 1234, af: keyAf(2) },
      src: { state: 0 }, dst: { state: 1 }, timeout: 10,
    },
    { // TCP in SYN_SENT:CLOSED, short expiry; key af 0 as OpenBSD 4.7-4.9 sent it (bytes 38/78 were pad)
      ...base, id: 0x67754b8000000004n, ifname: 'em0', af: 2, proto: 6, direction: 2, creation: 0, expire: 30,
      wire: { addr0: '198.51.100.21', addr1: '192.0.2.98', port0: 22, port1: 50022 },
      src: { state: 2, seqlo: 5000, seqhi: 70535 }, dst: { state: 0 },
    },
  ];
  return list.map((s) => pf.buildState(layout, s));
}

function frames(layout: Layout): Uint8Array[] {
  const v6 = layout === 'openbsd-v6';
  const version = v6 ? 6 : 5;
  const ins = v6 ? 13 : layout === 'freebsd-1301' ? 1 : layout === 'freebsd-1400' ? 13 : 15;
  const upd = v6 ? 14 : layout === 'freebsd-1301' ? 3 : layout === 'freebsd-1400' ? 14 : 16;
  const from = (h: typeof A, sections: pf.SectionSpec[]) =>
    pf.pfsyncEthFrame(pf.buildModernPfsync({ version, sections }), { src: h.ip, ttl: 255 });
  const st = states(layout);
  const updC = (n: bigint, seq: number) => pf.buildUpdC({
    id: 0x67754b8000000000n + n, creatorid: A.creator, expire: 0, timeout: 2,
    src: { state: 4, seqlo: seq, seqhi: seq + 65535, wscale: 7 }, dst: { state: 4, seqlo: seq + 1000, seqhi: seq + 30200, wscale: 7 },
  });
  return [
    from(B, [{ action: 5, messages: [pf.buildIdCreator(0n, 0)] }]), // UPD_REQ 0/0: bulk request
    from(A, [{ action: 10, messages: [pf.buildBus(A.creator, 0, 1)] }]), // BUS start
    from(A, [{ action: upd, messages: [st[0]!, st[1]!] }]),
    from(A, [{ action: upd, messages: [st[2]!] }]),
    from(A, [{ action: 10, messages: [pf.buildBus(A.creator, 4, 2)] }]), // BUS end
    from(A, [{ action: ins, messages: [st[3]!] }]),
    from(B, [{ action: 2, messages: [pf.buildIdCreator(0x67754b8000000004n, A.creator)] }]), // INS_ACK
    from(A, [{ action: 4, messages: [updC(1n, 1004000), updC(4n, 5001)] }]), // UPD_C
    from(A, [
      { action: 4, messages: [updC(1n, 1005000)] },
      { action: 7, messages: [pf.buildIdCreator(0x67754b8000000003n, A.creator)] }, // DEL_C
    ]),
    from(B, [{ action: 5, messages: [pf.buildIdCreator(0x67754b8000000009n, A.creator)] }]), // UPD_REQ for one state
    from(A, [{ action: 0, messages: [pf.buildClr('em1', A.creator), pf.buildClr('', A.creator)] }]), // CLR
  ];
}

export const BUILDER_LAYOUTS: readonly Layout[] = ['openbsd-v6', 'freebsd-1301', 'freebsd-1400', 'freebsd-1500'];

/** Writes builder-pfsync-<layout>.pcap for every layout into dir; returns the paths. */
export function writeBuilderCaptures(dir: string): string[] {
  return BUILDER_LAYOUTS.map((layout) => {
    const file = path.join(dir, `builder-pfsync-${layout}.pcap`);
    const records = frames(layout).map((data, i) => ({ tsSec: pf.BASE_TS + i, tsFrac: 0, data }));
    fs.writeFileSync(file, buildPcap({ endian: 'le', records }));
    return file;
  });
}
