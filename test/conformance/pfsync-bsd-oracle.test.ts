// Conformance with the operating systems' own pfsync printers (../shared/oracles/pfsync: OpenBSD's
// and FreeBSD's tcpdump print-pfsync.c + pf_print_state.c with Linux glue). The oracle is built
// from its read-only folder into a temp dir (cc + libpcap-dev, installed by .ci/run) and run, by
// its compare.py, on every pfsync capture the project makes (samples/pfsync-*.pcap, the builders'
// OpenBSD v6 and FreeBSD v5 1301/1400/1500 files written to the temp dir) and on the reference
// captures ../shared/captures/pfsync-*.pcap. compare.py renders carpdump's -T jsonl with the
// printer's own rules and diffs frame by frame.
//
// A disagreement fails the test unless it is named below, with the kernel source that shows which
// side is right. Named entries must each occur (a stale entry fails too), and the upstream
// misreadings compare.py reproduces on purpose are checked here against carpdump's own values, so
// the test notices if the printer, the oracle or carpdump changes.
// Outside CI a missing oracle folder, cc, libpcap headers or python3 skips with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { carpdumpOk } from '../support/cli.js';
import { CARPDUMP_BIN, REPO_ROOT as repoRoot, SHARED as shared } from '../support/paths.js';
import { skipReason } from '../support/skip.js';
import { writeBuilderCaptures } from '../support/pfsync-builder-captures.js';

const oracleSrc = path.join(shared, 'oracles', 'pfsync');
const captures = path.join(shared, 'captures');
const carpdump = CARPDUMP_BIN;

/** The oracle is built from C: the sources in ../shared, cc, libpcap-dev (its header) and python3 for compare.py. */
const pcapHeader = ['/usr/include/pcap.h', '/usr/include/pcap/pcap.h'].find((h) => fs.existsSync(h)) ?? '/usr/include/pcap/pcap.h (libpcap-dev)';
const skip = skipReason({ paths: [path.join(oracleSrc, 'build.sh'), pcapHeader], commands: ['cc', 'python3'] });

interface Diff { file: string; frame: number; os: string; pairs: { oracle: string; carpdump: string }[] }
interface FileResult { frames: number; checked: number; agree: number; differ: number; unchecked: string[]; diffs: Diff[] }

/** compare.py's report: per file the totals, the frames not checked and every differing line. */
function parseCompare(text: string): Map<string, FileResult> {
  const out = new Map<string, FileResult>();
  let cur: FileResult | undefined;
  let diff: Diff | undefined;
  let pendingOracle: string | undefined;
  let name = '';
  for (const line of text.split('\n')) {
    let m = /^=== (.+)$/.exec(line);
    if (m) { name = m[1]!; cur = { frames: 0, checked: 0, agree: 0, differ: 0, unchecked: [], diffs: [] }; out.set(name, cur); continue; }
    if (!cur) continue;
    m = /^frame (\d+) \((\w+) oracle\): DIFFER$/.exec(line);
    if (m) { diff = { file: name, frame: Number(m[1]), os: m[2]!, pairs: [] }; cur.diffs.push(diff); continue; }
    m = /^ {3}oracle {2}: (.*)$/.exec(line);
    if (m) { pendingOracle = m[1]!; continue; }
    m = /^ {3}carpdump: (.*)$/.exec(line);
    if (m && diff && pendingOracle !== undefined) { diff.pairs.push({ oracle: pendingOracle, carpdump: m[1]! }); pendingOracle = undefined; continue; }
    m = /^frames (\d+), checked (\d+), agree (\d+), differ (\d+); not checked: (.*)$/.exec(line);
    if (m) {
      cur.frames = Number(m[1]); cur.checked = Number(m[2]); cur.agree = Number(m[3]); cur.differ = Number(m[4]);
      cur.unchecked = m[5] === '-' ? [] : m[5]!.split(' ');
    }
  }
  return out;
}

/** A named disagreement: which frames it covers, and the source that decides it. */
interface Named { readonly id: string; readonly source: string; readonly covers: (d: Diff, linktype: number) => boolean }

const NAMED: readonly Named[] = [
  {
    id: 'openbsd-dlt-pfsync-ip-first',
    source: 'OpenBSD tcpdump print-pfsync.c 1.45 pfsync_if_print() reads the pfsync header at offset 0 of a '
      + 'DLT_PFSYNC record, but since the if_pfsync.c rewrite (rev 1.318-1.320, 2023, OpenBSD 7.4) the kernel '
      + 'taps the finished IPv4 datagram (pfsync.md 1.3): the printer reads the IPv4 version/IHL byte 0x45 as '
      + '"PFSYNCv69" and ip_len + 20 as len. carpdump skips the IPv4 header (byte 0 0x45..0x4f, byte 9 240): '
      + 'carpdump is right',
    covers: (d, linktype) => (linktype === 246 || linktype === 18) && d.os === 'openbsd'
      && /^PFSYNCv(6[89]|7\d) len \d+$/.test(d.pairs[0]?.oracle ?? '') && /^PFSYNCv6 len \d+$/.test(d.pairs[0]?.carpdump ?? '')
      && d.pairs.slice(1).every((p) => p.oracle === '<none>'),
  },
];

function linktypeOf(file: string): number {
  return fs.readFileSync(file).readUInt32LE(20);
}

type Jsonl = { type: string; frame?: { number: number }; layers?: Record<string, Record<string, unknown>> };

const jsonlCache = new Map<string, Jsonl[]>();
function jsonl(file: string): Jsonl[] {
  const hit = jsonlCache.get(file);
  if (hit) return hit;
  const text = carpdumpOk(['-T', 'jsonl', '-r', file]);
  const list = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Jsonl);
  jsonlCache.set(file, list);
  return list;
}

/** The oracle's raw output (compare.py --out) split into frame -> lines. */
function oracleFrames(text: string): Map<number, string[]> {
  const map = new Map<number, string[]>();
  let cur: string[] | undefined;
  for (const line of text.split('\n')) {
    const m = /^#frame (\d+) /.exec(line);
    if (m) { cur = []; map.set(Number(m[1]), cur); continue; }
    if (cur && !line.startsWith('#') && line.trim() !== '') cur.push(line);
  }
  return map;
}

type Msg = Record<string, unknown>;
function stateRecords(p: Jsonl): Msg[] {
  const pf = p.layers?.['pfsync'];
  const subs = (pf?.['pfsync.subheaders'] ?? []) as Msg[];
  return subs.flatMap((s) => ((s['pfsync.messages'] ?? []) as Msg[]).filter((m) => m['pfsync.state.format'] !== undefined));
}

/** IPv4 address bytes printed as an IPv6 address (what inet_ntop(AF_INET6) makes of them). */
function v4AsV6(a: string): string {
  const b = a.split('.').map(Number);
  const h = (i: number) => ((b[i]! << 8) | b[i + 1]!).toString(16);
  return `${h(0)}:${h(2)}::`;
}

test('pfsync: the BSD printers agree with carpdump on every pfsync capture, but for named disagreements', { skip, timeout: 600_000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-pfsync-oracle-'));
  try {
    execFileSync('sh', [path.join(oracleSrc, 'build.sh'), tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    const bin = path.join(tmp, 'bin');
    const builderDir = path.join(tmp, 'captures');
    fs.mkdirSync(builderDir);
    const files = [
      ...fs.readdirSync(path.join(repoRoot, 'samples')).filter((n) => /^pfsync.*\.pcap$/.test(n)).map((n) => path.join(repoRoot, 'samples', n)),
      ...writeBuilderCaptures(builderDir),
      ...fs.readdirSync(captures).filter((n) => /^pfsync-.*\.pcap$/.test(n)).sort().map((n) => path.join(captures, n)),
    ];
    assert.ok(files.length >= 12, `samples (1), builders (4) and reference captures (7) found: ${files.length}`);
    const report = path.join(tmp, 'report');
    const out = execFileSync('python3', [path.join(oracleSrc, 'compare.py'), '--carpdump', carpdump, '--oracle-dir', bin, '--out', report, ...files],
      { encoding: 'utf8', maxBuffer: 64 << 20 });
    const results = parseCompare(out);
    const byName = new Map(files.map((f) => [path.basename(f).replace(/\.pcap$/, ''), f]));
    assert.equal(results.size, files.length, 'compare.py reported on every file');
    const used = new Set<string>();

    await t.test('every differing frame is a named disagreement', () => {
      const unnamed: string[] = [];
      for (const r of results.values()) {
        assert.equal(r.differ, r.diffs.length, 'every DIFFER frame parsed');
        for (const d of r.diffs) {
          const n = NAMED.find((k) => k.covers(d, linktypeOf(byName.get(d.file)!)));
          if (n) { used.add(n.id); continue; }
          unnamed.push(`${d.file} frame ${d.frame} (${d.os}):\n${d.pairs.map((p) => `  oracle  : ${p.oracle}\n  carpdump: ${p.carpdump}`).join('\n')}`);
        }
      }
      assert.deepEqual(unnamed, [], 'unnamed disagreements with the BSD printers');
      for (const n of NAMED) assert.ok(used.has(n.id), `named disagreement ${n.id} no longer occurs: remove or correct it`);
    });

    await t.test('the project\'s own captures are checked frame by frame (none left out)', () => {
      for (const name of [...byName.keys()].filter((n) => !byName.get(n)!.startsWith(captures))) {
        const r = results.get(name)!;
        assert.ok(r.frames > 0, `${name}: frames`);
        assert.equal(r.checked, r.frames, `${name}: every frame goes to a printer (${r.unchecked.join(' ')})`);
        assert.equal(r.differ, 0, `${name}: no disagreement at all`);
      }
      const total = [...results.values()].reduce((n, r) => n + r.agree, 0);
      assert.ok(total >= 70, `frames in agreement: ${total}`);
    });

    await t.test('frames the printers cannot decode (v1-v4, OpenBSD 4.5/4.6 v5): version and len still agree', () => {
      // Neither printer decodes the legacy family or OpenBSD's v5 (README of the oracle; print-pfsync.c
      // stops after "PFSYNCv<n> len <n>"): only the header line is compared. Legacy headers have no len
      // (bytes 2-3 are action and count), so only the version is.
      let seen = 0;
      for (const [name, r] of results) {
        if (r.unchecked.length === 0) continue;
        const file = byName.get(name)!;
        const ob = oracleFrames(fs.readFileSync(path.join(report, `${name}.openbsd.txt`), 'utf8'));
        const ours = new Map(jsonl(file).filter((p) => p.type === 'packet').map((p) => [p.frame!.number, p]));
        for (const u of r.unchecked) {
          const [frame, kind] = u.split(':') as [string, string];
          assert.match(kind, /^v[1-5]\/(legacy-v[1-4]|openbsd-4\.[56])$/, `${name} frame ${frame} is not checked for a named reason`);
          const pf = ours.get(Number(frame))!.layers!['pfsync']!;
          const header = (ob.get(Number(frame)) ?? [''])[0]!;
          const m = /PFSYNCv(\d+) len (\d+)$/.exec(header);
          assert.ok(m, `${name} frame ${frame}: oracle header line ${header}`);
          assert.equal(Number(m[1]), pf['pfsync.version'], `${name} frame ${frame}: version`);
          if (pf['pfsync.version'] === 5) assert.equal(Number(m[2]), pf['pfsync.len'], `${name} frame ${frame}: len`);
          seen++;
        }
      }
      assert.ok(seen >= 12, `legacy and OpenBSD v5 frames compared by header: ${seen}`);
    });

    await t.test('named: FreeBSD\'s printer reads 1500 records with 1301 offsets (carpdump is right)', () => {
      // FreeBSD contrib/tcpdump/print-pfsync.c print_state() casts every record to struct
      // pfsync_state_1301 and reads af/proto/direction at 232-234; in pfsync_state_1500 (sys/net/pfvar.h,
      // D52176, pfsync.md 7.6) those bytes start tagname, and wire_af/wire_proto/direction sit at
      // 344/347/351. compare.py reproduces the misreading so the rest of the line is compared; here the
      // printer's line is checked to show the tagname bytes while carpdump shows the record's own values.
      let seen = 0;
      for (const [name, file] of byName) {
        const fb = oracleFrames(fs.readFileSync(path.join(report, `${name}.freebsd.txt`), 'utf8'));
        for (const p of jsonl(file).filter((x) => x.type === 'packet')) {
          const recs = stateRecords(p).filter((m) => m['pfsync.state.format'] === 'freebsd-1500');
          if (recs.length === 0) continue;
          const lines = (fb.get(p.frame!.number) ?? []).filter((l) => /^\t\S* proto \d+ /.test(l));
          assert.equal(lines.length, recs.length, `${name} frame ${p.frame!.number}: one state line per record`);
          recs.forEach((m, i) => {
            const tag = Buffer.from(`${String(m['pfsync.state.tagname'])}\0\0\0`, 'latin1');
            const printed = Number(/ proto (\d+) /.exec(lines[i]!)![1]);
            assert.equal(printed, tag[1], 'the printer shows tagname[1] as the protocol');
            assert.ok([1, 6, 17].includes(m['pfsync.state.proto'] as number), 'carpdump shows the record\'s wire_proto');
            assert.notEqual(printed, m['pfsync.state.proto']);
            seen++;
          });
        }
      }
      assert.ok(seen >= 4, `1500 records seen: ${seen}`);
    });

    await t.test('named: OpenBSD\'s printer formats key addresses by the key\'s af (carpdump uses the state af when it is 0)', () => {
      // pf_print_state.c 1.14 print_host() takes the af from the key (bytes 38/78 of pfsync_state). Before
      // pfvar.h 1.343 (OpenBSD 4.7-4.9) those bytes were padding (0) and the state af (byte 248) was the
      // only address family (pfsync.md 7.2), so a key af of 0 means "the state's af": the printer then
      // shows IPv4 addresses as IPv6 ("c633:6407::"), carpdump shows them as IPv4. carpdump is right.
      let seen = 0;
      for (const [name, file] of byName) {
        const ob = oracleFrames(fs.readFileSync(path.join(report, `${name}.openbsd.txt`), 'utf8'));
        for (const p of jsonl(file).filter((x) => x.type === 'packet')) {
          for (const m of stateRecords(p).filter((x) => x['pfsync.state.format'] === 'openbsd-v6')) {
            if (m['pfsync.state.wire.af'] !== 0 || m['pfsync.state.af'] !== 2) continue;
            const lines = ob.get(p.frame!.number) ?? [];
            if (!/PFSYNCv6 len /.test(lines[0] ?? '')) continue; // a frame the printer cannot parse (named above)
            const text = lines.join('\n');
            const addr = String(m['pfsync.state.wire.addr1']);
            assert.match(addr, /^\d+\.\d+\.\d+\.\d+$/, 'carpdump shows the IPv4 address');
            assert.ok(text.includes(v4AsV6(addr)), `${name} frame ${p.frame!.number}: printer shows ${v4AsV6(addr)} for ${addr}`);
            assert.ok(!text.includes(addr), 'printer does not show the IPv4 form');
            seen++;
          }
        }
      }
      assert.ok(seen >= 1, `records with key af 0: ${seen}`);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
