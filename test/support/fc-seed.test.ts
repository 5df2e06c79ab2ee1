// Every property test goes through checkProperty (so CARPDUMP_FC_SEED reaches it and a failure
// names its seed), and checkProperty does what it says.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { checkProperty, fcSeed, FC_SEED_VARIABLE } from './fc-seed.js';
import { TEST_SOURCES as TEST_DIR } from './paths.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

test('no test calls fc.assert directly: property tests use checkProperty', () => {
  const direct = tsFiles(TEST_DIR).filter((f) => !f.endsWith('fc-seed.ts') && /\bfc\.assert\(/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(direct.map((f) => path.relative(TEST_DIR, f)), []);
  assert.ok(tsFiles(TEST_DIR).filter((f) => readFileSync(f, 'utf8').includes('checkProperty(')).length >= 8);
});

test(`${FC_SEED_VARIABLE} replaces the default seed, and a failure message names the seed`, () => {
  const saved = process.env[FC_SEED_VARIABLE];
  try {
    delete process.env[FC_SEED_VARIABLE];
    assert.equal(fcSeed(42), 42);
    process.env[FC_SEED_VARIABLE] = '77';
    assert.equal(fcSeed(42), 77);
    const seen: number[] = [];
    checkProperty(fc.property(fc.nat(), (n) => { seen.push(n); }), { seed: 42, numRuns: 5 });
    const again: number[] = [];
    checkProperty(fc.property(fc.nat(), (n) => { again.push(n); }), { seed: 1, numRuns: 5 });
    assert.deepEqual(again, seen, 'the same variable gives the same sequence whatever the default');
    assert.throws(() => checkProperty(fc.property(fc.nat(), (n) => n < 0), { seed: 42, numRuns: 5 }),
      (e: Error) => e.message.startsWith(`property failed with seed 77 (re-run: ${FC_SEED_VARIABLE}=77)`));
    process.env[FC_SEED_VARIABLE] = 'x';
    assert.throws(() => fcSeed(1), /is not an integer/);
  } finally {
    if (saved === undefined) delete process.env[FC_SEED_VARIABLE];
    else process.env[FC_SEED_VARIABLE] = saved;
  }
});
