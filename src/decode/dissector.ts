// The contract between the frame decoder (decode/frame.ts) and one protocol's dissector.

import type { Cursor } from './cursor.js';
import type { Annotation, DecodeOptions, FieldValue, FrameUnderDecode, IpContext, Layer, ProtoId } from './types.js';
import type { Registry } from './registry.js';

/** Where decoding continues after a layer: a dissector name from the dispatch tables. */
export interface Handoff {
  readonly next: string;
  /** Offset of the next layer's first byte in the frame. */
  readonly start: number;
  /** Where the next layer's protocol data ends as declared by this layer (e.g. IP total length). */
  readonly declaredEnd: number;
}

/** Per-frame context handed down the layers (tcpdump passes TTL down as an argument, likewise). */
export interface DissectContext {
  readonly options: DecodeOptions;
  readonly linktype: number;
  readonly frame: FrameUnderDecode;
  /** Set by the IP dissectors before handing off to an upper layer. */
  ip?: IpContext;
}

/**
 * Writes one layer: fields and annotations. The only way a dissector produces output.
 * Hot dissectors store fields as `out.layer.fields['ip.ttl'] = ttl`: each store site then has
 * one literal key and stays monomorphic in V8, where set() is a single megamorphic site shared
 * by every field of every protocol (about 10x slower per field, measured).
 */
export class LayerWriter {
  constructor(
    readonly layer: Layer,
    private readonly frame: FrameUnderDecode,
    private readonly registry: Registry,
  ) {}

  set(id: string, value: FieldValue): void {
    this.layer.fields[id] = value;
  }

  /** Attach an annotation declared in the registry (unknown ids are a programming error). */
  annotate(id: string, message?: string, details?: Record<string, FieldValue>): void {
    const def = this.registry.annotation(id);
    if (!def) throw new Error(`annotation ${id} is not declared`);
    const a: Annotation = {
      id,
      severity: def.severity,
      message: message ?? def.summary,
      proto: this.layer.proto,
      ...(details ? { details } : {}),
    };
    this.frame.annotations.push(a);
  }
}

export interface Dissector {
  readonly proto: ProtoId;
  /**
   * Decode one layer starting at cursor.pos; return where to continue, or undefined at the top.
   * Reads that cross an end throw DecodeStop, which the frame decoder turns into the layer's
   * status; anything else a dissector has to say goes through `out.annotate`.
   */
  decode(c: Cursor, out: LayerWriter, ctx: DissectContext): Handoff | undefined;
}
