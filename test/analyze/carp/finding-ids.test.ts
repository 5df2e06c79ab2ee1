// Meta-test: every finding id the CARP analyzer can raise is in the FINDINGS registry and is
// asserted to be raised by at least one CARP test (unit or scenario): the id must appear inside
// an assert statement that is not an absence check (`.length, 0`, `notEqual`, `doesNotMatch`).
// An id merely mentioned in a comment, a string or an absence check does not count.

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
  const asserted = positiveAssertions(tests);
  for (const id of ids) {
    assert.ok(isFindingId(id), `${id} is not in FINDINGS`);
    // Directly (`assert.equal(r.byId(id).length, 1)`) or through a variable (`const sb = r.byId(id)`, then `assert…(sb…)`).
    const names = [...tests.matchAll(new RegExp(`const (\\w+) = [^;\\n]*'${id.replace('.', '\\.')}'`, 'g'))].map((m) => m[1]!);
    const ok = asserted.some((s) => s.includes(`'${id}'`) || names.some((n) => new RegExp(`\\b${n}\\b`).test(s)));
    assert.ok(ok, `${id} has no test asserting that it is raised`);
  }
});

/** Statements (split at `;` ending a line) that start with `assert` and do not assert an absence. */
export function positiveAssertions(source: string): string[] {
  return source.split(/;[ \t]*(?:\/\/[^\n]*)?\n/)
    .map((s) => s.replace(/^(\s*\/\/[^\n]*\n)*/, '').trim())
    .filter((s) => /^assert(\.\w+)*\(/.test(s))
    .filter((s) => !/\.length,\s*0\s*[,)]|assert\.(notEqual|notDeepEqual|doesNotMatch|doesNotThrow)\(/.test(s));
}

test('the meta-test does not count mentions, comments or absence checks', () => {
  const src = [
    "// 'a.comment' is only mentioned",
    "const x = 'a.string';",
    "assert.equal(r.byId('a.absent').length, 0);",
    "assert.doesNotMatch(out, /'a.nomatch'/);",
    "assert.equal(r.byId('a.raised').length, 1);",
    "assert.deepEqual(",
    "  r.ids(), ['a.multiline']);",
  ].join('\n') + '\n';
  const found = positiveAssertions(src).join('\n');
  for (const id of ['a.comment', 'a.string', 'a.absent', 'a.nomatch']) assert.ok(!found.includes(`'${id}'`), id);
  for (const id of ['a.raised', 'a.multiline']) assert.ok(found.includes(`'${id}'`), id);
});
