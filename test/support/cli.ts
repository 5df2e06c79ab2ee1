// The one way tests run bin/carpdump.js as users do: a subprocess in a clean environment (PATH
// and TZ=UTC only, so no colour or locale variable of the caller leaks in; ENV adds to it), with
// its stdout, stderr and exit status. Also runs the peer tools (tcpdump, tshark) the same way.

import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { CARPDUMP_BIN } from './paths.js';

export interface RunResult { status: number | null; stdout: string; stderr: string }

export interface RunOptions {
  /** Bytes or text on stdin (for `-r -`). */
  readonly input?: Uint8Array | string;
  readonly cwd?: string;
  /** Milliseconds (default 60 s: generous, the machine may be loaded). */
  readonly timeout?: number;
  /** Options for node itself (e.g. `--require preload.cjs`), before bin/carpdump.js. */
  readonly nodeArgs?: readonly string[];
  /** A command that runs node (e.g. `setpriv --bounding-set=-net_raw`). */
  readonly wrapper?: readonly string[];
}

function cleanEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', TZ: 'UTC', ...env };
}

/** Run carpdump ARGS; never throws on a non-zero exit (the status is part of the result). */
export function carpdump(args: readonly string[], env: Readonly<Record<string, string>> = {}, opts: RunOptions = {}): RunResult {
  const argv = [process.execPath, ...(opts.nodeArgs ?? []), CARPDUMP_BIN, ...args];
  const [cmd = process.execPath, ...rest] = [...(opts.wrapper ?? []), ...argv];
  const r = spawnSync(cmd, rest, {
    encoding: 'utf8', env: cleanEnv(env), timeout: opts.timeout ?? 60_000, maxBuffer: 256 << 20,
    ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Run carpdump ARGS where the run must succeed: exit 0 is asserted (stderr in the message); returns stdout. */
export function carpdumpOk(args: readonly string[], env: Readonly<Record<string, string>> = {}, opts: RunOptions = {}): string {
  const r = carpdump(args, env, opts);
  assert.equal(r.status, 0, `carpdump ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Run a peer tool (tcpdump, tshark, ...) in the same clean environment; root's "Running as user" note is dropped from stderr. */
export function tool(cmd: string, args: readonly string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: cleanEnv({}), timeout: 60_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '').replace(/^Running as user "root".*\n/m, '') };
}
