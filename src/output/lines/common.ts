// Helpers shared by the one-line renderers: value text and the inline problem marks (typed
// field reads: decode/fields.ts).

import type { AnalyzedFrame } from '../../analyze/types.js';
import type { Annotation, DecodedFrame, FieldValue, Layer } from '../../decode/types.js';
import type { Palette } from '../color.js';
import { asLayerOf, fieldNum, numOf } from '../../decode/fields.js';

export interface LineContext {
  readonly frame: AnalyzedFrame;
  readonly layer: Layer;
  readonly palette: Palette;
}

/** Renders a layer's part of the one-line summary (after "src > dst: "). */
export type LineRenderer = (ctx: LineContext) => string;

/** A value as line text: numbers and booleans in decimal, arrays comma-joined; undefined when absent. */
export function textOf(v: FieldValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return (v as readonly FieldValue[]).map((e) => textOf(e) ?? '').join(',');
  return JSON.stringify(v);
}

export function hex4(v: FieldValue | undefined): string {
  return typeof v === 'number' ? v.toString(16).padStart(4, '0') : String(v ?? '?');
}

/** The frame's annotations raised by this layer's protocol. */
export function layerAnnotations(ctx: LineContext): Annotation[] {
  return ctx.frame.annotations.filter((a) => a.proto === ctx.layer.proto);
}

/** First numeric value among an annotation's details under any of the given keys. */
function detailNumber(a: Annotation, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = a.details?.[k];
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^(0x)?[0-9a-f]+$/i.test(v)) return parseInt(v.replace(/^0x/i, ''), 16);
  }
  return undefined;
}

function ttlOf(frame: DecodedFrame): number | undefined {
  if (frame.ip) return frame.ip.ttl;
  for (let i = frame.layers.length - 1; i >= 0; i--) {
    const l = frame.layers[i]!;
    const t = fieldNum(asLayerOf(l, 'ipv4'), 'ip.ttl') ?? fieldNum(asLayerOf(l, 'ipv6'), 'ipv6.hlim');
    if (t !== undefined) return t;
  }
  return undefined;
}

/**
 * The inline marks of a layer, tcpdump-like: `[bad cksum 0x1cc1, should be 0x469b]`,
 * `[ttl 64!]`, `[|carp]` when truncated, `[malformed carp]`, and a short mark for every other
 * warning the layer's decoder raised (`[bad version]`). `qualifier` names an outer layer's
 * checksum (`[bad ip cksum ...]`).
 */
export function problemMarks(ctx: LineContext, qualifier = ''): string {
  const { layer, palette } = ctx;
  let s = '';
  for (const a of layerAnnotations(ctx)) {
    const tail = a.id.slice(a.id.indexOf('.') + 1);
    if (tail === 'truncated' || tail === 'malformed') continue; // from the layer status below
    if (tail === 'bad_checksum') {
      const current = numOf(layer.fields[`${layer.proto}.checksum`]) ?? detailNumber(a, ['checksum', 'actual', 'found']);
      const expected = detailNumber(a, ['expected', 'should_be', 'computed', 'correct']);
      const cur = current !== undefined ? ` 0x${hex4(current)}` : '';
      const exp = expected !== undefined ? `, should be 0x${hex4(expected)}` : '';
      s += ` ${palette.bad(`[bad ${qualifier}cksum${cur}${exp}]`)}`;
    } else if (tail === 'bad_ttl') {
      s += ` ${palette.bad(`[ttl ${ttlOf(ctx.frame) ?? '?'}!]`)}`;
    } else if (a.severity === 'warn' || a.severity === 'error') {
      s += ` ${palette.warn(`[${tail.replace(/_/g, ' ')}]`)}`;
    }
  }
  if (layer.status === 'truncated') s += ` [|${layer.proto}]`;
  else if (layer.status === 'malformed') s += ` ${palette.bad(`[malformed ${layer.proto}]`)}`;
  return s;
}
