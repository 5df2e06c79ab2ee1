// Builds the shipped bundle with esbuild (run after tsc by `npm run build` / `prepare`):
//   dist/carpdump.js     the CLI (src/cli.ts and everything it imports, in one ES module)
//   dist/live-worker.js  the live-capture worker, next to it, where src/capture/worker-path.ts
//                        resolves it from the bundle's location
//   dist/wordlist-worker.js  the --wordlist audit worker (src/analyze/carp/wordlist-pool.ts)
// with source maps beside them. Start-up is the reason: node's ES module loader over ~90 files
// cost more than the work on small captures. The version is injected from package.json.
// External at run time: `cap` (native addon, optional dependency: loaded by cap-binding.ts
// only when live capture is asked for) and yargs (src/options.ts loads yargs 17's one-file
// CommonJS build through createRequire; it resolves from node_modules, ~20 ms).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
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

// Code splitting: what a run may not need (--metrics: prom-client and node:http; live capture:
// child processes and worker threads; --report; --wordlist's worker pool) is imported with
// import() and lands in dist/chunk-*.js, loaded only when asked for, so `carpdump -r` does not
// pay for it at start-up. Chunks of earlier builds are removed first.
const dist = new URL('dist/', root);
for (const f of readdirSync(dist)) if (/^chunk-.*\.js(\.map)?$/.test(f)) rmSync(new URL(f, dist));
await build({ ...common, entryPoints: { carpdump: 'src/cli.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunk-[name]-[hash]' });
await build({ ...common, entryPoints: ['src/capture/live-worker.ts'], outfile: 'dist/live-worker.js' });
// the --wordlist worker, next to the CLI where src/analyze/carp/wordlist-pool.ts resolves it
await build({ ...common, entryPoints: ['src/analyze/carp/wordlist-worker.ts'], outfile: 'dist/wordlist-worker.js' });
