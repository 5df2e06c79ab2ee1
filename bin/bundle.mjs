// Builds the shipped bundle with esbuild (run after tsc by `npm run build` / `prepare`):
//   dist/carpdump.cjs    the CLI (src/cli.ts and everything it imports, in one CommonJS script)
//   dist/carpdump.cjs.cache  V8's code cache for it, made by a run over two samples
//   dist/live-worker.js  the live-capture worker, next to it, where src/capture/worker-path.ts
//                        resolves it from the bundle's location
//   dist/wordlist-worker.js  the --wordlist audit worker (src/analyze/carp/wordlist-pool.ts)
// with source maps beside them. Start-up is the reason: node's ES module loader over ~90 files
// cost more than the work on small captures, and compiling the bundle was the largest part of
// what was left. The version is injected from package.json.
// External at run time: `cap` (native addon, optional dependency: loaded by cap-binding.ts
// only when live capture is asked for). The workers also leave yargs external (they do not use
// it); the CLI bundles yargs 17's one-file CommonJS build, so that it shares the code cache
// (~20 ms of start-up less); its locale files stay behind, and src/options.ts tells it English.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

const common = {
  absWorkingDir: new URL('.', root).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['cap', 'yargs', 'yargs/*'],
  define: { __CARPDUMP_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (prom-client) require() node built-ins: give the ES module a require.
  banner: { js: "import { createRequire as __carpdumpCreateRequire } from 'node:module'; const require = __carpdumpCreateRequire(import.meta.url);" },
  preserveSymlinks: true, // node_modules may be a symlink: keep source map paths under the project
  logLevel: 'warning',
};

// The CLI as one CommonJS script, so that bin/carpdump.js can compile it with a code cache
// (node 20 has none for ES modules). What a run may not need (--metrics: prom-client and
// node:http; live capture: child processes and worker threads; --report; --wordlist's worker
// pool) is imported with import(): esbuild turns each into a module initialised on first use,
// so `carpdump -r` does not evaluate it (and V8 compiles no function before its first call).
// The first line names the build; the cache carries the same id (bin/carpdump.js).
const dist = new URL('dist/', root);
for (const f of readdirSync(dist)) {
  // outputs of earlier builds: the split ES module bundle and its chunks, a stale cache
  if (/^(chunk-.*\.js|carpdump\.js|carpdump\.cjs\.cache)(\.map)?$/.test(f)) rmSync(new URL(f, dist));
}
const buildId = randomBytes(8).toString('hex');
await build({
  ...common,
  external: ['cap'],
  format: 'cjs',
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/carpdump.cjs',
  define: { ...common.define, 'import.meta.url': '__carpdump_url' },
  banner: { js: `// carpdump build ${buildId}\nconst __carpdump_url = require('node:url').pathToFileURL(__filename).href;` },
});
await build({ ...common, entryPoints: ['src/capture/live-worker.ts'], outfile: 'dist/live-worker.js' });
// the --wordlist worker, next to the CLI where src/analyze/carp/wordlist-pool.ts resolves it
await build({ ...common, entryPoints: ['src/analyze/carp/wordlist-worker.ts'], outfile: 'dist/wordlist-worker.js' });

// bin/carpdump.js reads the bundle as latin1 (no UTF-8 decoding: ~7 ms less start-up), which is
// right only where the code is ASCII: esbuild's default charset escapes strings and names; a
// comment it keeps may hold other characters (read as latin1 they stay a comment).
const notAscii = readFileSync(new URL('carpdump.cjs', dist), 'utf8').split('\n').filter((l) => /[^\x00-\x7f]/.test(l) && !/^\s*(\/\/|\/\*|\*)/.test(l));
if (notAscii.length > 0) throw new Error(`dist/carpdump.cjs has characters past ASCII outside comments (bin/carpdump.js reads it as latin1): ${notAscii[0].slice(0, 120)}`);

// The code cache: a run of the bundle over two samples (pcap and pcapng, CARP with HMAC
// verification, pfsync), after which V8 serialises every function that run compiled.
const bin = fileURLToPath(new URL('bin/carpdump.js', root));
const sample = (f) => fileURLToPath(new URL(`samples/${f}`, root));
const warm = spawnSync(process.execPath, [bin, '-q', '-T', 'jsonl', '--carp-pass', '*:secret',
  '-r', sample('ucarp-failover.pcapng'), '-r', sample('pfsync-session.pcap')], {
  env: { ...process.env, CARPDUMP_CODE_CACHE: 'write' }, stdio: ['ignore', 'ignore', 'inherit'],
});
if (warm.status !== 0) {
  console.error(`bundle: the code cache run ended with ${warm.status ?? warm.signal}; the bundle runs without a cache`);
  rmSync(new URL('carpdump.cjs.cache', dist), { force: true });
}
