// One-line VRRP summary, as tcpdump prints it (print-vrrp.c):
//   VRRPv2, Advertisement, vrid 51, prio 150, authtype simple, intvl 1s, length 24, addrs(2): 10.77.0.51,10.77.0.61
//   VRRPv3, Advertisement, vrid 52, prio 150, intvl 100cs, length 12, addrs: 10.77.0.52
// ("addrs(N)" only when there are several, as tcpdump prints it.)

import type { FieldValue } from '../../decode/types.js';
import { asLayerOf, fieldNum } from '../../decode/fields.js';
import { problemMarks, textOf, type LineContext } from './common.js';

const AUTH_TYPES: Readonly<Record<number, string>> = { 0: 'none', 1: 'simple', 2: 'ah' };

export function renderVrrpLine(ctx: LineContext): string {
  const vrrp = asLayerOf(ctx.layer, 'vrrp');
  const f = vrrp?.fields ?? {};
  const version = fieldNum(vrrp, 'vrrp.version');
  const type = fieldNum(vrrp, 'vrrp.type');
  let s = `VRRPv${version ?? '?'}`;
  if (type !== undefined) s += type === 1 ? ', Advertisement' : `, unknown type (${type})`;
  // tcpdump stops after the header for anything but a v2/v3 advertisement.
  if ((version !== 2 && version !== 3) || type !== 1) return s + problemMarks(ctx);
  const vrid = textOf(f['vrrp.virt_rtr_id']);
  if (vrid !== undefined) s += `, vrid ${vrid}`;
  const prio = textOf(f['vrrp.prio']);
  if (prio !== undefined) s += `, prio ${prio}`;
  if (version === 2) {
    const auth = fieldNum(vrrp, 'vrrp.auth_type');
    if (auth !== undefined) s += `, authtype ${AUTH_TYPES[auth] ?? `#${auth}`}`;
    const intvl = textOf(f['vrrp.adver_int']);
    if (intvl !== undefined) s += `, intvl ${intvl}s`;
  } else {
    const intvl = textOf(f['vrrp.short_adver_int'] ?? f['vrrp.adver_int']);
    if (intvl !== undefined) s += `, intvl ${intvl}cs`;
  }
  const length = ctx.frame.ip?.payloadLength ?? ctx.frame.raw.originalLength - ctx.layer.offset;
  s += `, length ${length}`;
  // tcpdump prints the header's count (when > 1), then the addresses that could be read.
  const addrs: FieldValue | undefined = f['vrrp.ip_addr'];
  const list = Array.isArray(addrs) ? (addrs as readonly FieldValue[]).map((a) => textOf(a)).join(',') : textOf(addrs) ?? '';
  const count = fieldNum(vrrp, 'vrrp.addr_count') ?? (Array.isArray(addrs) ? addrs.length : undefined);
  if (count !== undefined || addrs !== undefined) s += `, addrs${count !== undefined && count > 1 ? `(${count})` : ''}:${list === '' ? '' : ` ${list}`}`;
  return s + problemMarks(ctx);
}
