// Replays every reproducer the fuzz campaign kept (test/fuzz-regressions/*.bin) through the
// CLI in every output mode: no internal error, no stack trace, a documented exit status.
// And a short seeded campaign (the 10M-frame run is for the release checklist).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInput } from './fuzz/run-input.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'test/fuzz-regressions');
const kept = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')).sort() : [];

for (const f of kept) {
  test(`fuzz regression ${f}: ${readFileSync(path.join(dir, f.replace(/\.bin$/, '.txt')), 'utf8').trim()}`, async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'carpdump-replay-'));
    try {
      assert.equal(await runInput(path.join(tmp, 'in.bin'), new Uint8Array(readFileSync(path.join(dir, f)))), undefined);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test('a short seeded fuzz pass finds nothing', { timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, [path.join(root, 'dist/test/fuzz/fuzz.js'), '--frames', '3000', '--seed', '20261206', '--workers', '2', '--no-save'], { encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /, 0 failures,/);
});
