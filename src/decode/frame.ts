// The frame decoder: runs the dissectors layer by layer, and is the only place that catches.
// A DecodeStop marks the layer truncated/malformed (keeping the fields already read) and stops
// descending; anything else is a bug, recorded as `carpdump.internal_error` and counted so the
// run exits non-zero. Nothing escapes.

import type { RawFrame } from '../kernel/frame.js';
import { Cursor, DecodeStop } from './cursor.js';
import { LayerWriter, type DissectContext, type Handoff } from './dissector.js';
import { activateDispatchTables } from './dispatch-tables.js';
import { FRAME_ANNOTATIONS, PROTOCOLS } from './protocols.js';
import type { ProtocolSet } from './protocol-set.js';
import type { Annotation, DecodedFrame, DecodeOptions, FrameUnderDecode, Layer, ProtoId } from './types.js';

const MAX_LAYERS = 24;

/** An annotation of the frame decoder itself, with the severity declared in decode/protocols.ts. */
function frameAnnotation(id: (typeof FRAME_ANNOTATIONS)[number]['id'], message: string, proto: ProtoId | 'frame' = 'frame'): Annotation {
  const severity = FRAME_ANNOTATIONS.find((a) => a.id === id)?.severity ?? 'error';
  return { id, severity, message, proto };
}

/** Decodes one frame with the real protocols, or with a set built for a test (toy modules). */
export function decodeFrame(raw: RawFrame, options: DecodeOptions = {}, protocols: ProtocolSet = PROTOCOLS): DecodedFrame {
  const frame: FrameUnderDecode = { raw, layers: [], annotations: [] };
  const ctx: DissectContext = { options, linktype: raw.linktype, frame };
  const bytes = raw.data;
  const frameEnd = Math.max(raw.originalLength, bytes.length);
  activateDispatchTables(protocols.tables);
  const first = protocols.dissectorForLinktype(raw.linktype, bytes);
  let next: Handoff | undefined = first ? { next: first, start: 0, declaredEnd: frameEnd } : undefined;
  if (raw.timeOutOfRange !== undefined) {
    frame.annotations.push(frameAnnotation('frame.time_out_of_range',
      `timestamp ${raw.timeOutOfRange} s is out of range (a huge pcapng if_tsoffset or a corrupt time): shown as 0 (1970-01-01)`));
  }
  if (!next) {
    frame.annotations.push(frameAnnotation('frame.unsupported_linktype', `link type ${raw.linktype} is not decoded`));
  }
  for (let depth = 0; next; depth++) {
    if (depth === MAX_LAYERS) {
      frame.annotations.push(frameAnnotation('frame.too_many_layers', `decoding stopped after ${MAX_LAYERS} layers (next: ${next.next})`));
      break;
    }
    const dissector = protocols.dissectors[next.next];
    if (!dissector) {
      frame.internalError = `no dissector named ${next.next}`;
      break;
    }
    const layer: Layer = { proto: dissector.proto, offset: next.start, length: 0, status: 'ok', fields: {} };
    frame.layers.push(layer);
    const cursor = new Cursor(bytes, next.start, Math.max(next.start, next.declaredEnd));
    const out = new LayerWriter(layer, frame, protocols.registry);
    try {
      next = dissector.decode(cursor, out, ctx);
      if (layer.length === 0) layer.length = cursor.pos - layer.offset;
    } catch (err) {
      next = undefined;
      layer.length = cursor.pos - layer.offset;
      if (err instanceof DecodeStop) {
        layer.status = err.kind;
        out.annotate(`${layer.proto}.${err.kind}`, `${err.kind === 'truncated' ? 'truncated' : 'malformed'}: ${err.what} at byte ${err.offset}`);
      } else {
        const msg = err instanceof Error ? err.message : String(err);
        frame.internalError = `${layer.proto} dissector: ${msg}`;
        layer.status = 'malformed';
        frame.annotations.push(frameAnnotation('carpdump.internal_error', `internal error in the ${layer.proto} dissector: ${msg}`, layer.proto));
      }
    }
  }
  return frame;
}

