// CARP advertisement (OpenBSD/FreeBSD carp(4), ucarp), IP protocol 112 when the per-packet rule
// in dispatch-tables.ts (decideProto112) says CARP. Layout and checks: reference/carp.md
// sections 2, 5, 9 and 10; field ids are Wireshark's (packet-carp.c).
//
//    0               1               2               3
//   +-------+-------+---------------+---------------+---------------+
//   |Version| Type  |     VHID      |    AdvSkew    |    AuthLen    |
//   +-------+-------+---------------+---------------+---------------+
//   |    Demote     |    AdvBase    |           Checksum            |
//   +---------------+---------------+-------------------------------+
//   |                      Counter (64 bits)                        |
//   +---------------------------------------------------------------+
//   |              SHA1 HMAC (20 bytes, section 3)                  |
//   +---------------------------------------------------------------+
//
// The checksum is RFC 1071 over exactly the 36 header bytes, no pseudo-header, computed like
// the kernels (tcpdump and Wireshark sum the whole payload; same result without trailing junk).
// An advert shorter than 36 bytes, declared or captured, ends the layer 'truncated'
// (carp.truncated), keeping every field that was there.

import type { Dissector, LayerWriter } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import type { ChecksumStatus, Fields } from './types.js';
import { DecodeStop, type Cursor } from './cursor.js';
import { checksumVerifies, expectedChecksum } from './checksum.js';
import { IPPROTO_CARP, payloadByte, type HeuristicInput } from './dispatch-tables.js';
import { ALWAYS, type ProtocolModule } from './module.js';

export const CARP_HEADER_LENGTH = 36;
export const CARP_VERSION = 2;
export const CARP_ADVERTISEMENT = 1;
export const CARP_AUTHLEN = 7;
export const CARP_DFLTTL = 255;
/** The advbase/advskew pair of OpenBSD's last advert when a master goes down. */
export const CARP_BOW_OUT = 255;

export const CARP_PROTOCOL = {
  id: 'carp',
  name: 'Common Address Redundancy Protocol',
  fields: [
    { id: 'carp.version', label: 'CARP protocol version', kind: 'uint' },
    { id: 'carp.type', label: 'CARP packet type', kind: 'uint', valueNames: { 1: 'Advertisement' } },
    { id: 'carp.vhid', label: 'Virtual Host ID', kind: 'uint' },
    { id: 'carp.advskew', label: 'Advertisement Skew', kind: 'uint' },
    { id: 'carp.authlen', label: 'Auth Len', kind: 'uint' },
    { id: 'carp.demotion', label: 'Demotion indicator', kind: 'uint' },
    { id: 'carp.adver_int', label: 'Adver Int', kind: 'uint', unit: 's' },
    { id: 'carp.checksum', label: 'Checksum', kind: 'hex' },
    { id: 'carp.checksum.status', label: 'Checksum Status', kind: 'status' },
    { id: 'carp.counter', label: 'Counter', kind: 'u64' },
    { id: 'carp.hmac', label: 'HMAC', kind: 'bytes' },
    { id: 'carp.interval', label: 'Advertisement interval (advbase + advskew/256)', kind: 'float', unit: 's' },
    { id: 'carp.bow_out', label: 'Bow-out advert (advbase 255, advskew 255)', kind: 'bool' },
    { id: 'carp.trailing_length', label: 'Bytes after the 36-byte header', kind: 'uint' },
    // Derived by the CARP analysis (analyze/carp, frame.derived), declared here for labels, -e, -Y.
    { id: 'carp.hmac.status', label: 'HMAC status', kind: 'status' },
    { id: 'carp.hmac.variant', label: 'HMAC variant that matched', kind: 'string' },
    { id: 'carp.hmac.key', label: 'HMAC key from', kind: 'string' },
    { id: 'carp.hmac.reason', label: 'HMAC not verified because', kind: 'string' },
    { id: 'carp.vip', label: 'Virtual addresses (hashed in the HMAC)', kind: 'array' },
    { id: 'carp.vip.inferred', label: 'Inferred from the capture', kind: 'bool' },
  ],
  annotations: [
    { id: 'carp.bad_checksum', severity: 'error', summary: 'CARP checksum over the 36-byte header is wrong: receivers drop the advert', group: 'checksum', finding: true },
    { id: 'carp.bad_ttl', severity: 'warn', summary: 'CARP advert with TTL/hop limit other than 255: routed, forged, or dropped by receivers', group: 'security', finding: true },
    { id: 'carp.bad_version', severity: 'warn', summary: 'CARP version is not 2: receivers drop it', group: 'malformed', finding: true },
    { id: 'carp.bad_type', severity: 'warn', summary: 'CARP type is not 1 (advertisement)', group: 'malformed', finding: true },
    { id: 'carp.bad_authlen', severity: 'warn', summary: 'CARP authlen is not 7 (nobody checks it, everybody sends 7)', group: 'malformed', finding: true },
    { id: 'carp.truncated', severity: 'warn', summary: 'CARP advert shorter than 36 bytes or cut by the snap length', group: 'malformed', finding: true },
    { id: 'carp.vhid_zero', severity: 'warn', summary: 'CARP advert for VHID 0, which no running virtual host can have', group: 'malformed' },
    { id: 'carp.trailing_bytes', severity: 'note', summary: 'bytes after the 36-byte CARP header (kernels ignore them)', group: 'malformed' },
    { id: 'carp.bow_out', severity: 'note', summary: 'bow-out advert (advbase 255, advskew 255): the master is going down', group: 'sequence' },
    { id: 'carp.demotion', severity: 'note', summary: 'the sender advertises a demotion counter above 0', group: 'sequence' },
  ],
} as const satisfies ProtocolDef;

/**
 * Decimal text of the unsigned 64-bit value hi * 2^32 + lo without BigInt (hot path): with
 * 2^32 = 429496 * 10^4 + 7296, the value is a * 10^4 + b where a = hi * 429496 and
 * b = hi * 7296 + lo both stay below 2^53.
 */
export function u64Decimal(hi: number, lo: number): string {
  if (hi < 0x200000) return String(hi * 0x100000000 + lo);
  let a = hi * 429496;
  let b = hi * 7296 + lo;
  a += Math.floor(b / 10000);
  b %= 10000;
  const tail = String(b);
  return String(a) + '0000'.slice(tail.length) + tail;
}

/** Checksum status of the 36-byte header at `start`: unverified when cut short or fragmented. */
function carpChecksumStatus(c: Cursor, start: number, fragmented: boolean): ChecksumStatus {
  if (!c.has(CARP_HEADER_LENGTH) || fragmented) return 'unverified';
  return checksumVerifies(c.bytes, start, start + CARP_HEADER_LENGTH) ? 'good' : 'bad';
}

/** The header values the checks need, as far as they were captured. */
interface CarpHeader {
  version?: number;
  type?: number;
  vhid?: number;
  advskew?: number;
  authlen?: number;
  demote?: number;
  advbase?: number;
  checksum?: number;
}

/**
 * The header in wire order, one step per field (or nibble pair): a step runs only when all its
 * bytes were captured, so a cut advert keeps every field before the cut.
 */
const CARP_HEADER_STEPS: readonly { readonly size: number; readonly read: (c: Cursor, f: Fields, h: CarpHeader, status: ChecksumStatus) => void }[] = [
  { size: 1, read(c, f, h) { const b0 = c.u8('CARP version and type'); f['carp.version'] = h.version = b0 >> 4; f['carp.type'] = h.type = b0 & 0x0f; } },
  { size: 1, read(c, f, h) { f['carp.vhid'] = h.vhid = c.u8('CARP VHID'); } },
  { size: 1, read(c, f, h) { f['carp.advskew'] = h.advskew = c.u8('CARP advskew'); } },
  { size: 1, read(c, f, h) { f['carp.authlen'] = h.authlen = c.u8('CARP authlen'); } },
  { size: 1, read(c, f, h) { f['carp.demotion'] = h.demote = c.u8('CARP demote'); } },
  { size: 1, read(c, f, h) { f['carp.adver_int'] = h.advbase = c.u8('CARP advbase'); } },
  { size: 2, read(c, f, h, status) { f['carp.checksum'] = h.checksum = c.u16be('CARP checksum'); f['carp.checksum.status'] = status; } },
  { size: 8, read(c, f) { const hi = c.u32be('CARP counter'); f['carp.counter'] = u64Decimal(hi, c.u32be('CARP counter')); } },
  { size: 20, read(c, f) { f['carp.hmac'] = c.hex(20, 'CARP HMAC'); } },
];

/** Writes the fields of the captured header bytes, in wire order; returns their values. */
function readCarpHeader(c: Cursor, fields: Fields, status: ChecksumStatus): CarpHeader {
  const h: CarpHeader = {};
  for (const step of CARP_HEADER_STEPS) {
    if (!c.has(step.size)) break;
    step.read(c, fields, h, status);
  }
  if (h.advbase !== undefined && h.advskew !== undefined) {
    fields['carp.interval'] = h.advbase + h.advskew / 256;
    if (h.advbase === CARP_BOW_OUT && h.advskew === CARP_BOW_OUT) fields['carp.bow_out'] = true;
  }
  return h;
}

/** Annotations about the header values that were captured. */
function checkCarpValues(h: CarpHeader, out: LayerWriter): void {
  const { version, type, vhid, authlen, demote, advbase, advskew } = h;
  if (version !== undefined && version !== CARP_VERSION) out.annotate('carp.bad_version', `CARP version ${version}, should be 2`, { version });
  if (type !== undefined && type !== CARP_ADVERTISEMENT) out.annotate('carp.bad_type', `CARP type ${type}, should be 1 (advertisement)`, { type });
  if (vhid === 0) out.annotate('carp.vhid_zero', 'CARP advert for VHID 0');
  if (authlen !== undefined && authlen !== CARP_AUTHLEN) out.annotate('carp.bad_authlen', `CARP authlen ${authlen}, should be 7`, { authlen });
  if (demote !== undefined && demote > 0) out.annotate('carp.demotion', `demote ${demote}: the sender is demoted`, { demote });
  if (advbase === CARP_BOW_OUT && advskew === CARP_BOW_OUT) {
    out.annotate('carp.bow_out', 'bow-out advert (advbase 255, advskew 255): the master is leaving');
  }
}

export const CARP_DISSECTOR: Dissector = {
  proto: 'carp',
  decode(c, out, ctx) {
    const fields = out.layer.fields;
    const s = c.pos;
    const declared = c.remainingDeclared;
    const ip = ctx.ip;
    if (ip && ip.ttl !== CARP_DFLTTL) {
      out.annotate('carp.bad_ttl', `${ip.version === 4 ? 'ttl' : 'hop limit'} ${ip.ttl}, should be 255`, { ttl: ip.ttl });
    }
    const status = carpChecksumStatus(c, s, ip?.fragmented ?? false);
    const header = readCarpHeader(c, fields, status);
    checkCarpValues(header, out);
    if (c.pos < s + CARP_HEADER_LENGTH) {
      // Cut short (declared or captured): 'truncated' either way, at the last captured byte.
      const end = Math.min(c.capturedEnd, s + CARP_HEADER_LENGTH);
      c.pos = end;
      const why = declared < CARP_HEADER_LENGTH ? `CARP header (IP payload is ${declared} bytes, needs 36)` : 'CARP header';
      throw new DecodeStop('truncated', why, end);
    }
    if (status === 'bad' && header.checksum !== undefined) {
      const { checksum } = header;
      const expected = expectedChecksum(c.bytes, s, s + CARP_HEADER_LENGTH, s + 6);
      out.annotate('carp.bad_checksum', `bad cksum 0x${checksum.toString(16)}, should be 0x${expected.toString(16)}`, { checksum, expected });
    }
    if (declared > CARP_HEADER_LENGTH) {
      const extra = declared - CARP_HEADER_LENGTH;
      fields['carp.trailing_length'] = extra;
      out.annotate('carp.trailing_bytes', `${extra} bytes after the 36-byte CARP header`, { length: extra });
    }
    return undefined;
  },
};

/** Version and type nibbles, and byte 3 (CARP authlen, VRRP address count; -1 when not captured). */
const v2type1 = (h: HeuristicInput): boolean => payloadByte(h, 0) === 0x21;
const version = (h: HeuristicInput): number => payloadByte(h, 0) >> 4;

export const CARP_MODULE = {
  ...CARP_PROTOCOL,
  dissectors: { carp: CARP_DISSECTOR },
  probes: { carp: ALWAYS },
  dispatch: {
    // IP protocol 112 is CARP's and VRRP's: these rules and VRRP's (vrrp.ts) decide per packet,
    // lowest order first (reference/carp.md section 8.2). VRRPv2 is IPv4-only; a 36-byte
    // VRRPv2 has address count 5 where CARP's authlen is 7.
    heuristics: [
      // 2. version 2 over IPv6
      { ipProtocol: IPPROTO_CARP, order: 20, dissector: 'carp', test: (h) => version(h) === 2 && h.ipVersion === 6 },
      // 3. a first fragment's length is not the datagram's: the header bytes alone decide, as
      //    Wireshark's heuristic does (version 2, type 1, authlen 7)
      { ipProtocol: IPPROTO_CARP, order: 30, dissector: 'carp', test: (h) => h.fragmented === true && v2type1(h) && payloadByte(h, 3) === CARP_AUTHLEN },
      // 4. version 2, type 1, length 36, authlen 7
      { ipProtocol: IPPROTO_CARP, order: 40, dissector: 'carp', test: (h) => v2type1(h) && h.payloadLength === CARP_HEADER_LENGTH && payloadByte(h, 3) === CARP_AUTHLEN },
      // 6. version 2, at least 36 bytes, authlen 7 or exactly 36 bytes: CARP with a wrong type/authlen
      {
        ipProtocol: IPPROTO_CARP, order: 60, dissector: 'carp',
        test: (h) => version(h) === 2 && h.payloadLength >= CARP_HEADER_LENGTH && (payloadByte(h, 3) === CARP_AUTHLEN || h.payloadLength === CARP_HEADER_LENGTH),
      },
      // 7. version 1 and authlen 7 (Wireshark's heuristic takes v1)
      { ipProtocol: IPPROTO_CARP, order: 70, dissector: 'carp', test: (h) => version(h) === 1 && h.payloadLength >= CARP_HEADER_LENGTH && payloadByte(h, 3) === CARP_AUTHLEN },
    ],
  },
} as const satisfies ProtocolModule;
