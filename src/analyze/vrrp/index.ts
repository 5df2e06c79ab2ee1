// VRRP analysis: who is master of each VRID and why it changed (RFC 3768 VRRPv2, RFC 5798
// VRRPv3, IPv4 and IPv6), split brains and late adverts.
//
// Per frame, in capture order: a VRRP advert goes to the election tracker of (link, address
// family, VRID) (group.ts). Live capture: onTick raises vrrp.master_silent once the master-down
// time has passed without an advert; the master_changed itself waits for the new master's
// first advert. Memory: at most maxGroups groups (default 1024) of 16 sources each; beyond that
// vrrp.vrid_cap is raised once and the rest is not analysed.

import { vrrpOf } from '../facts.js';
import { makeFinding } from '../finding.js';
import type { Analyzer, FindingSink, PacketTime } from '../types.js';
import { timeOf, toSeconds } from '../types.js';
import type { DecodedFrame, Fields } from '../../decode/types.js';
import { MAX_SOURCES, VridGroup } from './group.js';
import { LIMITS } from '../../limits.js';

export interface VrrpAnalyzerOptions {
  /** Cap on tracked (link, af, VRID) groups (default 1024). */
  readonly maxGroups?: number;
  /** Cap on the routers tracked per group (default 16). */
  readonly maxSources?: number;
}

export function createVrrpAnalyzer(options: VrrpAnalyzerOptions = {}): Analyzer {
  const maxGroups = options.maxGroups ?? LIMITS.vhids.default;
  const maxSources = options.maxSources ?? MAX_SOURCES;
  const groups = new Map<string, VridGroup>();
  let capReported = false;
  let notTracked = 0;

  const capHit = (frame: DecodedFrame, what: string, emit: FindingSink): void => {
    notTracked++;
    if (capReported) return;
    capReported = true;
    emit(makeFinding('vrrp.vrid_cap', timeOf(frame), [frame.raw.number],
      `more VRRP ${what} than carpdump tracks (${maxGroups} groups, ${maxSources} sources each): the rest are not analysed`,
      { cap: what === 'sources' ? maxSources : maxGroups, what }));
  };

  return {
    name: 'vrrp',
    onFrame(frame: DecodedFrame, emit: FindingSink): void {
      const ad = vrrpOf(frame);
      if (!ad) return;
      const key = `${ad.link}#${ad.af}#${ad.vrid}`;
      let g = groups.get(key);
      if (!g) {
        if (groups.size >= maxGroups) { capHit(frame, 'VRIDs', emit); return; }
        g = new VridGroup(ad.link, ad.af, ad.vrid, maxSources);
        groups.set(key, g);
      }
      if (!g.onAdvert(ad, emit)) capHit(frame, 'sources', emit);
    },
    // It reads VRRP adverts only: nothing in a lane frame (Ethernet, IPv4, pfsync).
    onPfsyncLane(): void {},
    // Nor in a CARP lane frame (a CARP advert), nor in an ARP lane frame (an ARP request).
    onCarpLane(): void {},
    onArpLane(): void {},
    onTick(now: PacketTime, emit: FindingSink): void {
      const t = toSeconds(now);
      for (const g of groups.values()) g.tick(now, t, emit);
    },
    finish(): void {
      // nothing pending: every finding is raised on the frame that decides it
    },
    summary(): Fields {
      const sorted = [...groups.values()].sort((a, b) =>
        a.link.localeCompare(b.link) || a.vrid - b.vrid || a.af.localeCompare(b.af));
      const timeline = sorted.flatMap((g) => g.timeline()).sort((a, b) => Number(a['from']) - Number(b['from']));
      const out: Fields = { vrids: sorted.map((g) => g.summary()), timeline };
      if (notTracked > 0) out['not_tracked'] = notTracked;
      return { vrrp: out };
    },
  };
}
