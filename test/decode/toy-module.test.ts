// A protocol added the way the issue asks: one module definition and one line in a (test-only)
// list, nothing else. The toy protocol sits on IP protocol 253 (RFC 3692, for experiments):
// it decodes, the prefilter lets it through, -Y filters on its fields, the text, -V and JSON
// renderers show it, and the fuzz harness's mutator cannot make its dissector fail. The real
// protocol set (decode/protocols.ts) knows nothing about it.
//
//    0       1               3                               7
//   +-------+---------------+-------------------------------+
//   |version|     value     |     label (4 bytes, NUL-padded) |
//   +-------+---------------+-------------------------------+

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzedFrame } from '../../src/analyze/types.js';
import type { Dissector } from '../../src/decode/dissector.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { ALWAYS, type ProtocolModule } from '../../src/decode/module.js';
import { FRAME_ANNOTATIONS, MODULES, PROTOCOLS } from '../../src/decode/protocols.js';
import { buildProtocolSet } from '../../src/decode/protocol-set.js';
import type { DecodedFrame, ProtoId } from '../../src/decode/types.js';
import { checkFilterValues } from '../../src/filter/field-check.js';
import { evaluateFilter, parseDisplayFilter } from '../../src/filter/display-filter.js';
import { packetObject } from '../../src/output/json.js';
import { renderTree } from '../../src/output/tree.js';
import { renderFrameSummary } from '../../src/output/text-line.js';
import { NO_COLOR_PALETTE } from '../../src/output/color.js';
import { concat, ethernet, ipv4 } from '../builders/packets.js';
import { analyzed } from '../support/derived.js';
import { rawFrame } from '../support/frames.js';
import { mulberry, mutate } from '../fuzz/mutate.js';

const IPPROTO_TOY = 253;
// A protocol id outside the closed union of the real ones: the one cast a test-only module needs.
const TOY = 'toy' as ProtoId;

const TOY_DISSECTOR: Dissector = {
  proto: TOY,
  decode(c, out) {
    const version = c.u8('toy version');
    out.set('toy.version', version);
    if (version !== 1) out.annotate('toy.bad_version', `toy version ${version}, should be 1`);
    out.set('toy.value', c.u16be('toy value'));
    out.set('toy.label', c.fixedString(4, 'toy label'));
    return undefined;
  },
};

const TOY_MODULE = {
  id: TOY,
  name: 'Toy Protocol',
  fields: [
    { id: 'toy.version', label: 'Toy version', kind: 'uint' },
    { id: 'toy.value', label: 'Toy value', kind: 'uint' },
    { id: 'toy.label', label: 'Toy label', kind: 'string' },
  ],
  annotations: [{ id: 'toy.bad_version', severity: 'warn', summary: 'toy version is not 1', group: 'malformed' }],
  dissectors: { toy: TOY_DISSECTOR },
  probes: { toy: ALWAYS },
  dispatch: { ipProtocols: [{ value: IPPROTO_TOY, dissector: 'toy' }] },
} as const satisfies ProtocolModule;

/** The test-only list: the real modules plus the toy, one line. */
const TOY_SET = buildProtocolSet([...MODULES, TOY_MODULE], FRAME_ANNOTATIONS);

function toyFrame(version: number, value: number, label: string): Uint8Array {
  const payload = concat(
    Uint8Array.of(version),                               // version
    Uint8Array.of(value >> 8, value & 0xff),              // value, big-endian
    Uint8Array.from([...label.padEnd(4, '\0')].map((ch) => ch.charCodeAt(0))), // label
  );
  return ethernet({ type: 0x0800 }, ipv4({ proto: IPPROTO_TOY, ttl: 64 }, payload));
}

function decodeToy(bytes: Uint8Array, originalLength = bytes.length): AnalyzedFrame {
  return analyzed(decodeFrame(rawFrame(bytes, { linktype: 1, originalLength }), {}, TOY_SET));
}

test('toy module: decodes with the test-only set, not with the real one', () => {
  const f = decodeToy(toyFrame(1, 7, 'abc'));
  assert.deepEqual(f.layers.map((l) => l.proto), ['eth', 'ipv4', 'toy']);
  assert.deepEqual(f.layers[2]!.fields, { 'toy.version': 1, 'toy.value': 7, 'toy.label': 'abc' });
  assert.equal(f.internalError, undefined);
  const real = decodeFrame(rawFrame(toyFrame(1, 7, 'abc'), { linktype: 1 }));
  assert.deepEqual(real.layers.map((l) => l.proto), ['eth', 'ipv4']);
});

test('toy module: its annotation and the generic truncation come from its registry entry', () => {
  const bad = decodeToy(toyFrame(2, 7, 'abc'));
  assert.deepEqual(bad.annotations.map((a) => [a.id, a.severity]), [['toy.bad_version', 'warn']]);
  const whole = toyFrame(1, 7, 'abc');
  const cut = decodeToy(whole.subarray(0, whole.length - 2), whole.length);
  assert.equal(cut.layers[2]!.status, 'truncated');
  assert.deepEqual(cut.layers[2]!.fields, { 'toy.version': 1, 'toy.value': 7 });
  assert.ok(cut.annotations.some((a) => a.id === 'toy.truncated'));
});

test('toy module: the record prefilter follows its dispatch row and probe', () => {
  const b = toyFrame(1, 7, 'abc');
  assert.equal(TOY_SET.isInterestingRecord(b, 0, b.length, 1), true);
  assert.equal(PROTOCOLS.isInterestingRecord(b, 0, b.length, 1), false);
});

test('toy module: -Y filters on its fields, which the real registry rejects', () => {
  const node = parseDisplayFilter('toy.value == 7 && toy.label == "abc"');
  checkFilterValues(node, TOY_SET.registry);
  assert.throws(() => checkFilterValues(node, PROTOCOLS.registry), /toy\.value/);
  assert.equal(evaluateFilter(node, decodeToy(toyFrame(1, 7, 'abc'))), true);
  assert.equal(evaluateFilter(node, decodeToy(toyFrame(1, 8, 'abc'))), false);
  assert.equal(evaluateFilter(parseDisplayFilter('toy'), decodeToy(toyFrame(1, 8, 'abc'))), true);
});

test('toy module: text, -V and JSON render its layer', () => {
  const f = decodeToy(toyFrame(1, 7, 'abc'));
  const json = packetObject(f, []);
  assert.deepEqual(JSON.parse(JSON.stringify(json)).layers.toy, { 'toy.version': 1, 'toy.value': 7, 'toy.label': 'abc' });
  const tree = renderTree(f).join('\n');
  assert.match(tree, /^ {4}toy$/m);
  assert.match(tree, /toy\.value: 7$/m);
  assert.match(tree, /toy\.label: abc$/m);
  assert.equal(renderFrameSummary(f, NO_COLOR_PALETTE).includes('ip-proto-253'), true);
});

test('toy module: fuzz-mutated toy frames never make a dissector fail (seed 9009)', () => {
  const r = mulberry(9009);
  const seeds = [toyFrame(1, 7, 'abc'), toyFrame(3, 0xffff, 'wxyz'), toyFrame(1, 0, '')];
  let toyLayers = 0;
  for (let i = 0; i < 3000; i++) {
    const { bytes, how } = mutate(seeds[i % seeds.length]!, r);
    const f = decodeToy(bytes);
    assert.equal(f.internalError, undefined, `mutation ${i} (${how}): ${f.internalError}`);
    if (f.layers.some((l) => l.proto === TOY)) toyLayers++;
  }
  assert.ok(toyLayers > 1000, `only ${toyLayers} mutated frames reached the toy dissector`);
});
