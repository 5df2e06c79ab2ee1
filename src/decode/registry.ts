// Registries as data: every protocol declares its fields (id, label, kind, value names) and its
// annotations (id, severity, summary) once. Renderers (-V labels, -e columns), the display
// filter (-Y) and the meta-tests read these tables; decoders only use the ids.

import type { ProtoId, Severity } from './types.js';

export type FieldKind =
  | 'uint'      // integer that fits in 2^53
  | 'int'       // signed integer
  | 'u64'       // 64-bit counter, rendered as a decimal string
  | 'hex'       // integer shown in hex in text (still a number in JSON)
  | 'bytes'     // byte string as lowercase hex
  | 'ipv4' | 'ipv6' | 'mac' | 'address'
  | 'string'
  | 'status'    // 'good' | 'bad' | 'unverified'
  | 'bool'
  | 'float'     // seconds and other real values
  | 'array'     // array of values or of objects
  | 'object';

export interface FieldDef {
  readonly id: string;
  readonly label: string;
  readonly kind: FieldKind;
  /** Names of numeric values (e.g. carp.type 1 = "Advertisement"). */
  readonly valueNames?: Readonly<Record<number, string>>;
  /** Unit shown after the value in the tree (e.g. "s"). */
  readonly unit?: string;
}

/** What kind of problem an annotation reports. */
export type AnnotationGroup = 'malformed' | 'checksum' | 'sequence' | 'security';

export interface AnnotationDef {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly group: AnnotationGroup;
  /**
   * Also a finding (the pipeline raises it on the frame, analyze/policy.ts): `true` keeps the
   * annotation's severity and summary as the finding's; an object overrides the severity.
   */
  readonly finding?: true | { readonly severity: Severity };
}

export interface ProtocolDef {
  readonly id: ProtoId;
  /** Display name ("CARP", "Internet Protocol Version 4"). */
  readonly name: string;
  readonly fields: readonly FieldDef[];
  readonly annotations: readonly AnnotationDef[];
}

/** Every protocol gets these two, raised by the frame decoder when a layer stops early. */
export function stopAnnotations(proto: ProtoId, name: string): AnnotationDef[] {
  return [
    { id: `${proto}.truncated`, severity: 'warn', summary: `${name} cut short by the capture (snap length)`, group: 'malformed' },
    { id: `${proto}.malformed`, severity: 'warn', summary: `${name} longer than its enclosing length allows`, group: 'malformed' },
  ];
}

export class Registry {
  private readonly fields = new Map<string, FieldDef>();
  private readonly annotations = new Map<string, AnnotationDef>();
  private readonly protocols = new Map<ProtoId, ProtocolDef>();

  add(def: ProtocolDef): this {
    if (this.protocols.has(def.id)) throw new Error(`protocol ${def.id} registered twice`);
    this.protocols.set(def.id, def);
    for (const f of def.fields) {
      if (this.fields.has(f.id)) throw new Error(`field ${f.id} declared twice`);
      this.fields.set(f.id, f);
    }
    for (const a of [...def.annotations, ...stopAnnotations(def.id, def.name)]) {
      if (this.annotations.has(a.id)) continue; // a protocol may declare its own truncated text
      this.annotations.set(a.id, a);
    }
    return this;
  }

  /** Annotations that belong to no protocol (frame-level, internal errors). */
  addAnnotations(defs: readonly AnnotationDef[]): this {
    for (const a of defs) {
      if (this.annotations.has(a.id)) throw new Error(`annotation ${a.id} declared twice`);
      this.annotations.set(a.id, a);
    }
    return this;
  }

  field(id: string): FieldDef | undefined {
    return this.fields.get(id);
  }

  annotation(id: string): AnnotationDef | undefined {
    return this.annotations.get(id);
  }

  protocol(id: ProtoId): ProtocolDef | undefined {
    return this.protocols.get(id);
  }

  allFields(): FieldDef[] {
    return [...this.fields.values()];
  }

  allAnnotations(): AnnotationDef[] {
    return [...this.annotations.values()];
  }

  allProtocols(): ProtocolDef[] {
    return [...this.protocols.values()];
  }
}
