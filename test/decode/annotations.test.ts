// One test per annotation id declared by the link-to-CARP/VRRP dissectors, and a meta-test that
// fails when a declared id has no case here. Ids that the pipeline turns into findings must
// match src/analyze/findings.ts exactly (checked too).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../builders/packets.js';
import { pflogFrame } from '../builders/pflog.js';
import { PROTOCOL_DEFS, REGISTRY } from '../../src/decode/protocols.js';
import { PFSYNC_PROTOCOL_DEFS } from '../../src/decode/pfsync/index.js';
import { FINDINGS, isFindingId } from '../../src/analyze/findings.js';
import type { DecodeOptions } from '../../src/decode/types.js';
import { annotationIds, decode } from './helpers.js';

interface Case { bytes: Uint8Array; linktype?: number; options?: DecodeOptions; originalLength?: number }

const fullCarp = B.carpFrame4();
const ihlBad = B.carpFrame4();
ihlBad[14] = 0x44;
const ahShort = B.ah(112, 1, 1, B.carp());
ahShort[1] = 0;
const longExt = B.ipv6Ext(112);
longExt[1] = 30;

const CASES: Record<string, () => Case> = {
  'carp.bad_checksum': () => ({ bytes: B.carpFrame4({ checksum: 0x1cc1 }) }),
  'carp.bad_ttl': () => ({ bytes: B.carpFrame4({}, { ttl: 64 }) }),
  'carp.bad_version': () => ({ bytes: B.carpFrame4({ version: 1 }) }),
  'carp.bad_type': () => ({ bytes: B.carpFrame4({ type: 2 }) }),
  'carp.bad_authlen': () => ({ bytes: B.carpFrame4({ authlen: 6 }) }),
  'carp.truncated': () => ({ bytes: fullCarp.subarray(0, 60), originalLength: fullCarp.length }),
  'carp.vhid_zero': () => ({ bytes: B.carpFrame4({ vhid: 0 }) }),
  'carp.trailing_bytes': () => ({ bytes: B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112 }, B.concat(B.carp(), new Uint8Array(4)))) }),
  'carp.bow_out': () => ({ bytes: B.carpFrame4({ advbase: 255, advskew: 255 }) }),
  'carp.demotion': () => ({ bytes: B.carpFrame4({ demote: 32 }) }),
  'pflog.bad_length': () => ({ bytes: pflogFrame({ length: 40 }, B.ipv4({ proto: 112 }, B.carp())), linktype: 117 }),
  'vrrp.bad_checksum': () => ({ bytes: B.vrrp2Frame({ checksum: 1 }) }),
  'vrrp.bad_ttl': () => ({ bytes: B.vrrp3Frame4({}, { ttl: 1 }) }),
  'vrrp.bad_length': () => ({ bytes: B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 112 }, B.concat(B.vrrp2(), new Uint8Array(4)))), options: { decodeAs: 'vrrp' } }),
  'vrrp.bad_version': () => ({ bytes: B.vrrp2Frame({ version: 4 }) }),
  'ip.bad_checksum': () => ({ bytes: B.carpFrame4({}, { checksum: 0 }) }),
  'ip.bad_version': () => ({ bytes: B.ethernet({ type: 0x0800 }, new Uint8Array(40).fill(0x55)) }),
  'ip.fragment': () => ({ bytes: B.carpFrame4({}, { mf: true, df: false }) }),
  'ipv4.malformed': () => ({ bytes: ihlBad }),
  'ipv6.bad_version': () => ({ bytes: B.ethernet({ type: 0x86dd }, B.carp()) }),
  'ipv6.fragment': () => ({ bytes: B.carpFrame6({}, { nxt: 44, ext: B.ipv6Fragment(112, 8, true) }) }),
  'ipv6.malformed': () => ({ bytes: B.carpFrame6({}, { nxt: 60, ext: longExt }) }),
  'ah.malformed': () => ({ bytes: B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 51 }, ahShort)) }),
  'icmpv6.bad_checksum': () => ({ bytes: B.naFrame({ checksum: 0 }) }),
  'vrrp.malformed': () => ({ bytes: B.vrrp2Frame({ count: 5 }), options: { decodeAs: 'vrrp' } }),
  'vrrp.truncated': () => ({ bytes: B.vrrp2Frame().subarray(0, 40), originalLength: 58 }),
  'ipv4.truncated': () => ({ bytes: fullCarp.subarray(0, 20), originalLength: fullCarp.length }),
  'eth.truncated': () => ({ bytes: fullCarp.subarray(0, 5), originalLength: fullCarp.length }),
  'frame.unsupported_linktype': () => ({ bytes: fullCarp, linktype: 9999 }),
  'frame.too_many_layers': () => ({ bytes: B.ethernetTagged(Array.from({ length: 30 }, (_, i) => ({ tpid: 0x8100, id: i + 1 })), 0x0800, B.ipv4({ proto: 112 }, B.carp())) }),
};

for (const [id, make] of Object.entries(CASES)) {
  test(`annotation ${id}`, () => {
    const c = make();
    const f = decode(c.bytes, c.linktype ?? 1, c.options ?? {}, c.originalLength ?? c.bytes.length);
    assert.ok(annotationIds(f).includes(id), `${id} not in [${annotationIds(f).join(', ')}]`);
    const a = f.annotations.find((x) => x.id === id)!;
    assert.equal(a.severity, REGISTRY.annotation(id)?.severity);
    assert.equal(f.internalError, undefined);
  });
}

test('every annotation declared by these dissectors has a case above', () => {
  const pfsync = new Set(PFSYNC_PROTOCOL_DEFS.map((d) => d.id));
  for (const def of PROTOCOL_DEFS) {
    if (pfsync.has(def.id)) continue;
    for (const a of def.annotations) assert.ok(CASES[a.id], `annotation ${a.id} has no test case`);
  }
});

test('annotation ids that are finding ids keep the findings registry severity', () => {
  for (const def of PROTOCOL_DEFS) {
    for (const a of def.annotations) {
      if (isFindingId(a.id)) assert.equal(a.severity, FINDINGS[a.id].severity, a.id);
    }
  }
  for (const id of ['carp.bad_checksum', 'carp.bad_ttl', 'carp.bad_version', 'carp.bad_type', 'carp.bad_authlen', 'carp.truncated']) {
    assert.ok(REGISTRY.annotation(id), `${id} must be declared: the pipeline raises it as a finding`);
  }
});

test('every field a dissector writes is declared in the registry', async () => {
  const { validFixtures } = await import('./fixtures.js');
  const frames = [
    ...validFixtures().map((fx) => decode(fx.bytes, fx.linktype)),
    ...Object.values(CASES).map((make) => { const c = make(); return decode(c.bytes, c.linktype ?? 1, c.options ?? {}, c.originalLength ?? c.bytes.length); }),
  ];
  const seen = new Set<string>();
  for (const f of frames) for (const l of f.layers) for (const id of Object.keys(l.fields)) seen.add(id);
  assert.ok(seen.size > 100, `only ${seen.size} field ids seen`);
  for (const id of seen) assert.ok(REGISTRY.field(id), `field ${id} is written but not declared`);
});
