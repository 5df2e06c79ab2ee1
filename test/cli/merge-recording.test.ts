// Several capture points, one timeline, on a real recording (issue 15, "How we will know"):
// samples/ucarp-two-points-a.pcap and -b.pcap are one ucarp failover (vhid 15, 10.77.0.1 master,
// killed; 10.77.0.2 takes over) captured at two points of one bridge by samples/record.sh
// (scenario m): a on the bridge itself, b behind a bridge port that stopped flooding multicast
// for 6 s while 10.77.0.1 was master (samples/README.md). What each file holds is read with
// tcpdump (an independent decoder: it shows the adverts as VRRPv2) and never hard-coded here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carpdump, tool } from '../support/cli.js';
import { sample } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const A = sample('ucarp-two-points-a.pcap');
const B = sample('ucarp-two-points-b.pcap');
const POINT_A = 'ucarp-two-points-a.pcap';
const POINT_B = 'ucarp-two-points-b.pcap';
const skip = skipReason({ commands: ['tcpdump'] });

interface TcpdumpFrame { readonly ts: string; readonly src?: string }

/** Every frame of FILE matching FILTER as tcpdump reads it: time (-tt) and, for IP, the source. */
function tcpdumpFrames(file: string, filter = ''): TcpdumpFrame[] {
  const r = tool('tcpdump', ['-nn', '-tt', '-r', file, ...(filter ? [filter] : [])]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => {
    const m = /^(\d+\.\d{6}) (?:IP (\d+\.\d+\.\d+\.\d+) > )?/.exec(l);
    assert.ok(m, `tcpdump line: ${l}`);
    return { ts: m[1]!, ...(m[2] !== undefined ? { src: m[2] } : {}) };
  });
}

/** tcpdump's count of adverts (IP protocol 112) per source address in FILE. */
function advertsBySender(file: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const f of tcpdumpFrames(file, 'ip proto 112')) {
    const list = out.get(f.src!) ?? [];
    list.push(Number(f.ts));
    out.set(f.src!, list);
  }
  return out;
}

interface Json { readonly type: string; readonly [k: string]: unknown }

function jsonl(args: readonly string[]): Json[] {
  const r = carpdump([...args, '-T', 'jsonl']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
}

function findingsOf(objs: readonly Json[], id: string): Json[] {
  return objs.filter((o) => o.type === 'finding' && o['id'] === id);
}

test('the recordings: b lacks some adverts of one sender and nothing else (tcpdump)', { skip }, () => {
  const atA = advertsBySender(A);
  const atB = advertsBySender(B);
  assert.deepEqual([...atB.keys()].sort(), [...atA.keys()].sort(), 'the same senders at both points');
  assert.equal(atA.size, 2, 'master and backup');
  const missed = [...atA].filter(([src, ts]) => atB.get(src)!.length < ts.length);
  assert.equal(missed.length, 1, 'one sender missed at b');
  for (const [src, ts] of atA) {
    // Every advert heard at b was heard at a (within a millisecond): b lost frames, gained none.
    for (const t of atB.get(src)!) assert.ok(ts.some((u) => Math.abs(u - t) < 1e-3), `${src} at ${t} only at b`);
  }
});

test('-r A -r B: one timeline in time order, every frame labelled with its capture point', { skip }, () => {
  // tcpdump's times of both files, merged as carpdump documents it (by time, ties in -r order).
  const expected = [
    ...tcpdumpFrames(A).map((f) => ({ ts: f.ts, point: POINT_A })),
    ...tcpdumpFrames(B).map((f) => ({ ts: f.ts, point: POINT_B })),
  ].sort((x, y) => Number(x.ts) - Number(y.ts));
  const packets = jsonl(['-A', '-r', A, '-r', B]).filter((o) => o.type === 'packet')
    .map((o) => o['frame'] as { number: number; ts: string; capture_point: string });
  assert.equal(packets.length, expected.length, 'every frame of both files');
  assert.deepEqual(packets.map((p) => p.number), packets.map((_, i) => i + 1), 'numbered in merged order');
  const ts = packets.map((p) => Number(p.ts));
  for (let i = 1; i < ts.length; i++) assert.ok(ts[i]! >= ts[i - 1]!, `frame ${i + 1} goes back in time`);
  assert.deepEqual(packets.map((p) => [p.ts, p.capture_point]), expected.map((e) => [e.ts, e.point]));

  // Text: every frame line carries its point as a prefix.
  const text = carpdump(['-A', '-r', A, '-r', B]);
  assert.equal(text.status, 0, text.stderr);
  const lines = text.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l));
  assert.equal(lines.length, expected.length);
  lines.forEach((l, i) => assert.ok(l.includes(` [${expected[i]!.point}] `), l));
  // The point is a display-filter field.
  const onlyB = carpdump(['-A', '-r', A, '-r', B, '-Y', `frame.capture_point == "${POINT_B}"`, '-T', 'fields', '-e', 'frame.time_epoch']);
  assert.deepEqual(onlyB.stdout.trim().split('\n'), tcpdumpFrames(B).map((f) => f.ts));
});

test('-z carp,masters: the presence matrix says which point heard which sender, as tcpdump counts them', { skip }, () => {
  const atA = advertsBySender(A);
  const atB = advertsBySender(B);
  const r = carpdump(['-r', A, '-r', B, '-q', '-z', 'carp,masters']);
  assert.equal(r.status, 0, r.stderr);
  const matrix = r.stdout.slice(r.stdout.indexOf('Capture points (adverts heard)'));
  assert.match(matrix, new RegExp(`^VHID\\s+AF\\s+SENDER\\s+${POINT_A.replaceAll('.', '\\.')}\\s+${POINT_B.replaceAll('.', '\\.')}$`, 'm'));
  for (const [src, ts] of atA) {
    const row = new RegExp(`^15\\s+ipv4\\s+${src.replaceAll('.', '\\.')}\\s+${ts.length}\\s+${atB.get(src)!.length}$`, 'm');
    assert.match(matrix, row, `row of ${src}`);
  }
});

test('carp.not_heard_at names point b and the sender it missed, while it missed it', { skip }, () => {
  const atA = advertsBySender(A);
  const atB = advertsBySender(B);
  const [src] = [...atA].find(([s, ts]) => atB.get(s)!.length < ts.length)!;
  // The gap at b: the longest silence between two of src's adverts there.
  const times = atB.get(src)!;
  let gapStart = 0;
  let gapEnd = 0;
  for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > gapEnd - gapStart) [gapStart, gapEnd] = [times[i - 1]!, times[i]!];

  const objs = jsonl(['-r', A, '-r', B]);
  const found = findingsOf(objs, 'carp.not_heard_at');
  assert.equal(found.length, 1, JSON.stringify(found));
  const f = found[0]!;
  assert.deepEqual([f['vhid'], f['src'], f['heard_at'], f['missing_at']], [15, src, POINT_A, POINT_B]);
  // Raised at one of src's adverts at a, once src has been silent at b for the window (3 advert
  // intervals of 1 s), and before b hears it again.
  const at = Number(f['ts']);
  assert.ok(at > gapStart + 3 && at < gapStart + 4.5 && at < gapEnd, `finding at ${at}, gap at b ${gapStart} -> ${gapEnd}`);
  assert.ok(atA.get(src)!.some((t) => Math.abs(t - at) < 1e-6), 'at an advert of the missed sender');
  const frame = objs.find((o) => o.type === 'packet' && (o['frame'] as { number: number }).number === (f['frames'] as number[])[0]);
  assert.equal((frame?.['frame'] as { capture_point: string } | undefined)?.capture_point, POINT_A);
  // One point alone has nobody to compare with.
  for (const file of [A, B]) assert.equal(findingsOf(jsonl(['-r', file]), 'carp.not_heard_at').length, 0);
});

test('the election counts an advert heard at both points once: the failover as at point a alone', { skip }, () => {
  const merged = jsonl(['-r', A, '-r', B]);
  const alone = jsonl(['-r', A]);
  const changes = (objs: Json[]): unknown[] => findingsOf(objs, 'carp.master_changed').map((o) => [o['src'], o['cause'], o['ts']]);
  assert.deepEqual(changes(merged), changes(alone));
  assert.deepEqual(changes(merged).map((c) => (c as unknown[]).slice(0, 2)), [['10.77.0.1', 'first_seen'], ['10.77.0.2', 'master_timeout']]);
  const carp = (objs: Json[]): unknown => objs[objs.length - 1]!['carp'];
  assert.deepEqual(carp(merged), carp(alone));
  // Per sender, the election counted tcpdump's adverts of a, not those of a and b together.
  const vhid = (carp(merged) as { vhids: { sources: { src: string; adverts: number }[] }[] }).vhids[0]!;
  assert.deepEqual(vhid.sources.map((s) => [s.src, s.adverts]).sort(), [...advertsBySender(A)].map(([s, ts]) => [s, ts.length]).sort());
  // b alone sees the master fall silent for longer than its master-down time; a, and the merge, do not.
  assert.equal(findingsOf(jsonl(['-r', B]), 'carp.late_advert').length, 1);
  assert.equal(findingsOf(merged, 'carp.late_advert').length, 0);
});
