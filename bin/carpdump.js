#!/usr/bin/env node
// Entry point. Loads the esbuild bundle (dist/carpdump.js: one module, fast start-up) when it
// was built, else the tsc output (dist/src/cli.js); `npm run build` / `npm install` build both.
// A bundle older than the tsc output (a developer ran only `npx tsc` after an edit) is stale:
// then the tsc output runs, so that what is tested is what was just compiled.
import { statSync } from 'node:fs';

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('../dist/carpdump.js');
const compiled = mtime('../dist/src/cli.js');
const useBundle = bundled !== undefined && (compiled === undefined || bundled >= compiled);
const { main } = await import(useBundle ? '../dist/carpdump.js' : '../dist/src/cli.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // main() turns every expected error into a message and an exit status; this is the last guard.
    process.stderr.write(`carpdump: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
