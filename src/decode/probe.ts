// A fast, allocation-free peek that tells whether a frame can carry anything carpdump shows or
// analyses by default: CARP/VRRP (IP protocol 112), pfsync (240 and the pfsync link types),
// ARP, ICMPv6 (neighbour discovery), also behind VLAN tags, SLL/SLL2, NULL/LOOP, raw IP, Frame
// Relay, enc, AH and IPv6 extension headers. The pipeline fully decodes only these frames
// unless -A is given.
//
// No second dispatch: the peek follows the modules' own dispatch rows through their probes
// (decode/module.ts, decode/protocol-set.ts).
//
// Contract (property-tested): when isInterestingFrame() is false, decodeFrame() yields no
// carp/vrrp/pfsync/arp/icmpv6 layer. So the probes err on the side of true (tunnels, AH and
// deep tag stacks answer true without looking further).

import type { RawFrame } from '../kernel/frame.js';
import { PROTOCOLS } from './protocols.js';

/** True when the frame may carry CARP, VRRP, pfsync, ARP or ICMPv6: decode it fully. */
export function isInterestingFrame(raw: RawFrame): boolean {
  return PROTOCOLS.isInterestingRecord(raw.data, 0, raw.data.length, raw.linktype);
}

/**
 * The same decision on a record inside a larger buffer (bytes[s, end)), before any frame
 * object exists: what the capture readers' prefilter calls for every record of a file (the
 * protocol set's compiled function itself, no wrapper call per record).
 */
export const isInterestingRecord: (b: Uint8Array, s: number, end: number, linktype: number) => boolean = PROTOCOLS.isInterestingRecord;
