// Every limit of src/limits.ts is settable with --limit NAME=N (issue 12): each one is set low
// here, on an input built here, and its cap is seen to be reached at the new value, not at the
// default: the finding (carp.vhid_cap, vrrp.vrid_cap, pfsync.state_cap, pfsync.creator_cap) on
// the first frame past it, or the file's one-line error (record-bytes). The findings caps and
// interfaces-per-section are covered in hostile-input.test.ts. Every limit is documented in
// --help, the README's Limits table and the man page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LIMITS, type LimitName } from '../../src/limits.js';
import { USAGE } from '../../src/options.js';
import { buildPcap, buildPcapng } from '../builders/capture.js';
import { carpFrame4, vrrp2Frame } from '../builders/packets.js';
import { fullUpd, A } from '../support/pfsync-harness.js';
import { carpdump } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

let dir = '';
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'carpdump-limits-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

type Obj = Record<string, unknown>;
/** A pcap of `frames`, one a second; its path. */
function pcap(name: string, frames: readonly Uint8Array[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, buildPcap({ endian: 'le', records: frames.map((data, i) => ({ tsSec: 1700000000 + i, tsFrac: 0, data })) }));
  return p;
}
/** The findings with `id` of a jsonl run (exit 0 asserted). */
function findings(file: string, id: string, extra: string[] = []): Obj[] {
  const r = carpdump(['-r', file, '-T', 'jsonl', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Obj)
    .filter((o) => o['type'] === 'finding' && o['id'] === id);
}
/** The cap finding is raised once, on frame `frame`, naming `cap` (and `what`). */
function assertCap(list: readonly Obj[], frame: number, cap: number, what?: string): void {
  assert.equal(list.length, 1, JSON.stringify(list));
  const f = list[0]!;
  assert.deepEqual(f['frames'], [frame]);
  assert.equal(f['cap'], cap);
  if (what !== undefined) assert.equal(f['what'], what);
}

const carpOn = (vhid: number, src = '10.0.0.1') => carpFrame4({ vhid }, { src });
const vrrpOn = (vrid: number, src = '10.0.0.1') => vrrp2Frame({ vrid }, { src });

test('--limit vhids=N: the (N+1)th CARP VHID and VRRP VRID raise carp.vhid_cap / vrrp.vrid_cap on its first frame', () => {
  const carp = pcap('vhids-carp.pcap', [1, 2, 3, 4, 5, 1].map((v) => carpOn(v)));
  assert.deepEqual(findings(carp, 'carp.vhid_cap'), [], 'under the default (1024), nothing');
  assertCap(findings(carp, 'carp.vhid_cap', ['--limit', 'vhids=3']), 4, 3, 'VHIDs');
  assertCap(findings(carp, 'carp.vhid_cap', ['--limit', 'vhids=4']), 5, 4, 'VHIDs');
  const vrrp = pcap('vhids-vrrp.pcap', [1, 2, 3, 4, 5].map((v) => vrrpOn(v)));
  assert.deepEqual(findings(vrrp, 'vrrp.vrid_cap'), []);
  assertCap(findings(vrrp, 'vrrp.vrid_cap', ['--limit', 'vhids=2']), 3, 2, 'VRIDs');
});

test('--limit sources-per-vhid=N: the (N+1)th sender of one group raises the cap on its first advert', () => {
  const srcs = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.1'];
  const carp = pcap('sources-carp.pcap', srcs.map((s) => carpOn(7, s)));
  assert.deepEqual(findings(carp, 'carp.vhid_cap'), [], 'under the default (16), nothing');
  assertCap(findings(carp, 'carp.vhid_cap', ['--limit', 'sources-per-vhid=2']), 3, 2, 'sources');
  assertCap(findings(carp, 'carp.vhid_cap', ['--limit', 'sources-per-vhid=3']), 4, 3, 'sources');
  const vrrp = pcap('sources-vrrp.pcap', srcs.map((s) => vrrpOn(51, s)));
  assert.deepEqual(findings(vrrp, 'vrrp.vrid_cap'), []);
  assertCap(findings(vrrp, 'vrrp.vrid_cap', ['--limit', 'sources-per-vhid=3']), 4, 3, 'sources');
});

test('--limit states=N: pfsync.state_cap on the frame whose states pass N; the summary holds N states', () => {
  // Three full updates of 4 states each from one creator: states 1-4, 5-8, 9-12.
  const p = pcap('states.pcap', [fullUpd(A, 0x0a0a0a01, 1, 4), fullUpd(A, 0x0a0a0a01, 5, 8), fullUpd(A, 0x0a0a0a01, 9, 12)]);
  assert.deepEqual(findings(p, 'pfsync.state_cap'), [], 'under the default (2M), nothing');
  assertCap(findings(p, 'pfsync.state_cap', ['--limit', 'states=6']), 2, 6);
  assertCap(findings(p, 'pfsync.state_cap', ['--limit', 'states=8']), 3, 8);
  const z = carpdump(['-r', p, '-q', '-z', 'pfsync,states', '--limit', 'states=6']);
  assert.match(z.stdout, /states known at the end: 6$/m);
});

test('--limit creators=N: pfsync.creator_cap on the first state of the (N+1)th creator id', () => {
  const p = pcap('creators.pcap', [1, 2, 3, 4, 5].map((c) => fullUpd(A, 0x0a0a0a00 + c, c * 10, c * 10 + 1)));
  assert.deepEqual(findings(p, 'pfsync.creator_cap'), [], 'under the default (10,000), nothing');
  const f = findings(p, 'pfsync.creator_cap', ['--limit', 'creators=3']);
  assertCap(f, 4, 3);
  assert.equal(f[0]!['creatorid'], '0a0a0a04');
  assertCap(findings(p, 'pfsync.creator_cap', ['--limit', 'creators=4']), 5, 4);
});

test('--limit record-bytes=N: a record past N ends the file with one line, exit 1, the frames before it printed', () => {
  const small = carpOn(7);
  const bigger = new Uint8Array(300); // a CARP advert padded to 300 bytes
  bigger.set(small);
  const p = pcap('records.pcap', [small, small, bigger, small]);
  const fields = ['-T', 'fields', '-e', 'frame.number'];
  const whole = carpdump(['-r', p, ...fields]);
  assert.equal(whole.status, 0, whole.stderr);
  assert.deepEqual(whole.stdout.trim().split('\n'), ['1', '2', '3', '4']);
  const cut = carpdump(['-r', p, ...fields, '--limit', 'record-bytes=299']);
  assert.equal(cut.status, 1);
  assert.deepEqual(cut.stdout.trim().split('\n'), ['1', '2']);
  const err = cut.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file '));
  assert.equal(err.length, 1, cut.stderr);
  assert.match(err[0]!, /captured length 300 exceeds 299 bytes \(limit record-bytes\)/);
  assert.equal(carpdump(['-r', p, ...fields, '--limit', 'record-bytes=300']).status, 0);
  // pcapng: the block (data plus at most 4 KiB of headers and options) is bounded the same way.
  const ng = path.join(dir, 'records.pcapng');
  writeFileSync(ng, buildPcapng([{ endian: 'le', blocks: [
    { kind: 'idb', linktype: 1 },
    ...[small, new Uint8Array(5000), small].map((data, i) => ({ kind: 'epb' as const, interfaceId: 0, ts: BigInt(1700000000 + i) * 1000000n, data })),
  ] }]));
  assert.equal(carpdump(['-r', ng, ...fields]).status, 0);
  const ngCut = carpdump(['-r', ng, ...fields, '--limit', 'record-bytes=100']);
  assert.equal(ngCut.status, 1);
  assert.deepEqual(ngCut.stdout.trim().split('\n'), ['1']);
  assert.match(ngCut.stderr, /block length \d+ exceeds 4196 bytes \(limit record-bytes\)/);
});

test('every limit is settable and documented in --help, the README Limits table and the man page', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const limitsSection = readme.slice(readme.indexOf('\n## Limits'), readme.indexOf('\n## ', readme.indexOf('\n## Limits') + 1));
  const man = readFileSync(path.join(REPO_ROOT, 'man/carpdump.1'), 'utf8').replace(/\\-/g, '-');
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    assert.equal(LIMITS[name].option, true, `${name} is settable`);
    assert.ok(USAGE.includes(`${name} (`), `--help names ${name} with its default`);
    assert.match(limitsSection, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `README Limits table has a row for ${name}`);
    assert.ok(man.includes(name), `the man page names ${name}`);
    const r = carpdump(['--limit', `${name}=5`, '--version']);
    assert.equal(r.status, 0, `--limit ${name}=5: ${r.stderr}`);
  }
});
