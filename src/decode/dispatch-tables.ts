// The dispatch lookups the dissectors call (ethertype, IP protocol, the shared protocol 112),
// in a leaf module the dissectors can import without an import cycle. The tables themselves
// are built from the protocol modules' dispatch rows (decode/protocol-set.ts); decodeFrame
// activates its set's tables before it runs the dissectors (decode/frame.ts).
// Each row has a test in test/decode/dispatch.test.ts.

import type { Cursor } from './cursor.js';
import type { DissectContext, Handoff, LayerWriter } from './dissector.js';
import type { DecodeOptions, IpContext } from './types.js';

/** The lookup side of a protocol set's dispatch rows. */
export interface DispatchTables {
  /** Ethertype -> dissector name. */
  readonly ethertypes: ReadonlyMap<number, string>;
  /** IP protocol -> dissector name (protocols decided per packet are in `heuristics`). */
  readonly ipProtocols: ReadonlyMap<number, string>;
  /** IP protocol -> its ordered rules (lowest order first); the first that matches decides. */
  readonly heuristics: ReadonlyMap<number, readonly { readonly dissector: string; readonly test: (h: HeuristicInput) => boolean }[]>;
}

let active: DispatchTables = { ethertypes: new Map(), ipProtocols: new Map(), heuristics: new Map() };

/** Makes `t` the tables the lookups below read (decodeFrame calls it for its protocol set). */
export function activateDispatchTables(t: DispatchTables): void {
  active = t;
}

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_DLT12 = 12;
export const LINKTYPE_RAW_OPENBSD14 = 14;
export const LINKTYPE_PFSYNC_OPENBSD18 = 18;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_FRELAY = 107;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_ENC = 109;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_PFLOG = 117;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_PFSYNC = 246;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;

export function dissectorForEthertype(ethertype: number): string | undefined {
  return active.ethertypes.get(ethertype);
}

export const IPPROTO_IPV4 = 4;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_CARP = 112; // IANA "VRRP"; the BSDs call it IPPROTO_CARP
export const IPPROTO_PFSYNC = 240;

/** The IP payload a heuristic row looks at (decode/module.ts HeuristicRow). */
export interface HeuristicInput extends IpPayloadInfo {
  readonly bytes: Uint8Array;
}

/** Byte `i` of the IP payload, or -1 when it was not captured. */
export function payloadByte(h: HeuristicInput, i: number): number {
  return h.start + i < h.capturedEnd ? h.bytes[h.start + i]! : -1;
}

/** The dissector the heuristic rows of `protocol` choose for this payload, if any. */
export function decideHeuristic(protocol: number, h: HeuristicInput): string | undefined {
  const rows = active.heuristics.get(protocol);
  if (rows) for (const r of rows) if (r.test(h)) return r.dissector;
  return undefined;
}

/**
 * CARP or VRRP for one IP protocol 112 payload (reference/carp.md section 8.2): the ordered
 * heuristic rows of carp.ts and vrrp.ts (read the rules there).
 */
export function decideProto112(
  ipVersion: 4 | 6,
  bytes: Uint8Array,
  start: number,
  capturedEnd: number,
  payloadLength: number,
  fragmented = false,
): 'carp' | 'vrrp' {
  const name = decideHeuristic(IPPROTO_CARP, { ipVersion, bytes, start, capturedEnd, payloadLength, fragmented });
  return name === 'carp' ? 'carp' : 'vrrp';
}

/** Facts about the IP payload that the protocol dispatch needs. */
export interface IpPayloadInfo {
  readonly ipVersion: 4 | 6;
  readonly start: number;
  /** Captured end of the payload (min of the bytes and the declared end). */
  readonly capturedEnd: number;
  readonly payloadLength: number;
  /** A first fragment: payloadLength is the fragment's, not the datagram's. */
  readonly fragmented?: boolean;
}

/** IP protocol -> dissector name, or undefined when carpdump does not decode it. */
export function dissectorForIpProtocol(
  protocol: number,
  bytes: Uint8Array,
  p: IpPayloadInfo,
  options: DecodeOptions,
): string | undefined {
  const rows = active.heuristics.get(protocol);
  if (rows) {
    // --decode-as names one of the candidates (IP protocol 112: carp or vrrp).
    if (options.decodeAs !== undefined && rows.some((r) => r.dissector === options.decodeAs)) return options.decodeAs;
    // One input object for every decision (a spread per packet was 3% of a CARP-only run): the
    // rows' tests read it and return, nothing keeps it.
    const h = heuristicInput;
    h.ipVersion = p.ipVersion;
    h.bytes = bytes;
    h.start = p.start;
    h.capturedEnd = p.capturedEnd;
    h.payloadLength = p.payloadLength;
    h.fragmented = p.fragmented === true;
    const name = decideHeuristic(protocol, h);
    h.bytes = NO_BYTES;
    return name;
  }
  return active.ipProtocols.get(protocol);
}

const NO_BYTES = new Uint8Array(0);
const heuristicInput: { -readonly [K in keyof HeuristicInput]-?: NonNullable<HeuristicInput[K]> } = {
  ipVersion: 4, bytes: NO_BYTES, start: 0, capturedEnd: 0, payloadLength: 0, fragmented: false,
};

/**
 * The common end of the IPv4 and IPv6 dissectors: publish the IP context (TTL, addresses,
 * fragmentation) for the upper layers, stop at a non-first fragment, and hand the payload
 * (c.pos .. payloadEnd) to its protocol's dissector. `fragmentId` is the layer's annotation.
 */
export function handOffIpPayload(
  c: Cursor, out: LayerWriter, ctx: DissectContext, ip: IpContext,
  protocol: number, payloadEnd: number, fragOffset: number, fragmentId: 'ip.fragment' | 'ipv6.fragment',
): Handoff | undefined {
  ctx.ip = ip;
  ctx.frame.ip = ip;
  if (ip.fragmented) {
    if (fragOffset !== 0) {
      out.annotate(fragmentId, `fragment at offset ${fragOffset}: not decoded further`, { offset: fragOffset });
      return undefined;
    }
    out.annotate(fragmentId, 'first fragment: upper-layer checksums not verified', { offset: 0 });
  }
  const next = dissectorForIpProtocol(protocol, c.bytes, {
    ipVersion: ip.version,
    start: c.pos,
    capturedEnd: Math.min(c.bytes.length, payloadEnd),
    payloadLength: ip.payloadLength,
    fragmented: ip.fragmented,
  }, ctx.options);
  return next ? { next, start: c.pos, declaredEnd: payloadEnd } : undefined;
}
