// Each pfsync golden file (test/golden/*pfsync*, from test/golden/manifest.json) checked line by
// line, field by field, against OpenBSD's own pfsync printer (../shared/oracles/pfsync, built into a
// temp dir as pfsync-bsd-oracle.test.ts does) run on the golden's capture (issue 16). The golden is
// read as written, not re-run: altering one field of it fails here. Every line of a golden is either
// checked against the printer's output or matched by a named exception saying why the printer
// cannot check it; a golden line that is neither fails, and so does a named exception that no
// longer occurs. Outside CI a missing oracle folder, cc or libpcap headers skips with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const oracleSrc = path.resolve(repoRoot, '../shared/oracles/pfsync');

function missing(): string | undefined {
  if (!fs.existsSync(path.join(oracleSrc, 'build.sh'))) return `${oracleSrc} not found (it sits beside the clone in CI)`;
  if (spawnSync('cc', ['--version'], { stdio: 'ignore' }).status !== 0) return 'cc not installed';
  if (!fs.existsSync('/usr/include/pcap.h') && !fs.existsSync('/usr/include/pcap/pcap.h')) return 'libpcap-dev not installed';
  return undefined;
}
const why = missing();
if (why && process.env['CI'] === 'true') throw new Error(`pfsync golden oracle: ${why}; CI must have it (.ci/run)`);

// OpenBSD print-pfsync.c's action names (if_pfsync.h PFSYNC_ACT_*) -> carpdump's v6 names.
const ACTION: Readonly<Record<string, string>> = {
  'CLR ST': 'CLR', 'INS ST ACK': 'INS_ACK', 'UPD ST COMP': 'UPD_C', 'UPD ST REQ': 'UPD_REQ', 'DEL ST': 'DEL',
  'DEL ST COMP': 'DEL_C', 'INS FR': 'INS_F', 'DEL FR': 'DEL_F', 'BULK UPD STAT': 'BUS', 'EOF': 'EOF',
  'INS ST': 'INS', 'UPD ST': 'UPD', 'UPD TDB': 'TDB',
};

interface Section { name: string; count: number; ids: { id: string; creator: string }[]; bus?: { creator: string; ageSeconds: number; status: string } }
interface OFrame { src: string; dst: string; version: number; len: number; sections: Section[] }

/** The printer's output: one entry per frame it printed, in capture order. */
function parseOracle(text: string): OFrame[] {
  const frames: OFrame[] = [];
  let sec: Section | undefined;
  for (const line of text.split('\n')) {
    let m = /^(\S+) > (\S+): PFSYNCv(\d+) len (\d+)$/.exec(line);
    if (m) { frames.push({ src: m[1]!, dst: m[2]!, version: Number(m[3]), len: Number(m[4]), sections: [] }); sec = undefined; continue; }
    m = /^ {4}act (.+) count (\d+)$/.exec(line);
    if (m) {
      const name = ACTION[m[1]!];
      assert.ok(name, `printer action "${m[1]}" has no carpdump name here`);
      sec = { name, count: Number(m[2]), ids: [] };
      frames.at(-1)!.sections.push(sec);
      continue;
    }
    m = /^\s+id: ([0-9a-f]{16}) creatorid: ([0-9a-f]{8})$/.exec(line);
    if (m && sec) { sec.ids.push({ id: m[1]!, creator: m[2]! }); continue; }
    m = /^\tcreatorid: ([0-9a-f]{8}) age: (\d+):(\d+):(\d+) status: (\w+)$/.exec(line);
    if (m && sec) sec.bus = { creator: m[1]!, ageSeconds: Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]), status: m[5]! };
  }
  return frames;
}

/** Lines of a golden no printer shows, and why: each must occur in some golden. */
const NAMED: readonly { id: string; line: RegExp; why: string }[] = [
  { id: 'stderr-header', line: /^reading from file /, why: 'carpdump\'s tcpdump-style header on stderr, not a decoded field' },
  { id: 'summary-title', line: /^pfsync states$/, why: 'the title of the -z pfsync,states table' },
  {
    id: 'bulk-times', line: /^ {4}from \S+ \(creator [0-9a-f]{8}\): requested [\d:.]+, started [\d:.]+, ended [\d:.]+, /,
    why: 'the request/start/end times are packet time stamps, which the printer is not given (tcpdump prints them with ts_print, the oracle prints none); responder, creator, duration and states are checked',
  },
  {
    id: 'findings-count', line: /^ {2}findings: /,
    why: 'carpdump\'s own analysis (finding counts): nothing the printer decodes; the unauthenticated_link finding\'s senders, destination and frame are checked',
  },
];

interface Checked { line: string; by: string }

function checkGolden(golden: string, frames: readonly OFrame[], totalFrames: number, args: readonly string[], used: Set<string>): Checked[] {
  const checked: Checked[] = [];
  const lines = golden.split('\n').filter((l) => l.trim() !== '');
  const frameLines = lines.filter((l) => /^\S+ \S+ > \S+: pfsync v\d+ /.test(l));
  if (args.includes('-q')) assert.equal(frameLines.length, 0, '-q shows no frames');
  else {
    assert.ok(!args.some((a) => ['-c', '-Y', '-a'].includes(a)), 'a golden of some frames only: map its frames first');
    assert.equal(frameLines.length, frames.length, 'one line per pfsync frame the printer printed');
  }
  const own = new Map<string, string>();
  const perSrc = new Map<string, { packets: number; messages: number }>();
  const byAction = new Map<string, number>();
  const states = new Map<string, string>(); // "creator/id" -> creator
  const bulks: { src: string; creator: string; seconds: number; states: number }[] = [];
  let open: { src: string; creator: string; states: number } | undefined;
  frames.forEach((f, i) => {
    const p = perSrc.get(f.src) ?? { packets: 0, messages: 0 };
    p.packets++;
    perSrc.set(f.src, p);
    for (const s of f.sections) {
      p.messages += s.count;
      byAction.set(s.name, (byAction.get(s.name) ?? 0) + s.count);
      if ((s.name === 'BUS' || s.name === 'CLR' || s.name === 'INS') && !own.has(f.src)) {
        const c = s.bus?.creator ?? s.ids[0]?.creator;
        if (c !== undefined) own.set(f.src, c);
      }
      for (const { id, creator } of s.ids) {
        if (s.name === 'INS' || s.name === 'UPD') {
          if (!states.has(`${creator}/${id}`) && open?.src === f.src) open.states++;
          states.set(`${creator}/${id}`, creator);
        } else if (s.name === 'DEL' || s.name === 'DEL_C') states.delete(`${creator}/${id}`);
      }
      if (s.bus?.status === 'start') open = { src: f.src, creator: s.bus.creator, states: 0 };
      if (s.bus?.status === 'end' && open?.src === f.src) { bulks.push({ ...open, seconds: s.bus.ageSeconds }); open = undefined; }
    }
    if (args.includes('-q')) return;
    // The frame line: source, destination, version, len, then each section.
    const line = frameLines[i]!;
    const m = /^\S+ (\S+) > (\S+): pfsync v(\d+) len (\d+): (.+)$/.exec(line)!;
    const where = `frame ${i + 1}: ${line}`;
    assert.equal(m[1], f.src, `${where}: source`);
    assert.equal(m[2], f.dst, `${where}: destination`);
    assert.equal(Number(m[3]), f.version, `${where}: version`);
    assert.equal(Number(m[4]), f.len, `${where}: len`);
    const parts = m[5]!.split(', ');
    assert.equal(parts.length, f.sections.length, `${where}: sections`);
    parts.forEach((part, j) => {
      const s = f.sections[j]!;
      const bus = /^BUS (start|end (\d+)s) creator ([0-9a-f]{8})$/.exec(part);
      if (bus) {
        assert.equal(s.name, 'BUS', `${where}: action`);
        assert.equal(bus[1]!.split(' ')[0], s.bus?.status, `${where}: BUS status`);
        if (bus[2] !== undefined) assert.equal(Number(bus[2]), s.bus?.ageSeconds, `${where}: BUS end time`);
        assert.equal(bus[3], s.bus?.creator, `${where}: BUS creator`);
        return;
      }
      const req = /^(\w+) bulk$/.exec(part);
      if (req) {
        assert.equal(req[1], s.name, `${where}: action`);
        assert.deepEqual(s.ids, [{ id: '0000000000000000', creator: '00000000' }], `${where}: a bulk request is id 0 creator 0`);
        return;
      }
      const clr = /^CLR creator ([0-9a-f]{8})$/.exec(part);
      if (clr) { assert.equal(s.name, 'CLR', where); assert.equal(clr[1], s.ids[0]?.creator, `${where}: CLR creator`); return; }
      const n = /^(\w+) x(\d+)$/.exec(part);
      assert.ok(n, `${where}: section "${part}" not understood`);
      assert.equal(n[1], s.name, `${where}: action`);
      assert.equal(Number(n[2]), s.count, `${where}: ${s.name} count`);
    });
    checked.push({ line, by: 'frame' });
  });

  // The -z pfsync,states table and the findings, line by line.
  for (const line of lines) {
    if (frameLines.includes(line)) continue;
    let m = /^ {2}peers: (\d+)$/.exec(line);
    if (m) { assert.equal(Number(m[1]), perSrc.size, `${line}: senders`); checked.push({ line, by: 'peers' }); continue; }
    m = /^ {4}(\S+) +creator ([0-9a-f]{8}) +\S+ +(\d+) packets, (\d+) messages \([\d.]+\/s\)$/.exec(line);
    if (m) {
      // (the flavour label and the rate are carpdump's: the label from the record format, the rate from time stamps)
      assert.equal(m[2], own.get(m[1]!), `${line}: the sender's own creator id (its first BUS/CLR/INS)`);
      assert.equal(Number(m[3]), perSrc.get(m[1]!)?.packets, `${line}: packets`);
      assert.equal(Number(m[4]), perSrc.get(m[1]!)?.messages, `${line}: messages`);
      checked.push({ line, by: 'peer' });
      continue;
    }
    m = /^ {2}bulk updates: (\d+)$/.exec(line);
    if (m) { assert.equal(Number(m[1]), bulks.length, `${line}: BUS start/end pairs`); checked.push({ line, by: 'bulks' }); continue; }
    m = /^ {4}from (\S+) \(creator ([0-9a-f]{8})\): .*, (\d+) s, (\d+) states$/.exec(line);
    if (m) {
      const b = bulks.find((x) => x.src === m![1]);
      assert.ok(b, `${line}: a bulk update by ${m[1]}`);
      assert.equal(m[2], b.creator, `${line}: creator`);
      assert.equal(Number(m[3]), b.seconds, `${line}: duration (BUS end age)`);
      assert.equal(Number(m[4]), b.states, `${line}: states sent between BUS start and end`);
      checked.push({ line, by: 'bulk' });
      used.add('bulk-times');
      continue;
    }
    m = /^ {2}messages by action: (.+)$/.exec(line);
    if (m) {
      const ours = new Map(m[1]!.split(', ').map((p) => { const [a, n] = p.split(' '); return [a!, Number(n)] as const; }));
      assert.deepEqual(ours, byAction, `${line}: messages per action`);
      checked.push({ line, by: 'actions' });
      continue;
    }
    m = /^ {2}states known at the end: (\d+)$/.exec(line);
    if (m) { assert.equal(Number(m[1]), states.size, `${line}: INS/UPD less DEL/DEL_C`); checked.push({ line, by: 'states' }); continue; }
    m = /^ {4}creator ([0-9a-f]{8}): (\d+)$/.exec(line);
    if (m) {
      assert.equal(Number(m[2]), [...states.values()].filter((c) => c === m![1]).length, `${line}: states of the creator`);
      checked.push({ line, by: 'creator' });
      continue;
    }
    m = /^\S+ warn pfsync\.unauthenticated_link: pfsync in clear text \(multicast to (\S+)\) from ([^;]+); .*\[frame (\d+)\]$/.exec(line);
    if (m) {
      assert.deepEqual([m[1]], [...new Set(frames.map((f) => f.dst))], `${line}: destination`);
      assert.deepEqual(m[2]!.split(', '), [...perSrc.keys()].sort(), `${line}: senders`);
      assert.equal(Number(m[3]), 1, `${line}: the first pfsync frame`);
      checked.push({ line, by: 'finding' });
      continue;
    }
    m = /^(\d+) frames, (\d+) shown$/.exec(line);
    if (m) {
      assert.equal(Number(m[1]), totalFrames, `${line}: frames in the capture`);
      assert.equal(Number(m[2]), frames.length, `${line}: shown (the pfsync frames)`);
      checked.push({ line, by: 'counts' });
      continue;
    }
    const named = NAMED.find((n) => n.line.test(line));
    assert.ok(named, `golden line checked by nothing and no named exception: ${JSON.stringify(line)}`);
    used.add(named.id);
  }
  return checked;
}

interface Entry { name: string; capture: string; args: string[]; expected: string }

test('pfsync goldens: every line agrees with OpenBSD\'s pfsync printer field by field, but for named exceptions', { skip: why ?? false, timeout: 300_000 }, async (t) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/golden/manifest.json'), 'utf8')) as Entry[];
  const entries = manifest.filter((e) => /pfsync/.test(path.basename(e.expected)));
  const files = fs.readdirSync(path.join(repoRoot, 'test/golden')).filter((n) => /pfsync/.test(n) && !n.endsWith('.stderr'));
  assert.deepEqual(entries.map((e) => path.basename(e.expected)).sort(), files.sort(), 'every pfsync golden file is in the manifest');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carpdump-pfsync-golden-'));
  try {
    execFileSync('sh', [path.join(oracleSrc, 'build.sh'), tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    const used = new Set<string>();
    for (const e of entries) {
      await t.test(e.name, () => {
        const printed = execFileSync(path.join(tmp, 'bin', 'pfsync-oracle-openbsd'), [path.join(repoRoot, e.capture)], { encoding: 'utf8', maxBuffer: 64 << 20 });
        const frames = parseOracle(printed);
        assert.ok(frames.length > 0 && frames.every((f) => f.version === 6), 'v6 frames (the OpenBSD printer; a v5 golden needs the FreeBSD one here)');
        const golden = fs.readFileSync(path.join(repoRoot, e.expected), 'utf8');
        const total = printed.split('\n').filter((l) => l.startsWith('#frame ')).length;
        const checked = checkGolden(golden, frames, total, e.args, used);
        const stderr = path.join(repoRoot, `${e.expected}.stderr`);
        if (fs.existsSync(stderr)) checked.push(...checkGolden(fs.readFileSync(stderr, 'utf8'), frames, total, ['-q'], used));
        assert.ok(checked.length > 0, 'some lines checked against the printer');
      });
    }
    await t.test('every named exception occurs', () => {
      for (const n of NAMED) assert.ok(used.has(n.id), `named exception ${n.id} no longer occurs: remove it`);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
