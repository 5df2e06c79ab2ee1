#!/usr/bin/env node
// Entry point. Loads the esbuild bundle (dist/carpdump.js: one module, fast start-up) when it
// was built, else the tsc output (dist/src/cli.js); `npm run build` / `npm install` build both.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/carpdump.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // main() turns every expected error into a message and an exit status; this is the last guard.
    process.stderr.write(`carpdump: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
