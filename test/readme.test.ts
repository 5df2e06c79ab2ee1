// README.md's examples are run as documented: every command of the "Quick start" and "Using it"
// code blocks that needs no live interface, with the placeholder files mapped to samples, and
// checked against what the README text says it prints. An example without a check here fails
// the test, so a new example comes with its check.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { carpdump as run } from './support/cli.js';
import { REPO_ROOT as root } from './support/paths.js';

const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
let dir = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'carpdump-readme-'));
  writeFileSync(path.join(dir, 'words.txt'), 'letmein\ncarpsecret\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The shell lines of the first ```sh block after a heading. */
function examples(heading: string): string[] {
  const at = readme.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README has "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))!;
  return block[1]!.split('\n').filter((l) => l.trim() !== '');
}

/** Splits a shell line into words (single quotes, no other shell syntax) and its comment. */
function words(line: string): { argv: string[]; comment: string } {
  const hash = line.search(/\s#\s/);
  const cmd = hash >= 0 ? line.slice(0, hash) : line;
  const argv = [...cmd.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  return { argv, comment: hash >= 0 ? line.slice(hash).replace(/^\s#\s*/, '') : '' };
}

const PLACEHOLDERS: Readonly<Record<string, () => string>> = {
  'capture.pcapng': () => 'samples/ucarp-failover.pcapng',
  'cap.pcap': () => 'samples/ucarp-failover.pcap',
  'pfsync.pcap': () => 'samples/pfsync-session.pcap',
  'words.txt': () => path.join(dir, 'words.txt'),
};

function carpdump(argv: string[]) {
  const args = argv.map((a) => PLACEHOLDERS[a]?.() ?? a);
  const r = run(args, {}, { cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

const FRAME_LINE = /^\d\d:\d\d:\d\d\.\d{6} /;
type Run = ReturnType<typeof carpdump>;

/** What the README says each example prints, keyed by a distinctive part of the command. */
const CHECKS: { match: RegExp; check: (r: Run) => void }[] = [
  { // Quick start: "every advert with [hmac ok], the two master changes under the frames that caused them, and the per-VHID table"
    match: /-r samples\/ucarp-failover\.pcap --carp-pass 7:carpsecret -z carp,masters$/,
    check: (r) => {
      assert.equal(r.status, 0);
      const adverts = r.lines.filter((l) => / CARPv2 advertise /.test(l));
      assert.ok(adverts.length >= 10 && adverts.every((l) => l.endsWith('[hmac ok]')), 'every advert [hmac ok]');
      const changes = r.lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s+note carp\.master_changed/.test(l));
      assert.equal(changes.length, 2, 'two master changes');
      for (const [, i] of changes) assert.match(r.lines[i - 1]!, FRAME_LINE, 'under the frame that caused it');
      assert.ok(r.lines.includes('CARP masters'), 'the per-VHID table');
    },
  },
  { // "CARP / VRRP / pfsync frames, one line each"
    match: /^carpdump -r capture\.pcapng$/,
    check: (r) => {
      assert.equal(r.status, 0);
      for (const l of r.lines) assert.ok(FRAME_LINE.test(l) || /^\s{4}(note|warn|error) /.test(l), l);
      assert.ok(r.lines.some((l) => / CARPv2 advertise /.test(l)));
    },
  },
  { // passphrase, virtual address and the masters table
    match: /--vip 7:10\.0\.0\.1 -z carp,masters$/,
    check: (r) => {
      assert.equal(r.status, 0);
      assert.ok(r.lines.includes('CARP masters'));
      assert.ok(r.lines.some((l) => /carp\.hmac_mismatch/.test(l)), 'the wrong passphrase is reported');
    },
  },
  { // "audit: exit 3 on findings"
    match: /-q --wordlist words\.txt --fail-on warn/,
    check: (r) => {
      assert.equal(r.status, 3);
      assert.ok(r.lines.some((l) => /carp\.weak_passphrase/.test(l)));
      assert.doesNotMatch(r.stdout, /carpsecret/, 'the passphrase is not printed without --show-secrets');
      assert.ok(r.lines.every((l) => !/ CARPv2 advertise /.test(l)), '-q: no frame lines');
    },
  },
  { // "pfctl-like states (-V), and at the end the peers, bulk updates, messages per action and states per creator"
    match: /-r pfsync\.pcap -V -z pfsync,states/,
    check: (r) => {
      assert.equal(r.status, 0);
      const at = r.lines.indexOf('pfsync states');
      assert.ok(at > 0);
      const table = r.lines.slice(at).join('\n');
      for (const part of ['peers:', 'bulk updates:', 'messages by action:', 'states known at the end:', 'creator ']) assert.ok(table.includes(part), part);
      assert.ok(r.lines.some((l) => /^\s+id [0-9a-f]{16}\/[0-9a-f]{8}/.test(l)), 'states in the -V tree');
    },
  },
  { // jsonl | jq 'select(.type=="finding")': there are finding objects to select
    match: /-T jsonl \| jq/,
    check: (r) => {
      assert.equal(r.status, 0);
      const objs = r.lines.map((l) => JSON.parse(l) as { type: string });
      assert.ok(objs.filter((o) => o.type === 'finding').length >= 2);
    },
  },
  { // -Y on field ids, -T fields columns
    match: /-Y 'carp\.vhid == 7 && carp\.advskew > 0' -T fields/,
    check: (r) => {
      assert.equal(r.status, 0);
      assert.ok(r.lines.length > 0);
      for (const l of r.lines) {
        const cols = l.split('\t');
        assert.equal(cols.length, 3, l);
        assert.equal(cols[1], '10.77.0.2', 'only the advskew 100 node');
      }
    },
  },
];

const runnable = [...examples('## Quick start'), ...examples('## Using it')]
  .map((l) => l.replace(/^npm ci && npx /, ''))
  .filter((l) => l.startsWith('carpdump ') && !/ -i /.test(l) && l !== 'npm test');

test('README examples are found (the live ones, -i IFACE, are left to the live tests)', () => {
  assert.ok(runnable.length >= 7, runnable.join('\n'));
});

for (const line of runnable) {
  test(`README: ${line}`, () => {
    const { argv } = words(line);
    const pipe = argv.indexOf('|');
    const c = CHECKS.find((k) => k.match.test(line.replace(/\s+#.*$/, '').trim()) || k.match.test(line));
    assert.ok(c, `no check for this README example: ${line}`);
    c.check(carpdump((pipe >= 0 ? argv.slice(0, pipe) : argv).slice(1)));
  });
}
