// The shared test helpers do what the tests rely on: the skip rule skips only outside CI and
// says why, the CLI runner gives the child a clean environment and reports the exit status,
// rawFrame/timeAt build the records the readers would, assertFields fails on any wrong field.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assertFields } from './assert.js';
import { carpdump, carpdumpOk } from './cli.js';
import { rawFrame, timeAt } from './frames.js';
import { REPO_ROOT, sample } from './paths.js';
import { skipReason } from './skip.js';

function withEnv<T>(vars: Record<string, string | undefined>, body: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) if (x === undefined) delete process.env[k]; else process.env[k] = x;
  };
  set(vars);
  try { return body(); } finally { set(saved); }
}

test('skipReason: nothing missing runs; outside CI a missing need is the reason; in CI it throws', () => {
  const missingCmd = 'carpdump-no-such-command';
  const missingPath = path.join(REPO_ROOT, 'no-such-folder');
  withEnv({ CI: undefined }, () => {
    assert.equal(skipReason({ commands: ['sh'], paths: [REPO_ROOT] }), undefined);
    assert.match(skipReason({ commands: ['sh', missingCmd] }) ?? '', new RegExp(`^${missingCmd} is not installed .*CI`));
    assert.match(skipReason({ paths: [missingPath] }) ?? '', /no-such-folder is missing/);
  });
  withEnv({ CI: 'true' }, () => {
    assert.equal(skipReason({ commands: ['sh'] }), undefined);
    assert.throws(() => skipReason({ commands: [missingCmd] }), new RegExp(`${missingCmd} is not installed: this test must run in CI`));
    assert.throws(() => skipReason({ paths: [missingPath] }), /must run in CI/);
  });
});

test('carpdump(): the caller\'s TZ and colour variables do not reach the child; status, stdout, stderr come back', () => {
  const args = ['-r', sample('ucarp-failover.pcap'), '-c', '3'];
  const plain = withEnv({ TZ: undefined, FORCE_COLOR: undefined }, () => carpdump(args));
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^\d\d:\d\d:\d\d\.\d{6} /);
  const noisy = withEnv({ TZ: 'Pacific/Kiritimati', FORCE_COLOR: '3' }, () => carpdump(args));
  assert.equal(noisy.stdout, plain.stdout, 'same output whatever the caller\'s environment');
  assert.doesNotMatch(noisy.stdout, /\u001b\[/);
  // ENV is what the child gets: FORCE_COLOR passed explicitly does colour.
  assert.match(carpdump(args, { FORCE_COLOR: '1' }).stdout, /\u001b\[/);
  const bad = carpdump(['--no-such-option']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no-such-option/);
  assert.throws(() => carpdumpOk(['--no-such-option']), /exited 2/);
  // stdin, node options and a wrapper command
  const version = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.match(carpdumpOk(['--version'], {}, { wrapper: ['env'], nodeArgs: ['--no-warnings'] }), new RegExp(version.version.replace(/\./g, '\\.')));
  const piped = carpdump(['-r', '-', '-c', '3'], {}, { input: readFileSync(sample('ucarp-failover.pcap')) });
  assert.equal(piped.stdout, plain.stdout);
});

test('rawFrame: named options over the defaults; timeAt splits fractional seconds into whole and nanoseconds', () => {
  const data = Uint8Array.of(1, 2, 3);
  assert.deepEqual(rawFrame(data), { number: 1, tsSec: 1700000000, tsNsec: 0, tsDigits: 6, linktype: 1, interfaceId: 0, capturedLength: 3, originalLength: 3, data });
  assertFields(rawFrame(data, { number: 7, linktype: 113, originalLength: 60, tsDigits: 9, interfaceId: 2 }),
    { number: 7, linktype: 113, capturedLength: 3, originalLength: 60, tsDigits: 9, interfaceId: 2 });
  assert.deepEqual(timeAt(1000, 2.25), { tsSec: 1002, tsNsec: 250_000_000 });
  assert.deepEqual(timeAt(1000, 0), { tsSec: 1000, tsNsec: 0 });
});

test('assertFields: every named field is compared (a missing one too); others are ignored', () => {
  assertFields({ a: 1, b: [2], c: 'x' }, { a: 1, b: [2] });
  assertFields({ a: 1 }, { b: undefined });
  assert.throws(() => assertFields({ a: 1, b: [2] }, { a: 1, b: [3] }));
  assert.throws(() => assertFields({ a: 1 }, { b: 1 }));
  assert.throws(() => assertFields(undefined, { a: 1 }));
});
