// A protocol module: everything carpdump knows about one protocol, declared once in its
// decode/<proto> file as an `as const` definition (Wireshark's proto_register_* +
// dissector_add_uint + heur_dissector_add, in one object):
//  - id, name, fields and annotations (the registry entries; each annotation has a group and
//    says whether the pipeline also raises it as a finding, analyze/policy.ts);
//  - the dissectors it provides, by name (Handoff.next and the dispatch rows name them);
//  - the cheap validity probes of the record prefilter (decode/probe.ts), per dissector;
//  - the dispatch rows it claims: link types, ethertypes, IP protocols, and ordered heuristics
//    on a shared IP protocol (112: CARP or VRRP).
// decode/protocols.ts lists the modules; decode/protocol-set.ts builds the registry, the
// dissector table, the dispatch tables and the prefilter from that one list.

import type { Dissector } from './dissector.js';
import type { HeuristicInput } from './dispatch-tables.js';
import type { AnnotationDef, ProtocolDef } from './registry.js';

/** An annotation of a module: its group, and whether it is also a finding (decode/registry.ts). */
export type ModuleAnnotation = AnnotationDef;

/**
 * The prefilter's look at one layer: true when the frame may carry something carpdump shows
 * by default, false when it surely does not. Reads only bytes[at, end), never throws, never
 * allocates; continues into the next layer through `next` (which follows the dispatch tables).
 */
export type Probe = (b: Uint8Array, at: number, end: number, next: ProbeNext) => boolean;

export interface ProbeNext {
  /** The probe of the dissector an ethertype maps to (false when none). */
  ethertype(type: number, b: Uint8Array, at: number, end: number): boolean;
  /** The probe(s) of the dissector(s) an IP protocol maps to. */
  ipProtocol(protocol: number, b: Uint8Array, at: number, end: number): boolean;
  /** The probe of a dissector by name (false for undefined or a dissector without one). */
  dissector(name: string | undefined, b: Uint8Array, at: number, end: number): boolean;
}

/** A link type row; `when` looks at the record when the number alone does not decide. */
export interface LinktypeRow {
  readonly linktype: number;
  readonly dissector: string;
  readonly when?: (b: Uint8Array, at: number, end: number) => boolean;
}

/** An ethertype or IP protocol row. `prefilter: 'accept'`: the prefilter answers true here (tunnels). */
export interface KeyRow {
  readonly value: number;
  readonly dissector: string;
  readonly prefilter?: 'accept';
}

/** One rule of a per-packet decision on a shared IP protocol: the lowest order that matches wins. */
export interface HeuristicRow {
  readonly ipProtocol: number;
  readonly order: number;
  readonly dissector: string;
  readonly test: (h: HeuristicInput) => boolean;
}

export interface DispatchRows {
  readonly linktypes?: readonly LinktypeRow[];
  readonly ethertypes?: readonly KeyRow[];
  readonly ipProtocols?: readonly KeyRow[];
  readonly heuristics?: readonly HeuristicRow[];
}

export interface ProtocolModule extends ProtocolDef {
  readonly annotations: readonly ModuleAnnotation[];
  /** Dissectors by name; each decodes a layer of this module's proto. */
  readonly dissectors: Readonly<Record<string, Dissector>>;
  /** Prefilter probes by dissector name (a dissector without one is never interesting). */
  readonly probes?: Readonly<Record<string, Probe>>;
  readonly dispatch?: DispatchRows;
}

/** The probe of the protocols carpdump shows by default: any byte makes them interesting. */
export const ALWAYS: Probe = () => true;

/** Big-endian u16 at `at` for probes (callers check `at + 2 <= end` first). */
export function peekU16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

/** Big-endian u32 at `at` (for probes and the lanes; callers check `at + 4 <= end` first). */
export function peekU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

/** The same 32 bits as a signed word (as an Int32Array holds them: the HMAC's and counter's words). */
export function peekI32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}
