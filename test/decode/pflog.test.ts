// pflog (LINKTYPE_PFLOG 117): OpenBSD and FreeBSD headers built by test/builders/pflog.ts,
// decoded field for field as tcpdump's pflog printer (-e) shows them, and the findings for pf
// blocking CARP / pfsync.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPcap } from '../builders/capture.js';
import { pflogFrame, type PflogOptions } from '../builders/pflog.js';
import { carp, ipv4, ipv6 } from '../builders/packets.js';
import { PF_ACTIONS, PF_DIRECTIONS, PF_REASONS } from '../../src/decode/link/pflog.js';
import { carpdump, tool } from '../support/cli.js';
import { skipReason } from '../support/skip.js';

const T0 = 1700000000;
const cases: { o: PflogOptions; proto: number; v6?: boolean }[] = [
  { o: {}, proto: 112 },                                                                   // OpenBSD block in on em0, CARP
  { o: { flavour: 'freebsd', ifname: 'vtnet1', rulenr: 12, subrulenr: 2, ruleset: 'sync', dir: 2 }, proto: 240 }, // FreeBSD, anchor rule
  { o: { action: 0, dir: 1, rulenr: 0 }, proto: 112 },                                    // pass: no finding
  { o: { action: 12, reason: 0, ifname: 'carp0', rulenr: 7 }, proto: 112 },               // match
  { o: { action: 1, reason: 9, ifname: 'igb2', rulenr: 40, dir: 2, af: 24 }, proto: 112, v6: true }, // OpenBSD IPv6, proto-cksum
  { o: { flavour: 'freebsd', action: 1, reason: 3, ifname: 'em1', af: 28, rulenr: 1 }, proto: 240, v6: true }, // FreeBSD IPv6, short
];

let dir = '';
let file = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'carpdump-pflog-'));
  file = path.join(dir, 'pflog0.pcap');
  const records = cases.map((c, i) => {
    const payload = c.proto === 112 ? carp({ vhid: 7 }) : new Uint8Array(12);
    const ip = c.v6 ? ipv6({ nxt: c.proto }, payload) : ipv4({ proto: c.proto }, payload);
    return { tsSec: T0 + i, tsFrac: 0, data: pflogFrame(c.o, ip) };
  });
  records.push({ tsSec: T0 + 9, tsFrac: 0, data: pflogFrame({ length: 40 }, ipv4({ proto: 112 }, carp({}))) }); // damaged length
  writeFileSync(file, buildPcap({ endian: 'le', linktype: 117, records }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Packet { type: string; frame?: { number: number }; layers?: Record<string, Record<string, unknown>>; id?: string; annotations?: { id: string }[] }

function decoded(): Packet[] {
  const r = carpdump(['-r', file, '-A', '-T', 'jsonl']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Packet);
}

test('pflog headers decode field for field as tcpdump\'s pflog printer shows them', { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
  const packets = decoded().filter((o) => o.type === 'packet').slice(0, cases.length);
  const theirs = tool('tcpdump', ['-r', file, '-e', '-nn']).stdout.split('\n').filter((l) => /^\d\d:/.test(l)).slice(0, cases.length);
  assert.equal(theirs.length, cases.length);
  packets.forEach((p, i) => {
    const m = /^\S+ rule (\d+)(?:\.([^.]*)\.(\d+))?\/(\S+?): (\S+) (\S+) on ([^:]+):/.exec(theirs[i]!);
    assert.ok(m, theirs[i]);
    const f = p.layers!['pflog']!;
    assert.equal(String(f['pflog.rulenr']), m[1], `rule, frame ${i + 1}`);
    assert.equal(f['pflog.ruleset'], m[2] ?? '', `ruleset, frame ${i + 1}`);
    if (m[3] !== undefined) assert.equal(String(f['pflog.subrulenr']), m[3]);
    else assert.equal(f['pflog.subrulenr'], -1);
    // tcpdump prints a reason as "N(name)", or "unkn(N)" for one its table lacks.
    const reason = f['pflog.reason'] as number;
    assert.equal(m[4]!.startsWith('unkn(') ? `unkn(${reason})` : `${reason}(${PF_REASONS[reason]})`, m[4], `reason, frame ${i + 1}`);
    // tcpdump 4.99 knows no name for PF_MATCH (12, OpenBSD and FreeBSD pfvar.h): it prints unkn(12).
    const action = f['pflog.action'] as number;
    assert.equal(m[5]!.startsWith('unkn(') ? `unkn(${action})` : PF_ACTIONS[action], m[5], `action, frame ${i + 1}`);
    assert.equal(PF_DIRECTIONS[f['pflog.dir'] as number], m[6], `direction, frame ${i + 1}`);
    assert.equal(f['pflog.ifname'], m[7], `interface, frame ${i + 1}`);
    assert.ok(cases[i]!.v6 ? 'ipv6' in p.layers! : 'ipv4' in p.layers!, 'the IP packet after the header');
  });
});

test('pf blocking CARP or pfsync raises pflog.blocked_carp / pflog.blocked_pfsync; pass and match do not', () => {
  const findings = decoded().filter((o) => o.type === 'finding' && o.id?.startsWith("pflog.")) as unknown as { id: string; frames: number[]; ifname: string; rule: number }[];
  assert.deepEqual(findings.map((f) => [f.id, f.frames[0], f.ifname, f.rule]), [
    ['pflog.blocked_carp', 1, 'em0', 3],
    ['pflog.blocked_pfsync', 2, 'vtnet1', 12],
    ['pflog.blocked_carp', 5, 'igb2', 40],
    ['pflog.blocked_pfsync', 6, 'em1', 1],
  ]);
  const r = carpdump(['-r', file, '-q', '--fail-on', 'error']);
  assert.equal(r.status, 3);
});

test('a pflog header length shorter than the common fields: pflog.bad_length, the frame kept', () => {
  const last = decoded().filter((o) => o.type === 'packet').pop()!;
  assert.equal(last.frame!.number, cases.length + 1);
  assert.deepEqual(last.annotations!.map((a) => a.id), ['pflog.bad_length']);
  assert.equal(last.layers!['pflog']!['pflog.length'], 40);
});
