// Full pfsync state records, one function per wire layout (../shared/reference/pfsync.md 3.5-3.7,
// 7.1-7.6). Every integer is BE; addresses and ports are raw (network order).
//
//  v2 (224 B)        v3 (240 B)        v4 / OpenBSD v5    OpenBSD v6 (264)   FreeBSD 1301/1400/1500
//  0  id[8]          0  id             0  id              0   id             0   id
//  8  ifname[16]     8  ifname         8  ifname          8   ifname         8   ifname
//  24 lan  (host 24) 24 lan            24 key[WIRE] 36    24  key[WIRE] 40   24  key[WIRE] 36
//  48 gwy            48 gwy            60 key[STACK] 36   64  key[STACK] 40  60  key[STACK] 36
//  72 ext            72 ext
//  96 src peer 32    96 src            96 src             104 src            96  src
//  128 dst peer      128 dst           128 dst            136 dst            128 dst
//  160 rt_addr 16    160 rt_addr       160 rt_addr        168 rt_addr        160 rt_addr
//  176 rule anchor nat_rule creation expire (u32 each)    184 ...            176 ...
//  196 packets u32x2 196 packets u64x2 (hi/lo u32)        204 packets        196 packets
//  204 bytes u32x2   212 bytes u64x2                      220 bytes          212 bytes
//  212 creatorid     228 creatorid                        236 creatorid      228 creatorid
//  216 af proto dir log allow_opts timeout sync_flags updates (v3/v4: 232..239)
//  OpenBSD v6 tail: 240 rtableid[2] i32 | 248 max_mss | 250 af proto dir log | 254 rt | 255 timeout
//                   256 sync_flags | 257 updates | 258 min_ttl | 259 set_tos | 260 state_flags u16 | 262 set_prio[2]
//  FreeBSD 1301: 232 af proto dir | 235 spare[2] | 237 log | 238 state_flags u8 | 239 timeout sync_flags updates
//  FreeBSD 1400: 232 af proto dir | 235 state_flags u16 (unaligned) | 237 log | 238 spare | 239 timeout
//                sync_flags updates | 242 qid pqid dnpipe dnrpipe (u16) | 250 rtableid i32 | 254 min_ttl
//                set_tos | 256 max_mss | 258 set_prio[2] | 260 rt | 261 rt_ifname[16]
//  FreeBSD 1500: 232 tagname[64] | 296 rt_ifname[16] | 312 orig_ifname[16] | 328 rtableid | 332 state_flags
//                334 qid pqid dnpipe dnrpipe max_mss | 344 wire_af stack_af rt_af wire_proto stack_proto
//                log timeout direction rt min_ttl set_tos | 355 set_prio[2] | 357 spare[3]

import type { Cursor } from '../cursor.js';
import {
  decodeHost, decodeKey, decodePeer, peekU8, readAddr, readCreator, readId, readU64, type Message,
} from './common.js';

/** Which full-state layout a record uses (`pfsync.state.format`). */
export type StateFormat =
  | 'legacy-v1' | 'legacy-v2' | 'legacy-v3' | 'legacy-v4'
  | 'openbsd-v5' | 'openbsd-v6' | 'freebsd-1301' | 'freebsd-1400' | 'freebsd-1500';

/** How a layout stores its addresses: lan/gwy/ext hosts (v2/v3), or the wire and stack keys (36 B; OpenBSD v6 40 B). */
type Addresses = 'hosts' | 'keys' | 'keys-v6';

/** The address families a record's addresses are formatted with (separate in FreeBSD 1500 only). */
interface StateAfs {
  readonly wire: number | undefined;
  readonly stack: number | undefined;
  readonly rt: number | undefined;
}

/** One af (peeked at `at`, undefined when not captured) for every address of the record. */
function afAt(c: Cursor, at: number): StateAfs {
  const af = peekU8(c, at);
  return { wire: af, stack: af, rt: af };
}

/**
 * The part every layout from v2 on shares: id, ifname, the addresses, both peers, rt_addr,
 * rule, anchor, nat_rule, creation, expire, the counters (u32 in v2, u64 after) and creatorid.
 */
function decodeStateHead(
  c: Cursor, m: Message, format: StateFormat, addresses: Addresses, counterBits: 32 | 64, afs: StateAfs,
): void {
  m['pfsync.state.format'] = format;
  readId(c, m);
  m['pfsync.state.ifname'] = c.fixedString(16, 'ifname');
  if (addresses === 'hosts') {
    decodeHost(c, m, 'lan', afs.wire);
    decodeHost(c, m, 'gwy', afs.wire);
    decodeHost(c, m, 'ext', afs.wire);
  } else {
    decodeKey(c, m, 'wire', afs.wire, addresses === 'keys-v6');
    decodeKey(c, m, 'stack', afs.stack, addresses === 'keys-v6');
  }
  decodePeer(c, m, 'src');
  decodePeer(c, m, 'dst');
  m['pfsync.state.rt_addr'] = readAddr(c, afs.rt, 'rt_addr');
  m['pfsync.state.rule'] = c.u32be('rule');
  m['pfsync.state.anchor'] = c.u32be('anchor');
  m['pfsync.state.nat_rule'] = c.u32be('nat_rule');
  m['pfsync.state.creation'] = c.u32be('creation');
  m['pfsync.state.expire'] = c.u32be('expire');
  if (counterBits === 32) {
    m['pfsync.state.packets0'] = String(c.u32be('packets[0]'));
    m['pfsync.state.packets1'] = String(c.u32be('packets[1]'));
    m['pfsync.state.bytes0'] = String(c.u32be('bytes[0]'));
    m['pfsync.state.bytes1'] = String(c.u32be('bytes[1]'));
  } else {
    m['pfsync.state.packets0'] = readU64(c, 'packets[0]');
    m['pfsync.state.packets1'] = readU64(c, 'packets[1]');
    m['pfsync.state.bytes0'] = readU64(c, 'bytes[0]');
    m['pfsync.state.bytes1'] = readU64(c, 'bytes[1]');
  }
  readCreator(c, m);
}

/** af, proto, direction (3 bytes in that order). */
function afProtoDir(c: Cursor, m: Message): void {
  m['pfsync.state.af'] = c.u8('af');
  m['pfsync.state.proto'] = c.u8('proto');
  m['pfsync.state.direction'] = c.u8('direction');
}

/** timeout, sync_flags, updates (3 bytes in that order). */
function timeoutSyncUpdates(c: Cursor, m: Message): void {
  m['pfsync.state.timeout'] = c.u8('timeout');
  m['pfsync.state.sync_flags'] = c.u8('sync_flags');
  m['pfsync.state.updates'] = c.u8('updates');
}

/** af proto dir log state_flags(u8) timeout sync_flags updates: the v2-v4 / OpenBSD v5 last 8 bytes. */
function legacyTail(c: Cursor, m: Message): void {
  afProtoDir(c, m);
  m['pfsync.state.log'] = c.u8('log');
  m['pfsync.state.state_flags'] = c.u8('state_flags');
  timeoutSyncUpdates(c, m);
}

function setPrio(c: Cursor, m: Message): void {
  const p0 = c.u8('set_prio[0]');
  m['pfsync.state.set_prio'] = [p0, c.u8('set_prio[1]')];
}

/** v2 (OpenBSD 3.5-3.8): 224 B, lan/gwy/ext hosts, 32-bit counters. */
export function decodeStateV2(c: Cursor, m: Message): void {
  decodeStateHead(c, m, 'legacy-v2', 'hosts', 32, afAt(c, c.pos + 216));
  legacyTail(c, m); // byte 220 is allow_opts: the same bit as PFSTATE_ALLOWOPTS
}

/** v3 (OpenBSD 3.9/4.0-4.3, FreeBSD 7/8, NetBSD): 240 B, lan/gwy/ext, 64-bit counters. */
export function decodeStateV3(c: Cursor, m: Message): void {
  decodeStateHead(c, m, 'legacy-v3', 'hosts', 64, afAt(c, c.pos + 232));
  legacyTail(c, m);
}

/** v4 (OpenBSD 4.4) and OpenBSD v5 (4.5/4.6): 240 B with key[WIRE], key[STACK]. */
export function decodeStateKeyed240(c: Cursor, m: Message, format: 'legacy-v4' | 'openbsd-v5'): void {
  decodeStateHead(c, m, format, 'keys', 64, afAt(c, c.pos + 232));
  legacyTail(c, m);
}

/** OpenBSD v6 (4.7 to -current): 264 B. */
export function decodeStateOpenbsdV6(c: Cursor, m: Message): void {
  decodeStateHead(c, m, 'openbsd-v6', 'keys-v6', 64, afAt(c, c.pos + 250));
  m['pfsync.state.rtableid'] = c.i32be('rtableid[WIRE]');
  m['pfsync.state.rtableid_stack'] = c.i32be('rtableid[STACK]');
  m['pfsync.state.max_mss'] = c.u16be('max_mss');
  afProtoDir(c, m);
  m['pfsync.state.log'] = c.u8('log');
  // Byte 254: state_flags u8 on 4.7-5.1, pad on 5.2-6.8, route type (rt) on 6.9+.
  m['pfsync.state.rt'] = c.u8('rt');
  timeoutSyncUpdates(c, m);
  m['pfsync.state.min_ttl'] = c.u8('min_ttl');
  m['pfsync.state.set_tos'] = c.u8('set_tos');
  m['pfsync.state.state_flags'] = c.u16be('state_flags');
  setPrio(c, m);
}

/** FreeBSD (9.0-15): the common 232-byte prefix, then the 1301, 1400 or 1500 tail. */
export function decodeStateFreebsd(c: Cursor, m: Message, version: 1301 | 1400 | 1500): void {
  const base = c.pos;
  const format = version === 1301 ? 'freebsd-1301' : version === 1400 ? 'freebsd-1400' : 'freebsd-1500';
  const afs = version === 1500
    ? { wire: peekU8(c, base + 344), stack: peekU8(c, base + 345), rt: peekU8(c, base + 346) }
    : afAt(c, base + 232);
  decodeStateHead(c, m, format, 'keys', 64, afs);
  if (version === 1301) {
    afProtoDir(c, m);
    c.skip(2, 'spare');
    m['pfsync.state.log'] = c.u8('log');
    m['pfsync.state.state_flags'] = c.u8('state_flags');
    timeoutSyncUpdates(c, m);
  } else if (version === 1400) {
    afProtoDir(c, m);
    m['pfsync.state.state_flags'] = c.u16be('state_flags');
    m['pfsync.state.log'] = c.u8('log');
    c.skip(1, 'spare');
    timeoutSyncUpdates(c, m);
    queues(c, m);
    m['pfsync.state.rtableid'] = c.i32be('rtableid');
    m['pfsync.state.min_ttl'] = c.u8('min_ttl');
    m['pfsync.state.set_tos'] = c.u8('set_tos');
    m['pfsync.state.max_mss'] = c.u16be('max_mss');
    setPrio(c, m);
    m['pfsync.state.rt'] = c.u8('rt');
    m['pfsync.state.rt_ifname'] = c.fixedString(16, 'rt_ifname');
  } else {
    m['pfsync.state.tagname'] = c.fixedString(64, 'tagname');
    m['pfsync.state.rt_ifname'] = c.fixedString(16, 'rt_ifname');
    m['pfsync.state.orig_ifname'] = c.fixedString(16, 'orig_ifname');
    m['pfsync.state.rtableid'] = c.i32be('rtableid');
    m['pfsync.state.state_flags'] = c.u16be('state_flags');
    queues(c, m);
    m['pfsync.state.max_mss'] = c.u16be('max_mss');
    const wire = c.u8('wire_af');
    m['pfsync.state.af'] = wire;
    m['pfsync.state.wire_af'] = wire;
    m['pfsync.state.stack_af'] = c.u8('stack_af');
    m['pfsync.state.rt_af'] = c.u8('rt_af');
    const proto = c.u8('wire_proto');
    m['pfsync.state.proto'] = proto;
    m['pfsync.state.wire_proto'] = proto;
    m['pfsync.state.stack_proto'] = c.u8('stack_proto');
    m['pfsync.state.log'] = c.u8('log');
    m['pfsync.state.timeout'] = c.u8('timeout');
    m['pfsync.state.direction'] = c.u8('direction');
    m['pfsync.state.rt'] = c.u8('rt');
    m['pfsync.state.min_ttl'] = c.u8('min_ttl');
    m['pfsync.state.set_tos'] = c.u8('set_tos');
    setPrio(c, m);
    c.skip(3, 'spare');
  }
}

/** qid, pqid, dnpipe, dnrpipe: FreeBSD 1400/1500 (u16 BE each). */
function queues(c: Cursor, m: Message): void {
  m['pfsync.state.qid'] = c.u16be('qid');
  m['pfsync.state.pqid'] = c.u16be('pqid');
  m['pfsync.state.dnpipe'] = c.u16be('dnpipe');
  m['pfsync.state.dnrpipe'] = c.u16be('dnrpipe');
}

/**
 * v1 (OpenBSD 3.3/3.4): the kernel's own struct pf_state, decoded BEST EFFORT with the i386
 * OpenBSD 3.3 layout (144 B): lan/gwy/ext hosts of 20 B (addr 16, port raw, pad u16), peers of
 * 16 B (seqlo, seqhi, seqdiff u32 BE, max_win u16 BE, state u8, wscale u8), rule.nr u32 BE,
 * nat_rule pointer, rt_addr 16, rt_ifp pointer, creation, expire, packets, bytes (u32 BE),
 * af, proto, direction, log, allow_opts, pad[3]. Unswapped members are little-endian (i386).
 */
export function decodeStateV1(c: Cursor, m: Message): void {
  const base = c.pos;
  m['pfsync.state.format'] = 'legacy-v1';
  m['pfsync.state.best_effort'] = 'i386 OpenBSD 3.3 layout';
  const af = peekU8(c, base + 136);
  decodeHost(c, m, 'lan', af, 2);
  decodeHost(c, m, 'gwy', af, 2);
  decodeHost(c, m, 'ext', af, 2);
  // Literal field ids (see common.ts): the two 16-byte peers.
  m['pfsync.state.src.seqlo'] = c.u32be('src seqlo');
  m['pfsync.state.src.seqhi'] = c.u32be('src seqhi');
  m['pfsync.state.src.seqdiff'] = c.u32be('src seqdiff');
  m['pfsync.state.src.max_win'] = c.u16be('src max_win');
  m['pfsync.state.src.state'] = c.u8('src state');
  m['pfsync.state.src.wscale'] = c.u8('src wscale');
  m['pfsync.state.dst.seqlo'] = c.u32be('dst seqlo');
  m['pfsync.state.dst.seqhi'] = c.u32be('dst seqhi');
  m['pfsync.state.dst.seqdiff'] = c.u32be('dst seqdiff');
  m['pfsync.state.dst.max_win'] = c.u16be('dst max_win');
  m['pfsync.state.dst.state'] = c.u8('dst state');
  m['pfsync.state.dst.wscale'] = c.u8('dst wscale');
  m['pfsync.state.rule'] = c.u32be('rule.nr');
  c.skip(4, 'nat_rule pointer');
  m['pfsync.state.rt_addr'] = readAddr(c, af, 'rt_addr');
  c.skip(4, 'rt_ifp pointer');
  m['pfsync.state.creation'] = c.u32be('creation');
  m['pfsync.state.expire'] = c.u32be('expire');
  m['pfsync.state.packets0'] = String(c.u32be('packets'));
  m['pfsync.state.bytes0'] = String(c.u32be('bytes'));
  afProtoDir(c, m);
  m['pfsync.state.log'] = c.u8('log');
  m['pfsync.state.state_flags'] = c.u8('allow_opts');
  c.skip(3, 'pad');
}
