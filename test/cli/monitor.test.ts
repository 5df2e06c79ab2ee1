// The monitoring options as users run them (bin/carpdump.js on the project's recordings):
// --check status lines and exit statuses, -a packets:N on a file, and --metrics on a file with
// --metrics-linger: scraped over HTTP, accepted by promtool, never showing a passphrase even
// when --show-secrets prints it.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { parseOptions } from '../../src/options.js';
import { buildPcap } from '../builders/capture.js';
import { ethernet, ipv4 } from '../builders/packets.js';
import { carpdump } from '../support/cli.js';
import { CARPDUMP_BIN as bin, sample } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

let dir = '';

before(() => { dir = mkdtempSync(path.join(tmpdir(), 'carpdump-monitor-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('options: --metrics addresses, linger, -a, --check, --expect-master', () => {
  assert.deepEqual(parseOptions(['-i', 'eth0', '--metrics', '9720']).metrics, { host: '127.0.0.1', port: 9720 });
  assert.deepEqual(parseOptions(['-i', 'eth0', '--metrics', '0.0.0.0:9720']).metrics, { host: '0.0.0.0', port: 9720 });
  assert.deepEqual(parseOptions(['-i', 'eth0', '--metrics', '[::]:9720']).metrics, { host: '::', port: 9720 });
  assert.equal(parseOptions(['-i', 'eth0', '--metrics', '9720', '--metrics-linger', '2.5']).metricsLingerSeconds, 2.5);
  assert.deepEqual(parseOptions(['-i', 'eth0', '-a', 'duration:5', '-a', 'packets:10']).autostop, { durationSeconds: 5, packets: 10 });
  assert.equal(parseOptions(['-i', 'eth0', '-a', 'packets:10']).count, 10);
  assert.equal(parseOptions(['-i', 'eth0', '-c', '4', '-a', 'packets:10']).count, 4);
  assert.equal(parseOptions(['-i', 'eth0', '-aduration:1']).autostop.durationSeconds, 1);
  const o = parseOptions(['-i', 'eth0', '--check', '--expect-master', '7:10.0.0.1', '--expect-master', '8:FD00::1']);
  assert.equal(o.check, true);
  assert.deepEqual(o.expectMasters, [{ vhid: 7, address: '10.0.0.1' }, { vhid: 8, address: 'fd00::1' }]);
  for (const [argv, message] of [
    [['-i', 'eth0', '--metrics', 'http'], /--metrics: "http" is not a port number/],
    [['-i', 'eth0', '--metrics', '::1:9720'], /IPv6 address in brackets/],
    [['-i', 'eth0', '--metrics', '70000'], /not a port number/],
    [['-i', 'eth0', '--metrics-linger', '3'], /--metrics-linger needs --metrics/],
    [['-i', 'eth0', '-a', 'files:3'], /-a: "files:3" is not duration:SECONDS or packets:N/],
    [['-i', 'eth0', '-a', 'duration:0'], /-a duration: expected a positive number/],
    [['-r', 'f.pcap', '-a', 'duration:5'], /-a duration:N applies to live capture/],
    [['-i', 'eth0', '--expect-master', '7:10.0.0.1'], /--expect-master applies to --check/],
    [['-i', 'eth0', '--check', '--expect-master', '7:nope'], /not an IPv4 or IPv6 address/],
  ] as const) {
    assert.throws(() => parseOptions([...argv]), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
  }
});

test('--help says that --check changes the exit status', () => {
  const r = carpdump(['--help']);
  assert.match(r.stdout, /--check .*CHANGES THE EXIT\s+STATUS to 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN/);
});

test('--check on a failover: OK, the new master and since when, perfdata', () => {
  const r = carpdump(['-r', sample('ucarp-failover.pcap'), '--check']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout.split('\n').length, 2, 'exactly one line');
  assert.match(r.stdout, /^CARPDUMP OK - vhid 7 master 10\.77\.0\.2 since 05:28:12 \| packets=15c carp_vhids=1 carp_adverts=11c carp_master_changes=1c carp_split_brains=0c /);
  assert.equal(r.stderr, '', 'nothing on stderr (no capture counters in plugin mode)');
});

test('--check --expect-master: CRITICAL when another source is master, OK when the expected one is', () => {
  const wrong = carpdump(['-r', sample('ucarp-failover.pcap'), '--check', '--expect-master', '7:10.77.0.1']);
  assert.equal(wrong.status, 2, wrong.stdout);
  assert.match(wrong.stdout, /^CARPDUMP CRITICAL - vhid 7 master is 10\.77\.0\.2, expected 10\.77\.0\.1; /);
  const absent = carpdump(['-r', sample('ucarp-failover.pcap'), '--check', '--expect-master', '9:10.77.0.1']);
  assert.equal(absent.status, 2, absent.stdout);
  assert.match(absent.stdout, /^CARPDUMP CRITICAL - vhid 9 not heard \(expected master 10\.77\.0\.1\)/);
  const right = carpdump(['-r', sample('ucarp-failover.pcap'), '--check', '--expect-master', '7:10.77.0.2']);
  assert.equal(right.status, 0, right.stdout);
});

test('--check on a split brain: CRITICAL naming the VHID', () => {
  const r = carpdump(['-r', sample('ucarp-split-brain.pcap'), '--check']);
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stdout, /^CARPDUMP CRITICAL - carp\.split_brain: VHID 5 \(ipv4\): .* both advertise as master/);
  assert.match(r.stdout, / carp_split_brains=1c /);
});

test('--check on pfsync in clear text: WARNING; nothing heard: UNKNOWN; usage and input errors: UNKNOWN', () => {
  const warn = carpdump(['-r', sample('pfsync-session.pcap'), '--check']);
  assert.equal(warn.status, 1, warn.stdout);
  assert.match(warn.stdout, /^CARPDUMP WARNING - pfsync\.unauthenticated_link: .*; pfsync 2 peers, bulk ok \| .* pfsync_peers=2 /);
  assert.ok(!/[\r\n]./.test(warn.stdout.trimEnd()), 'one line');

  const quiet = path.join(dir, 'udp-only.pcap');
  writeFileSync(quiet, buildPcap({ endian: 'le', records: [{ tsSec: 1700000000, tsFrac: 0, data: ethernet({ type: 0x0800 }, ipv4({ proto: 17 }, new Uint8Array(8))) }] }));
  const nothing = carpdump(['-r', quiet, '--check']);
  assert.equal(nothing.status, 3, nothing.stdout);
  assert.match(nothing.stdout, /^CARPDUMP UNKNOWN - nothing heard on .*udp-only\.pcap \(no CARP, VRRP or pfsync packet\) \| packets=1c /);

  const usage = carpdump(['-r', quiet, '--check', '--bogus']);
  assert.equal(usage.status, 3, 'a usage error is UNKNOWN under --check');
  assert.match(usage.stdout, /^CARPDUMP UNKNOWN - unknown option --bogus/);
  const missing = carpdump(['-r', path.join(dir, 'nope.pcap'), '--check']);
  assert.equal(missing.status, 3);
  assert.match(missing.stdout, /^CARPDUMP UNKNOWN - .*nope\.pcap/);
  // Without --check the same usage error is exit 2, as always.
  assert.equal(carpdump(['-r', quiet, '--bogus']).status, 2);
});

test('-a packets:N on a file stops as -c N', () => {
  const r = carpdump(['-r', sample('ucarp-failover.pcap'), '-a', 'packets:4', '-T', 'jsonl']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { frames: number };
  assert.equal(summary.frames, 4);
});

test('--metrics on a file with --metrics-linger: scraped over HTTP, promtool accepts it, no passphrase in it', { skip: skipReason({ commands: ['promtool'] }), timeout: 60_000 }, async () => {
  const secret = 'carpsecret';
  const words = path.join(dir, 'words.txt');
  writeFileSync(words, `letmein\n${secret}\n`);
  const child = spawn(process.execPath, [bin, '-r', sample('ucarp-failover.pcap'), '-q', '--wordlist', words, '--show-secrets',
    '--metrics', '127.0.0.1:0', '--metrics-linger', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /serving metrics on (http:\/\/\S+)/.exec(stderr)?.[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(url, `the URL on stderr: ${stderr}`);
    // The file has been read once the findings are out (the run lingers afterwards).
    while (!stdout.includes('carp.master_changed: VHID 7 (ipv4): 10.77.0.2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(url)).text();
      if (/^carpdump_up 0$/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(text, /^carpdump_up 0$/m, 'the capture has ended: up 0 while lingering');
    assert.match(text, /^carpdump_carp_master_info\{vhid="7",af="ipv4",master="10\.77\.0\.2"\} 1$/m);
    assert.doesNotMatch(text, /master="10\.77\.0\.1"/, 'the old master series is gone');
    assert.match(text, /^carpdump_carp_master_changes_total\{vhid="7",af="ipv4",cause="master_timeout"\} 1$/m);
    assert.match(text, /^carpdump_carp_adverts_total\{vhid="7",af="ipv4",src="10\.77\.0\.1",hmac="ok"\} 6$/m);
    assert.match(text, /^carpdump_findings_total\{id="carp\.weak_passphrase",severity="error"\} 1$/m);
    assert.match(text, /^carpdump_packets_total 15$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m, 'process metrics');
    // The passphrase is in the output (--show-secrets) and in the finding, never in the metrics.
    assert.ok(stdout.includes(`"${secret}"`), 'the finding carries the passphrase');
    assert.ok(!text.includes(secret), 'no passphrase in the exposition');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
    const notFound = await fetch(url.replace(/\/metrics$/, '/'));
    assert.equal(notFound.status, 404);
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0, `SIGINT ends the linger; stderr: ${stderr}`);
});
