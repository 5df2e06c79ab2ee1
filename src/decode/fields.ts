// Typed field ids and layers, derived from the `as const` protocol modules (decode/protocols.ts):
// `FieldIdOf<'carp'>` is the union of CARP's field ids, `CarpLayer` a layer whose `fields` has
// exactly those keys, so `layer.fields['carp.vhidd']` does not compile. findLayer()
// (decode/types.ts) returns these layers; fieldNum/fieldStr are the typed reads analyzers and
// renderers use.

import type { MODULES } from './protocols.js';
import type { DecodedFrame, Fields, FieldValue, Layer, ProtoId } from './types.js';

type AnyModule = (typeof MODULES)[number];

/** The field ids a protocol declares (a string-literal union). */
export type FieldIdOf<P extends ProtoId> = Extract<AnyModule, { readonly id: P }>['fields'][number]['id'];

/** A layer of protocol P: its fields keyed by P's field ids only. */
export interface LayerOf<P extends ProtoId> extends Omit<Layer, 'proto' | 'fields'> {
  readonly proto: P;
  readonly fields: { readonly [K in FieldIdOf<P>]?: FieldValue };
}

export type EthLayer = LayerOf<'eth'>;
export type VlanLayer = LayerOf<'vlan'>;
export type Ipv4Layer = LayerOf<'ipv4'>;
export type Ipv6Layer = LayerOf<'ipv6'>;
export type ArpLayer = LayerOf<'arp'>;
export type Icmpv6Layer = LayerOf<'icmpv6'>;
export type CarpLayer = LayerOf<'carp'>;
export type VrrpLayer = LayerOf<'vrrp'>;
export type PfsyncLayer = LayerOf<'pfsync'>;
/** A pfsync section or message (recordsIn): keyed by pfsync's field ids, like the layer. */
export type PfsyncRecord = PfsyncLayer['fields'];
export type PflogLayer = LayerOf<'pflog'>;

/** A layer as one of its protocol's typed layers (the proto says which). */
export function asLayerOf<P extends ProtoId>(layer: Layer, proto: P): LayerOf<P> | undefined {
  return layer.proto === proto ? (layer as unknown as LayerOf<P>) : undefined;
}

/** A value as a number, or undefined (absent, or not a number). For values inside repeated structures. */
export function numOf(v: FieldValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** A value as a string, or undefined (absent, or not a string). */
export function strOf(v: FieldValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The number a layer's field holds, or undefined (no layer, absent, or not a number). */
export function fieldNum<P extends ProtoId>(layer: LayerOf<P> | undefined, id: FieldIdOf<P>): number | undefined {
  return numOf(layer?.fields[id]);
}

/** The string a layer's field holds, or undefined (no layer, absent, or not a string). */
export function fieldStr<P extends ProtoId>(layer: LayerOf<P> | undefined, id: FieldIdOf<P>): string | undefined {
  return strOf(layer?.fields[id]);
}

/**
 * The records of a repeated-structure field (pfsync sections inside the layer, messages inside a
 * section), typed as their holder: records carry the same protocol's field ids, so
 * `recordsIn(layer.fields, 'pfsync.subheaders')` gives records where `s['pfsync.messages']`
 * compiles and `s['pfsync.mesages']` does not. Elements that are not objects are skipped.
 */
export function recordsIn<R extends object>(holder: R | undefined, id: keyof R & string): readonly R[] {
  return recordsOf((holder as Fields | undefined)?.[id]) as readonly R[];
}

/** The objects of a repeated-structure field (pfsync sections, messages); other elements are skipped. */
function recordsOf(v: FieldValue | undefined): readonly Fields[] {
  if (!Array.isArray(v)) return [];
  const list = v as readonly FieldValue[];
  // The common case (every element an object) returns the array itself: no copy per section.
  for (const e of list) if (!isRecord(e)) return list.filter(isRecord);
  return list as readonly Fields[];
}

function isRecord(e: FieldValue): e is Fields {
  return typeof e === 'object' && e !== null && !Array.isArray(e);
}

/** First layer of a protocol, if present, typed by its field ids. */
export function findLayer<P extends ProtoId>(frame: DecodedFrame, proto: P): LayerOf<P> | undefined {
  for (const l of frame.layers) if (l.proto === proto) return l as unknown as LayerOf<P>;
  return undefined;
}

/** The first (outermost) layer of any of these protocols, typed by its proto (e.g. IPv4 or IPv6). */
export function findAnyLayer<P extends ProtoId>(frame: DecodedFrame, protos: readonly P[]): { [K in P]: LayerOf<K> }[P] | undefined {
  for (const l of frame.layers) if ((protos as readonly ProtoId[]).includes(l.proto)) return l as unknown as { [K in P]: LayerOf<K> }[P];
  return undefined;
}
