// The one rule for tests that need something the machine may lack (root and network namespaces,
// a peer tool, the shared reference folder): outside CI such a test skips, saying why; in CI
// (CI=true, set by .ci/run, which installs everything) a missing need is an error, so nothing
// skips silently there.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { canCreateLabs } from '../netns/lab.js';

/** True in CI (.ci/run sets CI=true): there every need is installed and nothing may skip. */
export function inCI(): boolean {
  return process.env['CI'] === 'true';
}

export function haveCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v '${cmd}'`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Needs {
  /** Root and network namespaces (test/netns/lab.ts). */
  readonly lab?: boolean;
  /** Commands on PATH. */
  readonly commands?: readonly string[];
  /** Files or folders that must exist (e.g. ../shared, a built binary). */
  readonly paths?: readonly string[];
}

/** What is missing of NEEDS, first first; undefined when nothing is. */
export function missingNeed(needs: Needs): string | undefined {
  if (needs.lab) {
    const can = canCreateLabs();
    if (!can.ok) return can.reason;
  }
  for (const cmd of needs.commands ?? []) if (!haveCommand(cmd)) return `${cmd} is not installed`;
  for (const p of needs.paths ?? []) if (!existsSync(p)) return `${p} is missing`;
  return undefined;
}

/**
 * The `skip` of a test that needs NEEDS: undefined when all is there; outside CI the reason;
 * in CI it throws (.ci/run provides every need, so a missing one is a failure, not a skip).
 */
export function skipReason(needs: Needs): string | undefined {
  const why = missingNeed(needs);
  if (why === undefined) return undefined;
  if (inCI()) throw new Error(`${why}: this test must run in CI (.ci/run provides it)`);
  return `${why} (the test runs in CI)`;
}
