// The ARP lane: the ARP a busy segment carries — plain Ethernet ARP requests for an IPv4 address
// other than the sender's own ("who has X? tell Y") — read straight from the bytes, with no decoded
// frame, layer or field record, for runs where nothing prints the frame (-q: PipelineConfig.arpLane,
// the analyzers' onArpLane). Such a request announces nothing (analyze/carp/facts.ts
// announcementOf takes gratuitous ARP and replies only), derives nothing and is never shown by
// default; the analyses read only its sender address (the pfsync link audit's hosts) and its time.
// It takes exactly the frames whose full decode has the layers eth / arp, no annotation, opcode 1,
// hardware type 1 (Ethernet), protocol type 0x0800, sizes 6 and 4, and sender IP != target IP
// (not gratuitous); everything else (replies, gratuitous ARP, VLAN tags, other sizes, a frame cut
// before the target address) returns undefined and takes the full decode. Bytes after the target
// address (Ethernet padding to 60 bytes) are ignored, as the ARP dissector ignores them.
// test/analyze/arp-lane.test.ts compares the two on every capture.
//
//   0 eth dst | 6 eth src | 12 type 0x0806 | 14 hw type 1 | 16 proto 0x0800 | 18 hlen 6 | 19 plen 4
//   | 20 opcode 1 | 22 sha | 28 spa | 32 tha | 38 tpa | 42 (padding)

import type { RawFrame } from '../kernel/frame.js';
import { formatIPv4 } from './cursor.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, LINKTYPE_ETHERNET } from './dispatch-tables.js';
import { peekU16, peekU32 } from './module.js';

/** One lane frame, decoder-owned and reused: valid until the next readArpLane(). */
export interface ArpLane {
  raw: RawFrame;
  /** arp.src.proto_ipv4 as the full decode formats it. */
  spa: string;
}

const ARP = 14;
const ARP_END = ARP + 28;
const SPA = ARP + 14;
const TPA = ARP + 24;

const lane: ArpLane = { raw: undefined as unknown as RawFrame, spa: '' };

// A one-entry cache: a host repeats its requests, so its address text is made once per run of them.
let lastSpa = -1;

/** The frame as a lane frame, or undefined when it needs the full decode (see the top). */
export function readArpLane(raw: RawFrame): ArpLane | undefined {
  const b = raw.data;
  if (raw.linktype !== LINKTYPE_ETHERNET || raw.timeOutOfRange !== undefined || b.length < ARP_END) return undefined;
  // ethertype ARP; hardware type 1, protocol type IPv4, sizes 6 and 4, opcode 1 (request)
  if (peekU16(b, 12) !== ETHERTYPE_ARP || peekU16(b, ARP) !== 1 || peekU16(b, ARP + 2) !== ETHERTYPE_IPV4) return undefined;
  if (b[ARP + 4] !== 6 || b[ARP + 5] !== 4 || peekU16(b, ARP + 6) !== 1) return undefined;
  const spa = peekU32(b, SPA), tpa = peekU32(b, TPA);
  if (spa === tpa) return undefined; // gratuitous: an announcement (the CARP analysis reads it)
  if (spa !== lastSpa) { lastSpa = spa; lane.spa = formatIPv4(b, SPA); }
  lane.raw = raw;
  return lane;
}
