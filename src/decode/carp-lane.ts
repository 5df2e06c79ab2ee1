// The CARP lane: the bulk of a CARP segment — a plain advert, Ethernet / IPv4 without options or
// fragments / CARP v2 advert of exactly 36 bytes — read straight from the bytes into one reused
// struct, with no decoded frame, layer or field record, for runs where nothing prints the frame
// (-q: PipelineConfig.carpLane, the analyzers' onCarpLane). It takes exactly the frames whose full
// decode has the layers eth / ipv4 / carp and no annotation: TTL 255, both checksums right,
// version 2, type 1, VHID not 0, authlen 7, demote 0, not a bow-out, nothing after the header
// (the protocol-112 heuristic's rule 4 in carp.ts decides CARP for these, before any VRRP rule).
// Everything else returns undefined and takes the full decode. The values are the full decode's
// (the same strings: formatIPv4, formatMac); the counter and HMAC come as the numbers the CARP
// analysis would parse out of the full decode's texts (CarpPair), and pairCounterText /
// pairHmacText make those texts from them (u64Decimal, toHex) only when something reads them
// (a finding, the wordlist audit): per advert they were 20 string pieces and a decimal conversion
// that nothing read. test/analyze/carp/lane.test.ts compares the two on every capture.
//
//   0 eth dst | 6 eth src | 12 type 0x0800 | 14 IPv4 0x45, total length 56, no fragment, TTL 255,
//   proto 112 | 34 CARP: 0x21, vhid, advskew, authlen 7, demote, advbase, cksum (2),
//   counter (8), HMAC (20)

import type { RawFrame } from '../kernel/frame.js';
import { CARP_AUTHLEN, CARP_BOW_OUT, CARP_DFLTTL, CARP_HEADER_LENGTH, u64Decimal } from './carp.js';
import { formatIPv4, formatMac, toHex } from './cursor.js';
import { ETHERTYPE_IPV4, IPPROTO_CARP, LINKTYPE_ETHERNET } from './dispatch-tables.js';
import { peekI32, peekU32 } from './module.js';

/** An advert's counter and HMAC as numbers (the lane's, reused: valid until the next readCarpLane()). */
export interface CarpPair {
  /** The HMAC's five big-endian 32-bit words (as analyze/carp/hmac.ts hexDigestWords gives them). */
  readonly md: Int32Array;
  /** The counter's 8 bytes (as counterBytes gives them), and its high and low word (signed, as Int32Array holds them). */
  readonly counter: Uint8Array;
  hi: number;
  lo: number;
}

/** One lane frame, decoder-owned and reused: valid until the next readCarpLane(). */
export interface CarpLane {
  raw: RawFrame;
  /** ip.src, ip.dst, eth.src, carp.counter and carp.hmac as the full decode formats them. */
  ipSrc: string;
  ipDst: string;
  ethSrc: string;
  vhid: number;
  advskew: number;
  advbase: number;
  /** carp.counter and carp.hmac as numbers (their texts: pairCounterText, pairHmacText). */
  readonly pair: CarpPair;
}

const ETH = 14;
const CARP = ETH + 20;
const FRAME_LENGTH = CARP + CARP_HEADER_LENGTH;

const lane: CarpLane = {
  raw: undefined as unknown as RawFrame, ipSrc: '', ipDst: '', ethSrc: '', vhid: 0, advskew: 0, advbase: 0,
  pair: { md: new Int32Array(5), counter: new Uint8Array(8), hi: 0, lo: 0 },
};

/** carp.counter's text (the full decode's u64Decimal) of a pair's counter words. */
export function pairCounterText(hi: number, lo: number): string {
  return u64Decimal(hi >>> 0, lo >>> 0);
}

const word = new Uint8Array(20);
/** carp.hmac's text (the full decode's toHex) of a digest's five words. */
export function pairHmacText(m0: number, m1: number, m2: number, m3: number, m4: number): string {
  const w = [m0, m1, m2, m3, m4];
  for (let i = 0; i < 5; i++) {
    const v = w[i]!;
    word[4 * i] = v >>> 24; word[4 * i + 1] = (v >>> 16) & 0xff; word[4 * i + 2] = (v >>> 8) & 0xff; word[4 * i + 3] = v & 0xff;
  }
  return toHex(word, 0, 20);
}

// One-entry caches: a segment repeats its senders and group address, so their text is made once.
let lastSrc = -1, lastDst = -1, lastMacHi = -1, lastMacLo = -1;

// Behind them, the texts of recent addresses, direct-mapped by their bits (64 each): a segment's
// few senders alternate (one master per VHID), and each gets its same string object back. A
// fresh string per change of sender was kept by the replay check's ring for thousands of
// adverts, so the young-generation GC copied and promoted each one.
const TEXTS = 64;
const ipKeys = new Float64Array(TEXTS).fill(-1);
const ipTexts = new Array<string>(TEXTS).fill('');
const macKeys = new Float64Array(TEXTS).fill(-1);
const macTexts = new Array<string>(TEXTS).fill('');

/** formatIPv4 of the address at `at`, whose value is `v` (u32). */
function ipv4Text(b: Uint8Array, at: number, v: number): string {
  const i = Math.imul(v, 0x9e3779b1) >>> 26;
  if (ipKeys[i] === v) return ipTexts[i]!;
  const t = formatIPv4(b, at);
  ipKeys[i] = v; ipTexts[i] = t;
  return t;
}

/** formatMac of the MAC at `at`, whose value is hi (16 bits) and lo (u32). */
function macText(b: Uint8Array, at: number, hi: number, lo: number): string {
  const i = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 26;
  const key = hi * 0x1_0000_0000 + lo;
  if (macKeys[i] === key) return macTexts[i]!;
  const t = formatMac(b, at);
  macKeys[i] = key; macTexts[i] = t;
  return t;
}

// The two checksums of a lane frame, each over a region of fixed place and size (the IPv4
// header at 14..33, the CARP header at 34..69): the one's-complement sums written out word by
// word (decode/checksum.ts onesSum's loop, for any region, cost ~60 ns a frame for both; this
// about a third). A sum of at most 18 words is below 2^21, so two folds reach 16 bits.
/** The IPv4 header's checksum is right (its 10 words sum to 0xffff). */
function ipv4HeaderSumsRight(b: Uint8Array): boolean {
  let s = ((b[14]! << 8) | b[15]!) + ((b[16]! << 8) | b[17]!) + ((b[18]! << 8) | b[19]!) + ((b[20]! << 8) | b[21]!) +
    ((b[22]! << 8) | b[23]!) + ((b[24]! << 8) | b[25]!) + ((b[26]! << 8) | b[27]!) + ((b[28]! << 8) | b[29]!) +
    ((b[30]! << 8) | b[31]!) + ((b[32]! << 8) | b[33]!);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** The CARP header's checksum is right (its 18 words sum to 0xffff). */
function carpHeaderSumsRight(b: Uint8Array): boolean {
  let s = ((b[34]! << 8) | b[35]!) + ((b[36]! << 8) | b[37]!) + ((b[38]! << 8) | b[39]!) + ((b[40]! << 8) | b[41]!) +
    ((b[42]! << 8) | b[43]!) + ((b[44]! << 8) | b[45]!) + ((b[46]! << 8) | b[47]!) + ((b[48]! << 8) | b[49]!) +
    ((b[50]! << 8) | b[51]!) + ((b[52]! << 8) | b[53]!) + ((b[54]! << 8) | b[55]!) + ((b[56]! << 8) | b[57]!) +
    ((b[58]! << 8) | b[59]!) + ((b[60]! << 8) | b[61]!) + ((b[62]! << 8) | b[63]!) + ((b[64]! << 8) | b[65]!) +
    ((b[66]! << 8) | b[67]!) + ((b[68]! << 8) | b[69]!);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** The frame as a lane frame, or undefined when it needs the full decode (see the top). */
export function readCarpLane(raw: RawFrame): CarpLane | undefined {
  const b = raw.data;
  if (raw.linktype !== LINKTYPE_ETHERNET || raw.timeOutOfRange !== undefined || b.length !== FRAME_LENGTH || raw.originalLength !== FRAME_LENGTH) return undefined;
  if (((b[12]! << 8) | b[13]!) !== ETHERTYPE_IPV4 || b[ETH] !== 0x45) return undefined;
  // total length 56, no fragment (DF allowed), TTL 255, protocol 112, the header checksum right
  if (((b[ETH + 2]! << 8) | b[ETH + 3]!) !== 20 + CARP_HEADER_LENGTH) return undefined;
  if ((b[ETH + 6]! & 0xbf) !== 0 || b[ETH + 7] !== 0 || b[ETH + 8] !== CARP_DFLTTL || b[ETH + 9] !== IPPROTO_CARP) return undefined;
  if (!ipv4HeaderSumsRight(b)) return undefined;
  // version 2 type 1, VHID not 0, authlen 7, demote 0, not a bow-out, the CARP checksum right
  const vhid = b[CARP + 1]!, advskew = b[CARP + 2]!, advbase = b[CARP + 5]!;
  if (b[CARP] !== 0x21 || vhid === 0 || b[CARP + 3] !== CARP_AUTHLEN || b[CARP + 4] !== 0) return undefined;
  if ((advbase === CARP_BOW_OUT && advskew === CARP_BOW_OUT) || !carpHeaderSumsRight(b)) return undefined;
  const src = peekU32(b, ETH + 12), dst = peekU32(b, ETH + 16);
  if (src !== lastSrc) { lastSrc = src; lane.ipSrc = ipv4Text(b, ETH + 12, src); }
  if (dst !== lastDst) { lastDst = dst; lane.ipDst = ipv4Text(b, ETH + 16, dst); }
  const macHi = (b[6]! << 8) | b[7]!, macLo = peekU32(b, 8);
  if (macHi !== lastMacHi || macLo !== lastMacLo) { lastMacHi = macHi; lastMacLo = macLo; lane.ethSrc = macText(b, 6, macHi, macLo); }
  lane.raw = raw;
  lane.vhid = vhid;
  lane.advskew = advskew;
  lane.advbase = advbase;
  const pair = lane.pair, md = pair.md, c = pair.counter;
  for (let i = 0; i < 8; i++) c[i] = b[CARP + 8 + i]!;
  pair.hi = peekI32(b, CARP + 8);
  pair.lo = peekI32(b, CARP + 12);
  md[0] = peekI32(b, CARP + 16); md[1] = peekI32(b, CARP + 20); md[2] = peekI32(b, CARP + 24); md[3] = peekI32(b, CARP + 28); md[4] = peekI32(b, CARP + 32);
  return lane;
}
