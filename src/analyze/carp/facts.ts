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
 * for field, with carp.counter and carp.hmac as texts made on first reading from `parsed`, the
 * lane's numbers, and the packet time as an object made on first reading (`ts`: findings and a
 * change of master read it; per advert the analysis reads `t`, and a source's last time is
 * copied as numbers: copyTime). One object per analyzer, rewritten per lane advert (of()), like
 * the lane's own struct: all of it is valid only while the advert is analysed; a held advert gets
 * its own copy (detached). The fields every lane advert shares (af, TTL, version, type, demote,
 * acceptable) are on the prototype. (One object of 13 fields and a packet time per advert were
 * ~150 bytes of the ~630 each advert allocated.)
 */
export class LaneAdvertFacts implements AdvertFacts {
  declare readonly af: 'ipv4';
  declare readonly ttl: number;
  declare readonly version: number;
  declare readonly type: number;
  declare readonly demote: number;
  declare readonly acceptable: boolean;
  frame = 0;
  t = 0;
  link = '';
  src = '';
  dst = '';
  ethSrc = '';
  vhid = 0;
  advbase = 0;
  advskew = 0;
  /** The packet time's parts (raw.tsSec, tsNsec, tsDigits); `ts` makes the object of them when read. */
  sec = 0;
  nsec = 0;
  digits = 0;
  private time: PacketTime | undefined = undefined;
  private counterText: string | undefined = undefined;
  private hmacText: string | undefined = undefined;

  /** The lane's pair (decode/carp-lane.ts: the same arrays frame after frame). */
  parsed: CarpPair;

  constructor(lane: CarpLane) { this.parsed = lane.pair; }

  /** These facts made those of `lane`, seen on `link`. */
  of(lane: CarpLane, link: string): this {
    this.parsed = lane.pair;
    this.frame = lane.number;
    this.sec = lane.tsSec;
    this.nsec = lane.tsNsec;
    this.digits = lane.tsDigits;
    this.t = lane.tsSec + lane.tsNsec / 1e9; // toSeconds(timeOf(lane.raw))
    this.link = link;
    this.src = lane.ipSrc;
    this.dst = lane.ipDst;
    this.ethSrc = lane.ethSrc;
    this.vhid = lane.vhid;
    this.advbase = lane.advbase;
    this.advskew = lane.advskew;
    this.time = undefined;
    this.counterText = undefined;
    this.hmacText = undefined;
    return this;
  }

  get ts(): PacketTime {
    return (this.time ??= { sec: this.sec, nsec: this.nsec, digits: this.digits });
  }

  get counter(): string {
    return (this.counterText ??= pairCounterText(this.parsed.hi, this.parsed.lo));
  }

  get hmac(): string {
    const md = this.parsed.md;
    return (this.hmacText ??= pairHmacText(md[0]!, md[1]!, md[2]!, md[3]!, md[4]!));
  }

  /** The same facts as a plain object with its own copy of the numbers: for a held advert, which outlives its frame. */
  detached(): AdvertFacts {
    const p = this.parsed;
    const parsed: CarpPair = { md: Int32Array.from(p.md), counter: Uint8Array.from(p.counter), hi: p.hi, lo: p.lo };
    return {
      frame: this.frame, ts: this.ts, t: this.t, link: this.link, af: this.af, src: this.src, dst: this.dst, ttl: this.ttl,
      ethSrc: this.ethSrc, vhid: this.vhid, version: this.version, type: this.type, advbase: this.advbase,
      advskew: this.advskew, demote: this.demote, counter: this.counter, hmac: this.hmac, parsed, acceptable: true,
    };
  }
}

/** A packet time that its owner rewrites (a source's last advert: copyTime). */
export interface MutableTime { sec: number; nsec: number; digits: number }

/** The advert's packet time into `out`: a lane advert's parts, with no PacketTime made for them. */
export function copyTime(out: MutableTime, ad: AdvertFacts): void {
  if (ad instanceof LaneAdvertFacts) { out.sec = ad.sec; out.nsec = ad.nsec; out.digits = ad.digits; return; }
  const t = ad.ts;
  out.sec = t.sec; out.nsec = t.nsec; out.digits = t.digits;
}

// what every lane advert is (readCarpLane takes no other): IPv4, TTL 255, CARP v2 advert, demote 0
Object.defineProperties(LaneAdvertFacts.prototype, {
  af: { value: 'ipv4' }, ttl: { value: CARP_DFLTTL }, version: { value: CARP_VERSION }, type: { value: CARP_ADVERTISEMENT },
  demote: { value: 0 }, acceptable: { value: true },
});

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
