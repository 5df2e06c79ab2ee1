// The decoded-frame model shared by decoders, analyzers and renderers.
// Decoders fill layers with typed field values keyed by stable field ids (decode/registry.ts);
// analyzers read those values, never bytes, and never write into the frame (what they derive
// travels beside it: analyze/types.ts AnalyzedFrame); renderers only read.

import type { RawFrame } from '../kernel/frame.js';

/**
 * A field value as it appears in JSON output: numbers where they fit in 2^53, decimal strings
 * for 64-bit counters, lowercase hex strings for byte strings and ids, text for addresses,
 * 'good' | 'bad' | 'unverified' for status fields, arrays and objects for repeated structures.
 */
export type FieldValue =
  | number
  | string
  | boolean
  | null
  | readonly FieldValue[]
  | { readonly [key: string]: FieldValue };

export type Fields = Record<string, FieldValue>;

/** Protocol ids: the keys of the `layers` object in JSON output. */
export type ProtoId =
  | 'eth' | 'vlan' | 'sll' | 'sll2' | 'null' | 'raw' | 'fr' | 'enc' | 'pfsynclink' | 'pflog'
  | 'ipv4' | 'ipv6' | 'ah' | 'esp' | 'arp' | 'icmpv6'
  | 'carp' | 'vrrp' | 'pfsync' | 'data';

export type LayerStatus = 'ok' | 'truncated' | 'malformed';

export type Severity = 'chat' | 'note' | 'warn' | 'error';
export const SEVERITIES: readonly Severity[] = ['chat', 'note', 'warn', 'error'];
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export type ChecksumStatus = 'good' | 'bad' | 'unverified';

export interface Layer {
  readonly proto: ProtoId;
  /** Offset of the layer's first byte in the frame. */
  readonly offset: number;
  /** Header length in bytes (as far as decoded). */
  length: number;
  status: LayerStatus;
  readonly fields: Fields;
}

/** A problem or remark a decoder attached to a layer; ids come from the protocol's registry. */
export interface Annotation {
  readonly id: string;
  readonly severity: Severity;
  readonly message: string;
  readonly proto: ProtoId | 'frame';
  /** Extra machine-readable details (e.g. expected checksum). */
  readonly details?: Fields;
}

/** IP-level facts passed down to the upper-layer dissectors (TTL check, pseudo-header, ...). */
export interface IpContext {
  readonly version: 4 | 6;
  /** Raw address bytes (4 or 16), for pseudo-header checksums and HMAC address sets. */
  readonly srcBytes: Uint8Array;
  readonly dstBytes: Uint8Array;
  readonly src: string;
  readonly dst: string;
  /** TTL (IPv4) or hop limit (IPv6). */
  readonly ttl: number;
  /** Upper-layer payload length as declared by the IP header. */
  readonly payloadLength: number;
  /** True when this is a fragment (MF set or offset != 0): checksums are unverified. */
  readonly fragmented: boolean;
}

export interface DecodeOptions {
  /** Force the meaning of IP protocol 112. */
  readonly decodeAs?: 'carp' | 'vrrp';
  /**
   * Nothing prints per-frame fields (-q without -Y): pfsync UPD_C messages and OpenBSD v6 full
   * states carry only the fields the analyzer reads (same ids and values as the full decode), for speed.
   */
  readonly pfsyncAnalysisOnly?: boolean;
}

/** A decoded frame: immutable once decodeFrame has returned it (analyzers and renderers only read). */
export interface DecodedFrame {
  readonly raw: RawFrame;
  readonly layers: readonly Layer[];
  readonly annotations: readonly Annotation[];
  /** The innermost IP layer's context, when there is one. */
  readonly ip?: IpContext;
  /** Set when a decoder threw something unexpected (a bug): the run exits non-zero. */
  readonly internalError?: string;
}

/** The same frame while decode/ builds it (decode/frame.ts and the dissectors only). */
export interface FrameUnderDecode extends DecodedFrame {
  readonly layers: Layer[];
  readonly annotations: Annotation[];
  ip?: IpContext;
  internalError?: string;
}
