// `npm run bench:hostile`: peak memory and output of carpdump on hostile inputs built here
// (issue 12's goals in brackets). Peak RSS is GNU time's %M of the carpdump process.
//
//   node dist/test/bench/hostile-bench.js [--idbs N] [--sources N] [--adverts N] [--states N] [--keep]
//
//  * IDB bomb: a gzip'd pcapng whose one section holds --idbs (default 40M) 20-byte Interface
//    Description Blocks after 3 adverts (800 MB uncompressed, ~2 MB gzip) [< 300 MB]
//  * hmac flood: --sources (default 200k) sources on VHID 7, none with the passphrase [< 150 MB,
//    at most 1,000 lines per finding id with the total stated]
//  * replay-table flood: --adverts (default 100k) adverts whose (counter, HMAC) pairs share the
//    replay table's fast hash, beside as many with random digests [the two within 2x in time]
//  * creator flood: a pcap of --states (default 3M) pfsync states with random creator ids, 200
//    per 52 kB UPD packet (790 MB on disk, written to the temporary directory and removed),
//    read with -q -z pfsync,states [< 500 MB; the creator cap reached once, 20 creator lines]

import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { buildPcap, buildPcapng } from '../builders/capture.js';
import { carpFrame4 } from '../builders/packets.js';
import { floodPacket, PER_PACKET } from '../builders/creator-flood.js';
import { mulberry32 } from '../builders/capture.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/carpdump.js');
const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const IDBS = arg('--idbs', 40_000_000);
const SOURCES = arg('--sources', 200_000);
const STATES = arg('--states', 3_000_000);
const ADVERTS = arg('--adverts', 100_000);
const dir = mkdtempSync(join(tmpdir(), 'carpdump-hostile-bench-'));

async function writeIdbBomb(path: string): Promise<void> {
  const gz = createGzip({ level: 9 });
  const done = new Promise<void>((r, j) => gz.pipe(createWriteStream(path)).on('finish', r).on('error', j));
  gz.write(buildPcapng([{ endian: 'le', blocks: [
    { kind: 'idb', linktype: 1 },
    ...[1, 2, 3].map((i) => ({ kind: 'epb' as const, interfaceId: 0, ts: BigInt(1700000000 + i) * 1000000n, data: carpFrame4({ vhid: 7 }) })),
  ] }]));
  const chunk = Buffer.alloc(20 * 65536);
  for (let i = 0; i < 65536; i++) {
    chunk.writeUInt32LE(1, i * 20);
    chunk.writeUInt32LE(20, i * 20 + 4);
    chunk.writeUInt16LE(1, i * 20 + 8);
    chunk.writeUInt32LE(20, i * 20 + 16);
  }
  for (let left = IDBS; left > 0; left -= 65536) {
    const part = left >= 65536 ? chunk : chunk.subarray(0, left * 20);
    if (!gz.write(part)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
}

/** A pcap of STATES pfsync states from random creator ids, streamed to disk (it is ~264 bytes a state). */
async function writeCreatorFlood(path: string): Promise<void> {
  const out = createWriteStream(path);
  const done = new Promise<void>((r, j) => out.on('finish', r).on('error', j));
  out.write(buildPcap({ endian: 'le', records: [] }));
  const rand = mulberry32(12);
  for (let p = 0; p * PER_PACKET < STATES; p++) {
    const data = floodPacket(rand, p * PER_PACKET + 1);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000 + Math.floor(p / 100), 0); // ts seconds
    rec.writeUInt32LE((p % 100) * 10000, 4); // ts microseconds
    rec.writeUInt32LE(data.length, 8); // captured length
    rec.writeUInt32LE(data.length, 12); // original length
    out.write(rec);
    if (!out.write(data)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await done;
}

function measure(label: string, args: string[], goalMb: number): string {
  const rss = join(dir, 'rss');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rss, process.execPath, bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const mb = Number(readFileSync(rss, 'utf8').trim().split('\n').pop()) / 1024;
  const perId = new Map<string, number>();
  for (const m of r.stdout.matchAll(/^\S+ (?:note|warn|error) ([a-z_.]+):/gm)) perId.set(m[1]!, (perId.get(m[1]!) ?? 0) + 1);
  const most = [...perId.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${label}: exit ${r.status}, ${secs.toFixed(2)} s, peak RSS ${mb.toFixed(0)} MB (goal < ${goalMb} MB); lines per id: ${most || '-'}`);
  const err = r.stderr.trim().split('\n');
  if (err[0]) console.log(`  stderr (${err.length} line${err.length === 1 ? '' : 's'}): ${err[0]}`);
  return r.stdout;
}

const bomb = join(dir, 'idb-bomb.pcapng.gz');
await writeIdbBomb(bomb);
measure(`IDB bomb (${IDBS} IDBs, ${(readFileSync(bomb).length / 1e6).toFixed(1)} MB gzip)`, ['-r', bomb, '-q'], 300);

const flood = join(dir, 'hmac-flood.pcap');
writeFileSync(flood, buildPcap({ endian: 'le', records: Array.from({ length: SOURCES }, (_, i) => ({
  tsSec: 1700000000 + Math.floor(i / 1000), tsFrac: (i % 1000) * 1000,
  data: carpFrame4({ vhid: 7, counter: BigInt(i + 1) }, { src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }),
})) }));
measure(`hmac flood (${SOURCES} sources on VHID 7)`, ['-r', flood, '-q', '--carp-pass', '7:secret', '--vip', '7:10.0.0.100'], 150);

// Replay-table flood: ADVERTS adverts of one sender whose (counter, HMAC) pairs share the replay
// table's fast hash (counter high word 0, the HMAC's first word = counter low word ^ K, the
// second varied), against the same number with random first words. The table switches to its
// keyed hash at the first long probe (analyze/carp/seen-pairs.ts); before, every lookup walked
// a run of thousands of buckets (3.8 s against 0.34 s on 100k adverts).
for (const kind of ['colliding', 'random'] as const) {
  const rand = mulberry32(13);
  const replay = join(dir, `replay-${kind}.pcap`);
  writeFileSync(replay, buildPcap({ endian: 'le', records: Array.from({ length: ADVERTS }, (_, i) => {
    const hmac = new Uint8Array(20), v = new DataView(hmac.buffer);
    v.setInt32(0, kind === 'colliding' ? (i + 1) ^ 0x5a5a5a5a : Math.floor(rand() * 2 ** 32) | 0);
    v.setInt32(4, i);
    return { tsSec: 1700000000 + i, tsFrac: 0, data: carpFrame4({ vhid: 7, counter: BigInt(i + 1), hmac }, { src: '10.9.0.1' }) };
  }) }));
  measure(`replay-table flood (${ADVERTS} adverts, ${kind} hashes)`, ['-r', replay, '-q'], 150);
}

const creators = join(dir, 'creator-flood.pcap');
await writeCreatorFlood(creators);
const z = measure(`creator flood (${STATES} pfsync states, random creator ids, ${(statSync(creators).size / 1e6).toFixed(0)} MB pcap)`,
  ['-r', creators, '-q', '-z', 'pfsync,states'], 500);
const creatorLines = z.split('\n').filter((l) => /^ {4}creator [0-9a-f]{8}: \d+$/.test(l)).length;
console.log(`  -z pfsync,states: ${creatorLines} creator lines; ${z.match(/^ {4}\d+ more creator\(s\).*$/m)?.[0]?.trim() ?? 'no "more" line'}; ${z.match(/pfsync\.creator_cap \d+/)?.[0] ?? 'no pfsync.creator_cap'}`);
if (!process.argv.includes('--keep')) rmSync(creators, { force: true });

if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else console.log(`inputs kept in ${dir}`);
