// Runs bin/carpdump.js as users do (subprocess: stdout, stderr, exit status), with TZ=UTC and no
// colour variables from the caller's environment; and the peers (tcpdump, tshark) it is
// cross-checked against.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const bin = path.join(repoRoot, 'bin/carpdump.js');

export interface RunResult { status: number | null; stdout: string; stderr: string }

export function carpdump(args: readonly string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', ...env }, timeout: 60000, maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tool(cmd: string, args: readonly string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC' }, timeout: 60000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '').replace(/^Running as user "root".*\n/m, '') };
}

const have = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
/** Skip outside CI when a peer is missing (CI installs it: .ci/run). */
export const skipUnless = (cmd: string): string | false => (!have(cmd) && process.env['CI'] !== 'true' ? `${cmd} not installed` : false);

export const sample = (name: string): string => path.join(repoRoot, 'samples', name);
