// What analyzers read from a decoded frame that is not one protocol's business: the segment a
// frame was seen on, field lookups, and the VRRP advert (read by the VRRP election tracker and
// by the CARP analyzer, which reports a VRRP router on a CARP VHID). Field ids only, never bytes.

import { findLayer, type DecodedFrame, type FieldValue, type Layer } from '../decode/types.js';
import { timeOf, toSeconds, type PacketTime } from './types.js';

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

export function num(layer: Layer | undefined, id: string): number | undefined {
  const v = layer?.fields[id];
  return typeof v === 'number' ? v : undefined;
}

export function str(layer: Layer | undefined, id: string): string | undefined {
  const v: FieldValue | undefined = layer?.fields[id];
  return typeof v === 'string' ? v : undefined;
}

export function isMulticast(addr: string): boolean {
  if (addr.includes(':')) return addr.toLowerCase().startsWith('ff');
  const first = Number(addr.split('.')[0]);
  return first >= 224 && first <= 239;
}

export interface VrrpFacts {
  readonly frame: number;
  readonly ts: PacketTime;
  /** Packet time in seconds. */
  readonly t: number;
  readonly link: string;
  readonly af: AddressFamily;
  readonly src: string;
  readonly vrid: number;
  readonly version: number | undefined;
  readonly addresses: readonly string[];
  /** 0 = the master stops (RFC 3768 5.3.4), 255 = the address owner. */
  readonly priority: number | undefined;
  /** v2 Adver Int (s); v3 Max Adver Int (centiseconds) / 100. */
  readonly intervalSeconds: number | undefined;
  readonly ethSrc: string | undefined;
  /** False for adverts receivers drop before the state machine (checksum, TTL, version, type, cut short, fragment). */
  readonly acceptable: boolean;
}

export function vrrpOf(frame: DecodedFrame): VrrpFacts | undefined {
  const vrrp = findLayer(frame, 'vrrp');
  if (!vrrp) return undefined;
  const vrid = num(vrrp, 'vrrp.virt_rtr_id');
  if (vrid === undefined) return undefined;
  const raw = vrrp.fields['vrrp.ip_addr'];
  const addresses = Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : typeof raw === 'string' ? [raw] : [];
  const af: AddressFamily = frame.ip?.version === 6 || findLayer(frame, 'ipv6') ? 'ipv6' : 'ipv4';
  const ipLayer = findLayer(frame, af === 'ipv6' ? 'ipv6' : 'ipv4');
  const version = num(vrrp, 'vrrp.version');
  const v2Interval = num(vrrp, 'vrrp.adver_int');
  const v3Centis = num(vrrp, 'vrrp.short_adver_int');
  const intervalSeconds = version === 2 ? v2Interval : version === 3 && v3Centis !== undefined ? v3Centis / 100 : undefined;
  const priority = num(vrrp, 'vrrp.prio');
  const ttl = frame.ip?.ttl ?? num(ipLayer, af === 'ipv6' ? 'ipv6.hlim' : 'ip.ttl');
  const acceptable = vrrp.status === 'ok' && vrrp.fields['vrrp.checksum.status'] !== 'bad' && (ttl === undefined || ttl === 255)
    && (version === 2 || version === 3) && num(vrrp, 'vrrp.type') === 1 && priority !== undefined
    && intervalSeconds !== undefined && intervalSeconds > 0 && !(frame.ip?.fragmented ?? false);
  const ts = timeOf(frame);
  return {
    frame: frame.raw.number,
    ts,
    t: toSeconds(ts),
    link: linkOf(frame),
    af,
    src: frame.ip?.src ?? str(ipLayer, af === 'ipv6' ? 'ipv6.src' : 'ip.src') ?? '?',
    vrid,
    version,
    addresses,
    priority,
    intervalSeconds,
    ethSrc: str(findLayer(frame, 'eth'), 'eth.src'),
    acceptable,
  };
}
