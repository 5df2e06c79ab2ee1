#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install` / `npm run build`).
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // main() turns every expected error into a message and an exit status; this is the last guard.
    process.stderr.write(`carpdump: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
