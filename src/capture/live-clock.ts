// Constants and the clock shared by live capture (live.ts) and its worker (live-worker.ts).

import { performance } from 'node:perf_hooks';

/** cap's snap length (fixed in its binding). */
export const CAP_MAX_SNAPLEN = 65535;

/** How often the analyzers hear that time has passed while no packet arrives. */
export const TICK_INTERVAL_MS = 200;

/**
 * Wall-clock microseconds since the epoch, monotonic within a process: cap gives no kernel
 * timestamps, so frames are stamped with this when the worker receives them.
 */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}
