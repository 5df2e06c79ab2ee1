// Golden tests: each row of test/golden/manifest.json runs bin/carpdump.js on a capture from
// samples/ with some arguments (TZ=UTC, no colour, no passphrase in the environment) and
// compares stdout with the expected file, stderr with `<expected>.stderr` (empty when that file
// is absent) and the exit status with the row's `status` (default 0).
//
// `npm run golden:update` (CARPDUMP_UPDATE_GOLDEN=1) rewrites the expected files and statuses
// from the current output; review the diff before committing. To add a case, append a row
// { "name", "capture", "args", "expected" } and run the update.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { carpdump } from './support/cli.js';
import { REPO_ROOT as repoRoot } from './support/paths.js';

interface GoldenCase {
  /** Test name. */
  readonly name: string;
  /** Capture path relative to the repository root (normally under samples/). */
  readonly capture: string;
  /** Arguments after `-r CAPTURE`. */
  readonly args: readonly string[];
  /** Expected stdout, relative to the repository root. */
  readonly expected: string;
  /** Expected exit status (default 0). */
  status?: number;
}

const manifestPath = path.join(repoRoot, 'test/golden/manifest.json');
const update = process.env['CARPDUMP_UPDATE_GOLDEN'] === '1';

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as GoldenCase[];

function runCase(c: GoldenCase): { stdout: string; stderr: string; status: number | null } {
  return carpdump(['-r', c.capture, ...c.args], { NO_COLOR: '1' }, { cwd: repoRoot, timeout: 120_000 });
}

test('every golden case names a distinct expected file and an existing capture', () => {
  const files = manifest.map((c) => c.expected);
  assert.equal(new Set(files).size, files.length, 'expected files are distinct');
  assert.equal(new Set(manifest.map((c) => c.name)).size, manifest.length, 'names are distinct');
  for (const c of manifest) assert.ok(existsSync(path.join(repoRoot, c.capture)), `${c.name}: ${c.capture} exists`);
});

for (const c of manifest) {
  test(`golden: ${c.name} (carpdump -r ${c.capture} ${c.args.join(' ')})`, () => {
    const got = runCase(c);
    const expectedPath = path.join(repoRoot, c.expected);
    const stderrPath = `${expectedPath}.stderr`;
    // carpdump never prints a stack trace: a crash is never recorded as the expected output.
    assert.doesNotMatch(got.stderr, /\n\s+at |SyntaxError|Node\.js v/, `crashed: ${got.stderr}`);
    if (update) {
      writeFileSync(expectedPath, got.stdout);
      if (got.stderr !== '') writeFileSync(stderrPath, got.stderr);
      else rmSync(stderrPath, { force: true });
      if ((got.status ?? -1) === 0) delete c.status;
      else c.status = got.status ?? -1;
      return;
    }
    assert.ok(existsSync(expectedPath), `${c.expected} is missing: run npm run golden:update and review it`);
    assert.equal(got.stdout, readFileSync(expectedPath, 'utf8'), `stdout differs from ${c.expected}`);
    const wantErr = existsSync(stderrPath) ? readFileSync(stderrPath, 'utf8') : '';
    assert.equal(got.stderr, wantErr, 'stderr');
    assert.equal(got.status, c.status ?? 0, 'exit status');
  });
}

if (update) {
  test('golden: write the manifest back (statuses)', () => {
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  });
}
