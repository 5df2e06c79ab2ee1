// Meta-test, from the registry side: every vrrp.* finding id in FINDINGS is raised by
// src/analyze/vrrp and asserted by name in a VRRP test (unit or scenario).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FINDINGS } from '../../../src/analyze/findings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
function sources(dir: string, keep: (name: string) => boolean): string {
  const full = path.join(ROOT, dir);
  return readdirSync(full).filter(keep).map((n) => readFileSync(path.join(full, n), 'utf8')).join('\n');
}

test('every vrrp.* finding id is raised by the VRRP analyzer and has a test', () => {
  const ids = Object.keys(FINDINGS).filter((id) => id.startsWith('vrrp.'));
  assert.ok(ids.length >= 5, ids.join(' '));
  const raised = sources('src/analyze/vrrp', (n) => n.endsWith('.ts'));
  const tested = sources('test/analyze/vrrp', (n) => n.endsWith('.test.ts') && n !== 'finding-ids.test.ts')
    + sources('test/scenario', (n) => n.startsWith('vrrp') && n.endsWith('.test.ts'));
  for (const id of ids) {
    assert.ok(raised.includes(`makeFinding('${id}'`), `${id} is never raised`);
    assert.ok(tested.includes(`'${id}'`), `${id} has no test`);
  }
});
