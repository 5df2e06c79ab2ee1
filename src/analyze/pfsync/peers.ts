// Sync peers: who sends pfsync, with which creator id, flavour, state formats and ruleset
// checksum, and how often. Raises the cross-peer findings: unexpected_sender (a host beyond the
// established pair), creatorid_conflict, format_mismatch, ruleset_mismatch.
//
// Established peers: the first two senders per IP version whose packets a kernel accepts
// (a pfsync cluster is a pair; a third host that speaks pfsync on the link is an intruder or
// a misconfiguration). A sender's own creator id is the one it uses in BUS and CLR (its hostid)
// and in INS (new states are always its own); UPD/UPD_C/DEL_C may carry the other peer's states
// after a failover, so they say nothing about the sender's id.

import type { FlavorBasis, PfsyncFlavor } from '../../decode/pfsync/constants.js';
import type { PacketTime } from '../types.js';
import { toSeconds } from '../types.js';

export interface Peer {
  readonly src: string;
  readonly ipVersion: 4 | 6 | 0;
  creatorid: string | undefined;
  flavour: PfsyncFlavor | undefined;
  flavourCertain: boolean;
  packets: number;
  messages: number;
  first: PacketTime;
  last: PacketTime;
  cksum: string | undefined;
  readonly formats: Set<string>;
  established: boolean;
}

export type PeerProblem =
  | { kind: 'unexpected_sender'; message: string; details: Record<string, string> }
  | { kind: 'creatorid_conflict'; message: string; details: Record<string, string> }
  | { kind: 'format_mismatch'; message: string; details: Record<string, string> }
  | { kind: 'ruleset_mismatch'; message: string; details: Record<string, string> };

const MAX_PEERS = 256;

/** Flavour families that understand each other (OpenBSD 4.5 and 4.6 do). */
function family(f: PfsyncFlavor): string {
  return f === 'openbsd-4.5' || f === 'openbsd-4.6' ? 'openbsd-v5' : f;
}

export class PeerRegistry {
  readonly peers = new Map<string, Peer>();
  private readonly owners = new Map<string, string>();
  private readonly raisedPairs = new Set<string>();
  private readonly establishedCount = { 4: 0, 6: 0 };

  /** Record one accepted packet from `src` (ipVersion 0: no IP, e.g. a pfsync0 capture). */
  packet(src: string, ipVersion: 4 | 6 | 0, ts: PacketTime, messages: number): { peer: Peer | undefined; problems: PeerProblem[] } {
    const problems: PeerProblem[] = [];
    let peer = this.peers.get(src);
    if (!peer) {
      if (this.peers.size >= MAX_PEERS) return { peer: undefined, problems };
      peer = {
        src, ipVersion, creatorid: undefined, flavour: undefined, flavourCertain: false, packets: 0, messages: 0,
        first: ts, last: ts, cksum: undefined, formats: new Set(), established: false,
      };
      this.peers.set(src, peer);
      if (ipVersion !== 0) {
        if (this.establishedCount[ipVersion] < 2) {
          this.establishedCount[ipVersion]++;
          peer.established = true;
        } else {
          const known = [...this.peers.values()].filter((p) => p.established && p.ipVersion === ipVersion).map((p) => p.src);
          problems.push({
            kind: 'unexpected_sender',
            message: `pfsync from ${src}, which is not one of the established sync peers (${known.join(', ')}): receivers apply its messages all the same`,
            details: { src, peers: known.join(',') },
          });
        }
      }
    }
    peer.packets++;
    peer.messages += messages;
    peer.last = ts;
    return { peer, problems };
  }

  /** The sender's own creator id (from BUS, CLR or INS). */
  ownCreator(peer: Peer, creatorid: string): PeerProblem[] {
    if (peer.ipVersion === 0 || creatorid === '00000000') return [];
    const problems: PeerProblem[] = [];
    if (peer.creatorid === undefined) {
      peer.creatorid = creatorid;
    } else if (peer.creatorid !== creatorid) {
      const key = `changed ${peer.src} ${peer.creatorid} ${creatorid}`;
      if (!this.raisedPairs.has(key)) {
        this.raisedPairs.add(key);
        problems.push({
          kind: 'creatorid_conflict',
          message: `${peer.src} used creator id ${peer.creatorid} and now ${creatorid}`,
          details: { src: peer.src, creatorid, previous: peer.creatorid },
        });
      }
      return problems;
    }
    const owner = this.owners.get(creatorid);
    if (owner === undefined) this.owners.set(creatorid, peer.src);
    else if (owner !== peer.src) {
      const key = `shared ${creatorid} ${[owner, peer.src].sort().join(' ')}`;
      if (!this.raisedPairs.has(key)) {
        this.raisedPairs.add(key);
        problems.push({
          kind: 'creatorid_conflict',
          message: `${peer.src} uses creator id ${creatorid}, already used by ${owner}: one of them is forging the other's states, or both have the same hostid`,
          details: { src: peer.src, creatorid, other: owner },
        });
      }
    }
    return problems;
  }

  /** Flavour and full-state formats of one packet; compared with every other peer. */
  format(peer: Peer, flavour: PfsyncFlavor, basis: FlavorBasis, stateFormats: readonly string[]): PeerProblem[] {
    const certain = basis === 'version' || basis === 'records' || basis === 'trailer';
    if (certain || peer.flavour === undefined || !peer.flavourCertain) {
      peer.flavour = flavour;
      peer.flavourCertain = certain;
    }
    for (const f of stateFormats) if (peer.formats.size < 16) peer.formats.add(f);
    if (peer.ipVersion === 0) return [];
    const problems: PeerProblem[] = [];
    for (const other of this.peers.values()) {
      if (other === peer || other.ipVersion === 0 || !other.flavour) continue;
      let why: string | undefined;
      if (peer.flavourCertain && other.flavourCertain && family(peer.flavour) !== family(other.flavour)) {
        why = `${peer.src} speaks ${peer.flavour}, ${other.src} speaks ${other.flavour}`;
      } else if (peer.formats.size > 0 && other.formats.size > 0 && ![...peer.formats].some((f) => other.formats.has(f))) {
        why = `${peer.src} sends ${[...peer.formats].join('/')} states, ${other.src} sends ${[...other.formats].join('/')} states`;
      }
      if (!why) continue;
      const key = `format ${[peer.src, other.src].sort().join(' ')}`;
      if (this.raisedPairs.has(key)) continue;
      this.raisedPairs.add(key);
      problems.push({
        kind: 'format_mismatch',
        message: `${why}: the peers cannot read each other's state messages (badver / badact / badval on the receivers)`,
        details: { src: peer.src, peer: other.src, flavour: peer.flavour, peer_flavour: other.flavour },
      });
    }
    return problems;
  }

  /** A non-zero ruleset checksum from this peer; compared with the others' last ones. */
  ruleset(peer: Peer, cksum: string): PeerProblem[] {
    if (/^0*$/.test(cksum)) return [];
    peer.cksum = cksum;
    const problems: PeerProblem[] = [];
    for (const other of this.peers.values()) {
      if (other === peer || other.cksum === undefined || other.cksum === cksum) continue;
      const key = `ruleset ${[peer.src, other.src].sort().join(' ')}`;
      if (this.raisedPairs.has(key)) continue;
      this.raisedPairs.add(key);
      problems.push({
        kind: 'ruleset_mismatch',
        message: `${peer.src} has ruleset checksum ${cksum}, ${other.src} has ${other.cksum}: synced states are bound to the default rule, not to their rule numbers`,
        details: { src: peer.src, cksum, peer: other.src, peer_cksum: other.cksum },
      });
    }
    return problems;
  }

  /** Messages per second over the peer's active span (undefined for a single instant). */
  static rate(peer: Peer): number | undefined {
    const span = toSeconds(peer.last) - toSeconds(peer.first);
    return span > 0 ? Math.round((peer.messages / span) * 100) / 100 : undefined;
  }
}
