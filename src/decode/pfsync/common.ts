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

/** A message being decoded: fields keyed by id, filled as they are read (cut messages keep them). */
export type Message = Record<string, FieldValue>;

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

/** pfsync_state_peer: 32 bytes, fields under `${prefix}.` (prefix 'pfsync.state.src' / '.dst'). */
export function decodePeer(c: Cursor, m: Message, prefix: string): void {
  m[`${prefix}.scrub_flags`] = c.u16be(`${prefix} scrub flags`);
  m[`${prefix}.scrub_ttl`] = c.u8(`${prefix} scrub ttl`);
  m[`${prefix}.scrub_valid`] = c.u8(`${prefix} scrub_flag`);
  m[`${prefix}.scrub_ts_mod`] = c.u32be(`${prefix} ts_mod`);
  m[`${prefix}.seqlo`] = c.u32be(`${prefix} seqlo`);
  m[`${prefix}.seqhi`] = c.u32be(`${prefix} seqhi`);
  m[`${prefix}.seqdiff`] = c.u32be(`${prefix} seqdiff`);
  m[`${prefix}.max_win`] = c.u16be(`${prefix} max_win`);
  m[`${prefix}.mss`] = c.u16be(`${prefix} mss`);
  m[`${prefix}.state`] = c.u8(`${prefix} state`);
  m[`${prefix}.wscale`] = c.u8(`${prefix} wscale`);
  c.skip(6, `${prefix} pad`);
}

/** pfsync_state_host (v2/v3): addr 16, port u16 raw, pad u16[3] (24 B). */
export function decodeHost(c: Cursor, m: Message, prefix: string, af: number | undefined): void {
  m[`${prefix}.addr`] = readAddr(c, af, `${prefix} address`);
  m[`${prefix}.port`] = c.u16be(`${prefix} port`);
  c.skip(6, `${prefix} pad`);
}

/** pfsync_state_key: 36 B (v4, OpenBSD v5, FreeBSD) or 40 B (OpenBSD v6: rdomain, af). */
export function decodeKey(c: Cursor, m: Message, prefix: string, af: number | undefined, openbsdV6: boolean): void {
  // The v6 key carries its own af at byte 38 (0 before OpenBSD 5.0): prefer it when set.
  let keyAf = af;
  if (openbsdV6) {
    const own = peekU8(c, c.pos + 38);
    if (own !== undefined && own !== 0) keyAf = own;
  }
  m[`${prefix}.addr0`] = readAddr(c, keyAf, `${prefix} addr[0]`);
  m[`${prefix}.addr1`] = readAddr(c, keyAf, `${prefix} addr[1]`);
  m[`${prefix}.port0`] = c.u16be(`${prefix} port[0]`);
  m[`${prefix}.port1`] = c.u16be(`${prefix} port[1]`);
  if (openbsdV6) {
    m[`${prefix}.rdomain`] = c.u16be(`${prefix} rdomain`);
    m[`${prefix}.af`] = c.u8(`${prefix} af`);
    c.skip(1, `${prefix} pad`);
  }
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
