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
 * lane's numbers. Those are reused by the next lane frame, so all of it is valid only while the
 * advert is analysed (per advert nothing reads the texts unless a finding or the wordlist audit
 * does); a held advert gets its own copy (detached). The fields every lane advert shares (af,
 * TTL, version, type, demote, acceptable) are on the prototype: one object per advert of 13
 * fields, not 27 (the counter's and HMAC's seven words were copies, each a heap number when
 * it is beyond 30 bits).
 */
export class LaneAdvertFacts implements AdvertFacts {
  declare readonly af: 'ipv4';
  declare readonly ttl: number;
  declare readonly version: number;
  declare readonly type: number;
  declare readonly demote: number;
  declare readonly acceptable: boolean;
  readonly src: string;
  readonly dst: string;
  readonly ethSrc: string;
  readonly vhid: number;
  readonly advbase: number;
  readonly advskew: number;
  readonly parsed: CarpPair;
  private counterText: string | undefined = undefined;
  private hmacText: string | undefined = undefined;

  constructor(lane: CarpLane, readonly frame: number, readonly ts: PacketTime, readonly t: number, readonly link: string) {
    this.src = lane.ipSrc;
    this.dst = lane.ipDst;
    this.ethSrc = lane.ethSrc;
    this.vhid = lane.vhid;
    this.advbase = lane.advbase;
    this.advskew = lane.advskew;
    this.parsed = lane.pair;
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
