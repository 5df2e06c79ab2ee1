// What the CARP analyzer reads from a decoded frame: the advert, VRRP adverts and the
// ARP / neighbour advertisements that reveal virtual addresses. Field ids only, never bytes.

import { type DecodedFrame } from '../../decode/types.js';
import { findLayer, fieldNum, fieldStr } from '../../decode/fields.js';
import { advertLayerOf, extendFacts, linkOf, type AdvertBase } from '../facts.js';
import { pairCounterText, pairHmacText, type CarpLane, type CarpPair } from '../../decode/carp-lane.js';
import { CARP_ADVERTISEMENT, CARP_DFLTTL, CARP_VERSION } from '../../decode/carp.js';
import type { PacketTime } from '../../kernel/time.js';
import { peekI32 } from '../../decode/module.js';
import { counterBytes, hexDigestWords } from './hmac.js';

// Shared with the VRRP analyzer (analyze/facts.ts); re-exported for the CARP modules.
export { linkOf, vrrpOf, type AddressFamily } from '../facts.js';

export interface AdvertFacts extends AdvertBase {
  readonly vhid: number;
  readonly version: number | undefined;
  readonly type: number | undefined;
  readonly advbase: number;
  readonly advskew: number;
  readonly demote: number;
  /** Decimal string of the u64 counter, when the layer got that far. */
  readonly counter: string | undefined;
  /** 40 hex digits, when present. */
  readonly hmac: string | undefined;
  /**
   * `counter` and `hmac` as numbers, what the HMAC check and the replay check read; undefined
   * unless both are whole (a u64, 40 hex digits). advertOf parses them once; a lane advert has the
   * lane's arrays (decode/carp-lane.ts), valid only while it is analysed (a held advert gets its
   * own copy: LaneAdvertFacts.detached).
   */
  readonly parsed: CarpPair | undefined;
}

/** Not acceptable: bad checksum, version, cut short, multicast TTL other than 255. */
export function advertOf(frame: DecodedFrame): AdvertFacts | undefined {
  const advert = advertLayerOf(frame, 'carp');
  if (!advert) return undefined;
  const { layer: carp, group: vhid, version, ip } = advert;
  const advbase = fieldNum(carp, 'carp.adver_int');
  const advskew = fieldNum(carp, 'carp.advskew');
  const acceptable = advert.sound && (version === undefined || version === 2)
    && advbase !== undefined && advskew !== undefined;
  const ad = extendFacts<AdvertFacts>(ip);
  ad.vhid = vhid;
  ad.version = version;
  ad.type = fieldNum(carp, 'carp.type');
  ad.advbase = advbase ?? 0;
  ad.advskew = advskew ?? 0;
  ad.demote = fieldNum(carp, 'carp.demotion') ?? 0;
  ad.counter = fieldStr(carp, 'carp.counter');
  ad.hmac = fieldStr(carp, 'carp.hmac');
  ad.parsed = carpPairOf(ad.counter, ad.hmac); // the same fields in the same order as a lane advert's (one object shape)
  ad.acceptable = acceptable;
  return ad;
}

/** carp.counter and carp.hmac as a pair of its own, undefined unless both are whole. */
function carpPairOf(counter: string | undefined, hmac: string | undefined): CarpPair | undefined {
  if (counter === undefined || hmac === undefined) return undefined;
  const md = hexDigestWords(hmac), c = counterBytes(counter);
  return md && c ? { md, counter: c, hi: peekI32(c, 0), lo: peekI32(c, 4) } : undefined;
}

/**
 * A lane advert's facts (decode/carp-lane.ts): what advertOf gives for its full decode, field
 * for field, with carp.counter and carp.hmac as texts made on first reading, from this object's
 * own copy of the numbers (the lane's arrays are reused; `parsed` is valid only while the advert
 * is analysed). Per advert nothing reads them unless a finding or the wordlist audit does.
 */
export class LaneAdvertFacts implements AdvertFacts {
  readonly af = 'ipv4' as const;
  readonly ttl = CARP_DFLTTL;
  readonly version = CARP_VERSION;
  readonly type = CARP_ADVERTISEMENT;
  readonly demote = 0;
  readonly acceptable = true;
  readonly src: string;
  readonly dst: string;
  readonly ethSrc: string;
  readonly vhid: number;
  readonly advbase: number;
  readonly advskew: number;
  readonly parsed: CarpPair;
  private readonly hi: number;
  private readonly lo: number;
  private readonly m0: number;
  private readonly m1: number;
  private readonly m2: number;
  private readonly m3: number;
  private readonly m4: number;
  private counterText: string | undefined = undefined;
  private hmacText: string | undefined = undefined;

  constructor(lane: CarpLane, readonly frame: number, readonly ts: PacketTime, readonly t: number, readonly link: string) {
    this.src = lane.ipSrc;
    this.dst = lane.ipDst;
    this.ethSrc = lane.ethSrc;
    this.vhid = lane.vhid;
    this.advbase = lane.advbase;
    this.advskew = lane.advskew;
    const p = lane.pair, md = p.md;
    this.parsed = p;
    this.hi = p.hi; this.lo = p.lo;
    this.m0 = md[0]!; this.m1 = md[1]!; this.m2 = md[2]!; this.m3 = md[3]!; this.m4 = md[4]!;
  }

  get counter(): string {
    return (this.counterText ??= pairCounterText(this.hi, this.lo));
  }

  get hmac(): string {
    return (this.hmacText ??= pairHmacText(this.m0, this.m1, this.m2, this.m3, this.m4));
  }

  /** The same facts as a plain object with its own copy of the numbers: for a held advert, which outlives its frame. */
  detached(): AdvertFacts {
    const counter = new Uint8Array(8);
    const v = new DataView(counter.buffer);
    v.setInt32(0, this.hi); v.setInt32(4, this.lo);
    const parsed: CarpPair = { md: Int32Array.of(this.m0, this.m1, this.m2, this.m3, this.m4), counter, hi: this.hi, lo: this.lo };
    return {
      frame: this.frame, ts: this.ts, t: this.t, link: this.link, af: this.af, src: this.src, dst: this.dst, ttl: this.ttl,
      ethSrc: this.ethSrc, vhid: this.vhid, version: this.version, type: this.type, advbase: this.advbase,
      advskew: this.advskew, demote: this.demote, counter: this.counter, hmac: this.hmac, parsed, acceptable: true,
    };
  }
}

/** An address some host announced as its own (gratuitous ARP, ARP reply, unsolicited NA). */
export interface AddressAnnouncement {
  readonly frame: number;
  readonly link: string;
  readonly address: string;
  /** The link-layer address announced for it (or the Ethernet source). */
  readonly mac: string | undefined;
  readonly how: 'gratuitous_arp' | 'arp_reply' | 'unsolicited_na';
}

export function announcementOf(frame: DecodedFrame): AddressAnnouncement | undefined {
  const eth = findLayer(frame, 'eth');
  const ethSrc = fieldStr(eth, 'eth.src');
  const arp = findLayer(frame, 'arp');
  if (arp) {
    const op = fieldNum(arp, 'arp.opcode');
    const spa = fieldStr(arp, 'arp.src.proto_ipv4');
    const tpa = fieldStr(arp, 'arp.dst.proto_ipv4');
    const sha = fieldStr(arp, 'arp.src.hw_mac') ?? ethSrc;
    if (!spa || spa === '0.0.0.0') return undefined;
    const gratuitous = arp.fields['arp.isgratuitous'] === true || (tpa !== undefined && spa === tpa);
    if (gratuitous) return { frame: frame.raw.number, link: linkOf(frame), address: spa, mac: sha, how: 'gratuitous_arp' };
    if (op === 2) return { frame: frame.raw.number, link: linkOf(frame), address: spa, mac: sha, how: 'arp_reply' };
    return undefined;
  }
  const icmp6 = findLayer(frame, 'icmpv6');
  if (icmp6 && fieldNum(icmp6, 'icmpv6.type') === 136) {
    const solicited = icmp6.fields['icmpv6.nd.na.flag.s'];
    if (solicited === true || solicited === 1) return undefined;
    const target = fieldStr(icmp6, 'icmpv6.nd.na.target_address');
    if (!target) return undefined;
    const mac = fieldStr(icmp6, 'icmpv6.opt.target_linkaddr') ?? fieldStr(icmp6, 'icmpv6.opt.linkaddr') ?? ethSrc;
    return { frame: frame.raw.number, link: linkOf(frame), address: target, mac, how: 'unsolicited_na' };
  }
  return undefined;
}
