// Shared helpers for the decoder tests.

import { decodeFrame } from '../../src/decode/frame.js';
import type { DecodedFrame, DecodeOptions, Fields, ProtoId } from '../../src/decode/types.js';
import { rawFrame } from '../support/frames.js';

export function decode(bytes: Uint8Array, linktype = 1, options: DecodeOptions = {}, originalLength = bytes.length): DecodedFrame {
  return decodeFrame(rawFrame(bytes, { linktype, originalLength }), options);
}

/** Fields of the first layer of `proto`; throws (failing the test) when absent. */
export function layerFields(frame: DecodedFrame, proto: ProtoId): Fields {
  const l = frame.layers.find((x) => x.proto === proto);
  if (!l) throw new Error(`no ${proto} layer in [${frame.layers.map((x) => x.proto).join(', ')}]`);
  return l.fields;
}

export function protos(frame: DecodedFrame): string[] {
  return frame.layers.map((l) => l.proto);
}

export function annotationIds(frame: DecodedFrame): string[] {
  return frame.annotations.map((a) => a.id);
}

/** Only the listed keys of `fields`, for deepStrictEqual on a subset. */
export function pick(fields: Fields, keys: readonly string[]): Fields {
  const out: Fields = {};
  for (const k of keys) if (fields[k] !== undefined) out[k] = fields[k]!;
  return out;
}
