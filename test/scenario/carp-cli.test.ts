// The CARP story through the real CLI (subprocess): -z carp,masters text and the same facts in
// jsonl (finding objects and the summary), passphrases from the environment, no secret in output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { carpdumpOk as carpdump } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';

type Obj = Record<string, unknown>;

test('multi-vhid: -z carp,masters and jsonl tell the same masters and changes', () => {
  const file = path.join(SAMPLES, 'multi-vhid.pcap');
  const lines = carpdump(['-r', file, '-q', '-T', 'jsonl'], { CARPDUMP_CARP_PASS: '*:carpsecret' })
    .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Obj);
  const changes = lines.filter((o) => o['type'] === 'finding' && o['id'] === 'carp.master_changed');
  assert.deepEqual(changes.map((o) => [o['vhid'], o['src'], o['cause']]), [
    [12, '10.77.0.2', 'first_seen'], [11, '10.77.0.1', 'first_seen'], [13, '10.77.0.3', 'first_seen'],
    [11, '10.77.0.2', 'master_timeout'], [12, '10.77.0.3', 'master_timeout'], [13, '10.77.0.1', 'master_timeout'],
    [13, '10.77.0.3', 'preempted'],
  ]);
  const summary = lines.find((o) => o['type'] === 'summary')!;
  const vhids = (summary['carp'] as Obj)['vhids'] as Obj[];
  const facts = vhids.map((v) => [v['vhid'], v['master'], v['transitions'], v['hmac'], v['since']]);
  assert.deepEqual(facts.map((f) => f.slice(0, 4)), [[11, '10.77.0.2', 1, 'good'], [12, '10.77.0.3', 1, 'good'], [13, '10.77.0.3', 2, 'good']]);
  // -t e: the table prints times in the user's timestamp style; epoch seconds match the jsonl.
  const text = carpdump(['-r', file, '-q', '-t', 'e', '-z', 'carp,masters', '--carp-pass', '*:carpsecret']);
  for (const [vhid, master, transitions, , since] of facts) {
    assert.match(text, new RegExp(`^${String(vhid)}\\s+ipv4\\s+${String(master).replace(/\./g, '\\.')}\\s+${String(since).replace('.', '\\.')}\\s+${String(transitions)}\\s`, 'm'));
  }
  assert.ok(!text.includes('carpsecret'));
});

test('ucarp-failover: --wordlist finds the passphrase without printing it; --carp-pass-file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carpdump-carp-'));
  try {
    const words = path.join(dir, 'words.txt');
    writeFileSync(words, ['123456', 'password', 'opnsense', 'carpsecret', 'letmein'].join('\n') + '\n');
    const file = path.join(SAMPLES, 'ucarp-failover.pcap');
    const out = carpdump(['-r', file, '-q', '--wordlist', words, '-T', 'jsonl']);
    const weak = out.split('\n').filter((l) => l.includes('"carp.weak_passphrase"') && l.includes('"finding"')).map((l) => JSON.parse(l) as Obj);
    assert.equal(weak.length, 1);
    assert.equal(weak[0]!['vhid'], 7);
    assert.ok(!out.includes('carpsecret'));
    const passFile = path.join(dir, 'pass.txt');
    writeFileSync(passFile, '7 carpsecret\n');
    const text = carpdump(['-r', file, '--carp-pass-file', passFile]);
    assert.equal((text.match(/\[hmac ok\]/g) ?? []).length, 11);
    assert.ok(!text.includes('carpsecret'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
