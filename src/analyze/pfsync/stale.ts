// The kernels' stale-update rule (../shared/reference/pfsync.md 11.4), per peer side.
//
// TCP, OpenBSD 4.6-7.3 and FreeBSD (pfsync_upd_tcp):
//   src stale if (st.src.state > src.state && (st.src.state < PROXY_SRC || src.state >= PROXY_SRC))
//             || (st.src.state == src.state && SEQ_GT(st.src.seqlo, src.seqlo))
//   dst stale if  st.dst.state > dst.state || (st.dst.state >= SYN_SENT && SEQ_GT(st.dst.seqlo, dst.seqlo))
// OpenBSD 7.4+: the dst test uses st.dst.state == dst.state instead of >= SYN_SENT.
// Other protocols: a side is stale if its state level went backwards.
// A receiver keeps its own copy of a stale side and takes the fresh one.
// (OpenBSD 4.5 and legacy "sfail" codes test the same conditions, reported as badstate.)

import type { PeerFacts } from './table.js';

export type StaleRule = 'classic' | 'openbsd74';

const PF_TCPS_PROXY_SRC = 11;
const TCPS_SYN_SENT = 2;
const IPPROTO_TCP = 6;

/** SEQ_GT(a, b): serial-number comparison of u32 sequence numbers. */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export interface StaleVerdict {
  readonly src: boolean;
  readonly dst: boolean;
}

/** Is the message's src side older than the receiver's (scalar form, no allocation)? */
export function staleSrc(proto: number, stState: number, stSeqlo: number, state: number, seqlo: number): boolean {
  if (proto !== IPPROTO_TCP) return stState > state;
  return (stState > state && (stState < PF_TCPS_PROXY_SRC || state >= PF_TCPS_PROXY_SRC))
    || (stState === state && seqGt(stSeqlo, seqlo));
}

/** Is the message's dst side older than the receiver's? */
export function staleDst(proto: number, stState: number, stSeqlo: number, state: number, seqlo: number, rule: StaleRule): boolean {
  if (proto !== IPPROTO_TCP) return stState > state;
  const dstSeqApplies = rule === 'openbsd74' ? stState === state : stState >= TCPS_SYN_SENT;
  return stState > state || (dstSeqApplies && seqGt(stSeqlo, seqlo));
}

export function staleSides(proto: number, st: PeerFacts, msg: PeerFacts, rule: StaleRule): StaleVerdict {
  return {
    src: staleSrc(proto, st.srcState, st.srcSeqlo, msg.srcState, msg.srcSeqlo),
    dst: staleDst(proto, st.dstState, st.dstSeqlo, msg.dstState, msg.dstSeqlo, rule),
  };
}
