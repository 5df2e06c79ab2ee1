// One seed for every property test: CARPDUMP_FC_SEED=<n> replaces each test's fixed default, so
// a failure seen anywhere (CI prints the seed) can be replayed, and another sequence explored.

import fc from 'fast-check';

export const FC_SEED_VARIABLE = 'CARPDUMP_FC_SEED';

/** The seed a property test runs with: CARPDUMP_FC_SEED when set, else the test's own default. */
export function fcSeed(fallback: number): number {
  const v = process.env[FC_SEED_VARIABLE];
  if (v === undefined || v === '') return fallback | 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${FC_SEED_VARIABLE}=${v} is not an integer`);
  return n | 0;
}

/** fc.assert with the seed from fcSeed; on failure the message starts with the seed to re-run with. */
export function checkProperty<Ts>(property: fc.IProperty<Ts>, params: fc.Parameters<Ts> & { seed: number }): void {
  const seed = fcSeed(params.seed);
  try {
    fc.assert(property, { ...params, seed });
  } catch (e) {
    if (e instanceof Error) e.message = `property failed with seed ${seed} (re-run: ${FC_SEED_VARIABLE}=${seed})\n${e.message}`;
    throw e;
  }
}
