// Sub-structures shared by every pfsync state format: pf_addr, pfsync_state_peer (with its
// scrub block), pfsync_state_host (v2/v3), pfsync_state_key (v4/v5 36 B, OpenBSD v6 40 B).
// Source: ../shared/reference/pfsync.md section 3.4 and 7.2.
//
// pfsync_state_peer (32 B, all BE):
//   0 scrub { 0 pfss_flags u16, 2 pfss_ttl u8, 3 scrub_flag u8, 4 pfss_ts_mod u32 }
//   8 seqlo u32 | 12 seqhi u32 | 16 seqdiff u32 | 20 max_win u16 | 22 mss u16
//  24 state u8 | 25 wscale u8 | 26 pad[6]
// pfsync_state_key: 0 addr[0] 16 | 16 addr[1] 16 | 32 port[0] u16 | 34 port[1] u16
//   (OpenBSD v6 adds 36 rdomain u16 | 38 af u8 | 39 pad)

import { Cursor, formatIPv4, formatIPv6 } from '../cursor.js';
import type { FieldValue } from '../types.js';
import { AF_INET, isInet6 } from './constants.js';
import type { PfsyncFieldId } from './defs.js';

/**
 * A message (or section) being decoded: fields keyed by pfsync field id, filled as they are read
 * (cut messages keep them). Keyed by the declared ids only: a misspelled id does not compile.
 */
export type Message = { [K in PfsyncFieldId]?: FieldValue };

/**
 * The analysis-only fast path's ids (DecodeOptions.pfsyncAnalysisOnly, see packet.ts): creator id
 * and state id high and low word as u32s in place of the pfsync.state.creatorid / .id hex fields.
 * Not fields (no renderer sees a fast-path frame); the analyzer formats them only for a finding.
 */
export interface FastIds {
  cid: number;
  idh: number;
  idl: number;
}

/** Peek one byte at an absolute offset if it was captured (for an af that sits after the keys). */
export function peekU8(c: Cursor, at: number): number | undefined {
  return at < c.capturedEnd ? c.bytes[at] : undefined;
}

/** Format 16 pf_addr bytes for an address family; af 0/unknown: IPv4 if bytes 4..16 are zero. */
export function formatPfAddr(bytes: Uint8Array, at: number, af: number | undefined): string {
  if (af === AF_INET) return formatIPv4(bytes, at);
  if (af !== undefined && isInet6(af)) return formatIPv6(bytes, at);
  for (let i = 4; i < 16; i++) if (bytes[at + i] !== 0) return formatIPv6(bytes, at);
  return formatIPv4(bytes, at);
}

export function readAddr(c: Cursor, af: number | undefined, what: string): string {
  c.need(16, what);
  const s = formatPfAddr(c.bytes, c.pos, af);
  c.pos += 16;
  return s;
}

// Field ids are written as literal property names on purpose: V8 turns an object that gets
// more than a dozen properties through computed keys into a slow dictionary, and UPD_C decoding
// (the bulk of pfsync traffic) would be several times slower.
function decodePeerSrc(c: Cursor, m: Message): void {
  m['pfsync.state.src.scrub_flags'] = c.u16be('src scrub flags');
  m['pfsync.state.src.scrub_ttl'] = c.u8('src scrub ttl');
  m['pfsync.state.src.scrub_valid'] = c.u8('src scrub_flag');
  m['pfsync.state.src.scrub_ts_mod'] = c.u32be('src ts_mod');
  m['pfsync.state.src.seqlo'] = c.u32be('src seqlo');
  m['pfsync.state.src.seqhi'] = c.u32be('src seqhi');
  m['pfsync.state.src.seqdiff'] = c.u32be('src seqdiff');
  m['pfsync.state.src.max_win'] = c.u16be('src max_win');
  m['pfsync.state.src.mss'] = c.u16be('src mss');
  m['pfsync.state.src.state'] = c.u8('src state');
  m['pfsync.state.src.wscale'] = c.u8('src wscale');
  c.skip(6, 'src pad');
}

function decodePeerDst(c: Cursor, m: Message): void {
  m['pfsync.state.dst.scrub_flags'] = c.u16be('dst scrub flags');
  m['pfsync.state.dst.scrub_ttl'] = c.u8('dst scrub ttl');
  m['pfsync.state.dst.scrub_valid'] = c.u8('dst scrub_flag');
  m['pfsync.state.dst.scrub_ts_mod'] = c.u32be('dst ts_mod');
  m['pfsync.state.dst.seqlo'] = c.u32be('dst seqlo');
  m['pfsync.state.dst.seqhi'] = c.u32be('dst seqhi');
  m['pfsync.state.dst.seqdiff'] = c.u32be('dst seqdiff');
  m['pfsync.state.dst.max_win'] = c.u16be('dst max_win');
  m['pfsync.state.dst.mss'] = c.u16be('dst mss');
  m['pfsync.state.dst.state'] = c.u8('dst state');
  m['pfsync.state.dst.wscale'] = c.u8('dst wscale');
  c.skip(6, 'dst pad');
}

/** pfsync_state_peer: 32 bytes, fields under pfsync.state.src.* or pfsync.state.dst.*. */
export function decodePeer(c: Cursor, m: Message, side: 'src' | 'dst'): void {
  if (side === 'src') decodePeerSrc(c, m);
  else decodePeerDst(c, m);
}

function decodeHostLan(c: Cursor, m: Message, af: number | undefined, pad: number): void {
  m['pfsync.state.lan.addr'] = readAddr(c, af, 'lan address');
  m['pfsync.state.lan.port'] = c.u16be('lan port');
  c.skip(pad, 'lan pad');
}

function decodeHostGwy(c: Cursor, m: Message, af: number | undefined, pad: number): void {
  m['pfsync.state.gwy.addr'] = readAddr(c, af, 'gwy address');
  m['pfsync.state.gwy.port'] = c.u16be('gwy port');
  c.skip(pad, 'gwy pad');
}

function decodeHostExt(c: Cursor, m: Message, af: number | undefined, pad: number): void {
  m['pfsync.state.ext.addr'] = readAddr(c, af, 'ext address');
  m['pfsync.state.ext.port'] = c.u16be('ext port');
  c.skip(pad, 'ext pad');
}

/** pfsync_state_host (v2/v3): addr 16, port u16 raw, pad u16[3] (24 B); v1's pf_state_host pads 2 (20 B). */
export function decodeHost(c: Cursor, m: Message, which: 'lan' | 'gwy' | 'ext', af: number | undefined, pad: 2 | 6 = 6): void {
  if (which === 'lan') decodeHostLan(c, m, af, pad);
  else if (which === 'gwy') decodeHostGwy(c, m, af, pad);
  else decodeHostExt(c, m, af, pad);
}

/** The v6 key carries its own af at byte 38 (0 before OpenBSD 5.0): prefer it when set. */
function keyAfOf(c: Cursor, af: number | undefined, openbsdV6: boolean): number | undefined {
  if (!openbsdV6) return af;
  const own = peekU8(c, c.pos + 38);
  return own !== undefined && own !== 0 ? own : af;
}

function decodeKeyWire(c: Cursor, m: Message, af: number | undefined, openbsdV6: boolean): void {
  const keyAf = keyAfOf(c, af, openbsdV6);
  m['pfsync.state.wire.addr0'] = readAddr(c, keyAf, 'wire key addr[0]');
  m['pfsync.state.wire.addr1'] = readAddr(c, keyAf, 'wire key addr[1]');
  m['pfsync.state.wire.port0'] = c.u16be('wire key port[0]');
  m['pfsync.state.wire.port1'] = c.u16be('wire key port[1]');
  if (openbsdV6) {
    m['pfsync.state.wire.rdomain'] = c.u16be('wire key rdomain');
    m['pfsync.state.wire.af'] = c.u8('wire key af');
    c.skip(1, 'wire key pad');
  }
}

function decodeKeyStack(c: Cursor, m: Message, af: number | undefined, openbsdV6: boolean): void {
  const keyAf = keyAfOf(c, af, openbsdV6);
  m['pfsync.state.stack.addr0'] = readAddr(c, keyAf, 'stack key addr[0]');
  m['pfsync.state.stack.addr1'] = readAddr(c, keyAf, 'stack key addr[1]');
  m['pfsync.state.stack.port0'] = c.u16be('stack key port[0]');
  m['pfsync.state.stack.port1'] = c.u16be('stack key port[1]');
  if (openbsdV6) {
    m['pfsync.state.stack.rdomain'] = c.u16be('stack key rdomain');
    m['pfsync.state.stack.af'] = c.u8('stack key af');
    c.skip(1, 'stack key pad');
  }
}

/** pfsync_state_key: 36 B (v4, OpenBSD v5, FreeBSD) or 40 B (OpenBSD v6: rdomain, af). */
export function decodeKey(c: Cursor, m: Message, which: 'wire' | 'stack', af: number | undefined, openbsdV6: boolean): void {
  if (which === 'wire') decodeKeyWire(c, m, af, openbsdV6);
  else decodeKeyStack(c, m, af, openbsdV6);
}

export function readId(c: Cursor, m: Message): void {
  m['pfsync.state.id'] = c.hex(8, 'state id');
}

export function readCreator(c: Cursor, m: Message): void {
  m['pfsync.state.creatorid'] = c.hex(4, 'creatorid');
}

/** A 64-bit counter (two BE u32, high first) as a decimal string. */
export function readU64(c: Cursor, what: string): string {
  return c.u64be(what).toString();
}
