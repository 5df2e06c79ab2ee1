// One-line summaries of the frames shown for context (ARP, IPv6 neighbour discovery) and the
// fallback for anything else with -A, tcpdump-like.

import { asLayerOf, fieldNum, fieldStr, numOf } from '../../decode/fields.js';
import { problemMarks, textOf, type LineContext } from './common.js';

/** `ARP, Request who-has 10.77.0.100 tell 10.77.0.1, length 28` / `ARP, Reply 10.77.0.100 is-at 00:00:5e:00:01:07, length 28` */
export function renderArpLine(ctx: LineContext): string {
  const arp = asLayerOf(ctx.layer, 'arp');
  const op = fieldNum(arp, 'arp.opcode');
  const spa = textOf(arp?.fields['arp.src.proto_ipv4']) ?? '?';
  const tpa = textOf(arp?.fields['arp.dst.proto_ipv4']) ?? '?';
  const sha = textOf(arp?.fields['arp.src.hw_mac']) ?? '?';
  const length = ctx.frame.raw.originalLength - ctx.layer.offset;
  let s: string;
  if (op === 1) s = `ARP, Request who-has ${tpa} tell ${spa}`;
  else if (op === 2) s = `ARP, Reply ${spa} is-at ${sha}`;
  else s = `ARP, opcode ${op ?? '?'}`;
  return `${s}, length ${length}${carpVipMark(ctx, 'arp')}${problemMarks(ctx)}`;
}

/** ` [vip of vhid 7]` / ` [vip candidate]`: the CARP analysis took this announcement as a (candidate) virtual address. */
function carpVipMark(ctx: LineContext, proto: 'arp' | 'icmpv6'): string {
  const d = ctx.frame.derived;
  if (d[`${proto}.carp.vip_candidate`] === undefined) return '';
  const vhid = numOf(d[`${proto}.carp.vhid`]);
  return vhid === undefined ? ' [vip candidate]' : ` [vip of vhid ${vhid}]`;
}

const ICMP6_TYPES: Readonly<Record<number, string>> = {
  133: 'router solicitation', 134: 'router advertisement', 135: 'neighbor solicitation',
  136: 'neighbor advertisement', 137: 'redirect',
};

/** `ICMP6, neighbor advertisement, tgt is fd00:77::53, length 32` */
export function renderIcmpv6Line(ctx: LineContext): string {
  const icmp6 = asLayerOf(ctx.layer, 'icmpv6');
  const f = icmp6?.fields ?? {};
  const type = fieldNum(icmp6, 'icmpv6.type');
  let s = `ICMP6, ${type !== undefined ? ICMP6_TYPES[type] ?? `type ${type}` : 'type ?'}`;
  const target = textOf(f['icmpv6.nd.na.target_address'] ?? f['icmpv6.nd.ns.target_address']);
  if (target !== undefined) s += `, tgt is ${target}`;
  const length = ctx.frame.ip?.payloadLength ?? ctx.frame.raw.originalLength - ctx.layer.offset;
  return `${s}, length ${length}${carpVipMark(ctx, 'icmpv6')}${problemMarks(ctx)}`;
}

function hex8(v: number | undefined): string {
  return v === undefined ? '?' : `0x${v.toString(16).padStart(8, '0')}`;
}

/** `ESP(spi=0x00001000,seq=0x1), length 116` (tcpdump) — pfsync protected by IPsec shows as this. */
export function renderEspLine(ctx: LineContext): string {
  const esp = asLayerOf(ctx.layer, 'esp');
  const seq = fieldNum(esp, 'esp.sequence');
  const length = ctx.frame.raw.originalLength - ctx.layer.offset;
  return `ESP(spi=${hex8(fieldNum(esp, 'esp.spi'))},seq=0x${seq?.toString(16) ?? '?'}), length ${length}${problemMarks(ctx)}`;
}

/** `AH(spi=0x00001000,seq=0x1): ` followed by the protected protocol's line when it was decoded. */
export function renderAhPrefix(ctx: LineContext): string {
  const ah = asLayerOf(ctx.layer, 'ah');
  const seq = fieldNum(ah, 'ah.sequence');
  return `AH(spi=${hex8(fieldNum(ah, 'ah.spi'))},seq=0x${seq?.toString(16) ?? '?'})${problemMarks(ctx)}`;
}
