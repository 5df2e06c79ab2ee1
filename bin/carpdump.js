#!/usr/bin/env node
// Entry point. Runs the esbuild bundle (dist/carpdump.cjs: one script, fast start-up) when it
// was built, else the tsc output (dist/src/cli.js); `npm run build` / `npm install` build both.
// A bundle older than the tsc output (a developer ran only `npx tsc` after an edit) is stale:
// then the tsc output runs, so that what is tested is what was just compiled.
//
// The bundle is compiled with V8's code cache (dist/carpdump.cjs.cache, made by bin/bundle.mjs
// from a run over two samples): node 20 offers no compile cache for ES modules, so the bundle is
// a CommonJS script compiled here through node:vm. The cache file starts with the build id on
// the bundle's first line; a cache of another build, or one V8 refuses (another node version or
// flags), is not used: the bundle then compiles as any script does. CARPDUMP_CODE_CACHE=write
// (bin/bundle.mjs) writes the cache after the run instead of reading it; =check (tests) says
// on stderr whether a cache was used.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';

const at = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const bundlePath = at('../dist/carpdump.cjs');
const bundled = mtime(bundlePath);
const compiled = mtime(at('../dist/src/cli.js'));
const useBundle = bundled !== undefined && (compiled === undefined || bundled >= compiled);

/** The bundle's exports, compiled with the code cache when it belongs to this build. */
function loadBundle(file) {
  // ASCII outside comments (esbuild escapes the rest; bin/bundle.mjs checks): latin1 reads it
  // without UTF-8 decoding
  const source = readFileSync(file, 'latin1');
  const id = /^\/\/ carpdump build (\S+)/.exec(source)?.[1];
  const header = Buffer.from(`carpdump build ${id}\n`);
  const mode = process.env.CARPDUMP_CODE_CACHE;
  const writing = mode === 'write';
  let cachedData;
  if (id !== undefined && !writing) {
    try {
      const c = readFileSync(`${file}.cache`);
      if (c.subarray(0, header.length).equals(header)) cachedData = c.subarray(header.length);
    } catch {
      // no cache: compile as usual
    }
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  if (mode === 'check') {
    process.stderr.write(`carpdump: code cache ${cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const save = writing && id !== undefined ? () => writeFileSync(`${file}.cache`, Buffer.concat([header, script.createCachedData()])) : undefined;
  return { main: module.exports.main, save };
}

const { main, save } = useBundle ? loadBundle(bundlePath) : await import('../dist/src/cli.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; save?.(); },
  (err) => {
    // main() turns every expected error into a message and an exit status; this is the last guard.
    process.stderr.write(`carpdump: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
