// A fast, allocation-free peek that tells whether a frame can carry anything carpdump shows or
// analyses by default: CARP/VRRP (IP protocol 112), pfsync (240 and the pfsync link types),
// ARP, ICMPv6 (neighbour discovery), also behind VLAN tags, SLL/SLL2, NULL/LOOP, raw IP, Frame
// Relay, enc, AH and IPv6 extension headers. The pipeline fully decodes only these frames
// unless -A is given.
//
// Contract (property-tested): when isInterestingFrame() is false, decodeFrame() yields no
// carp/vrrp/pfsync/arp/icmpv6 layer. So the peek follows the decoder's dispatch and errs on
// the side of true (tunnels, AH and deep tag stacks answer true without looking further).

import type { RawFrame } from '../kernel/frame.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPPROTO_AH, IPPROTO_CARP, IPPROTO_ICMPV6, IPPROTO_IPV4, IPPROTO_IPV6, IPPROTO_PFSYNC } from './dispatch-tables.js';
import { dissectorForFamily, readFamily } from './link/null.js';
import { rawIpDissector } from './link/raw.js';
import { isPfsyncLinkFrame } from './pfsync/index.js';
import { IPV6_HEADER_LENGTH, IPV6_MAX_EXTENSION_HEADERS } from './ipv6.js';

const MAX_TAGS = 16;

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function interestingIpProtocol(p: number): boolean {
  return p === IPPROTO_CARP || p === IPPROTO_PFSYNC || p === IPPROTO_ICMPV6 || p === IPPROTO_AH
    || p === IPPROTO_IPV4 || p === IPPROTO_IPV6;
}

function peekIPv4(b: Uint8Array, at: number, end: number): boolean {
  if (at + 10 > end) return false;
  return interestingIpProtocol(b[at + 9]!);
}

function peekIPv6(b: Uint8Array, at: number, end: number): boolean {
  if (at + IPV6_HEADER_LENGTH > end) return false;
  let nh = b[at + 6]!;
  let p = at + IPV6_HEADER_LENGTH;
  for (let i = 0; nh === 0 || nh === 43 || nh === 44 || nh === 60; i++) {
    if (i >= IPV6_MAX_EXTENSION_HEADERS) return true;
    if (p + 2 > end) return false;
    const next = b[p]!;
    p += nh === 44 ? 8 : (b[p + 1]! + 1) * 8;
    nh = next;
  }
  if (p > end) return false;
  return interestingIpProtocol(nh);
}

function peekIp(b: Uint8Array, at: number, end: number, name: string | undefined): boolean {
  if (name === 'ipv4') return peekIPv4(b, at, end);
  if (name === 'ipv6') return peekIPv6(b, at, end);
  return false;
}

/** The version nibble at `at` as a dissector name (raw IP link types). */
function rawIpAt(b: Uint8Array, at: number, end: number): 'ipv4' | 'ipv6' | undefined {
  return at < end ? rawIpDissector(b, at) : undefined;
}

/** The payload of an ethertype `type` at `at`, following VLAN tags. */
function peekEthertype(b: Uint8Array, type: number, at: number, end: number): boolean {
  for (let i = 0; i < MAX_TAGS; i++) {
    if (type === ETHERTYPE_IPV4) return peekIPv4(b, at, end);
    if (type === ETHERTYPE_IPV6) return peekIPv6(b, at, end);
    if (type === ETHERTYPE_ARP) return true;
    if (type !== 0x8100 && type !== 0x88a8 && type !== 0x9100) return false;
    if (at + 4 > end) return false;
    type = u16(b, at + 2);
    at += 4;
  }
  return true;
}

function peekFrameRelay(b: Uint8Array, s: number, end: number): boolean {
  const n = end - s;
  if (n < 2) return false;
  let p = 2;
  if ((b[s + 1]! & 1) === 0) {
    if (n < 3) return false;
    p = 3;
    if ((b[s + 2]! & 1) === 0) {
      if (n < 4 || (b[s + 3]! & 1) === 0) return false;
      p = 4;
    }
  }
  if (p >= n) return false;
  if (b[s + p] === 0x03) {
    p++;
    if (p < n && b[s + p] === 0) p++;
    if (p >= n) return false;
    const nlpid = b[s + p]!;
    p++;
    if (nlpid === 0xcc) return peekIPv4(b, s + p, end);
    if (nlpid === 0x8e) return peekIPv6(b, s + p, end);
    if (nlpid !== 0x80 || p + 5 > n) return false;
    if (b[s + p] !== 0 || b[s + p + 1] !== 0 || b[s + p + 2] !== 0) return false;
    return peekEthertype(b, u16(b, s + p + 3), s + p + 5, end);
  }
  if (p + 2 > n) return false;
  return peekEthertype(b, u16(b, s + p), s + p + 2, end);
}

/** True when the frame may carry CARP, VRRP, pfsync, ARP or ICMPv6: decode it fully. */
export function isInterestingFrame(raw: RawFrame): boolean {
  return isInterestingRecord(raw.data, 0, raw.data.length, raw.linktype);
}

/**
 * The same decision on a record inside a larger buffer (bytes[s, end)), before any frame
 * object exists: what the capture readers' prefilter calls for every record of a file.
 */
export function isInterestingRecord(b: Uint8Array, s: number, end: number, linktype: number): boolean {
  const n = end - s;
  switch (linktype) {
    case 1: // Ethernet
      return n >= 14 && peekEthertype(b, u16(b, s + 12), s + 14, end);
    case 113: // Linux SLL
      return n >= 16 && peekEthertype(b, u16(b, s + 14), s + 16, end);
    case 276: // Linux SLL2
      return n >= 20 && peekEthertype(b, u16(b, s), s + 20, end);
    case 0: // NULL
    case 108: // LOOP
      return n >= 4 && peekIp(b, s + 4, end, dissectorForFamily(readFamily(b, s, linktype === 0)));
    case 101: // RAW
    case 12:
    case 14:
      return peekIp(b, s, end, rawIpAt(b, s, end));
    case 228:
      return peekIPv4(b, s, end);
    case 229:
      return peekIPv6(b, s, end);
    case 107:
      return peekFrameRelay(b, s, end);
    case 109: // OpenBSD enc
      return n >= 12 && peekIp(b, s + 12, end, dissectorForFamily(readFamily(b, s, true)) ?? rawIpAt(b, s + 12, end));
    case 117: { // pflog: the payload after BPF_WORDALIGN(length)
      const hdr = n >= 2 ? (b[s]! + 3) & ~3 : 0;
      return n >= 61 && n > hdr && peekIp(b, s + hdr, end, dissectorForFamily(b[s + 1]!) ?? rawIpAt(b, s + hdr, end));
    }
    case 246:
      return true;
    case 18:
      return isPfsyncLinkFrame(s === 0 && end === b.length ? b : b.subarray(s, end));
    default:
      return false;
  }
}
