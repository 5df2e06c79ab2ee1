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

import type { FramePlace, RawFrame, RecordView } from '../kernel/frame.js';
import { CARP_AUTHLEN, CARP_BOW_OUT, CARP_DFLTTL, CARP_HEADER_LENGTH, u64Decimal } from './carp.js';
import { formatIPv4, formatMac, toHex } from './cursor.js';
import { ETHERTYPE_IPV4, IPPROTO_CARP, LINKTYPE_ETHERNET } from './dispatch-tables.js';

/** An advert's counter and HMAC as numbers (the lane's, reused: valid until the next readCarpLane()). */
export interface CarpPair {
  /** The HMAC's five big-endian 32-bit words (as analyze/carp/hmac.ts hexDigestWords gives them). */
  readonly md: Int32Array;
  /** The counter's 8 bytes (as counterBytes gives them), and its high and low word (signed, as Int32Array holds them). */
  readonly counter: Uint8Array;
  hi: number;
  lo: number;
}

/**
 * One lane frame, decoder-owned and reused: valid until the next readCarpLane() or
 * readCarpLaneRecord(). The frame's number, time and interface are fields of their own: a lane
 * read from a record (readCarpLaneRecord) has no frame until `raw` is read, which makes one (the
 * bytes copied, as the reader would have made it); per advert nothing reads it unless a finding
 * is raised.
 */
export interface CarpLane extends FramePlace {
  readonly raw: RawFrame;
  /** ip.src, ip.dst, eth.src, carp.counter and carp.hmac as the full decode formats them. */
  readonly ipSrc: string;
  readonly ipDst: string;
  readonly ethSrc: string;
  readonly vhid: number;
  readonly advskew: number;
  readonly advbase: number;
  /** carp.counter and carp.hmac as numbers (their texts: pairCounterText, pairHmacText). */
  readonly pair: CarpPair;
}

const ETH = 14;
const CARP = ETH + 20;
const FRAME_LENGTH = CARP + CARP_HEADER_LENGTH;

class Lane implements CarpLane {
  number = 0;
  tsSec = 0;
  tsNsec = 0;
  tsDigits = 0;
  linktype = 0;
  interfaceId = 0;
  ipSrc = '';
  ipDst = '';
  ethSrc = '';
  vhid = 0;
  advskew = 0;
  advbase = 0;
  readonly pair: CarpPair = { md: new Int32Array(5), counter: new Uint8Array(8), hi: 0, lo: 0 };
  /** The frame read (readCarpLane), or made of the record on first reading (readCarpLaneRecord). */
  frame: RawFrame | undefined = undefined;
  /** The record's bytes (readCarpLaneRecord; the reader's block, valid during the taker's call) and where the frame starts. */
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;

  get raw(): RawFrame {
    return (this.frame ??= {
      number: this.number, tsSec: this.tsSec, tsNsec: this.tsNsec, tsDigits: this.tsDigits, linktype: this.linktype,
      interfaceId: this.interfaceId, capturedLength: FRAME_LENGTH, originalLength: FRAME_LENGTH,
      data: this.bytes.slice(this.start, this.start + FRAME_LENGTH),
    });
  }
}

const lane = new Lane();

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

// The frame is read through a DataView over its buffer (the capture reader's block, so the same
// view serves every frame of it): the two checksums and every multi-byte field as 32- and 16-bit
// big-endian loads at the frame's offset, 14 loads for the two headers' 28 checksum words. Byte by
// byte (decode/checksum.ts onesSum's loop, then the same written out word by word) it was 112 byte
// loads, each bounds-checked: the lane's largest cost after the first touch of the bytes.
let viewBuffer: ArrayBufferLike | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** A DataView over `b`'s buffer (made once per buffer: a reader hands many frames of one block). */
function viewOf(b: Uint8Array): DataView<ArrayBufferLike> {
  const buf = b.buffer;
  if (buf !== viewBuffer) { viewBuffer = buf; view = new DataView(buf); }
  return view;
}

// A record's bytes are the reader's block, the same array for many records: its view is kept by
// the array itself (reading .buffer per frame, as viewOf does for a frame's own view, is a call
// into the runtime).
let recordBytes: Uint8Array | undefined;
let recordView: DataView<ArrayBufferLike> = view;

/** The one's-complement sum of the 32-bit word at `at` as two 16-bit halves. */
function halves(v: DataView<ArrayBufferLike>, at: number): number {
  const w = v.getInt32(at);
  return (w >>> 16) + (w & 0xffff);
}

// Each header has a fixed place and size (the IPv4 header at 14..33, the CARP header at 34..69);
// a sum of at most 18 16-bit words is below 2^21, so two folds reach 16 bits.
/** The IPv4 header's checksum is right (its 10 words sum to 0xffff); `o` is the frame's offset in the view. */
function ipv4HeaderSumsRight(v: DataView<ArrayBufferLike>, o: number): boolean {
  let s = halves(v, o + 14) + halves(v, o + 18) + halves(v, o + 22) + halves(v, o + 26) + halves(v, o + 30);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** The CARP header's checksum is right (its 18 words sum to 0xffff). */
function carpHeaderSumsRight(v: DataView<ArrayBufferLike>, o: number): boolean {
  let s = halves(v, o + 34) + halves(v, o + 38) + halves(v, o + 42) + halves(v, o + 46) + halves(v, o + 50) +
    halves(v, o + 54) + halves(v, o + 58) + halves(v, o + 62) + halves(v, o + 66);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** The frame as a lane frame, or undefined when it needs the full decode (see the top). */
export function readCarpLane(raw: RawFrame): CarpLane | undefined {
  const b = raw.data;
  if (raw.linktype !== LINKTYPE_ETHERNET || raw.timeOutOfRange !== undefined || b.length !== FRAME_LENGTH || raw.originalLength !== FRAME_LENGTH) return undefined;
  if (!readAdvert(b, 0, viewOf(b), b.byteOffset)) return undefined;
  const l = lane;
  l.frame = raw;
  l.number = raw.number; l.tsSec = raw.tsSec; l.tsNsec = raw.tsNsec; l.tsDigits = raw.tsDigits;
  l.linktype = raw.linktype; l.interfaceId = raw.interfaceId;
  return l;
}

/**
 * A record (kernel/frame.ts RecordView: the reader's bytes, before a frame is made) as a lane
 * frame, or undefined when it needs the full decode: readCarpLane without the frame. The
 * reader never offers a record whose time is out of range.
 */
export function readCarpLaneRecord(r: RecordView): CarpLane | undefined {
  if (r.linktype !== LINKTYPE_ETHERNET || r.capturedLength !== FRAME_LENGTH || r.originalLength !== FRAME_LENGTH) return undefined;
  const b = r.bytes;
  if (b !== recordBytes) { recordBytes = b; recordView = new DataView(b.buffer, b.byteOffset, b.byteLength); }
  if (!readAdvert(b, r.start, recordView, r.start)) return undefined;
  const l = lane;
  l.frame = undefined;
  l.bytes = r.bytes; l.start = r.start;
  l.number = r.number; l.tsSec = r.tsSec; l.tsNsec = r.tsNsec; l.tsDigits = r.tsDigits;
  l.linktype = r.linktype; l.interfaceId = r.interfaceId;
  return l;
}

/**
 * The advert at b[at, at + FRAME_LENGTH) into the lane's fields, when the lane takes it (see the
 * top); `v` is a view of b's bytes in which the frame starts at `o`.
 */
function readAdvert(b: Uint8Array, at: number, v: DataView<ArrayBufferLike>, o: number): boolean {
  if (v.getUint16(o + 12) !== ETHERTYPE_IPV4 || b[at + ETH] !== 0x45) return false;
  // total length 56, no fragment (DF allowed), TTL 255, protocol 112, the header checksum right
  if (v.getUint16(o + ETH + 2) !== 20 + CARP_HEADER_LENGTH) return false;
  if ((b[at + ETH + 6]! & 0xbf) !== 0 || b[at + ETH + 7] !== 0 || b[at + ETH + 8] !== CARP_DFLTTL || b[at + ETH + 9] !== IPPROTO_CARP) return false;
  if (!ipv4HeaderSumsRight(v, o)) return false;
  // version 2 type 1, VHID not 0, authlen 7, demote 0, not a bow-out, the CARP checksum right
  const vhid = b[at + CARP + 1]!, advskew = b[at + CARP + 2]!, advbase = b[at + CARP + 5]!;
  if (b[at + CARP] !== 0x21 || vhid === 0 || b[at + CARP + 3] !== CARP_AUTHLEN || b[at + CARP + 4] !== 0) return false;
  if ((advbase === CARP_BOW_OUT && advskew === CARP_BOW_OUT) || !carpHeaderSumsRight(v, o)) return false;
  const l = lane;
  const src = v.getUint32(o + ETH + 12), dst = v.getUint32(o + ETH + 16);
  if (src !== lastSrc) { lastSrc = src; l.ipSrc = ipv4Text(b, at + ETH + 12, src); }
  if (dst !== lastDst) { lastDst = dst; l.ipDst = ipv4Text(b, at + ETH + 16, dst); }
  const macHi = v.getUint16(o + 6), macLo = v.getUint32(o + 8);
  if (macHi !== lastMacHi || macLo !== lastMacLo) { lastMacHi = macHi; lastMacLo = macLo; l.ethSrc = macText(b, at + 6, macHi, macLo); }
  l.vhid = vhid;
  l.advskew = advskew;
  l.advbase = advbase;
  const pair = l.pair, md = pair.md, c = pair.counter;
  const hi = v.getInt32(o + CARP + 8), lo = v.getInt32(o + CARP + 12);
  c[0] = hi >>> 24; c[1] = hi >>> 16; c[2] = hi >>> 8; c[3] = hi; c[4] = lo >>> 24; c[5] = lo >>> 16; c[6] = lo >>> 8; c[7] = lo;
  pair.hi = hi;
  pair.lo = lo;
  md[0] = v.getInt32(o + CARP + 16); md[1] = v.getInt32(o + CARP + 20); md[2] = v.getInt32(o + CARP + 24);
  md[3] = v.getInt32(o + CARP + 28); md[4] = v.getInt32(o + CARP + 32);
  return true;
}
