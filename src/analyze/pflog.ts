// pf logs (LINKTYPE_PFLOG): a block of CARP (IP protocol 112) or pfsync (240) is the most common
// self-inflicted failover problem, a ruleset without `pass on ... proto carp` / `proto pfsync`
// (OpenBSD FAQ, OPNsense docs). Reads only decoded layers.

import { type DecodedFrame, type Fields } from '../decode/types.js';
import { findAnyLayer, findLayer } from '../decode/fields.js';
import { PF_ACTIONS, PF_DIRECTIONS } from '../decode/link/pflog.js';
import { FINDINGS } from './findings.js';
import { timeOf, type Analyzer, type FindingSink } from './types.js';

const PF_DROP = 1;
const PF_SYNPROXY_DROP = 10;
const BLOCKED: Readonly<Record<number, 'pflog.blocked_carp' | 'pflog.blocked_pfsync'>> = { 112: 'pflog.blocked_carp', 240: 'pflog.blocked_pfsync' };

export function createPflogAnalyzer(): Analyzer {
  const blocked: Record<string, number> = {};
  return {
    name: 'pflog',
    onFrame(frame: DecodedFrame, emit: FindingSink): void {
      const log = findLayer(frame, 'pflog');
      if (!log) return;
      const action = log.fields['pflog.action'];
      if (action !== PF_DROP && action !== PF_SYNPROXY_DROP) return;
      const ip = findAnyLayer(frame, ['ipv4', 'ipv6']);
      const proto = ip?.proto === 'ipv4' ? ip.fields['ip.proto'] : ip?.fields['ipv6.nxt'];
      if (typeof proto !== 'number') return;
      const id = BLOCKED[proto];
      if (id === undefined) return;
      const ifname = String(log.fields['pflog.ifname'] ?? '?');
      const rule = Number(log.fields['pflog.rulenr']);
      const dir = PF_DIRECTIONS[Number(log.fields['pflog.dir'])] ?? '?';
      const src = String((ip?.proto === 'ipv4' ? ip.fields['ip.src'] : ip?.fields['ipv6.src']) ?? '?');
      blocked[id] = (blocked[id] ?? 0) + 1;
      emit({
        id, severity: FINDINGS[id].severity, ts: timeOf(frame), frames: [frame.raw.number],
        message: `pf ${PF_ACTIONS[Number(action)] ?? 'block'} ${dir} on ${ifname} by rule ${rule}: ${proto === 112 ? 'CARP' : 'pfsync'} from ${src} (add "pass on ${ifname} proto ${proto === 112 ? 'carp' : 'pfsync'}")`,
        details: { ifname, rule, dir, src, proto },
      });
    },
    // It reads pflog records only: nothing in a lane frame (Ethernet, IPv4, pfsync).
    onPfsyncLane(): void {},
    // Nor in a CARP lane frame (a CARP advert), nor in an ARP lane frame (an ARP request).
    onCarpLane(): void {},
    onArpLane(): void {},
    onTick(): void {
      // Findings are raised per logged packet.
    },
    finish(): void {
      // Nothing pending.
    },
    summary(): Fields {
      return Object.keys(blocked).length > 0 ? { pflog: { blocked: { ...blocked } } } : {};
    },
  };
}
