// -T ek: the Elasticsearch bulk format as tshark -T ek writes it (tshark 4.0), so that an
// Elastic/OpenSearch pipeline fed by tshark ingests carpdump's output too. Per frame two lines:
//
//   {"index":{"_index":"packets-2026-11-22","_type":"doc"}}
//   {"timestamp":"1795325283203","layers":{"frame":{"frame_frame_number":"1",...},"eth":{...},"ip":{...},"carp":{"carp_carp_vhid":"7",...}}}
//
// As tshark: the index is named after the frame's date (UTC here), `timestamp` is epoch
// milliseconds as a string, each layer is keyed by its protocol's filter name, each field by
// `<layer>_<field id with dots as underscores>`; numbers and addresses are strings (hex fields
// 0x.., byte strings colon-separated), booleans booleans, a field that occurs more than once an
// array. Deviations: checksum statuses are carpdump's words (good/bad/unverified), not
// tshark's numbers; hex fields not in HEX_DIGITS are padded to an even number of digits. carpdump adds a `carpdump` layer with
// the ids of the findings the frame raised; findings raised by no frame (timers, end of input)
// are documents with only that layer.

import type { AnalyzedFrame, Finding } from '../analyze/types.js';
import { formatEpoch, timeOf } from '../kernel/time.js';
import type { DecodedFrame, FieldValue, Fields } from '../decode/types.js';
import { REGISTRY } from '../decode/protocols.js';
import { shownLayers } from './layers.js';

type EkValue = string | boolean | (string | boolean)[];
type EkLayer = Record<string, EkValue>;

function indexLine(sec: number): string {
  const day = new Date(sec * 1000).toISOString().slice(0, 10);
  return `{"index":{"_index":"packets-${day}","_type":"doc"}}`;
}

function millis(sec: number, nsec: number): string {
  return String(sec * 1000 + Math.floor(nsec / 1e6));
}

function add(layer: EkLayer, key: string, value: string | boolean): void {
  const prev = layer[key];
  if (prev === undefined) layer[key] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else layer[key] = [prev, value];
}

/** Hex digits tshark shows for fields whose width is not that of their value (the field's width). */
const HEX_DIGITS: Readonly<Record<string, number>> = {
  'eth.type': 4, 'vlan.etype': 4, 'arp.proto_type': 4, 'ip.id': 4, 'ip.checksum': 4, 'ipv6.tclass': 8, 'ipv6.flow': 6,
  'carp.checksum': 4, 'vrrp.checksum': 4, 'icmpv6.checksum': 4,
};

/** tshark's text of a value: hex fields as 0x.. (the field's width), byte strings colon-separated. */
function ekText(id: string, v: string | number): string {
  const kind = REGISTRY.field(id)?.kind;
  if (kind === 'hex' && typeof v === 'number') {
    const h = v.toString(16);
    return `0x${h.padStart(Math.max(HEX_DIGITS[id] ?? 0, h.length + (h.length % 2)), '0')}`;
  }
  if (kind === 'bytes' && typeof v === 'string' && /^([0-9a-f]{2})+$/.test(v)) return v.match(/../g)!.join(':');
  return String(v);
}

/** Adds a field value under `key`: objects are flattened by their own field ids, arrays repeat. */
function addValue(layer: EkLayer, layerName: string, key: string, v: FieldValue, id = ''): void {
  if (v === null || v === undefined) return;
  if (typeof v === 'boolean') { add(layer, key, v); return; }
  if (typeof v !== 'object') { add(layer, key, ekText(id, v)); return; }
  if (Array.isArray(v)) { for (const e of v as readonly FieldValue[]) addValue(layer, layerName, key, e, id); return; }
  const obj = v as Fields;
  for (const k of Object.keys(obj)) addValue(layer, layerName, `${layerName}_${k.replace(/\./g, '_')}`, obj[k]!, k);
}

/** The layer's filter name, as tshark's: the prefix of its field ids (`ip` for IPv4). */
function layerName(proto: string, fields: Fields): string {
  for (const k of Object.keys(fields)) {
    const dot = k.indexOf('.');
    if (dot > 0) return k.slice(0, dot);
  }
  return proto;
}

export function renderEkFrame(frame: AnalyzedFrame, findings: readonly Finding[], capturePoint?: string): string {
  const raw = frame.raw;
  const layers: Record<string, EkLayer> = {};
  const shown = shownLayers(frame);
  const names = shown.map((l) => layerName(l.proto, l.fields));
  layers['frame'] = {
    frame_frame_time_epoch: formatEpoch({ ...timeOf(raw), digits: 9 }),
    frame_frame_number: String(raw.number),
    frame_frame_len: String(raw.originalLength),
    frame_frame_cap_len: String(raw.capturedLength),
    frame_frame_interface_id: String(raw.interfaceId),
    frame_frame_protocols: names.join(':'),
    ...(capturePoint !== undefined ? { frame_frame_capture_point: capturePoint } : {}),
  };
  shown.forEach((l, i) => {
    const name = names[i]!;
    const layer = layers[name] ?? (layers[name] = {});
    for (const id of Object.keys(l.fields)) addValue(layer, name, `${name}_${id.replace(/\./g, '_')}`, l.fields[id]!, id);
  });
  if (findings.length > 0) layers['carpdump'] = { carpdump_carpdump_finding: findings.map((f) => f.id) };
  return `${indexLine(raw.tsSec)}\n${JSON.stringify({ timestamp: millis(raw.tsSec, raw.tsNsec), layers })}\n`;
}

/** A finding no frame carries, as a document of its own. */
export function renderEkFinding(f: Finding): string {
  const layer: EkLayer = {
    carpdump_carpdump_finding: f.id,
    carpdump_carpdump_severity: f.severity,
    carpdump_carpdump_message: f.message,
    carpdump_carpdump_time_epoch: formatEpoch(f.ts),
  };
  if (f.frames.length > 0) layer['carpdump_carpdump_frames'] = f.frames.map(String);
  return `${indexLine(f.ts.sec)}\n${JSON.stringify({ timestamp: millis(f.ts.sec, f.ts.nsec), layers: { carpdump: layer } })}\n`;
}
