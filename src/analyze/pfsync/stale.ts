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

export function staleSides(proto: number, st: PeerFacts, msg: PeerFacts, rule: StaleRule): StaleVerdict {
  if (proto !== IPPROTO_TCP) {
    return { src: st.srcState > msg.srcState, dst: st.dstState > msg.dstState };
  }
  const src =
    (st.srcState > msg.srcState && (st.srcState < PF_TCPS_PROXY_SRC || msg.srcState >= PF_TCPS_PROXY_SRC))
    || (st.srcState === msg.srcState && seqGt(st.srcSeqlo, msg.srcSeqlo));
  const dstSeqApplies = rule === 'openbsd74' ? st.dstState === msg.dstState : st.dstState >= TCPS_SYN_SENT;
  const dst = st.dstState > msg.dstState || (dstSeqApplies && seqGt(st.dstSeqlo, msg.dstSeqlo));
  return { src, dst };
}
