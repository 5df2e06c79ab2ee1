// Several capture points, one timeline (issue 15 item 2). Builder-made: one ucarp-style failover
// (10.77.0.1 master, stops at t=9; 10.77.0.2 backup takes over) recorded at two points; point B
// sits behind a switch port that drops multicast from t=3 to t=9, so B misses 10.77.0.1's adverts
// then. The same story recorded from real ucarp in namespaces (a bridge port that stops
// flooding multicast) is tested in merge-recording.test.ts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPcap, type PcapRecordSpec } from '../builders/capture.js';
import { carpFrame4 } from '../builders/packets.js';
import { carpdump, tool } from '../support/cli.js';
import { skipReason } from '../support/skip.js';

const T0 = 1700000000;
let dir = '';
let a = '';
let b = '';

function advert(src: string, advskew: number, t: number, counter: bigint): PcapRecordSpec {
  return { tsSec: T0 + Math.floor(t), tsFrac: Math.round((t % 1) * 1e6), data: carpFrame4({ vhid: 7, advskew, counter }, { src }) };
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'carpdump-merge-'));
  const all: PcapRecordSpec[] = [];
  for (let t = 0; t <= 9; t++) all.push(advert('10.77.0.1', 0, t, 100n + BigInt(t)));
  for (let t = 12.4; t <= 20; t += 1.39) all.push(advert('10.77.0.2', 100, Number(t.toFixed(3)), 500n + BigInt(Math.round(t))));
  // The same frames reach B a little later (one switch hop), except 10.77.0.1's from t=3 to t=9.
  const atB = all
    .filter((r) => !(r.tsSec - T0 >= 3 && r.tsSec - T0 <= 9 && r.data[29] === 1))
    .map((r) => ({ ...r, tsFrac: r.tsFrac + 150 }));
  a = path.join(dir, 'sw-a.pcap');
  b = path.join(dir, 'sw-b.pcap');
  writeFileSync(a, buildPcap({ endian: 'le', records: all }));
  writeFileSync(b, buildPcap({ endian: 'le', records: atB }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('-r A -r B: one timeline in time order, each frame labelled with its capture point', () => {
  const r = carpdump(['-r', a, '-r', b, '-T', 'jsonl']);
  assert.equal(r.status, 0, r.stderr);
  const packets = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; frame?: { number: number; ts: string; capture_point: string } })
    .filter((o) => o.type === 'packet').map((o) => o.frame!);
  assert.equal(packets.length, 10 + 6 + 3 + 6);
  assert.deepEqual(packets.map((p) => p.number), packets.map((_, i) => i + 1), 'numbered in merged order');
  const ts = packets.map((p) => Number(p.ts));
  assert.deepEqual(ts, [...ts].sort((x, y) => x - y), 'merged by time');
  assert.deepEqual(packets.slice(0, 2).map((p) => p.capture_point), ['sw-a.pcap', 'sw-b.pcap']);
  const text = carpdump(['-r', a, '-r', b]);
  assert.match(text.stdout, /^\d\d:\d\d:\d\d\.\d{6} \[sw-b\.pcap\] 10\.77\.0\.1 > 224\.0\.0\.18: CARPv2/m);
  assert.deepEqual(text.stderr.split('\n').filter((l) => l.startsWith('reading from file')).length, 2);
  const y = carpdump(['-r', a, '-r', b, '-Y', 'frame.capture_point == "sw-b.pcap"', '-T', 'fields', '-e', 'frame.number']);
  assert.equal(y.stdout.trim().split('\n').length, 9);
});

test('the port that did not forward: carp.not_heard_at for sw-b.pcap, once per gap', () => {
  const r = carpdump(['-r', a, '-r', b, '-T', 'jsonl']);
  const findings = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id?: string; missing_at?: string; heard_at?: string; src?: string; ts?: string })
    .filter((o) => o.type === 'finding' && o.id === 'carp.not_heard_at');
  assert.equal(findings.length, 1, JSON.stringify(findings));
  assert.equal(findings[0]!.src, '10.77.0.1');
  assert.equal(findings[0]!.heard_at, 'sw-a.pcap');
  assert.equal(findings[0]!.missing_at, 'sw-b.pcap');
  // Reported once 10.77.0.1 has been missing at B for the window (3 s after its last advert at t=2).
  assert.ok(Number(findings[0]!.ts) >= T0 + 5 && Number(findings[0]!.ts) <= T0 + 6, findings[0]!.ts);
  const alone = carpdump(['-r', a, '-T', 'jsonl']);
  assert.doesNotMatch(alone.stdout, /carp\.not_heard_at/, 'one point: no presence analysis');
});

test('-z carp,masters: the presence matrix; adverts seen at both points count once for the election', () => {
  const r = carpdump(['-r', a, '-r', b, '-q', '-z', 'carp,masters']);
  assert.equal(r.status, 0, r.stderr);
  const matrix = r.stdout.slice(r.stdout.indexOf('Capture points'));
  assert.match(matrix, /^VHID\s+AF\s+SENDER\s+sw-a\.pcap\s+sw-b\.pcap$/m);
  assert.match(matrix, /^7\s+ipv4\s+10\.77\.0\.1\s+10\s+3$/m);
  assert.match(matrix, /^7\s+ipv4\s+10\.77\.0\.2\s+6\s+6$/m);
  // The election over both points is the election over A alone (every advert reached A).
  const summary = (args: string[]): unknown => {
    const lines = carpdump([...args, '-T', 'jsonl']).stdout.trim().split('\n');
    const s = JSON.parse(lines[lines.length - 1]!) as { carp: unknown; frames: number };
    return s.carp;
  };
  assert.deepEqual(summary(['-r', a, '-r', b]), summary(['-r', a]));
});

test('-w of merged captures: pcapng, one interface per capture point, every frame', { skip: skipReason({ commands: ['tshark'] }) }, () => {
  const out = path.join(dir, 'merged.pcapng');
  const r = carpdump(['-r', a, '-r', b, '-q', '-w', out]);
  assert.equal(r.status, 0, r.stderr);
  const t = tool('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.interface_name']);
  const names = t.stdout.trim().split('\n');
  assert.equal(names.length, 25);
  assert.deepEqual([...new Set(names)].sort(), ['sw-a.pcap', 'sw-b.pcap']);
});
