// `carpdump -i` failures end with one line on stderr and exit status 1 (SPEC.md): no such
// interface, no permission (needs root or CAP_NET_RAW), a bad filter (libpcap's message),
// and `cap` missing (how to enable it). Plus `-D`, numbered as tcpdump -D.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { carpdump as run, type RunResult as Run } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

function carpdump(args: readonly string[], wrapper: readonly string[] = [], nodeArgs: readonly string[] = []): Run {
  return run(args, {}, { cwd: REPO_ROOT, wrapper, nodeArgs });
}

/** Exactly one line on stderr, prefixed "carpdump: ", and exit status 1. */
function assertOneLineError(r: Run, pattern: RegExp): void {
  assert.equal(r.status, 1, `exit status; stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0] ?? '', /^carpdump: /);
  assert.match(lines[0] ?? '', pattern);
  assert.equal(r.stdout, '');
}

/** Whether `cap` loads here (it is optional: without libpcap-dev it is not built). */
function capLoads(): boolean {
  const r = spawnSync(process.execPath, ['-e', "require('cap')"], { cwd: REPO_ROOT, stdio: 'ignore' });
  return r.status === 0;
}

const rootSkip = skipReason({ lab: true });
const CAP_HINT = /libpcap-dev.*npm install/;

test('-i nosuchif: one line, exit 1 (or how to enable live capture when cap is missing)', () => {
  const r = carpdump(['-i', 'cd-nosuchif0']);
  if (capLoads()) assertOneLineError(r, /cd-nosuchif0: no such interface/);
  else assertOneLineError(r, CAP_HINT);
});

test('cap missing: -i says in one line how to enable it; -r does not need it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carpdump-nocap-'));
  try {
    // Preloaded before carpdump: makes require('cap') fail as it does without libpcap headers.
    const preload = join(dir, 'no-cap.cjs');
    writeFileSync(
      preload,
      "const Module = require('module'); const load = Module._load;\n" +
        "Module._load = function (request, ...rest) { if (request === 'cap') throw new Error(\"Cannot find module 'cap'\"); return load.call(this, request, ...rest); };\n",
    );
    // The tcpdump backend (the default when tcpdump is installed) does not need cap.
    assertOneLineError(carpdump(['--capture-backend', 'cap', '-i', 'lo'], [], ['--require', preload]), CAP_HINT);
    assertOneLineError(carpdump(['-D'], [], ['--require', preload]), CAP_HINT);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-D lists interfaces numbered like tcpdump -D, with addresses', { skip: capLoads() ? undefined : 'cap is not built here' }, () => {
  const r = carpdump(['-D']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= 2);
  lines.forEach((l, i) => assert.match(l, new RegExp(`^${i + 1}\\.\\S+`)));
  assert.ok(lines.some((l) => /^\d+\.any \(.*\) \[Up, Running\]$/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^\d+\.lo \[[^\]]*Loopback\] 127\.0\.0\.1\/8/.test(l)), r.stdout);
});

test('bad capture filter: libpcap\'s message in one line, exit 1', { skip: rootSkip }, () => {
  assertOneLineError(carpdump(['-i', 'lo', '-f', 'ip proto 112 and (']), /bad capture filter "ip proto 112 and \(": .*syntax error/);
  assertOneLineError(carpdump(['-i', 'lo', 'ip', 'proto', 'nosuchproto']), /bad capture filter "ip proto nosuchproto": unknown ip proto 'nosuchproto'/);
});

test('no permission (CAP_NET_RAW dropped): one line that says what is needed, exit 1', { skip: rootSkip }, (t) => {
  const noSetpriv = skipReason({ commands: ['setpriv'] }); // util-linux
  if (noSetpriv !== undefined) {
    t.skip(noSetpriv);
    return;
  }
  const drop = ['setpriv', '--bounding-set=-net_raw', '--inh-caps=-net_raw'];
  assertOneLineError(carpdump(['-i', 'lo'], drop), /lo: you don't have permission to capture.*root.*CAP_NET_RAW/);
});
