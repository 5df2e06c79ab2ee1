// The JSON objects of SPEC.md: packet, finding and summary. jsonl writes one per line; json
// writes the packet objects as one array. Layers are keyed by protocol; a protocol that occurs
// more than once in a frame (QinQ vlan tags, IP in IP) becomes an array of layer objects.

import type { AnalyzedFrame, Finding } from '../analyze/types.js';
import { formatEpoch, timeOf } from '../kernel/time.js';
import type { DecodedFrame, FieldValue, Fields } from '../decode/types.js';
import { shownLayers } from './layers.js';

export interface PacketObject {
  readonly type: 'packet';
  readonly frame: {
    readonly number: number;
    readonly ts: string;
    readonly caplen: number;
    readonly len: number;
    readonly linktype: number;
    readonly interface: number;
    /** Several -r: the capture point (file) of the frame. */
    readonly capture_point?: string;
  };
  readonly layers: Fields;
  readonly annotations: readonly { readonly id: string; readonly severity: string; readonly message: string }[];
  readonly findings: readonly string[];
}

export function packetObject(frame: AnalyzedFrame, findings: readonly Finding[]): PacketObject {
  const raw = frame.raw;
  const layers: Record<string, FieldValue> = {};
  for (const l of shownLayers(frame)) {
    const prev = layers[l.proto];
    if (prev === undefined) layers[l.proto] = l.fields;
    else if (Array.isArray(prev)) (prev as FieldValue[]).push(l.fields);
    else layers[l.proto] = [prev, l.fields];
  }
  return {
    type: 'packet',
    frame: {
      number: raw.number,
      ts: formatEpoch(timeOf(raw)),
      caplen: raw.capturedLength,
      len: raw.originalLength,
      linktype: raw.linktype,
      interface: raw.interfaceId,
      ...(raw.capturePoint !== undefined ? { capture_point: raw.capturePoint } : {}),
    },
    layers,
    annotations: frame.annotations.map((a) => ({ id: a.id, severity: a.severity, message: a.message })),
    findings: findings.map((f) => f.id),
  };
}

/** `{"type":"finding","id":...,"severity":...,"ts":...,"frames":[...],"message":...,<details>}` */
export function findingObject(f: Finding): Fields {
  const o: Record<string, FieldValue> = {
    type: 'finding',
    id: f.id,
    severity: f.severity,
    ts: formatEpoch(f.ts),
    frames: [...f.frames],
    message: f.message,
  };
  for (const k of Object.keys(f.details)) if (!(k in o)) o[k] = f.details[k]!;
  return o;
}

export interface RunTotals {
  readonly frames: number;
  readonly shown: number;
  readonly findings: Readonly<Record<string, number>>;
}

/** `{"type":"summary","frames":N,"shown":M,"findings":{...},"carp":{...},"pfsync":{...}}` */
export function summaryObject(totals: RunTotals, analyzerSummary: Fields): Fields {
  return { type: 'summary', frames: totals.frames, shown: totals.shown, findings: { ...totals.findings }, ...analyzerSummary };
}
