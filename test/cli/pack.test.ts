// The npm package as users get it: `npm pack`, then a global install of the tarball into a
// temporary prefix; the installed `carpdump --version`, a sample run and `man carpdump` work.
// The install uses npm's cache (--offline); when a dependency is not cached (a fresh machine
// before `npm ci`), it falls back to --prefer-offline, which asks the registry only for what is
// missing. The optional `cap` (live capture, a native build) is left out: files need no libpcap.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { carpdump } from '../support/cli.js';
import { REPO_ROOT as repoRoot, sample } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const dir = mkdtempSync(path.join(tmpdir(), 'carpdump-pack-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function npm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npm', args, { cwd: repoRoot, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

test('npm pack + global install of the tarball: carpdump --version, a sample, man carpdump', { skip: skipReason({ commands: ['npm'] }), timeout: 600_000 }, () => {
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
  assert.equal(packed.status, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path);
  for (const f of ['LICENSE', 'man/carpdump.1', 'bin/carpdump.js', 'dist/src/cli.js', 'dist/carpdump.cjs', 'dist/carpdump.cjs.cache', 'dist/live-worker.js', 'package.json', 'README.md']) assert.ok(files.includes(f), `${f} is in the package`);
  assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('samples/')), 'no tests or samples in the package');

  const prefix = path.join(dir, 'prefix');
  const tarball = path.join(dir, info!.filename);
  const common = ['install', '-g', '--prefix', prefix, '--omit=optional', '--no-audit', '--no-fund', tarball];
  let install = npm([...common, '--offline']);
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) install = npm([...common, '--prefer-offline']);
  assert.equal(install.status, 0, install.stderr);

  const installed = path.join(prefix, 'bin', 'carpdump');
  const version = spawnSync(installed, ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^carpdump \d+\.\d+\.\d+\n$/);
  const args = ['-r', sample('ucarp-failover.pcap'), '--carp-pass', '7:carpsecret', '-z', 'carp,masters'];
  const run = spawnSync(installed, args, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC' } });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, carpdump(args).stdout, 'the installed package prints what the checkout prints');
  assert.match(run.stdout, /\[hmac ok\]/);

  const man = spawnSync('man', ['-w', 'carpdump'], { encoding: 'utf8', env: { ...process.env, MANPATH: path.join(prefix, 'share', 'man') } });
  if (man.error === undefined) assert.equal(man.stdout.trim(), path.join(prefix, 'lib/node_modules/carpdump/man/carpdump.1'));
});
