// jsonl / json / fields renderers: the SPEC's object shapes, on frames decoded from builder bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzedFrame, Finding } from '../../src/analyze/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { NO_COLOR_PALETTE } from '../../src/output/color.js';
import { findingObject, packetObject, summaryObject } from '../../src/output/json.js';
import { createRenderer, type RenderOptions } from '../../src/output/renderer.js';
import { renderFieldsLine } from '../../src/output/fields.js';
import { TimestampFormatter } from '../../src/output/timestamp.js';
import { BufferedWriter, MemoryStream } from '../../src/output/writer.js';
import { carpFrame4, ethernetTagged, ipv4, carp, vrrp2Frame } from '../builders/packets.js';
import { rawFrame } from '../support/frames.js';

/** Decoded from the bytes, with nothing derived beside it (as the pipeline hands it on without analyzers). */
function decoded(data: Uint8Array, number = 1, tsNsec = 123000, tsDigits = 6): AnalyzedFrame {
  return { ...decodeFrame(rawFrame(data, { number, tsNsec, tsDigits })), derived: {} };
}

const finding: Finding = {
  id: 'carp.master_changed', severity: 'note', ts: { sec: 1700000000, nsec: 123000, digits: 6 }, frames: [1],
  message: 'VHID 7: 10.77.0.1 is master', details: { vhid: 7, src: '10.77.0.1', cause: 'first_seen' },
};

test('packet object: frame block, layers keyed by protocol, typed values, derived fields in their layer', () => {
  const f = { ...decoded(carpFrame4({ vhid: 9, counter: 0x0102030405060708n })), derived: { 'carp.hmac.status': 'unverified' } };
  const o = packetObject(f, [finding]);
  assert.deepEqual(o.frame, { number: 1, ts: '1700000000.000123', caplen: 70, len: 70, linktype: 1, interface: 0 });
  assert.deepEqual(Object.keys(o.layers), ['eth', 'ipv4', 'carp']);
  const c = o.layers['carp'] as Record<string, unknown>;
  assert.equal(c['carp.vhid'], 9);
  assert.equal(c['carp.counter'], '72623859790382856');
  assert.equal(c['carp.hmac'], '0'.repeat(40));
  assert.equal(c['carp.hmac.status'], 'unverified');
  assert.equal((o.layers['ipv4'] as Record<string, unknown>)['ip.src'], '10.77.0.1');
  assert.deepEqual(o.findings, ['carp.master_changed']);
  assert.deepEqual(o.annotations, []);
  // The object survives a JSON round trip unchanged (no bigint, no undefined).
  assert.deepEqual(JSON.parse(JSON.stringify(o)), o);
});

test('a protocol repeated in one frame (QinQ) becomes an array of layers', () => {
  const data = ethernetTagged([{ tpid: 0x88a8, id: 100 }, { tpid: 0x8100, id: 200 }], 0x0800, ipv4({ proto: 112 }, carp()));
  const o = packetObject(decoded(data), []);
  const vlan = o.layers['vlan'];
  assert.ok(Array.isArray(vlan), JSON.stringify(o.layers));
  assert.deepEqual((vlan as Record<string, unknown>[]).map((v) => v['vlan.id']), [100, 200]);
});

test('annotations carry id, severity and message; nanosecond captures keep 9 digits', () => {
  const f = decoded(carpFrame4({}, { ttl: 64 }), 3, 5, 9);
  const o = packetObject(f, []);
  assert.equal(o.frame.ts, '1700000000.000000005');
  assert.ok(o.annotations.some((a) => a.id === 'carp.bad_ttl' && a.severity === 'warn' && a.message.length > 0));
});

test('finding object: details are top-level keys', () => {
  assert.deepEqual(findingObject(finding), {
    type: 'finding', id: 'carp.master_changed', severity: 'note', ts: '1700000000.000123', frames: [1],
    message: 'VHID 7: 10.77.0.1 is master', vhid: 7, src: '10.77.0.1', cause: 'first_seen',
  });
});

test('summary object', () => {
  assert.deepEqual(summaryObject({ frames: 5, shown: 4, findings: { 'carp.bad_ttl': 2 } }, { carp: { vhids: [] }, pfsync: { peers: [] } }),
    { type: 'summary', frames: 5, shown: 4, findings: { 'carp.bad_ttl': 2 }, carp: { vhids: [] }, pfsync: { peers: [] } });
});

function render(format: RenderOptions['format'], extra: Partial<RenderOptions> = {}) {
  const stream = new MemoryStream();
  const out = new BufferedWriter(stream);
  const r = createRenderer(out, {
    format, verbose: false, hex: false, quiet: false, fields: [], summaries: [], palette: NO_COLOR_PALETTE,
    timestamps: new TimestampFormatter('a', true), ...extra,
  });
  return { r, out, stream };
}

test('jsonl: packet, then its findings, loose findings, summary last; -q drops packets only', () => {
  for (const quiet of [false, true]) {
    const { r, out, stream } = render('jsonl', { quiet });
    r.frame(decoded(carpFrame4()), [finding]);
    r.finding({ ...finding, id: 'carp.master_silent', frames: [] });
    r.end({ frames: 1, shown: 1, findings: { 'carp.master_changed': 1 } }, { carp: { vhids: [] } });
    out.flush();
    const objs = stream.text.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; id?: string });
    const types = objs.map((o) => (o.id ? `${o.type}:${o.id}` : o.type));
    assert.deepEqual(types, [...(quiet ? [] : ['packet']), 'finding:carp.master_changed', 'finding:carp.master_silent', 'summary']);
  }
});

test('json: one array of the jsonl objects: packets, findings, the summary last', () => {
  const { r, out, stream } = render('json');
  r.frame(decoded(carpFrame4(), 1), [finding]);
  r.frame(decoded(vrrp2Frame(), 2), []);
  r.finding({ ...finding, id: 'carp.master_silent', frames: [] });
  r.end({ frames: 2, shown: 2, findings: {} }, {});
  out.flush();
  const arr = JSON.parse(stream.text) as { type: string; id?: string; frame?: { number: number }; layers?: Record<string, unknown> }[];
  assert.deepEqual(arr.map((p) => [p.type, p.frame?.number ?? p.id]), [['packet', 1], ['finding', 'carp.master_changed'], ['packet', 2], ['finding', 'carp.master_silent'], ['summary', undefined]]);
  assert.ok('vrrp' in arr[2]!.layers!);
  const empty = render('json');
  empty.r.end({ frames: 0, shown: 0, findings: {} }, {});
  empty.out.flush();
  assert.deepEqual((JSON.parse(empty.stream.text) as { type: string }[]).map((o) => o.type), ['summary']);
});

test('fields: tab-separated columns, arrays joined by commas, absent fields empty, frame.* pseudo-fields', () => {
  const v = decoded(vrrp2Frame({}), 4);
  assert.equal(renderFieldsLine(v, ['frame.number', 'vrrp.virt_rtr_id', 'carp.vhid', 'ip.src']), `4\t${String(v.layers[2]?.fields['vrrp.virt_rtr_id'])}\t\t10.77.0.1\n`);
  const addrs = v.layers[2]?.fields['vrrp.ip_addr'];
  assert.ok(Array.isArray(addrs));
  assert.equal(renderFieldsLine(v, ['vrrp.ip_addr']), `${(addrs as string[]).join(',')}\n`);
  assert.equal(renderFieldsLine(v, ['frame.time_epoch']), '1700000000.000123\n');
});

test('text renderer: line, findings indented under it, -V tree, -x dump, -q prints findings alone', () => {
  const { r, out, stream } = render('text', { verbose: true, hex: true });
  r.frame(decoded(carpFrame4()), [finding]);
  out.flush();
  const lines = stream.text.split('\n');
  assert.match(lines[0]!, /^22:13:20\.000123 10\.77\.0\.1 > 224\.0\.0\.18: CARPv2 advertise vhid 7 /);
  assert.equal(lines[1], '    note carp.master_changed: VHID 7: 10.77.0.1 is master');
  assert.match(lines[2]!, /^ {4}Frame 1: 70 bytes on wire/);
  // -x starts after the 14-byte Ethernet header (tcpdump -x): 56 bytes, at the IPv4 header.
  assert.ok(lines.includes('\t0x0000:  4510 0038 1234 4000 ff70 7eb1 0a4d 0001'), stream.text);
  assert.ok(lines.some((l) => l.startsWith('\t0x0030:  ')) && !lines.some((l) => l.startsWith('\t0x0040:  ')));
  const xx = render('text', { hex: true, hexLinkHeader: true });
  xx.r.frame(decoded(carpFrame4()), []);
  xx.out.flush();
  assert.ok(xx.stream.text.includes('\t0x0000:  0100 5e00 0012 0000 5e00 0107 0800 4510\n'), '-xx: from the Ethernet header');
  assert.ok(xx.stream.text.includes('\t0x0040:  '));

  const q = render('text', { quiet: true });
  q.r.frame(decoded(carpFrame4()), [finding]);
  q.out.flush();
  assert.equal(q.stream.text, '22:13:20.000123 note carp.master_changed: VHID 7: 10.77.0.1 is master [frame 1]\n');
});

test('text renderer: -z tables after the frames, in the order asked for', () => {
  const { r, out, stream } = render('text', { summaries: ['findings'] });
  r.end({ frames: 0, shown: 0, findings: { 'carp.bad_ttl': 3 } }, {});
  out.flush();
  assert.match(stream.text, /^Findings:\n.*\n  warn {12}3  carp\.bad_ttl\n$/);
});

test('the buffered writer writes in large chunks, per frame with -l, and goes quiet after EPIPE', () => {
  const chunks: string[] = [];
  let onError: ((e: Error & { code?: string }) => void) | undefined;
  const stream = { write: (c: string) => { chunks.push(c); return true; }, on: (_e: 'error', l: (e: Error & { code?: string }) => void) => { onError = l; } };
  const w = new BufferedWriter(stream);
  for (let i = 0; i < 1000; i++) w.write('x'.repeat(99) + '\n');
  assert.equal(chunks.length, 1, 'one chunk after 64 KB');
  w.endFrame();
  assert.equal(chunks.length, 1, 'no flush per frame without -l');
  let closed = false;
  w.whenClosed(() => { closed = true; });
  onError?.(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  assert.equal(closed, true);
  w.write('more');
  w.flush();
  assert.equal(chunks.length, 1);

  const lineChunks: string[] = [];
  const lw = new BufferedWriter({ write: (c: string) => lineChunks.push(c) }, true);
  lw.write('a\n');
  lw.endFrame();
  lw.write('b\n');
  lw.endFrame();
  assert.deepEqual(lineChunks, ['a\n', 'b\n']);
});
