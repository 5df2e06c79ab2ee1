// The layers as renderers show them: each layer's fields plus the derived fields (derived by
// the analyzers, carried beside the frame in AnalyzedFrame.derived) whose id prefix names that
// layer (`carp.hmac.status` goes into the carp layer).
// No protocol knowledge: a layer owns a prefix when its protocol id is that prefix or one of
// its fields starts with it (`ip.*` fields live in the ipv4 layer).

import type { AnalyzedFrame } from '../analyze/types.js';
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

export function shownLayers(frame: AnalyzedFrame): ShownLayer[] {
  const layers = frame.layers;
  const derived = frame.derived;
  let merged: Map<number, { fields: Fields; derived: string[] }> | undefined;
  let extra: Map<string, ShownLayer> | undefined;
  let lastPrefix = '';
  let lastOwner = -1;
  for (const id in derived) {
    const prefix = prefixOf(id);
    // Derived ids usually share one prefix: look its owner up once.
    const i = prefix === lastPrefix ? lastOwner : ownerOf(frame, id);
    lastPrefix = prefix;
    lastOwner = i;
    if (i >= 0) {
      merged ??= new Map();
      let m = merged.get(i);
      if (!m) {
        m = { fields: Object.assign({}, layers[i]!.fields), derived: [] };
        merged.set(i, m);
      }
      m.fields[id] = derived[id]!;
      m.derived.push(id);
    } else {
      extra ??= new Map();
      let target = extra.get(prefix);
      if (!target) {
        target = { proto: prefix, layer: undefined, fields: {}, derived: [] };
        extra.set(prefix, target);
      }
      target.fields[id] = derived[id]!;
      (target.derived as string[]).push(id);
    }
  }
  const out: ShownLayer[] = new Array<ShownLayer>(layers.length);
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const m = merged?.get(i);
    out[i] = m ? { proto: layer.proto, layer, fields: m.fields, derived: m.derived } : { proto: layer.proto, layer, fields: layer.fields, derived: NONE };
  }
  if (extra) for (const e of extra.values()) out.push(e);
  return out;
}

const NONE: readonly string[] = [];
