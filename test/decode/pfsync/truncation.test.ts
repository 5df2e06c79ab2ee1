// Truncation sweep and fuzzing: every prefix of every valid fixture decodes without an internal
// error, ends `truncated` and keeps the fields read before the cut; random and mutated bytes
// never throw out of the frame decoder (fast-check, fixed seed printed on failure).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrame } from '../../../src/decode/frame.js';
import { PFSYNC_ACTION_TABLES } from '../../../src/decode/pfsync/actions.js';
import { PFSYNC_FLAVORS } from '../../../src/decode/pfsync/constants.js';
import type { FieldValue } from '../../../src/decode/types.js';
import { pfsyncEthFrame } from '../../builders/pfsync.js';
import { rawFrame } from '../../support/frames.js';
import { decodePayload, pfsyncLayer, samplePacket, type Msg } from '../../support/pfsync-fixtures.js';
import { checkProperty } from '../../support/fc-seed.js';

/** Every valid row fixture (no annotation when decoded whole). */
function validFixtures(): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const flavor of PFSYNC_FLAVORS) {
    for (const [code, def] of Object.entries(PFSYNC_ACTION_TABLES[flavor])) {
      const bytes = samplePacket(flavor, Number(code), def.size, def.format);
      if (decodePayload(bytes).annotations.length === 0) out.push({ name: `${flavor}/${def.name}`, bytes });
    }
  }
  return out;
}

/** Every field of `part` equals the same field in `whole` (messages compared one by one). */
function assertPrefixOf(part: Readonly<Record<string, FieldValue>>, whole: Readonly<Record<string, FieldValue>>, where: string): void {
  for (const [k, v] of Object.entries(part)) {
    if (k === 'pfsync.subheaders' || k === 'pfsync.messages') {
      const a = v as readonly Msg[];
      const b = (whole[k] ?? []) as readonly Msg[];
      assert.ok(a.length <= b.length, `${where}: ${k} has more entries than the whole decode`);
      a.forEach((x, i) => assertPrefixOf(x, b[i]!, `${where} ${k}[${i}]`));
      continue;
    }
    if (k === 'pfsync.ignored' || k === 'pfsync.flavor_basis') continue;
    assert.deepEqual(v, whole[k], `${where}: ${k}`);
  }
}

test('truncation sweep: every prefix of every valid fixture', () => {
  const fixtures = validFixtures();
  assert.ok(fixtures.length > 60);
  for (const { name, bytes } of fixtures) {
    const whole = pfsyncLayer(decodePayload(bytes)).fields;
    for (let k = 0; k < bytes.length; k++) {
      const frame = decodePayload(bytes, k);
      assert.equal(frame.internalError, undefined, `${name} cut at ${k}`);
      const layer = pfsyncLayer(frame);
      assert.equal(layer.status, 'truncated', `${name} cut at ${k}`);
      assert.ok(frame.annotations.some((a) => a.id === 'pfsync.truncated'), `${name} cut at ${k}: pfsync.truncated`);
      if (k >= 1) assert.equal(layer.fields['pfsync.version'], whole['pfsync.version']);
      if (layer.fields['pfsync.flavor'] === whole['pfsync.flavor']) assertPrefixOf(layer.fields, whole, `${name} cut at ${k}`);
    }
  }
});

const SEED = 0x5eed240;

test(`fuzz: random bytes as LINKTYPE_PFSYNC and as IP protocol 240 never throw (seed ${SEED})`, () => {
  checkProperty(fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.constantFrom(1, 2, 3, 4, 5, 6), (bytes, version) => {
    const b = Uint8Array.from(bytes);
    if (b.length > 0) b[0] = version;
    const a = decodePayload(b);
    assert.equal(a.internalError, undefined);
    const c = decodeFrame(rawFrame(pfsyncEthFrame(b)));
    assert.equal(c.internalError, undefined);
  }), { seed: SEED, numRuns: 3000 });
});

test(`fuzz: mutated valid fixtures never throw (seed ${SEED})`, () => {
  const fixtures = validFixtures();
  checkProperty(fc.property(fc.nat(fixtures.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }), (i, flips) => {
    const b = Uint8Array.from(fixtures[i]!.bytes);
    for (const [at, v] of flips) b[at % b.length] = v;
    assert.equal(decodePayload(b).internalError, undefined);
  }), { seed: SEED, numRuns: 3000 });
});
