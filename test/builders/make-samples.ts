// Writes the synthetic samples of samples/ from the test builders (see samples/README.md):
//
//   npx tsc -p . && node dist/test/builders/make-samples.js [DIR]     (default: samples/)
//
// Byte-for-byte deterministic. The HMACs are computed here with node:crypto in ucarp's
// single-address form (carp.md section 3.1: HMAC-SHA1, key = passphrase, message
// 02 01 vhid vip counter), independently of src/analyze/carp.
//
// synthetic-carp-edge.pcap (Ethernet, microsecond pcap, 1 s apart from 2025-01-01T00:00:00Z).
// vhid 10, passphrase `edge-pass`, VIP 10.77.0.110 (frame 1 announces it), source 10.77.0.1:
//   1  ARP reply from the virtual MAC 00:00:5e:00:01:0a for 10.77.0.110 (VIP inference)
//   2  normal CARP advert, advbase 1 advskew 100, HMAC good             -> no annotation
//   3  the same advert over IPv6 fe80::ff:fe77:1 -> ff02::12           -> CARP (v2 over IPv6)
//   4  bad CARP checksum (correct value XOR 0x5555)                     -> carp.bad_checksum
//   5  IP TTL 64                                                        -> carp.bad_ttl
//   6  bow-out: advbase 255 advskew 255                                  -> bow-out noted
//   7  demote 128, advskew 0                                            -> carp.demoted
//   8  authlen 6 (and IP payload 36)                                     -> carp.bad_authlen
//   9  type 2 (undefined)                                               -> carp.bad_type
//  10  vhid 0                                                            -> vhid 0 annotation
//  11  advert cut after 30 of its 36 bytes (caplen 64 < len 70)          -> carp.truncated, [|carp]
//  12  4 trailing bytes inside the IP datagram (IP payload 40)          -> trailing bytes annotation
//  13  first IPv4 fragment (MF set) of an advert                        -> checksum unverified
//  14  IPv4 header with a Router Alert option                            -> CARP decoded after options
//  15  IPv6 with a hop-by-hop extension header                            -> CARP after the ext header
//  16  CARP in an 802.1Q tag (VLAN 77)                                   -> vlan.id 77, CARP
//  17  CARP in QinQ (802.1ad outer 100, 802.1Q inner 77)                 -> two tags, CARP
//  18  advbase 0 advskew 0                                               -> interval 0 (clock edge case)
//  19  VRRPv2 vrid 51 priority 150, PASS auth "kapass", 2 addresses     -> VRRP, not CARP
//  20  VRRPv3/IPv4 vrid 52, Ethernet-padded to 60 bytes                  -> VRRP, checksum good, padding ignored
//  21  VRRPv3/IPv6 vrid 53                                               -> VRRP, checksum good (pseudo-header)
//  22  CARP advert from 10.77.0.2 repeating frame 2's counter and HMAC   -> replay candidate
// HMAC good (with --carp-pass 10:edge-pass) on frames 2, 3, 5-7, 12, 14-17, 22: the HMAC
// does not cover the header fields, so only the counter/vhid/VIP matter; frames 8 (authlen),
// 9 (type), 10 (vhid 0) and 18 are malformed or not adverts of vhid 10.
//
// synthetic-links.pcapng: one interface per link type, the advert of frame 2 on each:
//   Ethernet (1), Linux SLL (113), SLL2 (276), raw IPv4 (101), BSD NULL little-endian (0),
//   BSD NULL big-endian (0), OpenBSD LOOP (108), raw IPv4 as linktype 228; one EPB each,
//   interface i = frame i+1, microsecond resolution.
//
// synthetic-freebsd-carp.pcap: the shape of John the Ripper's public FreeBSD CARP sample (not
// copied: built here): VHID 1, passphrase `pass123`, VIP 192.168.88.44 in the sender's /24, no
// ARP, 45 adverts 1 s apart from 192.168.88.2 (virtual MAC 00:00:5e:00:01:01, advbase 1,
// advskew 0), every one with the same counter and HMAC (a FreeBSD master repeats them).
// Expected: with --carp-pass 1:pass123 alone 45 x good and carp.vip_discovered 192.168.88.44;
// a wrong passphrase: carp.hmac_unverifiable; --wordlist holding pass123: carp.weak_passphrase.
//
// pfsync-session.pcap: a healthy OpenBSD v6 session between firewall A (192.0.2.1,
// creator 1a2b3c4d) and B (192.0.2.2, creator 5e6f7081), multicast 224.0.0.240, TTL 255:
//   1  B: UPD_REQ id 0 creator 0 (bulk update request)
//   2  A: BUS start
//   3  A: UPD x3 (TCP states 1-3, ESTABLISHED)
//   4  A: UPD x2 (UDP state 4, IPv6 TCP state 5)
//   5  A: BUS end                              -> bulk update 1..5 complete, 5 states
//   6  A: INS state 6
//   7  A: UPD_C states 1 and 6 (sequence numbers forward)
//   8  B: INS state 0x100 (creator 5e6f7081)
//   9  A: DEL_C state 2
//  10  A: UPD_C state 3 + DEL_C state 4 in one packet
//  11  B: DEL_C state 0x100
// States known at the end: 1, 3, 5, 6 of creator 1a2b3c4d (4). Expected findings: only
// pfsync.unauthenticated_link (clear-text pfsync on the link); no stale/unknown/conflict.

import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapWriter } from '../../src/capture/writer.js';
import type { RawFrame } from '../../src/capture/types.js';
import { buildPcapng, type NgBlockSpec } from './capture.js';
import {
  arp, carp, concat, ethernet, ethernetTagged, ip4, ipv4, ipv6, ipv6Ext,
  nullHeader, rfc1071, sll, sll2, u64, vrrp2Frame, vrrp3Frame4, vrrp3Frame6, type CarpOptions, type Ipv4Options,
} from './packets.js';
import * as pf from './pfsync.js';

export const BASE_TS = 1735689600; // 2025-01-01T00:00:00Z

export const EDGE = {
  vhid: 10,
  passphrase: 'edge-pass',
  vip: '10.77.0.110',
  counter: 0x0102030405060708n,
} as const;

/** ucarp's single-address HMAC: SHA1-HMAC(pass, 02 01 vhid vip counter). */
export function ucarpHmac(pass: string, vhid: number, vip: string, counter: bigint): Uint8Array {
  const msg = concat(Uint8Array.of(2, 1, vhid), ip4(vip), u64(counter));
  return new Uint8Array(createHmac('sha1', pass).update(msg).digest());
}

function frameAt(data: Uint8Array, i: number, linktype = 1, originalLength = data.length): RawFrame {
  return {
    number: i + 1, tsSec: BASE_TS + i, tsNsec: 0, tsDigits: 6, linktype, interfaceId: 0,
    capturedLength: data.length, originalLength, data,
  };
}

/** The vhid-10 advert of frame 2 (advbase 1, advskew 100, HMAC good), with overrides. */
function edgeCarp(o: CarpOptions = {}): CarpOptions {
  return {
    vhid: EDGE.vhid, advbase: 1, advskew: 100, counter: EDGE.counter,
    hmac: ucarpHmac(EDGE.passphrase, EDGE.vhid, EDGE.vip, EDGE.counter), ...o,
  };
}

const VMAC = '00:00:5e:00:01:0a';
const ETH4 = (payload: Uint8Array): Uint8Array => ethernet({ type: 0x0800, src: VMAC }, payload);
/** Ethernet (from the vhid-10 virtual MAC) / IPv4 (TTL 255 unless overridden) / CARP. */
const carp4 = (c: CarpOptions, ip: Partial<Ipv4Options> = {}): Uint8Array =>
  ETH4(ipv4({ proto: 112, src: '10.77.0.1', dst: '224.0.0.18', ...ip }, carp(c)));
/** Ethernet / IPv6 (hop limit 255, fe80::ff:fe77:1 -> ff02::12) / CARP. */
const carp6 = (c: CarpOptions): Uint8Array =>
  ethernet({ type: 0x86dd, dst: '33:33:00:00:00:12', src: VMAC }, ipv6({ nxt: 112, src: 'fe80::ff:fe77:1', dst: 'ff02::12' }, carp(c)));

/** Frames of synthetic-carp-edge.pcap with their original lengths (see the header). */
export function edgeFrames(): { data: Uint8Array; originalLength: number }[] {
  const whole = (data: Uint8Array): { data: Uint8Array; originalLength: number } => ({ data, originalLength: data.length });
  const good = carp4(edgeCarp());
  const goodChecksum = rfc1071(carp({ ...edgeCarp(), checksum: 0 }));
  const trailing = ETH4(ipv4({ proto: 112, src: '10.77.0.1', dst: '224.0.0.18' }, concat(carp(edgeCarp()), Uint8Array.of(0xde, 0xad, 0xbe, 0xef))));
  const routerAlert = Uint8Array.of(0x94, 0x04, 0x00, 0x00); // IPv4 option 148 (Router Alert), length 4, value 0
  const padded = vrrp3Frame4({ vrid: 52 }, { src: '10.77.0.1' });
  return [
    whole(ethernet({ type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff', src: VMAC }, arp({ opcode: 2, senderMac: VMAC, senderIp: EDGE.vip, targetMac: 'ff:ff:ff:ff:ff:ff', targetIp: EDGE.vip }))),
    whole(good),
    whole(carp6(edgeCarp())),
    whole(carp4(edgeCarp({ checksum: goodChecksum ^ 0x5555 }))),
    whole(carp4(edgeCarp(), { ttl: 64 })),
    whole(carp4(edgeCarp({ advbase: 255, advskew: 255 }))),
    whole(carp4(edgeCarp({ advskew: 0, demote: 128 }))),
    whole(carp4(edgeCarp({ authlen: 6 }))),
    whole(carp4(edgeCarp({ type: 2 }))),
    whole(carp4(edgeCarp({ vhid: 0 }))),
    { data: good.subarray(0, 14 + 20 + 30), originalLength: good.length },
    whole(trailing),
    whole(ETH4(ipv4({ proto: 112, src: '10.77.0.1', mf: true, df: false }, carp(edgeCarp()).subarray(0, 16)))),
    whole(ETH4(ipv4({ proto: 112, src: '10.77.0.1', options: routerAlert }, carp(edgeCarp())))),
    whole(ethernet({ type: 0x86dd, dst: '33:33:00:00:00:12', src: VMAC }, ipv6({ nxt: 0, src: 'fe80::ff:fe77:1', ext: ipv6Ext(112) }, carp(edgeCarp())))),
    whole(ethernetTagged([{ tpid: 0x8100, id: 77 }], 0x0800, ipv4({ proto: 112, src: '10.77.0.1' }, carp(edgeCarp())), undefined, VMAC)),
    whole(ethernetTagged([{ tpid: 0x88a8, id: 100 }, { tpid: 0x8100, id: 77 }], 0x0800, ipv4({ proto: 112, src: '10.77.0.1' }, carp(edgeCarp())), undefined, VMAC)),
    whole(carp4(edgeCarp({ advbase: 0, advskew: 0 }))),
    whole(vrrp2Frame({ vrid: 51, prio: 150, addrs: ['10.77.0.51', '10.77.0.61'], authType: 1, auth: 'kapass' }, { src: '10.77.0.1' })),
    whole(concat(padded, new Uint8Array(Math.max(0, 60 - padded.length)))),
    whole(vrrp3Frame6({ vrid: 53 }, { src: 'fe80::ff:fe77:1' })),
    whole(carp4(edgeCarp(), { src: '10.77.0.2' })),
  ];
}

/** The interfaces and blocks of synthetic-links.pcapng. */
export function linkBlocks(): NgBlockSpec[] {
  const ip = ipv4({ proto: 112, src: '10.77.0.1' }, carp(edgeCarp()));
  const links: [number, Uint8Array][] = [
    [1, ETH4(ip)],                       // Ethernet
    [113, sll(0x0800, ip)],              // Linux cooked SLL
    [276, sll2(0x0800, ip)],             // Linux cooked SLL2
    [101, ip],                           // raw IP (LINKTYPE_RAW)
    [0, nullHeader(2, true, ip)],        // BSD NULL, AF_INET little-endian
    [0, nullHeader(2, false, ip)],       // BSD NULL, AF_INET big-endian
    [108, nullHeader(2, false, ip)],     // OpenBSD LOOP (family in network order)
    [228, ip],                           // LINKTYPE_IPV4
  ];
  const blocks: NgBlockSpec[] = links.map(([linktype]) => ({ kind: 'idb', linktype, snaplen: 0 }));
  links.forEach(([, data], i) => {
    blocks.push({ kind: 'epb', interfaceId: i, ts: BigInt(BASE_TS + i) * 1_000_000n, data });
  });
  return blocks;
}

const A = { ip: '192.0.2.1', mac: '02:00:00:00:00:01', creator: 0x1a2b3c4d } as const;
const B = { ip: '192.0.2.2', mac: '02:00:00:00:00:02', creator: 0x5e6f7081 } as const;
const ACT = { UPD_C: 4, UPD_REQ: 5, DEL_C: 7, BUS: 10, INS: 13, UPD: 14 } as const;
const TCP_ESTABLISHED = 4;

function tcpState(id: bigint, creatorid: number, seq: number, port: number): Uint8Array {
  return pf.buildState('openbsd-v6', {
    id, creatorid, proto: 6, af: 2,
    wire: { addr0: '203.0.113.10', addr1: '198.51.100.7', port0: 443, port1: port },
    src: { state: TCP_ESTABLISHED, seqlo: seq, seqhi: seq + 65535, maxWin: 65535, wscale: 7 },
    dst: { state: TCP_ESTABLISHED, seqlo: seq + 1000, seqhi: seq + 30200, maxWin: 29200, wscale: 7 },
    packets: [12n, 10n], bytes: [4096n, 2048n], creation: 60, expire: 86400, timeout: 2,
  });
}

function updC(id: bigint, creatorid: number, seq: number): Uint8Array {
  return pf.buildUpdC({
    id, creatorid, timeout: 2,
    src: { state: TCP_ESTABLISHED, seqlo: seq, seqhi: seq + 65535, maxWin: 65535, wscale: 7 },
    dst: { state: TCP_ESTABLISHED, seqlo: seq + 1000, seqhi: seq + 30200, maxWin: 29200, wscale: 7 },
  });
}

/** Frames (Ethernet) of pfsync-session.pcap, see the header. */
export function pfsyncFrames(): Uint8Array[] {
  const from = (h: typeof A | typeof B, sections: pf.SectionSpec[]): Uint8Array =>
    pf.pfsyncEthFrame(pf.buildModernPfsync({ version: 6, sections }), { src: h.ip, ttl: 255 }, h.mac);
  const udp = pf.buildState('openbsd-v6', {
    id: 4n, creatorid: A.creator, proto: 17, af: 2,
    wire: { addr0: '198.51.100.53', addr1: '10.0.0.7', port0: 53, port1: 40000 },
    src: { state: 2 }, dst: { state: 1 }, timeout: 11,
  });
  const tcp6 = pf.buildState('openbsd-v6', {
    id: 5n, creatorid: A.creator, proto: 6, af: 24,
    wire: { addr0: '2001:db8::10', addr1: '2001:db8:1::7', port0: 22, port1: 50022 },
    src: { state: TCP_ESTABLISHED, seqlo: 5000, seqhi: 70535 }, dst: { state: TCP_ESTABLISHED, seqlo: 9000, seqhi: 38200 },
  });
  return [
    from(B, [{ action: ACT.UPD_REQ, messages: [pf.buildIdCreator(0n, 0)] }]),
    from(A, [{ action: ACT.BUS, messages: [pf.buildBus(A.creator, 0, 1)] }]),
    from(A, [{ action: ACT.UPD, messages: [tcpState(1n, A.creator, 1000, 61001), tcpState(2n, A.creator, 2000, 61002), tcpState(3n, A.creator, 3000, 61003)] }]),
    from(A, [{ action: ACT.UPD, messages: [udp, tcp6] }]),
    from(A, [{ action: ACT.BUS, messages: [pf.buildBus(A.creator, 4, 2)] }]),
    from(A, [{ action: ACT.INS, messages: [tcpState(6n, A.creator, 6000, 61006)] }]),
    from(A, [{ action: ACT.UPD_C, messages: [updC(1n, A.creator, 1500), updC(6n, A.creator, 6500)] }]),
    from(B, [{ action: ACT.INS, messages: [tcpState(0x100n, B.creator, 7000, 62000)] }]),
    from(A, [{ action: ACT.DEL_C, messages: [pf.buildIdCreator(2n, A.creator)] }]),
    from(A, [
      { action: ACT.UPD_C, messages: [updC(3n, A.creator, 3500)] },
      { action: ACT.DEL_C, messages: [pf.buildIdCreator(4n, A.creator)] },
    ]),
    from(B, [{ action: ACT.DEL_C, messages: [pf.buildIdCreator(0x100n, B.creator)] }]),
  ];
}

function writePcap(path: string, frames: { data: Uint8Array; originalLength: number }[]): void {
  const w = new PcapWriter(path, { linktype: 1 });
  frames.forEach((f, i) => w.writeFrame(frameAt(f.data, i, 1, f.originalLength)));
  w.close();
}

export const FREEBSD = { vhid: 1, passphrase: 'pass123', vip: '192.168.88.44', src: '192.168.88.2', counter: 0x5f3c9a1200000001n, adverts: 45 } as const;

/** Frames of synthetic-freebsd-carp.pcap (see the header). */
export function freebsdFrames(): Uint8Array[] {
  const hmac = ucarpHmac(FREEBSD.passphrase, FREEBSD.vhid, FREEBSD.vip, FREEBSD.counter); // sorted form, one VIP
  const one = ethernet({ type: 0x0800, src: '00:00:5e:00:01:01' },
    ipv4({ proto: 112, src: FREEBSD.src, dst: '224.0.0.18' }, carp({ vhid: FREEBSD.vhid, advbase: 1, advskew: 0, counter: FREEBSD.counter, hmac })));
  return Array.from({ length: FREEBSD.adverts }, () => one);
}

export function makeSamples(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const edge = join(dir, 'synthetic-carp-edge.pcap');
  writePcap(edge, edgeFrames());
  const links = join(dir, 'synthetic-links.pcapng');
  writeFileSync(links, buildPcapng([{ endian: 'le', blocks: linkBlocks() }]));
  const session = join(dir, 'pfsync-session.pcap');
  writePcap(session, pfsyncFrames().map((data) => ({ data, originalLength: data.length })));
  const freebsd = join(dir, 'synthetic-freebsd-carp.pcap');
  writePcap(freebsd, freebsdFrames().map((data) => ({ data, originalLength: data.length })));
  return [edge, links, session, freebsd];
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = resolve(process.argv[2] ?? join(repoRoot, 'samples'));
  for (const file of makeSamples(dir)) console.log(`wrote ${file}`);
}
