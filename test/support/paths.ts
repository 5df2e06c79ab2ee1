// Where things are, for every test: the repository root, bin/carpdump.js, the recordings in
// samples/ and the shared reference folder beside the clone. This file runs as
// dist/test/support/paths.js, so the root is three levels up.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CARPDUMP_BIN = path.join(REPO_ROOT, 'bin/carpdump.js');
export const SAMPLES = path.join(REPO_ROOT, 'samples');
/** ../shared (reference captures, corpus, oracles): beside the clone, in CI too. */
export const SHARED = path.resolve(REPO_ROOT, '../shared');
/** The TypeScript sources of the tests (meta-tests read them). */
export const TEST_SOURCES = path.join(REPO_ROOT, 'test');

/** A recording in samples/. */
export function sample(name: string): string {
  return path.join(SAMPLES, name);
}
