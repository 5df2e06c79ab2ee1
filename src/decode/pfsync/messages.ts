// pfsync messages other than full states (../shared/reference/pfsync.md 3.8 legacy, 6 modern).
//
// modern (v5/v6)                                   legacy (v2-v4)
// CLR 20:     0 ifname[16] | 16 creatorid          CLR 24:   ifname[16] | creatorid | pad u32
// INS_ACK / UPD_REQ / DEL_C 12: 0 id[8] | 8 creatorid
//                                                  UREQ 16:  id | creatorid | pad u32
//                                                  DEL_C 16: id | creatorid | src.state | dst.state | pad[2]
// UPD_C 84:   0 id | 8 src peer 32 | 40 dst peer 32 | 72 creatorid | 76 expire u32 | 80 timeout
//             81 state_flags (OpenBSD; FreeBSD pad) | 82 pad[2]
//                                                  UPD_C 88: same, 81 = updates, pad[6]
// BUS 12:     0 creatorid | 4 endtime u32 | 8 status | 9 pad[3]
//                                                  BUS 16:   same, pad[7]
// TDB 48/52:  0 spi | 4 dst sockaddr_union[28] | 32 rpl (u32 in 48-B TDB/OTDB, u64 in 52-B TDB)
//             then cur_bytes u64 | sproto u8 | updates u8 | rdomain u16 (pad before OpenBSD 4.8)

import type { Cursor } from '../cursor.js';
import { formatIPv4, formatIPv6 } from '../cursor.js';
import { decodePeer, readCreator, readId, readU64, type Message } from './common.js';

/** CLR: modern 20 B, legacy 24 B (trailing pad u32). */
export function decodeClr(c: Cursor, m: Message, legacy: boolean): void {
  m['pfsync.state.ifname'] = c.fixedString(16, 'CLR ifname');
  readCreator(c, m);
  if (legacy) c.skip(4, 'CLR pad');
}

/** INS_ACK / DEL_C (modern): id + creatorid. */
export function decodeIdCreator(c: Cursor, m: Message): void {
  readId(c, m);
  readCreator(c, m);
}

/** UPD_REQ / UREQ: id + creatorid (+ pad u32 in legacy); id 0 with creatorid 0 = bulk request. */
export function decodeUpdReq(c: Cursor, m: Message, legacy: boolean): void {
  readId(c, m);
  readCreator(c, m);
  m['pfsync.bulk_request'] = m['pfsync.state.id'] === '0000000000000000' && m['pfsync.state.creatorid'] === '00000000';
  if (legacy) c.skip(4, 'UREQ pad');
}

/** Legacy DEL_C (16 B): id, creatorid, src.state, dst.state (never filled in), pad[2]. */
export function decodeLegacyDelC(c: Cursor, m: Message): void {
  readId(c, m);
  readCreator(c, m);
  m['pfsync.state.src.state'] = c.u8('DEL_C src.state');
  m['pfsync.state.dst.state'] = c.u8('DEL_C dst.state');
  c.skip(2, 'DEL_C pad');
}

/** UPD_C: modern 84 B (byte 81 = OpenBSD state_flags), legacy 88 B (byte 81 = updates). */
export function decodeUpdC(c: Cursor, m: Message, legacy: boolean): void {
  readId(c, m);
  decodePeer(c, m, 'src');
  decodePeer(c, m, 'dst');
  readCreator(c, m);
  m['pfsync.state.expire'] = c.u32be('UPD_C expire');
  m['pfsync.state.timeout'] = c.u8('UPD_C timeout');
  if (legacy) {
    m['pfsync.state.updates'] = c.u8('UPD_C updates');
    c.skip(6, 'UPD_C pad');
  } else {
    m['pfsync.state.state_flags'] = c.u8('UPD_C state_flags');
    c.skip(2, 'UPD_C pad');
  }
}

/** BUS: creatorid, endtime, status (1 start, 2 end); pad 3 (modern) or 7 (legacy). */
export function decodeBus(c: Cursor, m: Message, legacy: boolean): void {
  readCreator(c, m);
  m['pfsync.bus.endtime'] = c.u32be('BUS endtime');
  m['pfsync.bus.status'] = c.u8('BUS status');
  c.skip(legacy ? 7 : 3, 'BUS pad');
}

/** TDB: rplBits 32 (48 B: legacy TDB_UPD, v5 TDB, v6 OTDB) or 64 (52 B: OpenBSD 5.2+ TDB). */
export function decodeTdb(c: Cursor, m: Message, rplBits: 32 | 64): void {
  m['pfsync.tdb.spi'] = c.hex(4, 'TDB spi');
  c.need(28, 'TDB dst sockaddr');
  const sa = c.pos;
  const family = c.bytes[sa + 1]!;
  m['pfsync.tdb.dst_family'] = family;
  if (family === 2) {
    m['pfsync.tdb.dst_port'] = (c.bytes[sa + 2]! << 8) | c.bytes[sa + 3]!;
    m['pfsync.tdb.dst'] = formatIPv4(c.bytes, sa + 4);
  } else if (family === 24 || family === 28) {
    m['pfsync.tdb.dst_port'] = (c.bytes[sa + 2]! << 8) | c.bytes[sa + 3]!;
    m['pfsync.tdb.dst'] = formatIPv6(c.bytes, sa + 8);
  } else {
    m['pfsync.tdb.dst'] = '';
  }
  c.skip(28, 'TDB dst sockaddr');
  m['pfsync.tdb.rpl'] = rplBits === 64 ? readU64(c, 'TDB rpl') : String(c.u32be('TDB rpl'));
  m['pfsync.tdb.cur_bytes'] = readU64(c, 'TDB cur_bytes');
  m['pfsync.tdb.sproto'] = c.u8('TDB sproto');
  m['pfsync.tdb.updates'] = c.u8('TDB updates');
  m['pfsync.tdb.rdomain'] = c.u16be('TDB rdomain');
}
