// Issue 15's table, row by row, as a tcpdump / tshark user types it: subprocess runs with exit
// status, stdout and stderr, cross-checked against tcpdump and tshark on the same capture where
// they print the same thing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPcap, buildPcapng } from '../builders/capture.js';
import { carpFrame4, ethernet, ipv4 } from '../builders/packets.js';
import { carpdump, tool } from '../support/cli.js';
import { sample } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const FAILOVER = sample('ucarp-failover.pcap');
const MULTI = sample('multi-vhid.pcap');
let dir = '';
let tcpOnly = '';
let mixed = '';
let nano = '';

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'carpdump-habits-'));
  tcpOnly = path.join(dir, 'tcp.pcap');
  const T0 = 1700000000;
  writeFileSync(tcpOnly, buildPcap({ endian: 'le', records: [0, 1, 2].map((i) => ({ tsSec: T0 + i, tsFrac: 0, data: ethernet({ type: 0x0800 }, ipv4({ proto: 6 }, new Uint8Array(20))) })) }));
  // Two interfaces of different link types (Ethernet, raw IPv4), nanosecond time stamps.
  mixed = path.join(dir, 'mixed.pcapng');
  const raw = ipv4({ proto: 112 }, carpFrame4({ vhid: 9 }).subarray(34));
  writeFileSync(mixed, buildPcapng([{ endian: 'le', blocks: [
    { kind: 'idb', linktype: 1, tsresol: 9 },
    { kind: 'idb', linktype: 228, tsresol: 9 },
    ...[0, 1, 2, 3].map((i) => ({ kind: 'epb' as const, interfaceId: i % 2, ts: BigInt(T0 + i) * 1_000_000_000n + 123_456_789n, data: i % 2 === 0 ? carpFrame4({ vhid: 9 }) : raw })),
  ] }]));
  nano = path.join(dir, 'nano.pcap');
  writeFileSync(nano, buildPcap({ endian: 'le', nano: true, records: [{ tsSec: T0, tsFrac: 123456789, data: carpFrame4({ vhid: 3 }) }] }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

// ---- row 1: -n -nn -v -vv -X -S -tt.. -s 0 -------------------------------------------------

test('-n, -nn, -S, -s 0 are accepted (exit 0, same output as without)', () => {
  const plain = carpdump(['-r', FAILOVER]);
  for (const extra of [['-n'], ['-nn'], ['-S'], ['-s', '0'], ['-nn', '-S', '-s0']]) {
    const r = carpdump(['-r', FAILOVER, ...extra]);
    assert.equal(r.status, 0, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, plain.stdout, extra.join(' '));
  }
});

test('-v and -vv show the tree of -V', () => {
  const tree = carpdump(['-r', FAILOVER, '-V']).stdout;
  assert.match(tree, /Virtual Host ID|vhid/i);
  for (const v of ['-v', '-vv']) {
    const r = carpdump(['-r', FAILOVER, v]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, tree, v);
  }
});

test('-X, -XX: hex and ASCII lines as tcpdump -X, -XX print them', { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
  for (const flag of ['-X', '-XX']) {
    const ours = lines(carpdump(['-r', FAILOVER, '-A', flag]).stdout).filter((l) => l.startsWith('\t0x'));
    const theirs = lines(tool('tcpdump', ['-r', FAILOVER, '-nn', flag]).stdout).filter((l) => l.startsWith('\t0x'));
    assert.ok(ours.length > 20);
    assert.deepEqual(ours, theirs, flag);
  }
});

for (const [flag, style] of [['-tt', 'epoch'], ['-ttt', 'delta'], ['-tttt', 'date'], ['-ttttt', 'since first']] as const) {
  test(`${flag}: time stamps as tcpdump ${flag} (${style})`, { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
    const r = carpdump(['-r', FAILOVER, '-A', flag]);
    assert.equal(r.status, 0, r.stderr);
    // tcpdump writes the sign of -ttt / -ttttt as a space or '-': compared without it.
    const stamp = (l: string): string => { const w = l.trimStart().split(' '); return flag === '-tttt' ? w.slice(0, 2).join(' ') : w[0]!; };
    const ours = lines(r.stdout).filter((l) => !l.startsWith(' ')).map(stamp);
    const theirs = lines(tool('tcpdump', ['-r', FAILOVER, '-nn', flag]).stdout).map(stamp);
    assert.equal(ours.length, 15);
    assert.deepEqual(ours, theirs);
  });
}

// ---- row 2: unknown fields and bad values are errors ------------------------------------------

for (const [args, named] of [
  [['-T', 'fields', '-e', 'carp.nope'], 'carp.nope'],
  [['-Y', 'carp.nope == 1'], 'carp.nope'],
  [['-Y', 'carp.vhid == seven'], 'seven'],
  [['-Y', 'ip.src == 10.77.0'], '10.77.0'],
  [['-Y', 'carp.vhid in {7 eight}'], 'eight'],
] as const) {
  test(`${args.join(' ')}: exit 2, one line naming "${named}"`, () => {
    const r = carpdump(['-r', FAILOVER, ...args]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.ok(r.stderr.includes(`"${named}"`), r.stderr);
  });
}

// ---- row 3: ip.addr, CIDR, sets, frame.time_relative / time_delta, as tshark ----------------

for (const expr of [
  'ip.addr == 10.77.0.2', 'ip.addr == 224.0.0.18', 'ip.src == 10.77.0.0/24', 'ip.dst == 10.77.0.0/24', 'eth.addr == 02:00:00:77:00:02',
  'carp.vhid in {2, 7}', 'carp.vhid in {2..9}', 'carp.advskew in {50..255}', 'frame.time_relative > 5',
  'frame.time_delta < 0.5', 'ip.addr == 10.77.0.1 && frame.time_relative <= 9',
]) {
  test(`-Y '${expr}' selects the frames tshark selects`, { skip: skipReason({ commands: ['tshark'] }) }, () => {
    const r = carpdump(['-r', FAILOVER, '-A', '-Y', expr, '-T', 'fields', '-e', 'frame.number']);
    assert.equal(r.status, 0, r.stderr);
    const t = tool('tshark', ['-o', 'ip.try_heuristic_first:TRUE', '-r', FAILOVER, '-Y', expr, '-T', 'fields', '-e', 'frame.number']);
    assert.equal(t.status, 0, t.stderr);
    assert.deepEqual(lines(r.stdout), lines(t.stdout));
  });
}

test('-Y: whitespace-separated sets (older Wireshark) mean the same as commas', () => {
  const a = carpdump(['-r', MULTI, '-Y', 'carp.vhid in {11 13}']);
  const b = carpdump(['-r', MULTI, '-Y', 'carp.vhid in {11, 13}']);
  assert.equal(a.status, 0);
  assert.ok(lines(a.stdout).length > 0);
  assert.equal(a.stdout, b.stdout);
});

// ---- row 4: repeated -Y (AND), repeated -r (merged; see merge.test.ts) ------------------------

test('-Y A -Y B shows the frames matching both', () => {
  const both = carpdump(['-r', FAILOVER, '-A', '-T', 'fields', '-e', 'frame.number', '-Y', 'carp', '-Y', 'frame.time_relative > 5']);
  const one = carpdump(['-r', FAILOVER, '-A', '-T', 'fields', '-e', 'frame.number', '-Y', 'carp && frame.time_relative > 5']);
  assert.equal(both.status, 0);
  assert.ok(lines(both.stdout).length > 0);
  assert.deepEqual(both.stdout, one.stdout);
  const carpOnly = carpdump(['-r', FAILOVER, '-A', '-T', 'fields', '-e', 'frame.number', '-Y', 'carp']);
  assert.ok(lines(carpOnly.stdout).length > lines(both.stdout).length, 'the second -Y narrows (not: last one wins)');
});

// ---- row 5: -w keeps every frame --------------------------------------------------------------

test('-w of a pcapng with two link types writes pcapng with every frame, nanoseconds kept', { skip: skipReason({ commands: ['tshark'] }) }, () => {
  const out = path.join(dir, 'out.pcapng');
  const r = carpdump(['-r', mixed, '-q', '-w', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const fields = ['-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.interface_id'];
  const written = tool('tshark', ['-r', out, ...fields]);
  const input = tool('tshark', ['-r', mixed, ...fields]);
  assert.equal(lines(written.stdout).length, 4);
  assert.deepEqual(lines(written.stdout), lines(input.stdout));
  assert.match(written.stdout, /\.123456789\t/);
  assert.equal(readFileSync(out).readUInt32LE(0), 0x0a0d0d0a, 'pcapng section header');
});

test('-w -F pcap of two link types: the frames that do not fit are named in a warning', () => {
  const out = path.join(dir, 'out.pcap');
  const r = carpdump(['-r', mixed, '-q', '-w', out, '-F', 'pcap']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^carpdump: warning: 2 frames not written to .*out\.pcap: a pcap file holds one link type \(use -F pcapng\)\n$/);
});

test('-w of a nanosecond pcap keeps nanoseconds; -F pcapng is honoured', { skip: skipReason({ commands: ['tshark'] }) }, () => {
  for (const [fmt, magic] of [['pcap', 0xa1b23c4d], ['pcapng', 0x0a0d0d0a]] as const) {
    const out = path.join(dir, `nano-out.${fmt}`);
    const r = carpdump(['-r', nano, '-q', '-w', out, ...(fmt === 'pcapng' ? ['-F', 'pcapng'] : [])]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(out).readUInt32LE(0), magic, fmt);
    assert.equal(tool('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.time_epoch']).stdout.trim(), '1700000000.123456789');
  }
  assert.equal(carpdump(['-r', nano, '-F', 'pcap']).status, 2, '-F without -w');
  assert.equal(carpdump(['-r', nano, '-w', path.join(dir, 'x'), '-F', 'erf']).status, 2);
});

// ---- row 6: reading-from and end lines ---------------------------------------------------------

test('a file with nothing carpdump shows: tcpdump\'s "reading from" line and "N frames, 0 shown"', { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
  const r = carpdump(['-r', tcpOnly]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '');
  const first = lines(tool('tcpdump', ['-r', tcpOnly, '-nn']).stderr)[0];
  assert.deepEqual(lines(r.stderr), [first, '3 frames, 0 shown']);
  const q = carpdump(['-r', tcpOnly, '-q']);
  assert.equal(q.stderr, '', '-q: neither line');
});

test('the "reading from" line is tcpdump\'s for every sample (pcap, pcapng, gzip, nanosecond)', { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
  for (const name of ['ucarp-failover.pcap', 'ucarp-failover.pcapng', 'ucarp-failover-ns.pcap', 'synthetic-links.pcapng', 'keepalived-vrrp.pcapng']) {
    const f = sample(name);
    const ours = lines(carpdump(['-r', f]).stderr)[0];
    const theirs = lines(tool('tcpdump', ['-r', f, '-c', '1', '-nn']).stderr)[0];
    assert.equal(ours, theirs, name);
  }
});

// ---- row 7: -z carp,masters,VHID ----------------------------------------------------------------

test('-z carp,masters,VHID: only that VHID in the table', () => {
  const all = carpdump(['-r', MULTI, '-q', '-z', 'carp,masters']).stdout;
  const vhids = (s: string): string[] => [...s.matchAll(/^(\d+)\s+ipv[46]\s/gm)].map((m) => m[1]!);
  assert.ok(vhids(all).length >= 2, all);
  const pick = vhids(all)[1]!;
  const one = carpdump(['-r', MULTI, '-q', '-z', `carp,masters,${pick}`]);
  assert.equal(one.status, 0);
  const table = one.stdout.slice(one.stdout.indexOf('CARP masters'));
  assert.deepEqual([...new Set(vhids(table))], [pick]);
  assert.match(table, new RegExp(`VHID ${pick} `));
  assert.doesNotMatch(table, new RegExp(`VHID (?!${pick}\\b)\\d+ `));
  assert.equal(carpdump(['-r', MULTI, '-z', 'carp,masters,300']).status, 2);
});

// ---- row 8: -G fields -----------------------------------------------------------------------------

test('-G fields lists every field of the registry with protocol, type and label', async () => {
  const { REGISTRY } = await import('../../src/decode/protocols.js');
  const r = carpdump(['-G', 'fields']);
  assert.equal(r.status, 0);
  const rows = lines(r.stdout).filter((l) => l.startsWith('F\t')).map((l) => l.split('\t'));
  for (const row of rows) assert.equal(row.length, 5, row.join('|'));
  const ids = new Set(rows.map((row) => row[2]));
  for (const f of REGISTRY.allFields()) assert.ok(ids.has(f.id), f.id);
  for (const extra of ['ip.addr', 'frame.time_relative', 'frame.time_delta']) assert.ok(ids.has(extra), extra);
  assert.deepEqual(rows.find((row) => row[2] === 'carp.vhid')?.slice(3), ['uint', 'carp']);
  assert.equal(carpdump(['-G', 'protocols']).status, 2);
});

// ---- row 9: -T ek as tshark, -T json carrying findings and the summary ---------------------------

for (const [name, frames] of [['ucarp-failover.pcap', 15], ['keepalived-vrrp.pcap', 0]] as const) test(`-T ek has tshark -T ek's layout and values for the fields both name (${name})`, { skip: skipReason({ commands: ['tshark'] }) }, () => {
  const ours = lines(carpdump(['-r', sample(name), '-A', '-T', 'ek']).stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
  const theirs = lines(tool('tshark', ['-o', 'ip.try_heuristic_first:TRUE', '-r', sample(name), '-T', 'ek']).stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(ours.length, theirs.length);
  if (frames > 0) assert.equal(ours.length, 2 * frames);
  let compared = 0;
  for (let i = 0; i < ours.length; i += 2) {
    assert.deepEqual(ours[i], theirs[i], `index line ${i}`);
    const o = ours[i + 1] as { timestamp: string; layers: Record<string, Record<string, unknown>> };
    const t = theirs[i + 1] as { timestamp: string; layers: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(o), ['timestamp', 'layers']);
    assert.equal(o.timestamp, t.timestamp);
    for (const [name, layer] of Object.entries(o.layers)) {
      if (name === 'carpdump') continue;
      assert.ok(name in t.layers, `tshark has layer ${name} in frame ${i / 2 + 1}`);
      for (const [key, value] of Object.entries(layer)) {
        assert.ok(key.startsWith(`${name}_`), key);
        const ok = typeof value === 'string' || typeof value === 'boolean' || (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'boolean'));
        assert.ok(ok, `${key}: ${JSON.stringify(value)}`);
        const theirValue = t.layers[name]![key];
        // Not compared: statuses (tshark numbers them), the protocol path (tshark lists ethertype).
        if (theirValue !== undefined && !key.endsWith('_status') && key !== 'frame_frame_protocols' && typeof value === 'string' && typeof theirValue === 'string') {
          assert.equal(value, theirValue, `${key} in frame ${i / 2 + 1}`);
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 100, `${compared} values compared`);
});

test('-T json is one array carrying packets, findings and the summary, as -T jsonl', () => {
  const args = ['-r', FAILOVER, '--carp-pass', '7:carpsecret'];
  const json = carpdump([...args, '-T', 'json']);
  assert.equal(json.status, 0);
  const arr = JSON.parse(json.stdout) as unknown[];
  const jsonl = lines(carpdump([...args, '-T', 'jsonl']).stdout).map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(arr, jsonl);
  const types = (arr as { type: string }[]).map((o) => o.type);
  assert.ok(types.includes('finding'));
  assert.equal(types[types.length - 1], 'summary');
});

// ---- row 10: colour ----------------------------------------------------------------------------------

test('--color always beats NO_COLOR; [hmac bad], [bad cksum] and severities are coloured', () => {
  const T0 = 1700000000;
  const f = path.join(dir, 'bad.pcap');
  writeFileSync(f, buildPcap({ endian: 'le', records: [
    { tsSec: T0, tsFrac: 0, data: carpFrame4({ vhid: 7 }) },
    { tsSec: T0 + 1, tsFrac: 0, data: carpFrame4({ vhid: 7, checksum: 0x1234 }) },
  ] }));
  const r = carpdump(['-r', f, '--carp-pass', '7:wrong', '--vip', '7:10.77.0.100', '--color', 'always'], { NO_COLOR: '1' });
  assert.equal(r.status, 0, r.stderr);
  const esc = '\u001b\\[[0-9;]+m';
  assert.match(r.stdout, new RegExp(`${esc}\\[hmac bad\\]`));
  assert.match(r.stdout, new RegExp(`${esc}\\[bad cksum[^\\]]*\\]`));
  assert.match(r.stdout, new RegExp(`${esc}(warn|error|note) carp\\.`));
  assert.doesNotMatch(carpdump(['-r', f, '--carp-pass', '7:wrong', '--vip', '7:10.77.0.100', '--color', 'never'], { FORCE_COLOR: '1' }).stdout, /\u001b\[/);
});

// ---- row 11: usage errors, man page, completion ------------------------------------------------

test('usage errors: one line with the exit status, exit 2', () => {
  for (const args of [['-r', FAILOVER, '--bogus'], [], ['-r', FAILOVER, '-Y', 'carp.vhid === 7'], ['-r', FAILOVER, '-c', 'x']]) {
    const r = carpdump(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^carpdump: .*exit status 2\)\n$/);
  }
});
