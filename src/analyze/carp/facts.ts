// What the CARP analyzer reads from a decoded frame: the advert, VRRP adverts and the
// ARP / neighbour advertisements that reveal virtual addresses. Field ids only, never bytes.

import { findLayer, type DecodedFrame, type FieldValue, type Layer } from '../../decode/types.js';
import { timeOf, toSeconds, type PacketTime } from '../types.js';

export type AddressFamily = 'ipv4' | 'ipv6';

/**
 * The segment a frame was seen on: pcapng interface + link type, plus the VLAN ids when the
 * frame is tagged (two VLANs on one capture interface are two segments): "0/1", "0/1/vlan77",
 * "0/1/vlan100.77" (QinQ, outer first).
 */
export function linkOf(frame: DecodedFrame): string {
  const base = `${frame.raw.interfaceId}/${frame.raw.linktype}`;
  const vlans: number[] = [];
  for (const l of frame.layers) {
    if (l.proto !== 'vlan') continue;
    const id = l.fields['vlan.id'];
    if (typeof id === 'number') vlans.push(id);
  }
  return vlans.length > 0 ? `${base}/vlan${vlans.join('.')}` : base;
}

export interface AdvertFacts {
  readonly frame: number;
  readonly ts: PacketTime;
  readonly t: number;
  readonly link: string;
  readonly af: AddressFamily;
  readonly src: string;
  readonly dst: string;
  readonly ttl: number | undefined;
  readonly ethSrc: string | undefined;
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
  /** False for adverts receivers drop before the state machine (bad checksum, version, truncated, TTL). */
  readonly acceptable: boolean;
}

function num(layer: Layer | undefined, id: string): number | undefined {
  const v = layer?.fields[id];
  return typeof v === 'number' ? v : undefined;
}

function str(layer: Layer | undefined, id: string): string | undefined {
  const v: FieldValue | undefined = layer?.fields[id];
  return typeof v === 'string' ? v : undefined;
}

function isMulticast(addr: string): boolean {
  if (addr.includes(':')) return addr.toLowerCase().startsWith('ff');
  const first = Number(addr.split('.')[0]);
  return first >= 224 && first <= 239;
}

export function advertOf(frame: DecodedFrame): AdvertFacts | undefined {
  const carp = findLayer(frame, 'carp');
  if (!carp) return undefined;
  const vhid = num(carp, 'carp.vhid');
  if (vhid === undefined) return undefined;
  const v4 = findLayer(frame, 'ipv4');
  const v6 = findLayer(frame, 'ipv6');
  const af: AddressFamily = frame.ip ? (frame.ip.version === 6 ? 'ipv6' : 'ipv4') : v6 ? 'ipv6' : 'ipv4';
  const src = frame.ip?.src ?? str(af === 'ipv6' ? v6 : v4, af === 'ipv6' ? 'ipv6.src' : 'ip.src') ?? '?';
  const dst = frame.ip?.dst ?? str(af === 'ipv6' ? v6 : v4, af === 'ipv6' ? 'ipv6.dst' : 'ip.dst') ?? '?';
  const ttl = frame.ip?.ttl ?? num(af === 'ipv6' ? v6 : v4, af === 'ipv6' ? 'ipv6.hlim' : 'ip.ttl');
  const version = num(carp, 'carp.version');
  const checksumBad = carp.fields['carp.checksum.status'] === 'bad';
  const ttlBad = ttl !== undefined && ttl !== 255 && isMulticast(dst);
  const advbase = num(carp, 'carp.adver_int');
  const advskew = num(carp, 'carp.advskew');
  const acceptable = carp.status === 'ok' && !checksumBad && !ttlBad && (version === undefined || version === 2)
    && advbase !== undefined && advskew !== undefined;
  const ts = timeOf(frame);
  return {
    frame: frame.raw.number,
    ts,
    t: toSeconds(ts),
    link: linkOf(frame),
    af,
    src,
    dst,
    ttl,
    ethSrc: str(findLayer(frame, 'eth'), 'eth.src'),
    vhid,
    version,
    type: num(carp, 'carp.type'),
    advbase: advbase ?? 0,
    advskew: advskew ?? 0,
    demote: num(carp, 'carp.demotion') ?? 0,
    counter: str(carp, 'carp.counter'),
    hmac: str(carp, 'carp.hmac'),
    acceptable,
  };
}

export interface VrrpFacts {
  readonly frame: number;
  readonly ts: PacketTime;
  readonly link: string;
  readonly af: AddressFamily;
  readonly src: string;
  readonly vrid: number;
  readonly version: number | undefined;
  readonly addresses: readonly string[];
}

export function vrrpOf(frame: DecodedFrame): VrrpFacts | undefined {
  const vrrp = findLayer(frame, 'vrrp');
  if (!vrrp) return undefined;
  const vrid = num(vrrp, 'vrrp.virt_rtr_id');
  if (vrid === undefined) return undefined;
  const raw = vrrp.fields['vrrp.ip_addr'];
  const addresses = Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : typeof raw === 'string' ? [raw] : [];
  const af: AddressFamily = frame.ip?.version === 6 || findLayer(frame, 'ipv6') ? 'ipv6' : 'ipv4';
  return {
    frame: frame.raw.number,
    ts: timeOf(frame),
    link: linkOf(frame),
    af,
    src: frame.ip?.src ?? str(findLayer(frame, af === 'ipv6' ? 'ipv6' : 'ipv4'), af === 'ipv6' ? 'ipv6.src' : 'ip.src') ?? '?',
    vrid,
    version: num(vrrp, 'vrrp.version'),
    addresses,
  };
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
  const ethSrc = str(eth, 'eth.src');
  const arp = findLayer(frame, 'arp');
  if (arp) {
    const op = num(arp, 'arp.opcode');
    const spa = str(arp, 'arp.src.proto_ipv4');
    const tpa = str(arp, 'arp.dst.proto_ipv4');
    const sha = str(arp, 'arp.src.hw_mac') ?? ethSrc;
    if (!spa || spa === '0.0.0.0') return undefined;
    const gratuitous = arp.fields['arp.isgratuitous'] === true || (tpa !== undefined && spa === tpa);
    if (gratuitous) return { frame: frame.raw.number, link: linkOf(frame), address: spa, mac: sha, how: 'gratuitous_arp' };
    if (op === 2) return { frame: frame.raw.number, link: linkOf(frame), address: spa, mac: sha, how: 'arp_reply' };
    return undefined;
  }
  const icmp6 = findLayer(frame, 'icmpv6');
  if (icmp6 && num(icmp6, 'icmpv6.type') === 136) {
    const solicited = icmp6.fields['icmpv6.nd.na.flag.s'];
    if (solicited === true || solicited === 1) return undefined;
    const target = str(icmp6, 'icmpv6.nd.na.target_address');
    if (!target) return undefined;
    const mac = str(icmp6, 'icmpv6.opt.target_linkaddr') ?? str(icmp6, 'icmpv6.opt.linkaddr') ?? ethSrc;
    return { frame: frame.raw.number, link: linkOf(frame), address: target, mac, how: 'unsolicited_na' };
  }
  return undefined;
}
