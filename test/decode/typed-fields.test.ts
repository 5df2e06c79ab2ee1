// The compiler checks field ids (src/decode/fields.ts): a snippet that reads a CARP layer with a
// misspelled id does not compile, the same snippet spelled right does. Runs tsc --noEmit on a
// temporary file under dist/ that imports the sources, with the project's compiler options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsc = path.join(root, 'node_modules', '.bin', 'tsc');

const SNIPPET = `import { type DecodedFrame } from '../../src/decode/types.js';
import { findLayer, fieldNum, fieldStr, type CarpLayer, type FieldIdOf } from '../../src/decode/fields.js';
export function right(frame: DecodedFrame): unknown {
  const carp: CarpLayer | undefined = findLayer(frame, 'carp');
  const id: FieldIdOf<'carp'> = 'carp.advskew';
  return [carp?.fields['carp.vhid'], fieldNum(carp, 'carp.adver_int'), fieldStr(findLayer(frame, 'eth'), 'eth.src'), id];
}
export function typoIndex(frame: DecodedFrame): unknown {
  return findLayer(frame, 'carp')?.fields['carp.vhidd'];
}
export function typoAccessor(frame: DecodedFrame): unknown {
  return fieldNum(findLayer(frame, 'vrrp'), 'vrrp.vhid');
}
export const typoId: FieldIdOf<'carp'> = 'carp.adverint';
`;

test('tsc rejects misspelled field ids and accepts the right ones', { timeout: 180_000 }, () => {
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
    // Lines 9, 12 and 14 of SNIPPET carry the typos; lines 1-7 (the right spellings) none.
    assert.deepEqual(lines, [9, 12, 14], r.stdout + r.stderr);
    assert.match(errors[0] ?? '', /carp\.vhidd/);
    assert.notEqual(r.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
