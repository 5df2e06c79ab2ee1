// The compiler checks field ids (src/decode/fields.ts): a snippet that reads a CARP layer, a
// pfsync layer, its sections and messages, or writes a pfsync message, with a misspelled id does
// not compile; the same snippet spelled right does. Runs tsc --noEmit on a
// temporary file under dist/ that imports the sources, with the project's compiler options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsc = path.join(root, 'node_modules', '.bin', 'tsc');

// Every line marked `// typo` must fail to compile, and no other line.
const SNIPPET = `import { type DecodedFrame } from '../../src/decode/types.js';
import { findLayer, fieldNum, fieldStr, recordsIn, type CarpLayer, type FieldIdOf, type PfsyncLayer, type PfsyncRecord } from '../../src/decode/fields.js';
import type { Message } from '../../src/decode/pfsync/common.js';
export function right(frame: DecodedFrame): unknown {
  const carp: CarpLayer | undefined = findLayer(frame, 'carp');
  const id: FieldIdOf<'carp'> = 'carp.advskew';
  return [carp?.fields['carp.vhid'], fieldNum(carp, 'carp.adver_int'), fieldStr(findLayer(frame, 'eth'), 'eth.src'), id];
}
export function typoIndex(frame: DecodedFrame): unknown {
  return findLayer(frame, 'carp')?.fields['carp.vhidd']; // typo
}
export function typoAccessor(frame: DecodedFrame): unknown {
  return fieldNum(findLayer(frame, 'vrrp'), 'vrrp.vhid'); // typo
}
export const typoId: FieldIdOf<'carp'> = 'carp.adverint'; // typo
// pfsync: the layer, its sections and messages (recordsIn), ids built from templates in defs.ts
export function rightPfsync(frame: DecodedFrame): unknown[] {
  const pfsync: PfsyncLayer | undefined = findLayer(frame, 'pfsync');
  const out: unknown[] = [fieldStr(pfsync, 'pfsync.flavor')];
  for (const s of recordsIn(pfsync?.fields, 'pfsync.subheaders')) {
    for (const m of recordsIn(s, 'pfsync.messages')) out.push(m['pfsync.state.src.seqlo'], m['pfsync.state.wire.addr1'], m['pfsync.state.gwy.port']);
  }
  const side = 'dst' as 'src' | 'dst';
  const m: PfsyncRecord = {};
  return [...out, m[\`pfsync.state.\${side}.wscale\`]];
}
export function typoPfsync(frame: DecodedFrame, m: PfsyncRecord): unknown[] {
  const pfsync = findLayer(frame, 'pfsync');
  const side = 'dst' as 'src' | 'dst';
  return [
    fieldStr(pfsync, 'pfsync.flavour'), // typo
    recordsIn(pfsync?.fields, 'pfsync.sections'), // typo
    m['pfsync.state.src.seqloo'], // typo
    m['pfsync.state.wire.addr2'], // typo
    m[\`pfsync.state.\${side}.wscal\`], // typo
  ];
}
export const typoPfsyncId: FieldIdOf<'pfsync'> = 'pfsync.state.lan.adr'; // typo
export const rightMessage: Message = { 'pfsync.state.id': '00', 'pfsync.state.creatorid': '01' };
export const typoMessage: Message = { 'pfsync.state.id': '00', 'pfsync.state.creator': '01' }; // typo
`;
const TYPO_LINES = SNIPPET.split('\n').flatMap((l, i) => (l.endsWith('// typo') ? [i + 1] : []));

test('tsc rejects misspelled field ids (CARP, VRRP, pfsync layer, sections and messages) and accepts the right ones', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(root, 'dist', 'typecheck-'));
  try {
    writeFileSync(path.join(dir, 'snippet.ts'), SNIPPET);
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '../..' },
      files: ['snippet.ts'],
      include: [],
    }));
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    const lines = errors.map((l) => Number(/snippet\.ts\((\d+),/.exec(l)?.[1])).sort((a, b) => a - b);
    // Exactly the lines marked `// typo` fail, each once: the right spellings around them compile.
    assert.equal(TYPO_LINES.length, 10);
    assert.deepEqual(lines, TYPO_LINES, r.stdout + r.stderr);
    assert.match(errors[0] ?? '', /carp\.vhidd/);
    assert.ok(errors.some((e) => /pfsync\.state\.src\.seqloo/.test(e)), r.stdout);
    assert.notEqual(r.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
