// VIP discovery and the audit from adverts alone, on the builder-made FreeBSD-shaped capture
// (samples/synthetic-freebsd-carp.pcap, test/builders/make-samples.ts: VHID 1, pass123, VIP
// 192.168.88.44 in the sender's /24, no ARP, 45 adverts with one repeated counter and HMAC).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { carpdump as cli } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';
import { runScenario } from './carp-helpers.js';
import { fileWordlist, BLOCK_WORDS } from '../../src/wordlist-file.js';
import { wordlistChunksSent } from '../../src/analyze/carp/wordlist-pool.js';

const FILE = path.join(SAMPLES, 'synthetic-freebsd-carp.pcap');

test('FreeBSD-shaped capture: the passphrase alone verifies all 45 adverts; the VIP is discovered; no replay', () => {
  const s = runScenario(FILE, { pass: [{ vhid: 1, passphrase: 'pass123' }] });
  assert.deepEqual(s.status(), { good: 45 });
  const d = s.byId('carp.vip_discovered');
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.details['addresses'], ['192.168.88.44']);
  assert.equal(s.byId('carp.replayed_advert').length, 0);
  assert.equal(cli(['-r', FILE, '-q', '--carp-pass', '1:pass123', '--fail-on', 'warn']).status, 0);
});

test('FreeBSD-shaped capture: a wrong passphrase verifies none, says what was searched, exits 3 under --fail-on warn', () => {
  const s = runScenario(FILE, { pass: [{ vhid: 1, passphrase: 'pass124' }] });
  assert.deepEqual(s.status(), { unverified: 45 });
  const u = s.byId('carp.hmac_unverifiable');
  assert.equal(u.length, 1);
  assert.match(String(u[0]!.details['searched']), /192\.168\.88\.0\/24 single addresses and pairs/);
  const r = cli(['-r', FILE, '-q', '--carp-pass', '1:pass124', '--fail-on', 'warn']);
  assert.equal(r.status, 3);
  assert.match(r.stdout, /carp\.hmac_unverifiable/);
});

test('FreeBSD-shaped capture: --wordlist without --vip finds the passphrase through the address search (streamed in blocks)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carpdump-wl-'));
  try {
    const list = path.join(dir, 'words.txt');
    const words = Array.from({ length: 300 }, (_, i) => `guess${i}`);
    writeFileSync(list, [...words, 'pass123', ''].join('\r\n'));
    const s = runScenario(FILE, { wordlist: [...words, 'pass123'] });
    const w = s.byId('carp.weak_passphrase');
    assert.equal(w.length, 1);
    assert.equal(w[0]!.details['wordlist_line'], 301);
    assert.deepEqual(s.status(), { good: 45 });
    const audit = (s.summary['carp'] as Record<string, unknown>)['audit'] as Array<Record<string, unknown>>;
    assert.match(String(audit[0]!['covered']), /^301 passphrases x 508 address sets \(address search: 192\.168\.88\.0\/24/);
    const r = cli(['-r', FILE, '-q', '--wordlist', list, '--fail-on', 'warn']);
    assert.equal(r.status, 3);
    assert.match(r.stdout, /carp\.weak_passphrase.*entry 301/);
    assert.ok(!r.stdout.includes('pass123'));
    // no match: the coverage says so
    const none = runScenario(FILE, { wordlist: words });
    const a2 = (none.summary['carp'] as Record<string, unknown>)['audit'] as Array<Record<string, unknown>>;
    assert.match(String(a2[0]!['covered']), /^300 passphrases x 508 address sets .*, no match$/);
    // blocks: a file longer than one block is read in several, every word once, in order
    const big = path.join(dir, 'big.txt');
    writeFileSync(big, Array.from({ length: BLOCK_WORDS + 5 }, (_, i) => `w${i}`).join('\n'));
    const blocks = [...fileWordlist(big).blocks()];
    assert.deepEqual(blocks.map((b) => b.length), [BLOCK_WORDS, 5]);
    assert.equal(blocks[1]![4], `w${BLOCK_WORDS + 4}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FreeBSD-shaped capture: --wordlist of 10 000 (passphrase last / absent) gives the same finding and coverage on 1 and 2 threads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carpdump-wlt-'));
  const saved = process.env['CARPDUMP_WORDLIST_THREADS'];
  try {
    const guesses = Array.from({ length: 9_999 }, (_, i) => `guess${i}`);
    const hitList = path.join(dir, 'hit.txt');
    writeFileSync(hitList, [...guesses, 'pass123', ''].join('\n'));
    // the CLI, passphrase last: same stdout; the estimate line on stderr with -q, naming the thread count
    const run = (threads: number) => cli(['-r', FILE, '-q', '--wordlist', hitList, '--fail-on', 'warn'], { CARPDUMP_WORDLIST_THREADS: String(threads) });
    const one = run(1);
    const two = run(2);
    assert.equal(one.status, 3);
    assert.equal(two.status, 3);
    assert.match(one.stdout, /carp\.weak_passphrase.*entry 10000 .*192\.168\.88\.44/);
    assert.equal(two.stdout, one.stdout);
    assert.match(one.stderr, /^wordlist: 10000 passphrases x 508 address sets = 5\.1 M HMACs, ~[\d.]+ M\/s on 1 thread, about \d+ s$/m);
    assert.match(two.stderr, /^wordlist: 10000 passphrases x 508 address sets = 5\.1 M HMACs, ~[\d.]+ M\/s on 2 threads, about \d+ s$/m);
    // in process, no match: the same coverage line on 1 and 2 threads
    const covered = (threads: number): unknown => {
      process.env['CARPDUMP_WORDLIST_THREADS'] = String(threads);
      const s = runScenario(FILE, { wordlist: [...guesses, 'pass124'] });
      assert.equal(s.byId('carp.weak_passphrase').length, 0);
      return ((s.summary['carp'] as Record<string, unknown>)['audit'] as Array<Record<string, unknown>>).map((a) => a['covered']);
    };
    const c1 = covered(1);
    const sent = wordlistChunksSent();
    assert.match(String((c1 as unknown[])[0]), /^10000 passphrases x 508 address sets \(address search: .*\), no match$/);
    assert.deepEqual(covered(2), c1);
    assert.ok(wordlistChunksSent() > sent, 'the 2-thread run used the workers');
  } finally {
    if (saved === undefined) delete process.env['CARPDUMP_WORDLIST_THREADS']; else process.env['CARPDUMP_WORDLIST_THREADS'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
