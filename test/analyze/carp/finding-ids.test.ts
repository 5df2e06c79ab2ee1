// Meta-test: every finding id the CARP analyzer can raise is in the FINDINGS registry and is
// asserted by at least one CARP test (unit or scenario).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFindingId } from '../../../src/analyze/findings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const read = (dir: string, filter: (f: string) => boolean): string =>
  readdirSync(path.join(ROOT, dir)).filter(filter).map((f) => readFileSync(path.join(ROOT, dir, f), 'utf8')).join('\n');

test('every id raised in src/analyze/carp is registered and tested', () => {
  const src = read('src/analyze/carp', (f) => f.endsWith('.ts'));
  const ids = [...new Set([...src.matchAll(/makeFinding\('([a-z_.]+)'/g)].map((m) => m[1]!))];
  assert.ok(ids.length >= 11, `found ${ids.length} ids`);
  const tests = read('test/analyze/carp', (f) => f.endsWith('.test.ts') && f !== 'finding-ids.test.ts')
    + read('test/scenario', (f) => f.startsWith('carp') && f.endsWith('.test.ts'));
  for (const id of ids) {
    assert.ok(isFindingId(id), `${id} is not in FINDINGS`);
    assert.ok(tests.includes(`'${id}'`), `${id} has no test`);
  }
});
