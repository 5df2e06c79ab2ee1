// The findings policy (Zeek's notice policy): which decoder annotations the pipeline also
// raises as findings, and at which severity. One table, derived from the protocol modules'
// annotation definitions (their `finding` flag, decode/registry.ts) and the frame decoder's
// own annotations (decode/protocols.ts); the description of such a finding is the
// annotation's summary. analyze/findings.ts merges this decoder half into FINDINGS.

import { FRAME_ANNOTATIONS, MODULES } from '../decode/protocols.js';
import type { AnnotationDef } from '../decode/registry.js';
import type { Severity } from '../decode/types.js';

export interface FindingDef {
  readonly severity: Severity;
  readonly description: string;
}

type DeclaredAnnotation = (typeof MODULES)[number]['annotations'][number] | (typeof FRAME_ANNOTATIONS)[number];

/** Annotation ids that are also finding ids (a compile-time list, from the `as const` modules). */
export type DecoderFindingId = Extract<DeclaredAnnotation, { readonly finding: unknown }>['id'];

function findingSeverity(a: AnnotationDef): Severity | undefined {
  if (a.finding === undefined) return undefined;
  return a.finding === true ? a.severity : a.finding.severity;
}

const table = new Map<string, FindingDef>();
for (const a of [...MODULES.flatMap((m): readonly AnnotationDef[] => m.annotations), ...FRAME_ANNOTATIONS]) {
  const severity = findingSeverity(a);
  if (severity !== undefined) table.set(a.id, { severity, description: a.summary });
}

/** True when a decoder annotation of this id is also raised as a finding. */
export function isDecoderFindingId(annotationId: string): annotationId is DecoderFindingId {
  return table.has(annotationId);
}

/** Every decoder annotation that is a finding. */
export const DECODER_FINDINGS = Object.fromEntries(table) as { readonly [K in DecoderFindingId]: FindingDef };

/** The decoder findings whose id starts with `prefix.` (to keep FINDINGS grouped by protocol). */
export function decoderFindingsOf<P extends string>(prefix: P): { readonly [K in DecoderFindingId as K extends `${P}.${string}` ? K : never]: FindingDef } {
  return Object.fromEntries([...table].filter(([id]) => id.startsWith(`${prefix}.`))) as never;
}
