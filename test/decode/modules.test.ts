// Meta-tests on the one list of protocol modules (src/decode/protocols.ts): every module has a
// decode test file, its dissectors and rows are its own, and the findings policy
// (src/analyze/policy.ts) is exactly the modules' `finding` flags.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRAME_ANNOTATIONS, MODULES, PROTOCOLS } from '../../src/decode/protocols.js';
import { buildProtocolSet } from '../../src/decode/protocol-set.js';
import type { ProtocolModule } from '../../src/decode/module.js';
import { FINDINGS } from '../../src/analyze/findings.js';
import { DECODER_FINDINGS, isDecoderFindingId } from '../../src/analyze/policy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/**
 * The module ids a test file covers: its name or folder split at '-' (arp-icmpv6.test.ts,
 * pflog.test.ts, pfsync/...), and a `// Modules: a, b` line in its header comment.
 */
function coveredBy(file: string): string[] {
  const rel = path.relative(path.join(root, 'test'), file).replace(/\.test\.ts$/, '');
  const ids = rel.split(/[/\\-]/);
  const header = readFileSync(file, 'utf8').split('\n').slice(0, 15).join('\n');
  const m = /^\/\/ Modules: (.+)$/m.exec(header);
  if (m) ids.push(...m[1]!.split(',').map((s) => s.trim()));
  return ids;
}

test('every module in the list has a decode test file (named after it, or a "// Modules:" header)', () => {
  const covered = new Set(testFiles(path.join(root, 'test')).flatMap(coveredBy));
  for (const m of MODULES) assert.ok(covered.has(m.id), `module ${m.id} has no test file (test/decode/${m.id}.test.ts or a "// Modules: ${m.id}" header)`);
});

test('a module provides dissectors of its own protocol, and its rows and probes name them', () => {
  for (const m of MODULES as readonly ProtocolModule[]) {
    const own = new Set(Object.keys(m.dissectors));
    for (const [name, d] of Object.entries(m.dissectors)) assert.equal(d.proto, m.id, `${m.id}: dissector ${name}`);
    const rows = [...(m.dispatch?.linktypes ?? []), ...(m.dispatch?.ethertypes ?? []), ...(m.dispatch?.ipProtocols ?? []), ...(m.dispatch?.heuristics ?? [])];
    for (const r of rows) assert.ok(own.has(r.dissector), `${m.id}: row names ${r.dissector}`);
    for (const name of Object.keys(m.probes ?? {})) assert.ok(own.has(name), `${m.id}: probe for ${name}`);
  }
});

test('the built set refuses a dispatch key claimed twice and a row that names no dissector', () => {
  const [eth] = MODULES;
  const thief = { ...eth, id: 'data', dissectors: { thief: eth.dissectors.eth }, fields: [], probes: {} } as const satisfies ProtocolModule;
  assert.throws(() => buildProtocolSet([...MODULES, thief], FRAME_ANNOTATIONS), /link type 1 claimed twice/);
  const dangling = { id: 'data', name: 'x', fields: [], annotations: [], dissectors: {}, dispatch: { ipProtocols: [{ value: 253, dissector: 'nowhere' }] } } as const satisfies ProtocolModule;
  assert.throws(() => buildProtocolSet([...MODULES, dangling], FRAME_ANNOTATIONS), /names no dissector: nowhere/);
});

test('policy: the decoder findings are exactly the annotations flagged "finding", with their severity and summary', () => {
  const flagged = PROTOCOLS.registry.allAnnotations().filter((a) => a.finding !== undefined);
  assert.deepEqual(Object.keys(DECODER_FINDINGS).sort(), flagged.map((a) => a.id).sort());
  for (const a of flagged) {
    assert.ok(isDecoderFindingId(a.id), a.id);
    const f = FINDINGS[a.id as keyof typeof FINDINGS];
    assert.deepEqual(f, { severity: a.finding === true ? a.severity : a.finding?.severity, description: a.summary }, a.id);
  }
  assert.ok(flagged.length >= 13, `only ${flagged.length} flagged annotations`);
});

test('policy: an annotation that is not flagged is no finding, and no analyzer finding reuses an annotation id', () => {
  for (const a of PROTOCOLS.registry.allAnnotations()) {
    if (a.finding !== undefined) continue;
    assert.equal(isDecoderFindingId(a.id), false, a.id);
    assert.equal(Object.prototype.hasOwnProperty.call(FINDINGS, a.id), false, `${a.id} is in FINDINGS but not flagged as a finding`);
  }
});

test('carpdump.internal_error is declared once in src/', () => {
  const declared: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      // A declaration gives it a literal severity: `{ id: '...', severity: 'error', ...}` or `'...': { severity: ... }`.
      else if (e.name.endsWith('.ts') && /['"]carpdump\.internal_error['"]\s*:\s*\{|id: 'carpdump\.internal_error', severity: '/.test(readFileSync(p, 'utf8'))) declared.push(path.relative(root, p));
    }
  };
  walk(path.join(root, 'src'));
  assert.deepEqual(declared, [path.join('src', 'decode', 'protocols.ts')]);
  assert.ok(FRAME_ANNOTATIONS.some((a) => a.id === 'carpdump.internal_error'));
  assert.equal(FINDINGS['carpdump.internal_error'].severity, 'error');
});
