// The pfsync lane: the bulk of a pfsync stream — Ethernet, plain IPv4, pfsync v6 packets of UPD_C
// (the steady state) and UPD (a bulk update's states) sections only — read straight from the bytes into numbers, with no frame, layer, field
// record or message object, for runs where nothing prints the frame (-q: the pipeline's
// PipelineConfig.pfsyncLane, the analyzers' onPfsyncLane). Everything else (VLAN tags, IP options,
// fragments, a TTL other than 255, a bad checksum, legacy or v5 pfsync, any other action, a cut
// or overrunning section, trailing bytes) returns undefined and takes the full decode: the lane
// takes exactly the frames whose full decode (DecodeOptions.pfsyncAnalysisOnly) has the layers
// eth / ipv4 / pfsync, no annotation and nothing but whole UPD_C and UPD messages, and gives the
// analyzers the same values (test/analyze/pfsync/lane.test.ts compares the two on every capture).
//
//   0 eth dst | 6 eth src | 12 type 0x0800 | 14 IPv4 0x45 ... ttl 255, proto 240 | 34 pfsync v6
//   header (20 B: version, pad, len, pfcksum[16]) | subheaders (action 4, len in words, count) and
//   UPD_C messages (84 B: id 8, src peer 32 (seqlo at 8, state at 24), dst peer 32, creatorid 4, expire 4,
//   timeout 1, state_flags 1, pad 2) or UPD full states (264 B: keys, rule, ..., id at 0, src peer at
//   104, dst peer at 136, creatorid at 236, proto at 251; decode/pfsync/state.ts)

import type { RawFrame } from '../../kernel/frame.js';
import { checksumVerifies } from '../checksum.js';
import { formatIPv4, formatMac, toHex } from '../cursor.js';
import { ETHERTYPE_IPV4, IPPROTO_PFSYNC, LINKTYPE_ETHERNET } from '../dispatch-tables.js';
import { peekU32 } from '../module.js';
import { actionDef } from './actions.js';
import { PFSYNC_DFLTTL } from './constants.js';

/** u32 words per message in PfsyncLane.words, and their offsets (protocol: UPD only, else 0). */
export const LANE_WORDS = 8;
export const LANE_CID = 0, LANE_IDH = 1, LANE_IDL = 2, LANE_SRC_SEQLO = 3, LANE_DST_SEQLO = 4, LANE_SRC_STATE = 5, LANE_DST_STATE = 6, LANE_PROTO = 7;

/** One lane frame, decoder-owned and reused: valid until the next readPfsyncLane(). */
export interface PfsyncLane {
  raw: RawFrame;
  /** ip.src, ip.dst, eth.src and pfsync.cksum as the full decode formats them. */
  ipSrc: string;
  ipDst: string;
  ethSrc: string;
  cksum: string;
  /** Sections in the packet, the action (LANE_UPD_C, LANE_UPD) and messages of each ([0 .. sections)). */
  sections: number;
  readonly sectionActions: number[];
  readonly sectionCounts: number[];
  /** All messages of the packet, in order. */
  messages: number;
  /** LANE_WORDS words per message: creator id, state id high and low, src/dst seqlo, src/dst state, protocol. */
  words: Uint32Array;
}

/** The actions a lane frame carries: OpenBSD v6 UPD_C and UPD (openbsd-v6 full states). */
export const LANE_UPD_C = 4;
export const LANE_UPD = 14;
const UPD_C_V6 = actionDef('openbsd-v6', LANE_UPD_C)!;
const UPD_V6 = actionDef('openbsd-v6', LANE_UPD)!;
/** Their names and full-state format, as the full decode gives them. */
export const LANE_UPD_C_NAME = UPD_C_V6.name;
export const LANE_UPD_NAME = UPD_V6.name;
export const LANE_FORMAT = UPD_V6.format!;
/** Offsets in a message: src peer, creator id. */
const UPD_C_PEERS = 8, UPD_C_CREATOR = 72, UPD_PEERS = 104, UPD_CREATOR = 236, UPD_PROTO = 251;
const ETH = 14;
const PF = ETH + 20;

const lane: PfsyncLane = {
  raw: undefined as unknown as RawFrame, ipSrc: '', ipDst: '', ethSrc: '', cksum: '',
  sections: 0, sectionActions: [], sectionCounts: [], messages: 0, words: new Uint32Array(64 * LANE_WORDS),
};

// One-entry caches: a stream repeats its addresses and ruleset checksum, so the text is made once
// (and is the same string each frame, which the analyzers compare by identity first).
let lastSrc = -1, lastDst = -1, lastMacHi = -1, lastMacLo = -1;
const lastCksum = new Uint8Array(16);
let cksumKnown = false;

function cksumText(b: Uint8Array, at: number): string {
  if (cksumKnown) {
    let same = true;
    for (let i = 0; i < 16; i++) if (b[at + i] !== lastCksum[i]) { same = false; break; }
    if (same) return lane.cksum;
  }
  for (let i = 0; i < 16; i++) lastCksum[i] = b[at + i]!;
  cksumKnown = true;
  return toHex(b, at, at + 16);
}

/** The frame as a lane frame, or undefined when it needs the full decode (see the top). */
export function readPfsyncLane(raw: RawFrame): PfsyncLane | undefined {
  const b = raw.data;
  const n = b.length;
  if (raw.linktype !== LINKTYPE_ETHERNET || raw.timeOutOfRange !== undefined || raw.originalLength > n || n < PF + 24) return undefined;
  if (((b[12]! << 8) | b[13]!) !== ETHERTYPE_IPV4 || b[ETH] !== 0x45) return undefined;
  // no fragment (DF allowed), TTL 255, pfsync; the header checksum right
  if ((b[ETH + 6]! & 0xbf) !== 0 || b[ETH + 7] !== 0 || b[ETH + 8] !== PFSYNC_DFLTTL || b[ETH + 9] !== IPPROTO_PFSYNC) return undefined;
  const total = (b[ETH + 2]! << 8) | b[ETH + 3]!;
  if (total < 40 || ETH + total > n || !checksumVerifies(b, ETH, ETH + 20)) return undefined;
  const src = peekU32(b, ETH + 12);
  if (src === 0) return undefined; // the OpenBSD 7.4+ pfsync0 tap's 0.0.0.0: the analyzer's local-host case
  // pfsync v6, len exactly the IP payload
  if (b[PF] !== 6 || ((b[PF + 2]! << 8) | b[PF + 3]!) !== total - 20) return undefined;
  const end = ETH + total;
  let p = PF + 20;
  let sections = 0;
  let messages = 0;
  const actions = lane.sectionActions;
  const counts = lane.sectionCounts;
  // First pass: the shape (nothing is written but the section actions and counts).
  while (p < end) {
    if (p + 4 > end) return undefined;
    const action = b[p]!;
    const mlen = b[p + 1]! * 4;
    const count = (b[p + 2]! << 8) | b[p + 3]!;
    if (action === LANE_UPD_C ? mlen < UPD_C_V6.size : action !== LANE_UPD || mlen < UPD_V6.size) return undefined;
    if (p + 4 + count * mlen > end) return undefined;
    actions[sections] = action;
    counts[sections++] = count;
    messages += count;
    p += 4 + count * mlen;
  }
  let words = lane.words;
  if (words.length < messages * LANE_WORDS) words = lane.words = new Uint32Array(messages * 2 * LANE_WORDS);
  p = PF + 20;
  let w = 0;
  for (let s = 0; s < sections; s++) {
    const mlen = b[p + 1]! * 4;
    const count = counts[s]!;
    const full = actions[s] === LANE_UPD;
    const peers = full ? UPD_PEERS : UPD_C_PEERS;
    const creator = full ? UPD_CREATOR : UPD_C_CREATOR;
    p += 4;
    for (let k = 0; k < count; k++, p += mlen, w += LANE_WORDS) {
      words[w + LANE_CID] = peekU32(b, p + creator);
      words[w + LANE_IDH] = peekU32(b, p);
      words[w + LANE_IDL] = peekU32(b, p + 4);
      // a peer: seqlo at 8, state at 24; the dst peer 32 bytes after the src peer
      words[w + LANE_SRC_SEQLO] = peekU32(b, p + peers + 8);
      words[w + LANE_DST_SEQLO] = peekU32(b, p + peers + 40);
      words[w + LANE_SRC_STATE] = b[p + peers + 24]!;
      words[w + LANE_DST_STATE] = b[p + peers + 56]!;
      words[w + LANE_PROTO] = full ? b[p + UPD_PROTO]! : 0;
    }
  }
  const dst = peekU32(b, ETH + 16);
  if (src !== lastSrc) { lastSrc = src; lane.ipSrc = formatIPv4(b, ETH + 12); }
  if (dst !== lastDst) { lastDst = dst; lane.ipDst = formatIPv4(b, ETH + 16); }
  const macHi = (b[6]! << 16) | (b[7]! << 8) | b[8]!, macLo = (b[9]! << 16) | (b[10]! << 8) | b[11]!;
  if (macHi !== lastMacHi || macLo !== lastMacLo) { lastMacHi = macHi; lastMacLo = macLo; lane.ethSrc = formatMac(b, 6); }
  lane.cksum = cksumText(b, PF + 4);
  lane.raw = raw;
  lane.sections = sections;
  lane.messages = messages;
  return lane;
}
