// Hostile and damaged input (issue 12): each case builds its input here, runs the real CLI on
// it and checks that memory and output stay bounded, that nothing decoded is lost, and that
// the run ends with the documented one-line message and exit status.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildPcap, buildPcapng } from '../builders/capture.js';
import { carpFrame4 } from '../builders/packets.js';
import { carpdump } from '../support/cli.js';

let dir = '';
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'carpdump-hostile-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
// tcpdump's "reading from file" header comes first (cli.ts); the error is the one line after it.
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file '));
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const l = lines(stderr);
  assert.equal(l.length, 1, `one line on stderr: ${JSON.stringify(stderr)}`);
  assert.match(l[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at |Error:|heap/);
}

const T0 = 1700000000;
const adverts = (n: number, src: (i: number) => string = () => '10.0.0.1') =>
  Array.from({ length: n }, (_, i) => ({ tsSec: T0 + i, tsFrac: 0, data: carpFrame4({ vhid: 7, counter: BigInt(i + 1) }, { src: src(i) }) }));

/** A pcapng section: one Ethernet interface, `before` CARP adverts, then `idbs` 20-byte IDBs, then one more advert. */
function idbBomb(before: number, idbs: number): Uint8Array {
  const head = buildPcapng([{ endian: 'le', blocks: [
    { kind: 'idb', linktype: 1 },
    ...adverts(before).map((a) => ({ kind: 'epb' as const, interfaceId: 0, ts: BigInt(a.tsSec) * 1000000n, data: a.data })),
  ] }]);
  const bomb = Buffer.alloc(idbs * 20);
  for (let i = 0; i < idbs; i++) {
    bomb.writeUInt32LE(1, i * 20); // block type IDB
    bomb.writeUInt32LE(20, i * 20 + 4); // block total length
    bomb.writeUInt16LE(1, i * 20 + 8); // link type Ethernet (reserved, snaplen 0 follow)
    bomb.writeUInt32LE(20, i * 20 + 16); // trailing length
  }
  const tail = buildPcapng([{ endian: 'le', blocks: [{ kind: 'idb', linktype: 1 }, { kind: 'epb', interfaceId: 0, ts: 0n, data: carpFrame4() }] }]);
  // Only the blocks of the tail's first section after its SHB (IDB + EPB), so they stay in the bomb's section.
  const shbLen = Buffer.from(tail).readUInt32LE(4);
  return Buffer.concat([head, bomb, Buffer.from(tail.subarray(shbLen))]);
}

test('IDB bomb: a section of more interfaces than the cap ends in one line, exit 1, the frames before it kept', () => {
  const p = file('bomb.pcapng.gz', gzipSync(idbBomb(3, 70000)));
  const r = carpdump(['-r', p, '-T', 'fields', '-e', 'frame.number']);
  assert.equal(r.status, 1);
  assert.deepEqual(lines(r.stdout), ['1', '2', '3'], 'the frames before the bomb');
  assertOneLineError(r.stderr, /too many interfaces at byte \d+: the section describes more than 65536 .*--limit interfaces-per-section=N/);
  // The limit is configurable both ways: lowered, the same file stops earlier; raised, it is read.
  assert.equal(carpdump(['-r', p, '-q', '--limit', 'interfaces-per-section=100']).status, 1);
  const raised = carpdump(['-r', p, '-T', 'fields', '-e', 'frame.number', '--limit', 'interfaces-per-section=80000']);
  assert.equal(raised.status, 0, raised.stderr);
  assert.deepEqual(lines(raised.stdout), ['1', '2', '3', '4']);
});

test('gzip with trailing garbage: every frame decompressed is decoded, then one line naming the damage, exit 1', () => {
  const garbage = Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff);
  for (const n of [15, 16000]) {
    const pcap = buildPcap({ endian: 'le', records: adverts(n) });
    const p = file(`g${n}.pcap.gz`, Buffer.concat([gzipSync(pcap), garbage]));
    const r = carpdump(['-r', p, '-T', 'fields', '-e', 'frame.number']);
    assert.equal(r.status, 1);
    assert.equal(lines(r.stdout).length, n, `${n} frames`);
    assert.equal(lines(r.stdout).at(-1), String(n));
    assertOneLineError(r.stderr, /100 bytes of trailing garbage after the gzip data/);
  }
  // Concatenated members (gzip a b > c) are one stream, as for gzip -dc: no damage.
  const a = buildPcap({ endian: 'le', records: adverts(4) });
  const b = Buffer.from(buildPcap({ endian: 'le', records: adverts(3) }).subarray(24)); // records only
  const two = carpdump(['-r', file('two.pcap.gz', Buffer.concat([gzipSync(a), gzipSync(b)])), '-T', 'fields', '-e', 'frame.number']);
  assert.equal(two.status, 0, two.stderr);
  assert.equal(lines(two.stdout).length, 7);
  // A damaged CRC is still an error (after the frames).
  const gz = Buffer.from(gzipSync(a));
  gz[gz.length - 6] = gz[gz.length - 6]! ^ 0xff;
  const crc = carpdump(['-r', file('crc.pcap.gz', gz), '-q']);
  assert.equal(crc.status, 1);
  assertOneLineError(crc.stderr, /gzip data is corrupt or truncated \(CRC mismatch\)/);
});

test('a flood of one finding is capped per id and key in text and jsonl, with the count stated; totals and --fail-on see all', () => {
  // 300 sources on VHID 7, none with the passphrase: 300 carp.hmac_mismatch for one key.
  const p = file('flood.pcap', buildPcap({ endian: 'le', records: adverts(300, (i) => `10.1.${i >> 8}.${i & 0xff}`) }));
  const text = carpdump(['-r', p, '-q', '--carp-pass', '7:secret', '--vip', '7:10.0.0.100']);
  assert.equal(text.status, 0, text.stderr);
  const mismatch = lines(text.stdout).filter((l) => /error carp\.hmac_mismatch/.test(l));
  assert.equal(mismatch.length, 100, 'first 100 per VHID and id');
  const limit = lines(text.stdout).filter((l) => /carpdump\.limit_reached/.test(l) && l.includes('carp.hmac_mismatch'));
  assert.equal(limit.length, 2, limit.join('\n'));
  assert.match(limit[1]!, /carp\.hmac_mismatch for vhid 7: 300 raised, 100 shown/);

  const jl = carpdump(['-r', p, '-T', 'jsonl', '--carp-pass', '7:secret', '--vip', '7:10.0.0.100', '--limit', 'findings-per-key=20']).stdout;
  const objs = lines(jl).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(objs.filter((o) => o['type'] === 'finding' && o['id'] === 'carp.hmac_mismatch').length, 20, 'configurable');
  const total = objs.find((o) => o['id'] === 'carpdump.limit_reached' && o['raised'] !== undefined && o['finding'] === 'carp.hmac_mismatch');
  assert.equal(total?.['raised'], 300);
  assert.equal(total?.['shown'], 20);
  const summary = objs.at(-1)!;
  assert.equal((summary['findings'] as Record<string, number>)['carp.hmac_mismatch'], 300, 'the summary counts every one');
  assert.equal(carpdump(['-r', p, '-q', '--carp-pass', '7:secret', '--vip', '7:10.0.0.100', '--fail-on', 'error']).status, 3);
  // Per id over all keys: 300 VHIDs' worth of findings would be 300 keys; findings-per-id caps the lines.
  const perId = carpdump(['-r', p, '-q', '--carp-pass', '7:secret', '--vip', '7:10.0.0.100', '--limit', 'findings-per-id=50']);
  assert.equal(lines(perId.stdout).filter((l) => /error carp\.hmac_mismatch/.test(l)).length, 50);
});

test('a huge pcapng if_tsoffset: no NaN anywhere, an annotation with the exact time', () => {
  const p = file('offset.pcapng', buildPcapng([{ endian: 'le', blocks: [
    { kind: 'idb', linktype: 1, tsoffset: 2n ** 62n },
    { kind: 'epb', interfaceId: 0, ts: 1_500_000n, data: carpFrame4({ vhid: 7 }) },
    { kind: 'epb', interfaceId: 0, ts: 2_500_000n, data: carpFrame4({ vhid: 7 }) },
  ] }]));
  for (const args of [[], ['-t', 'ad'], ['-V'], ['-z', 'carp,masters'], ['-T', 'jsonl'], ['-T', 'json'], ['-t', 'r'], ['-t', 'd'], ['-t', 'e']]) {
    const r = carpdump(['-r', p, ...args]);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, /NaN|Invalid/, args.join(' '));
    assert.match(r.stdout, /4611686018427387905\.500000/, `${args.join(' ')}: the exact time is stated`);
  }
  const jl = lines(carpdump(['-r', p, '-T', 'jsonl']).stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
  const first = jl[0] as { annotations: { id: string }[] };
  assert.ok(first.annotations.some((a) => a.id === 'frame.time_out_of_range'));
});

test('--limit: unknown names and bad values are usage errors', () => {
  const r = carpdump(['-r', '-', '--limit', 'nope=3']);
  assert.equal(r.status, 2);
  assert.match(lines(r.stderr)[0]!, /--limit: unknown limit "nope" \(names: interfaces-per-section, findings-per-key, findings-per-id, record-bytes, vhids, sources-per-vhid, states, creators\)/);
  assert.equal(carpdump(['-r', '-', '--limit', 'findings-per-key=0']).status, 2);
  assert.equal(carpdump(['-r', '-', '--limit', 'findings-per-key']).status, 2);
});
