// argv -> Options: a table of accepted command lines and their options, and a table of
// rejected ones with the exit status (2) and the start of the message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCarpPass, parseCarpPassFile, parseOptions, parseVip, type Options } from '../../src/options.js';
import { UsageError } from '../../src/errors.js';

const ok: readonly { argv: string[]; env?: Record<string, string>; expect: Partial<Record<keyof Options, unknown>> }[] = [
  { argv: ['-r', 'a.pcap'], expect: { action: 'run', read: 'a.pcap', format: 'text', all: false, quiet: false, timestampStyle: 'a', color: 'auto', utc: false, promiscuous: true } },
  { argv: ['--read=-'], expect: { read: '-' } },
  { argv: ['-i', 'eth0', 'ip', 'proto', '112'], expect: { interface: 'eth0', captureFilter: 'ip proto 112' } },
  { argv: ['-i', 'eth0', '-f', 'arp'], expect: { captureFilter: 'arp' } },
  { argv: ['-r', 'a', '-c', '10', '-A', '-V', '-x', '-q', '-l'], expect: { count: 10, all: true, verbose: true, hex: true, quiet: true, lineBuffered: true } },
  { argv: ['-r', 'a', '-AVx'], expect: { all: true, verbose: true, hex: true } },
  { argv: ['-ra.pcap', '-tad', '-c5', '-Tjsonl', '-zfindings'], expect: { read: 'a.pcap', timestampStyle: 'ad', count: 5, format: 'jsonl', summaries: ['findings'] } },
  { argv: ['-r', 'a', '-te', '-ecarp.vhid'], expect: { timestampStyle: 'e', fields: ['carp.vhid'], format: 'fields' } },
  { argv: ['-r', 'a', '-T', 'jsonl'], expect: { format: 'jsonl' } },
  { argv: ['-r', 'a', '--format', 'json'], expect: { format: 'json' } },
  { argv: ['-r', 'a', '-T', 'fields', '-e', 'carp.vhid', '-e', 'ip.src'], expect: { format: 'fields', fields: ['carp.vhid', 'ip.src'] } },
  { argv: ['-r', 'a', '-e', 'carp.vhid'], expect: { format: 'fields', fields: ['carp.vhid'] } },
  { argv: ['-r', 'a', '-z', 'carp,masters', '-z', 'findings', '-z', 'carp,masters'], expect: { summaries: ['carp,masters', 'findings'] } },
  { argv: ['-r', 'a', '-z', 'pfsync,states'], expect: { summaries: ['pfsync,states'] } },
  { argv: ['-r', 'a', '--decode-as', 'vrrp'], expect: { decodeAs: 'vrrp' } },
  { argv: ['-r', 'a', '--fail-on', 'warn'], expect: { failOn: 'warn' } },
  { argv: ['-r', 'a', '--color', 'never', '-t', 'e', '--utc'], expect: { color: 'never', timestampStyle: 'e', utc: true } },
  { argv: ['-r', 'a', '-t', 'ad'], expect: { timestampStyle: 'ad' } },
  { argv: ['-r', 'a', '--show-secrets', '--wordlist', 'w.txt', '--carp-pass-file', 'p.txt'], expect: { showSecrets: true, wordlist: 'w.txt', carpPassFile: 'p.txt' } },
  { argv: ['-i', 'any', '-s', '96', '-p', '-w', 'out.pcap'], expect: { snaplen: 96, promiscuous: false, write: 'out.pcap' } },
  { argv: ['-i', 'eth0', '-B', '4096'], expect: { bufferSize: 4096 * 1024 } },
  { argv: ['-i', 'eth0', '-B1024', '--buffer-size', '2048'], expect: { bufferSize: 2048 * 1024 } },
  { argv: ['-r', 'a', '-Y', 'carp.vhid == 7'], expect: { displayFilterText: 'carp.vhid == 7' } },
  { argv: ['--list-findings'], expect: { action: 'list-findings' } },
  { argv: ['-D'], expect: { action: 'list-interfaces' } },
  { argv: ['--help'], expect: { action: 'help' } },
  { argv: ['--version'], expect: { action: 'version' } },
  { argv: ['-r', 'a', '--carp-pass', '7:s3:cret', '--carp-pass', '*:other'], expect: { carpPass: [{ vhid: 7, passphrase: 's3:cret' }, { vhid: '*', passphrase: 'other' }] } },
  { argv: ['-r', 'a'], env: { CARPDUMP_CARP_PASS: '9:fromenv' }, expect: { carpPass: [{ vhid: 9, passphrase: 'fromenv' }] } },
];

for (const c of ok) {
  test(`accepts ${c.argv.join(' ')}`, () => {
    const o = parseOptions(c.argv, c.env ?? {});
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(o[k as keyof Options], v, k);
  });
}

test('--vip is repeatable and merges addresses per VHID', () => {
  const o = parseOptions(['-r', 'a', '--vip', '7:10.0.0.1,FD00::1', '--vip', '7:10.0.0.2', '--vip', '8:10.0.0.8']);
  assert.deepEqual([...o.vips.entries()], [[7, ['10.0.0.1', 'fd00::1', '10.0.0.2']], [8, ['10.0.0.8']]]);
});

const bad: readonly { argv: string[]; env?: Record<string, string>; message: RegExp }[] = [
  { argv: [], message: /nothing to read/ },
  { argv: ['-r', 'a', '-i', 'eth0'], message: /either -r FILE or -i IFACE/ },
  { argv: ['-r', 'a', '--bogus'], message: /unknown option --bogus/ },
  { argv: ['-r', 'a', '-c', '0'], message: /-c: expected a positive integer/ },
  { argv: ['-r', 'a', '-c', 'ten'], message: /-c: expected a positive integer/ },
  { argv: ['-r', 'a', '-T', 'xml'], message: /-T: "xml" is not one of text, jsonl, json, fields/ },
  { argv: ['-r', 'a', '-T', 'fields'], message: /needs at least one -e/ },
  { argv: ['-r', 'a', '-T', 'jsonl', '-e', 'carp.vhid'], message: /-e FIELD applies to -T fields/ },
  { argv: ['-r', 'a', '-e', 'carp vhid'], message: /not a field id/ },
  { argv: ['-r', 'a', '-z', 'carp'], message: /-z: "carp" is not one of/ },
  { argv: ['-r', 'a', '-t', 'x'], message: /-t: "x"/ },
  { argv: ['-r', 'a', '--color', 'sometimes'], message: /--color/ },
  { argv: ['-r', 'a', '--fail-on', 'panic'], message: /--fail-on/ },
  { argv: ['-r', 'a', '--decode-as', 'hsrp'], message: /--decode-as/ },
  { argv: ['-r', 'a', '--vip', '7'], message: /--vip: expected VHID:ADDR/ },
  { argv: ['-r', 'a', '--vip', '300:10.0.0.1'], message: /VHID must be 1..255/ },
  { argv: ['-r', 'a', '--vip', '7:10.0.0.300'], message: /not an IPv4 or IPv6 address/ },
  { argv: ['-r', 'a', '--carp-pass', 'nocolon'], message: /expected VHID:PASS/ },
  { argv: ['-r', 'a', '--carp-pass', '0:secret'], message: /VHID must be 1..255 or \*/ },
  { argv: ['-r', 'a'], env: { CARPDUMP_CARP_PASS: 'x:secret' }, message: /CARPDUMP_CARP_PASS: VHID must be/ },
  { argv: ['-r', 'a', '-Y', 'carp.vhid =='], message: /display filter: expected a value after "==" but found end of expression at column 13/ },
  { argv: ['-i', 'eth0', '-f', 'arp', 'icmp'], message: /capture filter given twice/ },
  { argv: ['-i', 'eth0', '-B', '0'], message: /-B/ },
];

for (const c of bad) {
  test(`rejects ${c.argv.join(' ') || '(nothing)'}${c.env ? ' with env' : ''}`, () => {
    assert.throws(() => parseOptions(c.argv, c.env ?? {}), (err: unknown) => {
      assert.ok(err instanceof UsageError, 'a UsageError');
      assert.equal(err.exitCode, 2);
      assert.match(err.message, c.message);
      return true;
    });
  });
}

test('passphrases never appear in error messages', () => {
  for (const argv of [['--carp-pass', '0:hunter2'], ['--carp-pass', 'abc:hunter2']]) {
    assert.throws(() => parseOptions(['-r', 'a', ...argv]), (err: unknown) => {
      assert.ok(err instanceof Error && !err.message.includes('hunter2'));
      return true;
    });
  }
  assert.throws(() => parseCarpPassFile('7 ok\nzz hunter2\n'), (err: unknown) => {
    assert.ok(err instanceof UsageError && /line 2/.test(err.message) && !err.message.includes('hunter2'));
    return true;
  });
});

test('parseCarpPassFile reads "VHID PASS" and "VHID:PASS" lines, skipping comments and blanks', () => {
  assert.deepEqual(parseCarpPassFile('# comment\n\n7 secret one\n* any\r\n8:colon:pass\n'), [
    { vhid: 7, passphrase: 'secret one' },
    { vhid: '*', passphrase: 'any' },
    { vhid: 8, passphrase: 'colon:pass' },
  ]);
});

test('parseCarpPass keeps everything after the first colon', () => {
  assert.deepEqual(parseCarpPass('12::x:'), { vhid: 12, passphrase: ':x:' });
});

test('parseVip lower-cases IPv6 addresses', () => {
  assert.deepEqual(parseVip('3:FE80::1, 10.1.1.1'), { vhid: 3, addresses: ['fe80::1', '10.1.1.1'] });
});
