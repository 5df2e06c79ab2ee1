// -T fields: the -e columns of each shown frame, tab-separated (tshark -T fields). A field that
// occurs several times (arrays, repeated layers) has its values joined by ','; an absent field
// is an empty column; objects are written as JSON.

import type { AnalyzedFrame } from '../analyze/types.js';
import type { FieldValue } from '../decode/types.js';
import { formatEpoch, timeOf } from '../kernel/time.js';
import { collectFieldValues, frameFieldValue } from '../filter/display-filter.js';

function text(v: FieldValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return (v as readonly FieldValue[]).map(text).join(',');
  return JSON.stringify(v);
}

/** frame.time_epoch keeps the capture's precision as text; other frame.* fields are numbers. */
function frameField(frame: AnalyzedFrame, id: string): string | undefined {
  const raw = frame.raw;
  if (id === 'frame.time_epoch') return formatEpoch(timeOf(raw));
  const v = frameFieldValue(frame, id);
  return v === undefined ? undefined : String(v);
}

export function renderFieldsLine(frame: AnalyzedFrame, columns: readonly string[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const id = columns[i]!;
    if (i > 0) line += '\t';
    const fv = frameField(frame, id);
    if (fv !== undefined) { line += fv; continue; }
    line += collectFieldValues(frame, id).map(text).join(',');
  }
  return `${line}\n`;
}
