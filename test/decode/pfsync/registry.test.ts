// Every field id the pfsync decoder writes (layer, sections, messages) is declared in the
// registry, and every annotation it raises is a declared annotation and a finding id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REGISTRY } from '../../../src/decode/protocols.js';
import { FINDINGS } from '../../../src/analyze/findings.js';
import { PFSYNC_ACTION_TABLES } from '../../../src/decode/pfsync/actions.js';
import { PFSYNC_FLAVORS } from '../../../src/decode/pfsync/constants.js';
import { PFSYNC_PROTOCOL_DEFS } from '../../../src/decode/pfsync/index.js';
import type { FieldValue } from '../../../src/decode/types.js';
import { decodePayload, samplePacket } from '../../support/pfsync-fixtures.js';

function collect(obj: Readonly<Record<string, FieldValue>>, into: Set<string>): void {
  for (const [k, v] of Object.entries(obj)) {
    into.add(k);
    if (k === 'pfsync.subheaders' || k === 'pfsync.messages') for (const x of v as readonly Record<string, FieldValue>[]) collect(x, into);
  }
}

test('every pfsync field written is declared in the registry', () => {
  const seen = new Set<string>();
  for (const flavor of PFSYNC_FLAVORS) {
    for (const [code, def] of Object.entries(PFSYNC_ACTION_TABLES[flavor])) {
      const frame = decodePayload(samplePacket(flavor, Number(code), def.size, def.format));
      for (const l of frame.layers) collect(l.fields, seen);
    }
  }
  assert.ok(seen.size > 100);
  for (const id of seen) assert.ok(REGISTRY.field(id), `${id} is not declared`);
});

test('pfsync annotations are declared, and each is a finding id with the same severity', () => {
  const defs = PFSYNC_PROTOCOL_DEFS.flatMap((d) => d.annotations);
  assert.deepEqual(defs.map((a) => a.id).sort(), ['pfsync.bad_action', 'pfsync.bad_length', 'pfsync.bad_ttl', 'pfsync.bad_version', 'pfsync.truncated']);
  for (const a of defs) {
    assert.ok(REGISTRY.annotation(a.id), a.id);
    assert.equal(FINDINGS[a.id as keyof typeof FINDINGS].severity, a.severity, a.id);
  }
});
