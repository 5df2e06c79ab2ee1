// Where the live-capture worker's module is, in ONE place: a sibling of the module this code
// is compiled into. Under tsc that is dist/src/capture/ (live-worker.js next to this file);
// in the esbuild bundle this code is inlined into dist/carpdump.js, and bin/bundle.mjs
// emits the worker as dist/live-worker.js next to it. Whoever reworks live capture (a child
// process or a worker thread) should resolve the worker through this function only.

import { fileURLToPath } from 'node:url';

export const LIVE_WORKER_FILE = 'live-worker.js';

export function liveWorkerPath(): string {
  return fileURLToPath(new URL(`./${LIVE_WORKER_FILE}`, import.meta.url));
}
