// The esbuild bundle (bin/bundle.mjs, built by `npm run build` / `npm test`): it exists, bin
// loads it with its code cache (and without one that is not its own), the version in it was
// injected at build time, it prints exactly what the tsc build prints, and its live worker is
// found where the bundle looks for it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPcap } from '../builders/capture.js';
import { carpFrame4 } from '../builders/packets.js';
import { skipReason } from '../support/skip.js';
import { liveWorkerPath } from '../../src/capture/worker-path.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'bin/carpdump.js');
const bundle = path.join(repoRoot, 'dist/carpdump.cjs');
const cache = `${bundle}.cache`;
const bundleWorker = path.join(repoRoot, 'dist/live-worker.js');
const tscCli = path.join(repoRoot, 'dist/src/cli.js');
const pkgVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const env = { PATH: process.env['PATH'] ?? '', TZ: 'UTC' };

/** Runs main() of the given module (the bundle or dist/src/cli.js) with args, as bin does. */
function runModule(modulePath: string, args: string[], extraEnv: Record<string, string> = {}) {
  const code = `import { main } from ${JSON.stringify(pathToFileURL(modulePath).href)}; process.exitCode = await main(process.argv.slice(1));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, '--', ...args], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** bin/carpdump.js with args (it runs the bundle: the first test checks that). */
function runBin(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir = '';
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'carpdump-bundle-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

test('the build emits the CLI bundle, its code cache and the live worker beside it, with source maps', () => {
  for (const f of [bundle, `${bundle}.map`, cache, bundleWorker, `${bundleWorker}.map`]) assert.ok(existsSync(f), `${f} missing: run npm run build`);
  // no ES module bundle or chunks of an earlier build left behind
  assert.deepEqual(readdirSync(path.dirname(bundle)).filter((f) => /^(chunk-.*|carpdump\.js)(\.map)?$/.test(f)), []);
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
  assert.ok(map.sources.some((s) => s.endsWith('src/cli.ts')), 'the source map points back at src/cli.ts');
});

test('bin/carpdump.js --version prints the package.json version, and bin loads the bundle', () => {
  const prof = path.join(dir, 'prof');
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', prof, bin, '--version'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `carpdump ${pkgVersion}\n`);
  // The profile names every script that ran: the bundle, not the tsc output.
  const urls = readdirSync(prof).map((f) => readFileSync(path.join(prof, f), 'utf8')).join('\n');
  assert.ok(urls.includes(pathToFileURL(bundle).href), 'bin ran dist/carpdump.cjs (a bundle older than dist/src/cli.js is skipped: run node bin/bundle.mjs after tsc)');
  assert.ok(!urls.includes('/dist/src/cli.js'), 'bin did not load dist/src/cli.js');
});

test('the code cache: bin uses it; not one of another build, nor one V8 refuses, and prints the same either way', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...env, CARPDUMP_CODE_CACHE: 'check' } });
  const args = ['-r', path.join(repoRoot, 'samples', 'ucarp-failover.pcap'), '--carp-pass', '7:carpsecret', '-V'];
  const used = run(args);
  assert.equal(used.status, 0, used.stderr);
  assert.match(used.stderr, /^carpdump: code cache accepted$/m);
  const original = readFileSync(cache);
  const header = original.subarray(0, original.indexOf(10) + 1).toString();
  assert.match(header, /^carpdump build [0-9a-f]{16}\n$/);
  assert.ok(readFileSync(bundle, 'latin1').startsWith(`// ${header}`), 'the cache names the build on the bundle\'s first line');
  try {
    // another build's cache: not given to V8 at all
    writeFileSync(cache, Buffer.concat([Buffer.from('carpdump build 0000000000000000\n'), original.subarray(header.length)]));
    const other = run(args);
    assert.match(other.stderr, /^carpdump: code cache absent$/m);
    assert.deepEqual([other.status, other.stdout], [0, used.stdout]);
    // this build's id over bytes V8 cannot use
    writeFileSync(cache, Buffer.concat([Buffer.from(header), Buffer.alloc(4096, 0x5a)]));
    const bad = run(args);
    assert.match(bad.stderr, /^carpdump: code cache rejected$/m);
    assert.deepEqual([bad.status, bad.stdout], [0, used.stdout]);
  } finally {
    writeFileSync(cache, original);
  }
  assert.ok(used.stdout.includes('hmac ok'), used.stdout);
});

test('the version is inside the bundle: a copy with no package.json at ../../ still prints it', () => {
  // dist/<tmp>/x/carpdump.cjs: ../../package.json would be dist/package.json, which does not exist
  // (the tsc build reads the version from there and prints "unknown"); yargs, external, still
  // resolves from the project's node_modules.
  const copyDir = path.join(mkdtempSync(path.join(repoRoot, 'dist', 'bundle-test-')), 'x');
  mkdirSync(copyDir);
  try {
    copyFileSync(bundle, path.join(copyDir, 'carpdump.cjs'));
    const r = runModule(path.join(copyDir, 'carpdump.cjs'), ['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `carpdump ${pkgVersion}\n`);
  } finally {
    rmSync(path.dirname(copyDir), { recursive: true, force: true });
  }
});

test('the bundle prints byte for byte what the tsc build prints (samples and a built capture)', () => {
  const built = path.join(dir, 'built.pcap');
  const T0 = 1700000000;
  writeFileSync(built, buildPcap({ endian: 'le', records: [
    { tsSec: T0, tsFrac: 1, data: carpFrame4({ vhid: 7 }) },
    { tsSec: T0 + 2, tsFrac: 3, data: carpFrame4({ vhid: 7 }, { ttl: 64 }) },
  ] }));
  const samples = readdirSync(path.join(repoRoot, 'samples')).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => path.join(repoRoot, 'samples', f));
  assert.ok(samples.length > 0);
  let compared = 0;
  const runs = [...[built, ...samples].map((f) => ['-r', f, '-V']), ['-q', '-T', 'jsonl', '-r', built], ['-q', '-T', 'jsonl', '-r', samples[0]!]];
  {
    for (const args of runs) {
      // bin: the bundle as users run it, compiled with its code cache
      const a = runBin(args);
      const b = runModule(tscCli, args);
      assert.deepEqual(a, b, `carpdump ${args.join(' ')}`);
      assert.ok(a.stdout.length > 0, `carpdump ${args.join(' ')} printed something`);
      compared++;
    }
  }
  // A usage error goes through yargs (external to the bundle) and the message path.
  assert.deepEqual(runBin(['--no-such-option']), runModule(tscCli, ['--no-such-option']));
  // yargs is bundled (without its locale files) and told English in both builds: another LANG
  // changes nothing, and carpdump still recognises and rewrites yargs' message
  for (const run of [runBin, (a: string[], e: Record<string, string>) => runModule(tscCli, a, e)]) {
    const de = run(['--no-such-option'], { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' });
    assert.equal(de.status, 2);
    assert.match(de.stderr, /^carpdump: unknown option --no-such-option \(see --help\)/);
  }
  assert.ok(compared >= 4);
});

test('the live worker: tsc resolves it beside worker-path.js, the bundle emits it where it resolves it', () => {
  assert.ok(existsSync(liveWorkerPath()), liveWorkerPath());
  assert.equal(path.dirname(liveWorkerPath()), path.join(repoRoot, 'dist/src/capture'));
  // The bundle inlines liveWorkerPath(): `./live-worker.js` relative to dist/carpdump.cjs.
  assert.equal(path.join(path.dirname(bundle), path.basename(liveWorkerPath())), bundleWorker);
  assert.ok(existsSync(bundleWorker));
});

const liveSkip = skipReason({ lab: true });
test('a live capture through the bundle starts its worker (lo, 1 s)', { skip: liveSkip ?? false }, () => {
  const r = runModule(bundle, ['-i', 'lo', '-a', 'duration:1', '-q']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /worker/);
  assert.match(r.stderr, /packets captured/);
});

test('start-up: reading a file loads neither prom-client, node:http nor node:worker_threads; --metrics loads them when asked', () => {
  // What the process loaded, from inside: node's list of built-in modules, and whether the
  // bundled prom-client was evaluated (it loads node:http).
  const probe = (args: string[]) => {
    const code = `import { main } from ${JSON.stringify(pathToFileURL(bundle).href)};
      const code = await main(process.argv.slice(1));
      const loaded = process.moduleLoadList.filter((m) => m.startsWith('NativeModule '));
      process.stderr.write('\\nLOADED ' + JSON.stringify({ code, http: loaded.includes('NativeModule http'), workers: loaded.includes('NativeModule worker_threads') }) + '\\n');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, '--', ...args], { encoding: 'utf8', env, timeout: 60_000 });
    const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
    assert.ok(line, r.stderr);
    return JSON.parse(line.slice(7)) as { code: number; http: boolean; workers: boolean };
  };
  const file = path.join(repoRoot, 'samples', 'ucarp-failover.pcap');
  assert.deepEqual(probe(['-q', '-r', file]), { code: 0, http: false, workers: false });
  const withMetrics = probe(['-q', '-r', file, '--metrics', '127.0.0.1:0']);
  assert.equal(withMetrics.code, 0);
  assert.equal(withMetrics.http, true, '--metrics serves over node:http, initialised on first use');
});
