// Property: whatever the decoders make of random and mutated frames, every renderer and the
// display filter handle it without throwing, and what the renderers write is well formed: json
// and jsonl parse and describe this frame, fields has its columns, nothing prints NaN or
// undefined (fixed seed, CARPDUMP_FC_SEED to vary, printed on failure).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RawFrame } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { evaluateFilter, parseDisplayFilter } from '../../src/filter/display-filter.js';
import { createPalette } from '../../src/output/color.js';
import { createRenderer } from '../../src/output/renderer.js';
import { shownLayers } from '../../src/output/layers.js';
import type { AnalyzedFrame } from '../../src/analyze/types.js';
import { TimestampFormatter } from '../../src/output/timestamp.js';
import { BufferedWriter, MemoryStream } from '../../src/output/writer.js';
import { carpFrame4, carpFrame6, vrrp2Frame, vrrp3Frame6, arpFrame } from '../builders/packets.js';
import { checkProperty } from '../support/fc-seed.js';
import { rawFrame } from '../support/frames.js';

const SEED = 20260522;
const seeds = [carpFrame4(), carpFrame6(), vrrp2Frame(), vrrp3Frame6(), arpFrame()];
const FILTERS = ['carp.vhid == 7 || vrrp.prio > 100', 'ip.src == 10.77.0.1 && !carp.hmac', 'carp.counter >= 1 or arp', 'vrrp.ip_addr contains 10'];
const filters = FILTERS.map(parseDisplayFilter);

const frameArb = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), fc.nat(200)).map(([base, flips, cut]) => {
    const b = base.slice(0, Math.max(1, Math.min(base.length, cut)));
    for (const [at, v] of flips) b[at % b.length] = v;
    return b;
  }),
);

const FIELDS = ['carp.vhid', 'vrrp.ip_addr', 'pfsync.subheaders', 'frame.number'];

/** Every packet object anywhere in a parsed JSON document (an array, or an object holding one). */
function packetObjects(doc: unknown): Record<string, unknown>[] {
  if (Array.isArray(doc)) return doc.flatMap(packetObjects);
  if (doc === null || typeof doc !== 'object') return [];
  const o = doc as Record<string, unknown>;
  return o['type'] === 'packet' ? [o] : Object.values(o).flatMap(packetObjects);
}

function checkPacket(p: Record<string, unknown> | undefined, frame: AnalyzedFrame): void {
  assert.ok(p, 'no packet object');
  const f = p['frame'] as Record<string, unknown>;
  assert.equal(f['number'], 1);
  assert.equal(f['caplen'], frame.raw.capturedLength);
  assert.equal(f['len'], frame.raw.originalLength);
  assert.deepEqual(Object.keys(p['layers'] as object).sort(), [...new Set(shownLayers(frame).map((l) => l.proto))].sort());
  assert.deepEqual((p['annotations'] as { id: string }[]).map((a) => a.id), frame.annotations.map((a) => a.id));
}

function checkOutput(format: 'text' | 'jsonl' | 'json' | 'fields', text: string, frame: AnalyzedFrame): void {
  assert.doesNotMatch(text, /\bNaN\b|\bundefined\b/, `${format} output`);
  if (format === 'jsonl') {
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    checkPacket(lines[0], frame);
    assert.equal(lines.at(-1)!['type'], 'summary');
    assert.equal(lines.at(-1)!['frames'], 1);
  } else if (format === 'json') {
    const packets = packetObjects(JSON.parse(text));
    assert.equal(packets.length, 1);
    checkPacket(packets[0], frame);
  } else if (format === 'fields') {
    const lines = text.split('\n');
    assert.equal(lines.at(-1), '');
    assert.equal(lines[0]!.split('\t').length, FIELDS.length, JSON.stringify(lines[0]));
    assert.equal(lines[0]!.split('\t')[3], '1', 'frame.number column');
  } else {
    assert.ok(text.length > 0 && text.endsWith('\n'), 'text ends with a newline');
  }
}

function raw(data: Uint8Array, linktype: number): RawFrame {
  return rawFrame(data, { tsNsec: 5, tsDigits: 9, linktype, originalLength: data.length + 3 });
}

test('random and mutated frames render in every format without an exception', () => {
  checkProperty(
    fc.property(frameArb, fc.constantFrom(1, 0, 101, 113, 276, 228, 229, 246, 18, 12), (data, linktype) => {
      const frame: AnalyzedFrame = { ...decodeFrame(raw(data, linktype)), derived: {} };
      for (const format of ['text', 'jsonl', 'json', 'fields'] as const) {
        const stream = new MemoryStream();
        const out = new BufferedWriter(stream);
        const r = createRenderer(out, {
          format, verbose: true, hex: true, quiet: false, fields: FIELDS,
          summaries: ['findings', 'carp,masters', 'pfsync,states'], palette: createPalette(1), timestamps: new TimestampFormatter('r', true),
        });
        r.frame(frame, []);
        r.end({ frames: 1, shown: 1, findings: {} }, {});
        out.flush();
        checkOutput(format, stream.text, frame);
      }
      for (const f of filters) evaluateFilter(f, frame);
    }),
    { seed: SEED, numRuns: 1500 },
  );
});
