// Every harmful pfsync action of a stranger is a finding (pfsync.unexpected_sender): INS, UPD,
// UPD_C, DEL/DEL_C, CLR, BUS and UPD_REQ from a sender that is not one of the established pair,
// with the action, the states it touches (ids, creator) and what receivers will do with it
// (receivers apply a stranger's messages like a peer's: pfsync has no authentication).
//
// Bounded per sender and action: the first `cap` sections are findings, the rest are counted and
// reported in one summary finding at the end. A verdict may wait for its evidence: while the
// sync pair is not proven (peers.ts), the actions of senders that may turn out to be strangers
// (the unproven stand-ins and the senders beyond them) are held, bounded the same way, and raised
// when the sender is known to be a stranger (displaced, or two others proved to be the pair) or,
// for senders that never became a peer, at the end; a stand-in that proves itself or stays a peer
// has its held actions dropped.

import type { Finding, FindingSink, PacketTime } from '../types.js';
import { formatEpoch } from '../../kernel/time.js';
import { FINDINGS } from '../findings.js';
import type { Peer, PeerRegistry } from './peers.js';

/** One action section of a packet as the stranger report needs it. */
export interface ActionSection {
  readonly frame: number;
  readonly ts: PacketTime;
  readonly action: string;
  /** "id/creatorid" of the first states touched (at most STATES_LISTED). */
  readonly states: readonly string[];
  /** Messages in the section. */
  readonly count: number;
  /** What receivers do with it. */
  readonly effect: string;
}

export const STATES_LISTED = 16;

interface PerAction { shown: number; total: number; held: ActionSection[]; heldExtra: number; lastFrame: number; lastTs: PacketTime | undefined }

export class StrangerReport {
  private readonly bySender = new Map<string, Map<string, PerAction>>();

  constructor(private readonly peers: PeerRegistry, readonly cap = 100) {}

  private slot(src: string, action: string): PerAction {
    let m = this.bySender.get(src);
    if (!m) { m = new Map(); this.bySender.set(src, m); }
    let a = m.get(action);
    if (!a) { a = { shown: 0, total: 0, held: [], heldExtra: 0, lastFrame: 0, lastTs: undefined }; m.set(action, a); }
    return a;
  }

  /** Whether actions of this sender need a look at all (false for a proven member of a proven pair). */
  concerns(peer: Peer): boolean {
    if (peer.ipVersion === 0) return false;
    return !(peer.proven && this.peers.pairProven(peer.ipVersion));
  }

  /** A harmful section from `peer`: raised now if it is surely a stranger, else held. */
  section(peer: Peer, s: ActionSection, emit: FindingSink): void {
    const a = this.slot(peer.src, s.action);
    if (!peer.established && this.peers.pairProven(peer.ipVersion)) { this.raise(peer, a, s, emit); return; }
    if (peer.proven) return;
    if (a.held.length < this.cap) a.held.push(s); else a.heldExtra++;
  }

  /** `peer` is now known to be a stranger: raise what was held. */
  flush(peer: Peer, emit: FindingSink): void {
    const m = this.bySender.get(peer.src);
    if (!m) return;
    for (const a of m.values()) {
      for (const s of a.held) this.raise(peer, a, s, emit);
      a.total += a.heldExtra;
      a.held = [];
      a.heldExtra = 0;
    }
  }

  /** `peer` proved to be a sync peer: what was held was no stranger's. */
  drop(peer: Peer): void {
    const m = this.bySender.get(peer.src);
    if (m) for (const a of m.values()) { a.held = []; a.heldExtra = 0; }
  }

  /** End of capture: senders that never became peers are strangers; then the summary lines. */
  finish(now: PacketTime, emit: FindingSink): void {
    for (const src of this.bySender.keys()) {
      const peer = this.peers.peers.get(src);
      if (!peer) continue;
      if (peer.established) this.drop(peer); else this.flush(peer, emit);
    }
    for (const [src, m] of this.bySender) {
      for (const [action, a] of m) {
        if (a.total <= a.shown) continue;
        const more = a.total - a.shown;
        emit({
          id: 'pfsync.unexpected_sender', severity: FINDINGS['pfsync.unexpected_sender'].severity, ts: a.lastTs ?? now, frames: [a.lastFrame],
          message: `${more} more ${action} section(s) from ${src}, not one of the sync peers, were not listed (${a.total} in all, the first ${a.shown} are findings; last at frame ${a.lastFrame})`,
          details: { src, action, count: a.total, not_listed: more, summary: true },
        });
      }
    }
  }

  private raise(peer: Peer, a: PerAction, s: ActionSection, emit: FindingSink): void {
    a.total++;
    a.lastFrame = s.frame;
    a.lastTs = s.ts;
    if (a.shown >= this.cap) return;
    a.shown++;
    const pair = this.peers.established(peer.ipVersion);
    const peersText = pair.length > 0 ? pair.map((p) => `${p.src}: ${p.why}`).join('; ') : 'none known yet';
    const listed = s.states.length > 0
      ? ` for ${s.count} state(s) (${s.states.join(', ')}${s.count > s.states.length ? ', …' : ''})`
      : '';
    const f: Finding = {
      id: 'pfsync.unexpected_sender', severity: FINDINGS['pfsync.unexpected_sender'].severity, ts: s.ts, frames: [s.frame],
      message: `${s.action} from ${peer.src}, which is not one of the sync peers (${peersText}; ${peer.src}: ${peer.why})${listed}: receivers ${s.effect}`,
      details: {
        src: peer.src, action: s.action, states: [...s.states], count: s.count, effect: s.effect,
        peers: pair.map((p) => p.src), peer_reasons: pair.map((p) => `${p.src}: ${p.why}`), sender_reason: peer.why,
        first_seen: formatEpoch(peer.first),
      },
    };
    emit(f);
  }
}
