// bin/carpdump.js as users run it: stdout, stderr and exit status, on captures built by the
// test builders into a temporary directory.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPcap } from '../builders/capture.js';
import { carpFrame4, ethernet, ipv4 } from '../builders/packets.js';
import { colorLevel } from '../../src/output/color.js';
import { carpdump } from '../support/cli.js';
import { CARPDUMP_BIN as bin } from '../support/paths.js';

let dir = '';

const T0 = 1700000000;
const records = [
  { tsSec: T0, tsFrac: 1, data: carpFrame4({ vhid: 7 }) },                                  // normal advert
  { tsSec: T0 + 1, tsFrac: 2, data: ethernet({ type: 0x0800 }, ipv4({ proto: 17 }, new Uint8Array(8))) }, // UDP: not shown
  { tsSec: T0 + 2, tsFrac: 3, data: carpFrame4({ vhid: 7 }, { ttl: 64 }) },                 // TTL 64: carp.bad_ttl (warn)
];

let good = '';
let truncated = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'carpdump-cli-'));
  good = path.join(dir, 'good.pcap');
  writeFileSync(good, buildPcap({ endian: 'le', records }));
  truncated = path.join(dir, 'truncated.pcap');
  const whole = buildPcap({ endian: 'le', records });
  writeFileSync(truncated, whole.subarray(0, whole.length - 10)); // last record cut short
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('reads a capture: one line per shown frame, findings under it, exit 0', () => {
  const r = carpdump(['-r', good]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `reading from file ${good}, link-type EN10MB (Ethernet), snapshot length 262144\n3 frames, 2 shown\n`);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^22:13:20\.000001 10\.77\.0\.1 > 224\.0\.0\.18: CARPv2 advertise vhid 7 /);
  assert.ok(lines.some((l) => /^22:13:22\.000003 .*\[ttl 64!\]/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^ {4}warn carp\.bad_ttl: /.test(l)), r.stdout);
  assert.ok(!r.stdout.includes('22:13:21'), 'the UDP frame is not shown without -A');
  assert.ok(carpdump(['-r', good, '-A']).stdout.includes('22:13:21.000002 '), '-A shows it');
});

test('missing file: one line on stderr, exit 1', () => {
  const r = carpdump(['-r', path.join(dir, 'nope.pcap')]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^carpdump: cannot read .*nope\.pcap: no such file\n$/);
});

test('bad option: usage error, exit 2, no stack trace', () => {
  const r = carpdump(['-r', good, '--no-such-option']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^carpdump: unknown option --no-such-option/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const y = carpdump(['-r', good, '-Y', 'carp.vhid === 7']);
  assert.equal(y.status, 2);
  assert.match(y.stderr, /column 13/);
});

test('--fail-on: exit 3 when met, 0 when not', () => {
  assert.equal(carpdump(['-r', good, '-q', '--fail-on', 'warn']).status, 3);
  assert.equal(carpdump(['-r', good, '-q', '--fail-on', 'error']).status, 0);
});

test('truncated file: the complete frames, then the error, exit 1', () => {
  const r = carpdump(['-r', truncated, '-T', 'jsonl']);
  assert.equal(r.status, 1);
  const objs = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; frame?: { number: number } });
  assert.deepEqual(objs.filter((o) => o.type === 'packet').map((o) => o.frame?.number), [1]);
  assert.equal(objs[objs.length - 1]?.type, 'summary', 'the summary is still written');
  assert.match(r.stderr, /^reading from file .*\ncarpdump: .*truncated\.pcap.*\n$/);
  assert.equal(r.stderr.split('\n').length, 3, 'the reading-from line, then one line');
});

test('-r - reads standard input; -c stops early; -T fields', () => {
  const bytes = buildPcap({ endian: 'be', records });
  const r = carpdump(['-r', '-', '-A', '-c', '2', '-T', 'fields', '-e', 'frame.number', '-e', 'ip.proto'], {}, { input: bytes });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '1\t112\n2\t17\n');
});

test('--list-findings and --help exit 0; passphrases from the environment are never echoed', () => {
  const l = carpdump(['--list-findings']);
  assert.equal(l.status, 0);
  assert.match(l.stdout, /^carp\.bad_checksum\s+error\s+/m);
  assert.equal(carpdump(['--help']).status, 0);
  const e = carpdump(['-r', good], { CARPDUMP_CARP_PASS: 'bogus:topsecret' });
  assert.equal(e.status, 2);
  assert.doesNotMatch(e.stderr, /topsecret/);
});

test('output into a closed pipe ends quietly', () => {
  const big = buildPcap({ endian: 'le', records: Array.from({ length: 20000 }, (_, i) => ({ tsSec: T0 + i, tsFrac: 0, data: carpFrame4({ vhid: 7 }) })) });
  const file = path.join(dir, 'big.pcap');
  writeFileSync(file, big);
  const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${bin}" -r "${file}" -V | head -n 1`], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC' } });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.split('\n').length, 2);
  // tcpdump's reading-from line and (if the pipe closed after the last frame) the end line; no error.
  assert.doesNotMatch(r.stderr, /carpdump:|EPIPE|Error/, r.stderr);
  assert.match(r.stderr, /^reading from file /);
});

test('--color always colours the text; auto on a pipe does not; FORCE_COLOR=1 forces it, FORCE_COLOR=0 / NO_COLOR stop it', () => {
  assert.match(carpdump(['-r', good, '--color', 'always']).stdout, /\u001b\[/);
  assert.match(carpdump(['-r', good, '--color', 'always'], { FORCE_COLOR: '0', NO_COLOR: '1' }).stdout, /\u001b\[/, 'always overrides the environment');
  assert.doesNotMatch(carpdump(['-r', good]).stdout, /\u001b\[/);
  assert.match(carpdump(['-r', good], { FORCE_COLOR: '1' }).stdout, /\u001b\[/);
  assert.doesNotMatch(carpdump(['-r', good], { FORCE_COLOR: '0' }).stdout, /\u001b\[/);
  // A pipe is never coloured on `auto`, so FORCE_COLOR=0 and NO_COLOR are checked on a terminal's behalf.
  assert.equal(colorLevel('auto', true, {}), 1);
  assert.equal(colorLevel('auto', true, { FORCE_COLOR: '0' }), 0);
  assert.equal(colorLevel('auto', true, { FORCE_COLOR: 'false' }), 0);
  assert.equal(colorLevel('auto', true, { NO_COLOR: '1' }), 0);
  assert.equal(colorLevel('auto', true, { NO_COLOR: '' }), 1, 'an empty NO_COLOR does not disable');
  assert.doesNotMatch(carpdump(['-r', good, '-T', 'jsonl', '--color', 'always']).stdout, /\u001b\[/, 'never in JSON');
});

test('-w writes every frame as a pcap that carpdump reads back', () => {
  const out = path.join(dir, 'copy.pcap');
  const w = carpdump(['-r', good, '-q', '-w', out]);
  assert.equal(w.status, 0, w.stderr);
  const fields = ['-A', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'ip.ttl', '-e', 'carp.vhid'];
  const back = carpdump(['-r', out, ...fields]);
  assert.equal(back.stdout, carpdump(['-r', good, ...fields]).stdout);
  assert.equal(back.stdout.trimEnd().split('\n').length, 3);
});
