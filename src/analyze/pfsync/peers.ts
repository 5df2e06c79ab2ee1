// Sync peers: who sends pfsync, with which creator id, flavour, state formats and ruleset
// checksum, and how often. Raises the cross-peer findings creatorid_conflict, format_mismatch,
// ruleset_mismatch; decides who the established pair is (strangers.ts reports the others).
//
// Established peers (a pfsync cluster is a pair per IP version; a third host that speaks pfsync on
// the link is an intruder or a misconfiguration): senders that prove themselves come first —
// one that completes a bulk update, answers another's bulk request, or whose request was
// answered (prove()). Until two have, the first two senders per IP version whose packets a kernel
// accepts stand in; a proven sender displaces an unproven one, so a capture that begins with a
// stranger speaking does not make it a peer. A sender's own creator id is the one it uses in BUS and CLR (its hostid)
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
  /** Proof of being a sync peer (bulk completed, request answered), or undefined. */
  proven: boolean;
  /** Why this sender is (or is not) a peer, for findings. */
  why: string;
  readonly firstFrame: number;
}

export type PeerProblem =
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
  private readonly provenCount = { 4: 0, 6: 0 };

  /** Record one accepted packet from `src` (ipVersion 0: no IP, e.g. a pfsync0 capture). */
  packet(src: string, ipVersion: 4 | 6 | 0, ts: PacketTime, messages: number, frame = 0): Peer | undefined {
    let peer = this.peers.get(src);
    if (!peer) {
      if (this.peers.size >= MAX_PEERS) return undefined;
      peer = {
        src, ipVersion, creatorid: undefined, flavour: undefined, flavourCertain: false, packets: 0, messages: 0,
        first: ts, last: ts, cksum: undefined, formats: new Set(), established: false, proven: false,
        why: 'not one of the first two senders and no bulk update completed or request answered', firstFrame: frame,
      };
      this.peers.set(src, peer);
      if (ipVersion !== 0 && this.establishedCount[ipVersion] < 2) {
        this.establishedCount[ipVersion]++;
        peer.established = true;
        peer.why = `one of the first two senders (frame ${frame}); no bulk update completed or request answered yet`;
      }
    }
    peer.packets++;
    peer.messages += messages;
    peer.last = ts;
    return peer;
  }

  /** Two senders of this IP version have proved themselves: everyone else is a stranger for sure. */
  pairProven(ipVersion: 4 | 6 | 0): boolean {
    return ipVersion !== 0 && this.provenCount[ipVersion] >= 2;
  }

  /** The established peers of an IP version, with why each is one. */
  established(ipVersion: 4 | 6 | 0): Peer[] {
    return [...this.peers.values()].filter((p) => p.established && p.ipVersion === ipVersion);
  }

  /**
   * Evidence that `src` is a sync peer. It becomes established, displacing an unproven one if the
   * pair is full. Returns the senders now known to be strangers (displaced, or every other sender
   * once two peers are proven), so their held findings can be raised.
   */
  prove(src: string, why: string): Peer[] {
    const peer = this.peers.get(src);
    if (!peer || peer.proven || peer.ipVersion === 0) return [];
    const v = peer.ipVersion;
    if (this.provenCount[v] >= 2) return [];
    peer.proven = true;
    peer.why = why;
    this.provenCount[v]++;
    const out: Peer[] = [];
    if (!peer.established) {
      if (this.establishedCount[v] >= 2) {
        const displaced = [...this.peers.values()].find((p) => p.established && !p.proven && p.ipVersion === v);
        if (displaced) {
          displaced.established = false;
          displaced.why = `displaced by ${src}, which ${why}`;
          this.establishedCount[v]--;
          out.push(displaced);
        }
      }
      if (this.establishedCount[v] < 2) { peer.established = true; this.establishedCount[v]++; }
    }
    if (this.provenCount[v] >= 2) {
      for (const p of this.peers.values()) {
        if (p.ipVersion !== v || p.proven || out.includes(p)) continue;
        if (p.established) { p.established = false; this.establishedCount[v]--; p.why = 'two other senders proved to be the sync pair'; }
        out.push(p);
      }
    }
    return out;
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
