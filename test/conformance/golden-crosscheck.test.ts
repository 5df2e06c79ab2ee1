// The goldens (test/golden/*) are written by carpdump itself; this test makes them evidence:
// every CARP/VRRP frame a golden shows is compared field by field with tcpdump (text goldens:
// `tcpdump -T carp` for CARP, plain tcpdump for VRRP, whose line carpdump's VRRP line copies)
// and with tshark (jsonl/json goldens: `-o ip.try_heuristic_first:TRUE`, the fields of
// peers.ts). Named exceptions, each documented in README "Where carpdump differs":
//  - rule-5: a 36-byte version-2 advert with type != 1 or authlen != 7 is bad CARP to carpdump,
//    VRRP to tshark;
//  - first-fragment: carpdump decides protocol 112 on a first fragment's header bytes; tcpdump
//    prints a fragment, tshark does not dissect it;
//  - truncated: an advert cut by the snap length is a [|carp] CARP layer to carpdump; tshark's
//    CARP heuristic needs the whole 36 bytes and shows nothing;
//  - trailing-bytes: with bytes after the 36-byte advert inside the IP payload, carpdump
//    checksums the 36-byte header as the kernels do (decode/carp.ts), tshark the whole payload:
//    the checksum status is not compared there (every other field is);
//  - multi-linktype: tcpdump cannot read a pcapng whose interfaces have different link types
//    (synthetic-links.pcapng); the test checks that tcpdump still refuses it.
// pfsync goldens are not covered here (neither peer decodes pfsync): pfsync-golden-oracle.test.ts
// checks them line by line against OpenBSD's pfsync printer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT as repoRoot } from '../support/paths.js';
import { skipReason } from '../support/skip.js';
import { tsharkLive, type PeerFields } from './peers.js';

interface GoldenCase { readonly name: string; readonly capture: string; readonly args: readonly string[]; readonly expected: string }
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/golden/manifest.json'), 'utf8')) as GoldenCase[];

// ------------------------------------------------------------------ text goldens vs tcpdump

const CARP_TEXT = /^(\S+) (\S+) > (\S+): CARPv2 advertise vhid (\d+) advbase (\d+) advskew (\d+) demote \d+ counter (\d+)(?: \[[^\]]*\])*$/;
const VRRP_TEXT = /^(\S+) (\S+) > (\S+): (VRRPv[23], .*?)(?: \[[^\]]*\])*$/;
const TCPDUMP_RECORD = /^(\S+) IP6? .*?(\S+) > (\S+): (?:HBH \([^)]*\) )?(CARPv2-advertise|VRRPv[23],)(.*)$/;
const TIME_OF_DAY = /^\d\d:\d\d:\d\d\.\d+$/;

/** tcpdump -v records (continuation lines joined to their header line), in TZ=UTC. */
function tcpdump(file: string, carp: boolean): string[] {
  const out = execFileSync('tcpdump', [...(carp ? ['-T', 'carp'] : []), '-v', '-nn', '-r', file], {
    encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20,
  });
  const records: string[] = [];
  for (const l of out.split('\n')) {
    if (/^\s/.test(l) && records.length > 0) records[records.length - 1] += ` ${l.trim()}`;
    else if (l !== '') records.push(l);
  }
  return records;
}

/** Differences between a text golden's CARP/VRRP lines and tcpdump's lines for the same capture. */
export function textDifferences(golden: string, capture: string): { compared: number; exceptions: string[]; diffs: string[] } {
  const theirs = new Set<string>();
  const fragments = new Set<string>();
  const add = (time: string, rest: string): void => { theirs.add(`${time} ${rest}`); theirs.add(`* ${rest}`); };
  for (const l of tcpdump(capture, true)) {
    const m = TCPDUMP_RECORD.exec(l);
    const c = m && m[4] === 'CARPv2-advertise' ? /vhid=(\d+) advbase=(\d+) advskew=(\d+) authlen=\d+ .*?counter=(\d+)/.exec(m[5]!) : null;
    if (m && c) add(m[1]!, `${m[2]} ${m[3]} carp vhid=${c[1]} advbase=${c[2]} advskew=${c[3]} counter=${c[4]}`);
    else if (/ IP6? /.test(l) && /proto VRRP|next-header VRRP/.test(l) && !/CARPv/.test(l)) fragments.add(l.split(' ')[0]!);
  }
  for (const l of tcpdump(capture, false)) {
    const m = TCPDUMP_RECORD.exec(l);
    if (m && m[4] !== 'CARPv2-advertise') add(m[1]!, `${m[2]} ${m[3]} ${m[4]}${m[5]!.replace(/ auth ".*"$/, '')}`);
  }
  let compared = 0;
  const exceptions: string[] = [];
  const diffs: string[] = [];
  for (const line of golden.split('\n')) {
    const c = CARP_TEXT.exec(line);
    const v = c ? null : VRRP_TEXT.exec(line);
    if (!c && !v) continue;
    const m = (c ?? v)!;
    const time = TIME_OF_DAY.test(m[1]!) ? m[1]! : '*'; // -t e / -t r goldens: compared without the time
    const key = c ? `${time} ${c[2]} ${c[3]} carp vhid=${c[4]} advbase=${c[5]} advskew=${c[6]} counter=${c[7]}` : `${time} ${v![2]} ${v![3]} ${v![4]}`;
    compared++;
    if (theirs.has(key)) continue;
    if (fragments.has((c ?? v)![1]!)) { exceptions.push(`first-fragment: ${line}`); continue; }
    diffs.push(`${line}\n   not in tcpdump's output as ${key}`);
  }
  return { compared, exceptions, diffs };
}

// ------------------------------------------------------------------ jsonl/json goldens vs tshark

type Obj = Record<string, unknown>;
const hex4 = (n: unknown): string => `0x${Number(n).toString(16).padStart(4, '0')}`;
const status = (s: unknown): string | undefined => (s === 'good' ? '1' : s === 'bad' ? '0' : undefined);

function packets(text: string): Obj[] {
  const trimmed = text.trim();
  const docs: unknown[] = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]) : trimmed.split('\n').map((l) => JSON.parse(l) as unknown);
  const out: Obj[] = [];
  const walk = (d: unknown): void => {
    if (Array.isArray(d)) d.forEach(walk);
    else if (d !== null && typeof d === 'object') {
      const o = d as Obj;
      if (o['type'] === 'packet') out.push(o);
      else Object.values(o).forEach(walk);
    }
  };
  docs.forEach(walk);
  return out;
}

/** Differences between a json/jsonl golden's CARP/VRRP/IP fields and tshark's for the same frames. */
export function jsonDifferences(golden: string, view: PeerFields): { compared: number; exceptions: string[]; diffs: string[] } {
  let compared = 0;
  const exceptions: string[] = [];
  const diffs: string[] = [];
  for (const p of packets(golden)) {
    const n = (p['frame'] as Obj)['number'] as number;
    const layers = p['layers'] as Record<string, Obj | undefined>;
    const t = view.get(n) ?? {};
    const c = layers['carp'];
    const v = layers['vrrp'];
    if (!c && !v) continue;
    const pairs: [string, string | undefined, string | undefined][] = [];
    const ip4 = layers['ipv4'];
    const ip6 = layers['ipv6'];
    if (ip4) for (const id of ['ip.src', 'ip.dst', 'ip.ttl']) pairs.push([id, String(ip4[id]), t[id]]);
    if (ip6) for (const id of ['ipv6.src', 'ipv6.dst', 'ipv6.hlim']) pairs.push([id, String(ip6[id]), t[id]]);
    const frag = ip4?.['ip.flags.mf'] === true || (ip4?.['ip.frag_offset'] ?? 0) !== 0;
    if (c && t['carp.vhid'] === undefined && frag) { exceptions.push(`first-fragment: frame ${n}`); continue; }
    if (c && t['carp.vhid'] === undefined && (p['annotations'] as { id: string }[]).some((a) => a.id === 'carp.truncated')) {
      exceptions.push(`truncated: frame ${n}`);
      continue;
    }
    if (c && c['carp.trailing_length'] !== undefined) {
      exceptions.push(`trailing-bytes: frame ${n}`);
      delete c['carp.checksum.status'];
    }
    if (c) {
      if (t['carp.vhid'] === undefined && t['vrrp.version'] !== undefined && (c['carp.type'] !== 1 || c['carp.authlen'] !== 7)) {
        exceptions.push(`rule-5: frame ${n} (type ${String(c['carp.type'])}, authlen ${String(c['carp.authlen'])})`);
        continue;
      }
      for (const id of ['carp.version', 'carp.type', 'carp.vhid', 'carp.advskew', 'carp.authlen', 'carp.demotion', 'carp.adver_int', 'carp.counter', 'carp.hmac']) {
        if (c[id] !== undefined) pairs.push([id, String(c[id]), t[id]]);
      }
      if (c['carp.checksum'] !== undefined) pairs.push(['carp.checksum', hex4(c['carp.checksum']), t['carp.checksum']]);
      const st = status(c['carp.checksum.status']);
      if (st !== undefined) pairs.push(['carp.checksum.status', st, t['carp.checksum.status']]);
    } else if (v) {
      for (const id of ['vrrp.version', 'vrrp.type', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.adver_int', 'vrrp.short_adver_int', 'vrrp.auth_string']) {
        if (v[id] !== undefined) pairs.push([id, String(v[id]), t[id]]);
      }
      if (v['vrrp.checksum'] !== undefined) pairs.push(['vrrp.checksum', hex4(v['vrrp.checksum']), t['vrrp.checksum']]);
      const addrs = v['vrrp.ip_addr'];
      if (Array.isArray(addrs) && addrs.length > 0) pairs.push(['vrrp.ip_addr', addrs.join(','), t['vrrp.ip_addr'] ?? t['vrrp.ipv6_addr']]);
    }
    compared++;
    for (const [id, ours, theirs] of pairs) if (ours !== theirs) diffs.push(`frame ${n} ${id}: golden ${ours}, tshark ${theirs}`);
  }
  return { compared, exceptions, diffs };
}

// ------------------------------------------------------------------ the tests

const textCases = manifest.filter((c) => c.expected.endsWith('.txt') && !c.args.includes('-T') && /CARPv2 advertise|VRRPv[23],/.test(fs.readFileSync(path.join(repoRoot, c.expected), 'utf8')));
const jsonCases = manifest.filter((c) => /\.jsonl?$/.test(c.expected));

test('the cross-check covers every CARP/VRRP golden', () => {
  assert.ok(textCases.length >= 8, `text goldens: ${textCases.map((c) => c.expected).join(' ')}`);
  assert.ok(jsonCases.length >= 3, `json goldens: ${jsonCases.map((c) => c.expected).join(' ')}`);
});

const TCPDUMP_CANNOT_READ: Readonly<Record<string, string>> = {
  'test/golden/synthetic-links.txt': 'multi-linktype: tcpdump reads pcapng files with one link type only',
};

for (const c of textCases) {
  test(`golden ${c.expected} agrees with tcpdump`, { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
    if (TCPDUMP_CANNOT_READ[c.expected] !== undefined) {
      // The exception holds only while tcpdump really refuses the file.
      assert.throws(() => tcpdump(path.join(repoRoot, c.capture), true), /Command failed/, TCPDUMP_CANNOT_READ[c.expected]);
      return;
    }
    const r = textDifferences(fs.readFileSync(path.join(repoRoot, c.expected), 'utf8'), path.join(repoRoot, c.capture));
    assert.deepEqual(r.diffs, []);
    assert.ok(r.compared > 0, 'nothing compared');
    for (const e of r.exceptions) assert.match(e, /^first-fragment: /);
  });
}

for (const c of jsonCases) {
  test(`golden ${c.expected} agrees with tshark`, { skip: skipReason({ commands: ['tshark'] }) }, () => {
    const r = jsonDifferences(fs.readFileSync(path.join(repoRoot, c.expected), 'utf8'), tsharkLive(path.join(repoRoot, c.capture)));
    assert.deepEqual(r.diffs, []);
    assert.ok(r.compared > 0, 'nothing compared');
  });
}

test('a golden altered by one field fails the cross-check', { skip: skipReason({ commands: ['tcpdump', 'tshark'] }) }, () => {
  const txt = manifest.find((c) => c.expected.endsWith('ucarp-failover.txt'))!;
  const text = fs.readFileSync(path.join(repoRoot, txt.expected), 'utf8');
  const alteredText = text.replace(/advskew 100/, 'advskew 101');
  assert.notEqual(alteredText, text);
  assert.equal(textDifferences(alteredText, path.join(repoRoot, txt.capture)).diffs.length, 1);
  const vr = manifest.find((c) => c.expected.endsWith('keepalived-vrrp.txt'))!;
  const vtext = fs.readFileSync(path.join(repoRoot, vr.expected), 'utf8');
  assert.equal(textDifferences(vtext.replace(/prio 150/, 'prio 151'), path.join(repoRoot, vr.capture)).diffs.length, 1);

  const js = manifest.find((c) => c.expected.endsWith('ucarp-failover.jsonl'))!;
  const jtext = fs.readFileSync(path.join(repoRoot, js.expected), 'utf8');
  const view = tsharkLive(path.join(repoRoot, js.capture));
  const alteredJson = jtext.replace(/"carp\.advskew":0/, '"carp.advskew":1');
  assert.notEqual(alteredJson, jtext);
  assert.deepEqual(jsonDifferences(alteredJson, view).diffs.map((d) => d.replace(/^frame \d+ /, '')), ['carp.advskew: golden 1, tshark 0']);
});
