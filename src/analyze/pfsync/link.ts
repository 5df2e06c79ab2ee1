// Link audit (pfsync.md section 12): pfsync has no authentication; receivers only check the
// arrival interface and TTL 255. For each capture interface (one segment) carpdump notes whether
// pfsync travels in clear text or inside IPsec (ESP/AH layers, or OpenBSD's enc0, link type 109),
// multicast or unicast, which hosts speak it and which other hosts are visible on the segment
// (ARP senders and IP sources the pipeline passed us), and raises pfsync.unauthenticated_link
// once per segment at the end, with what an attacker there could do and the remedy.

import type { DecodedFrame, Fields } from '../../decode/types.js';
import type { RawFrame } from '../../kernel/frame.js';
import { asLayerOf, fieldStr } from '../../decode/fields.js';
import type { PacketTime } from '../types.js';
import { isMulticast } from '../facts.js';

const MAX_HOSTS = 1024;
const LINKTYPE_ENC = 109;

interface Segment {
  clear: boolean;
  protectedSeen: boolean;
  readonly speakers: Set<string>;
  readonly groups: Set<string>;
  readonly unicastPeers: Set<string>;
  readonly others: Set<string>;
  firstClearFrame: number;
  firstClearTs: PacketTime | undefined;
}

export interface LinkReport {
  readonly frames: number[];
  readonly ts: PacketTime;
  readonly message: string;
  readonly details: Fields;
}

function addBounded(set: Set<string>, v: string): void {
  if (set.size < MAX_HOSTS) set.add(v);
}

function addHost(seg: Segment, v: string): void {
  if (v !== '0.0.0.0' && v !== '::') addBounded(seg.others, v);
}

export class LinkAudit {
  private readonly segments = new Map<number, Segment>();
  /** The last clear-text (segment, src, dst) recorded: a stream repeats it, nothing to add. */
  private last: { seg: Segment | undefined; src: string; dst: string } = { seg: undefined, src: '', dst: '' };

  private segment(id: number): Segment {
    let s = this.segments.get(id);
    if (!s) {
      s = { clear: false, protectedSeen: false, speakers: new Set(), groups: new Set(), unicastPeers: new Set(), others: new Set(), firstClearFrame: 0, firstClearTs: undefined };
      this.segments.set(id, s);
    }
    return s;
  }

  /** Any frame: remember the hosts visible on the segment (ARP senders, IP sources). */
  observeHosts(frame: DecodedFrame): void {
    const seg = this.segment(frame.raw.interfaceId);
    for (const l of frame.layers) {
      const v = fieldStr(asLayerOf(l, 'arp'), 'arp.src.proto_ipv4') ?? fieldStr(asLayerOf(l, 'ipv4'), 'ip.src')
        ?? fieldStr(asLayerOf(l, 'ipv6'), 'ipv6.src');
      if (typeof v === 'string') addHost(seg, v);
    }
  }

  /** The last (interface, host) observeHost() added: a lane stream repeats its senders. */
  private lastHostIface = -1;
  private lastHost = '';

  /** observeHosts() of a frame whose only host is the IP source `v` (a lane frame). */
  observeHost(iface: number, v: string): void {
    // a host set only grows (up to MAX_HOSTS): adding the last host again changes nothing
    if (iface === this.lastHostIface && v === this.lastHost) return;
    this.lastHostIface = iface;
    this.lastHost = v;
    addHost(this.segment(iface), v);
  }

  /** A pfsync frame carried over IP (src/dst known). */
  observePfsync(frame: DecodedFrame, ts: PacketTime, src: string, dst: string): void {
    const inIpsec = frame.raw.linktype === LINKTYPE_ENC || frame.layers.some((l) => l.proto === 'esp' || l.proto === 'ah' || l.proto === 'enc');
    this.observePfsyncOf(frame.raw, inIpsec, ts, src, dst);
  }

  /** observePfsync() of a frame known to be inside IPsec or not (a lane frame is not). */
  observePfsyncOf(raw: RawFrame, inIpsec: boolean, ts: PacketTime, src: string, dst: string): void {
    const seg = this.segment(raw.interfaceId);
    if (inIpsec) { seg.protectedSeen = true; return; }
    const last = this.last;
    if (last.seg === seg && last.src === src && last.dst === dst) return;
    last.seg = seg; last.src = src; last.dst = dst;
    if (!seg.clear) { seg.clear = true; seg.firstClearFrame = raw.number; seg.firstClearTs = ts; }
    addBounded(seg.speakers, src);
    if (isMulticast(dst)) addBounded(seg.groups, dst);
    else addBounded(seg.unicastPeers, dst);
  }

  /** One report per segment where pfsync was seen in clear text. */
  reports(): LinkReport[] {
    const out: LinkReport[] = [];
    for (const [iface, seg] of this.segments) {
      if (!seg.clear || !seg.firstClearTs) continue;
      const speakers = [...seg.speakers].sort();
      const others = [...seg.others].filter((h) => !seg.speakers.has(h) && !seg.unicastPeers.has(h)).sort();
      const transport = seg.groups.size > 0
        ? `multicast to ${[...seg.groups].sort().join(', ')}${seg.unicastPeers.size > 0 ? ` and unicast to ${[...seg.unicastPeers].sort().join(', ')}` : ''}`
        : `unicast to ${[...seg.unicastPeers].sort().join(', ')}`;
      const shown = others.slice(0, 8).join(', ') + (others.length > 8 ? `, … (${others.length} in all)` : '');
      const message = `pfsync in clear text (${transport}) from ${speakers.join(', ')}`
        + (others.length > 0 ? `; ${others.length} other host(s) visible on this segment (${shown})` : '; no other host seen on this segment in the capture')
        + (seg.protectedSeen ? '; some pfsync here is inside IPsec, the rest is not' : '')
        + '. Anyone on this link can send pfsync with TTL 255: insert states that pass traffic the ruleset blocks,'
        + ' delete states (DEL_C for leaked ids, CLR with a creator id) to cut connections, move windows to break them,'
        + ' request the whole state table (UPD_REQ 0/0) and end a peer\'s bulk update early (forged BUS END).'
        + ' Remedy: a dedicated crossover link or isolated VLAN for pfsync, or syncpeer over IPsec (OpenBSD: syncdev enc0).';
      out.push({
        frames: [seg.firstClearFrame],
        ts: seg.firstClearTs,
        message,
        details: {
          interface: iface,
          transport: seg.groups.size > 0 ? 'multicast' : 'unicast',
          speakers,
          other_hosts: others.slice(0, 64),
          other_hosts_count: others.length,
          ipsec: seg.protectedSeen,
        },
      });
    }
    return out;
  }
}
