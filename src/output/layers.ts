// The layers as renderers show them: each layer's fields plus the derived fields (written by
// the analyzers) whose id prefix names that layer (`carp.hmac.status` goes into the carp layer).
// No protocol knowledge: a layer owns a prefix when its protocol id is that prefix or one of
// its fields starts with it (`ip.*` fields live in the ipv4 layer).

import type { DecodedFrame, Fields, Layer, ProtoId } from '../decode/types.js';

export interface ShownLayer {
  readonly proto: ProtoId | string;
  readonly layer: Layer | undefined;
  readonly fields: Fields;
  /** Ids of the fields that came from the analyzers (rendered as [generated] in -V). */
  readonly derived: readonly string[];
}

function prefixOf(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(0, dot);
}

function owns(layer: Layer, prefix: string): boolean {
  if (layer.proto === prefix) return true;
  const p = `${prefix}.`;
  for (const k in layer.fields) if (k.startsWith(p)) return true;
  return false;
}

/** Index of the (innermost) layer that owns a derived field id, or -1. */
export function ownerOf(frame: DecodedFrame, id: string): number {
  const prefix = prefixOf(id);
  for (let i = frame.layers.length - 1; i >= 0; i--) if (owns(frame.layers[i]!, prefix)) return i;
  return -1;
}

export function shownLayers(frame: DecodedFrame): ShownLayer[] {
  const out: ShownLayer[] = frame.layers.map((layer) => ({ proto: layer.proto, layer, fields: layer.fields, derived: [] as string[] }));
  const derivedIds = Object.keys(frame.derived);
  if (derivedIds.length === 0) return out;
  const extra = new Map<string, ShownLayer>();
  for (const id of derivedIds) {
    const i = ownerOf(frame, id);
    let target: ShownLayer;
    if (i >= 0) {
      const cur = out[i]!;
      if (cur.fields === cur.layer?.fields) out[i] = { ...cur, fields: { ...cur.fields }, derived: [] };
      target = out[i]!;
    } else {
      const prefix = prefixOf(id);
      target = extra.get(prefix) ?? { proto: prefix, layer: undefined, fields: {}, derived: [] };
      extra.set(prefix, target);
    }
    target.fields[id] = frame.derived[id]!;
    (target.derived as string[]).push(id);
  }
  return [...out, ...extra.values()];
}
