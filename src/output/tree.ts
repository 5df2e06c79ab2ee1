// -V: the full tree of every layer and field, Wireshark-like, with the labels, value names and
// units of the registry (decode/registry.ts). Fields the analyzers derived are shown in
// brackets, as Wireshark shows generated fields. pfsync has its own tree (pfsync-text.ts).

import { REGISTRY } from '../decode/protocols.js';
import type { FieldDef } from '../decode/registry.js';
import type { AnalyzedFrame } from '../analyze/types.js';
import type { FieldValue } from '../decode/types.js';
import { formatEpoch, timeOf } from '../kernel/time.js';
import { renderPfsyncTree } from './pfsync-text.js';
import { shownLayers } from './layers.js';

const INDENT = '    ';

function scalar(v: FieldValue, def: FieldDef | undefined): string {
  if (v === null) return '(none)';
  if (typeof v === 'number') {
    let s = def?.kind === 'hex' ? `0x${v.toString(16).padStart(v > 0xff ? 4 : 2, '0')}` : String(v);
    const name = def?.valueNames?.[v];
    if (name !== undefined) s += ` (${name})`;
    if (def?.unit) s += ` ${def.unit}`;
    return s;
  }
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return def?.unit ? `${v} ${def.unit}` : v;
  return JSON.stringify(v);
}

function isScalar(v: FieldValue): boolean {
  return v === null || typeof v !== 'object';
}

function labelOf(id: string): string {
  return REGISTRY.field(id)?.label ?? id;
}

/** Lines for one field; objects and arrays of objects become sub-trees. */
function fieldLines(id: string, v: FieldValue, depth: number, generated: boolean, out: string[]): void {
  const pad = INDENT.repeat(depth);
  const def = REGISTRY.field(id);
  const label = labelOf(id);
  const wrap = (s: string): string => (generated ? `[${s}]` : s);
  if (isScalar(v)) { out.push(`${pad}${wrap(`${label}: ${scalar(v, def)}`)}`); return; }
  if (Array.isArray(v)) {
    const arr = v as readonly FieldValue[];
    if (arr.every(isScalar)) {
      out.push(`${pad}${wrap(`${label}: ${arr.map((e) => scalar(e, def)).join(', ')}`)}`);
      return;
    }
    out.push(`${pad}${wrap(`${label} (${arr.length})`)}`);
    arr.forEach((e, i) => {
      if (isScalar(e)) out.push(`${pad}${INDENT}${scalar(e, def)}`);
      else {
        out.push(`${pad}${INDENT}[${i}]`);
        objectLines(e as { readonly [k: string]: FieldValue }, depth + 2, out);
      }
    });
    return;
  }
  out.push(`${pad}${wrap(label)}`);
  objectLines(v as { readonly [k: string]: FieldValue }, depth + 1, out);
}

function objectLines(obj: { readonly [k: string]: FieldValue }, depth: number, out: string[]): void {
  for (const k of Object.keys(obj)) fieldLines(k, obj[k]!, depth, false, out);
}

/** The tree lines of a frame (no trailing newline), each indented by `baseDepth` levels. */
export function renderTree(frame: AnalyzedFrame, baseDepth = 1): string[] {
  const raw = frame.raw;
  const pad = INDENT.repeat(baseDepth);
  const out: string[] = [
    `${pad}Frame ${raw.number}: ${raw.originalLength} bytes on wire, ${raw.capturedLength} bytes captured, interface ${raw.interfaceId}, link type ${raw.linktype}`,
    `${pad}${INDENT}Epoch Time: ${formatEpoch(timeOf(raw))} seconds`,
  ];
  for (const shown of shownLayers(frame)) {
    const name = REGISTRY.protocol(shown.proto as never)?.name ?? shown.proto;
    const status = shown.layer && shown.layer.status !== 'ok' ? ` [${shown.layer.status}]` : '';
    out.push(`${pad}${name}${status}`);
    const custom = shown.proto === 'pfsync' && shown.layer ? renderPfsyncTree(shown.layer) : [];
    if (custom.length > 0) {
      for (const line of custom) out.push(`${pad}${INDENT}${line}`);
      for (const id of shown.derived) fieldLines(id, shown.fields[id]!, baseDepth + 1, true, out);
    } else {
      const derived = new Set(shown.derived);
      // Wireshark-like nesting: a field whose id extends an earlier field's id (ip.flags.df
      // after ip.flags, carp.checksum.status after carp.checksum) goes one level deeper.
      const depthOf = new Map<string, number>();
      const ids = placeDerived(Object.keys(shown.fields), derived);
      for (const id of ids) {
        let depth = baseDepth + 1;
        for (let cut = id.lastIndexOf('.'); cut > 0; cut = id.lastIndexOf('.', cut - 1)) {
          const parent = depthOf.get(id.slice(0, cut));
          if (parent !== undefined) { depth = parent + 1; break; }
        }
        depthOf.set(id, depth);
        fieldLines(id, shown.fields[id]!, depth, derived.has(id), out);
      }
    }
    for (const a of frame.annotations) {
      if (a.proto === shown.proto) out.push(`${pad}${INDENT}[Expert Info (${a.severity}): ${a.message} (${a.id})]`);
    }
  }
  for (const a of frame.annotations) {
    if (a.proto === 'frame') out.push(`${pad}[Expert Info (${a.severity}): ${a.message} (${a.id})]`);
  }
  return out;
}

/**
 * Field ids in tree order: the decoder's order, with each derived field moved right after its
 * parent's subtree (carp.hmac.status after carp.hmac), or at the end when it has no parent.
 */
export function placeDerived(keys: readonly string[], derived: ReadonlySet<string>): string[] {
  const out = keys.filter((k) => !derived.has(k));
  for (const id of keys) {
    if (!derived.has(id)) continue;
    let at = -1;
    for (let cut = id.lastIndexOf('.'); cut > 0 && at < 0; cut = id.lastIndexOf('.', cut - 1)) at = out.indexOf(id.slice(0, cut));
    if (at < 0) { out.push(id); continue; }
    const prefix = `${out[at]!}.`;
    let j = at + 1;
    while (j < out.length && out[j]!.startsWith(prefix)) j++;
    out.splice(j, 0, id);
  }
  return out;
}
