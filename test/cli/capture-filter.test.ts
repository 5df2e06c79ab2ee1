// bin/carpdump.js -r FILE with a capture filter (-f EXPR or trailing words), as users run it:
// the frames kept are tcpdump's, the others are not processed at all (-c counts kept frames,
// -w writes kept frames, frame numbers stay those of the file), and the errors are one line.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CaptureParser } from '../../src/capture/parser.js';
import { carpdump } from '../support/cli.js';
import { sample } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const needTcpdump = skipReason({ commands: ['tcpdump'] });

/** time + length + bytes of every frame of a pcap/pcapng file. */
function frameKeys(bytes: Uint8Array): string[] {
  const out: string[] = [];
  const p = new CaptureParser((f) => out.push(`${f.tsSec}.${Math.floor(f.tsNsec / 1000)} ${f.originalLength} ${Buffer.from(f.data).toString('hex')}`));
  p.feed(bytes);
  p.end();
  return out;
}

function tcpdumpKeys(args: string[]): string[] {
  const r = spawnSync('tcpdump', [...args, '-w', '-'], { maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr.toString());
  return frameKeys(new Uint8Array(r.stdout));
}

/** Frame numbers and layer names of every record of a -T jsonl run. */
function jsonlFrames(stdout: string): { number: number; layers: string[] }[] {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; frame?: { number: number }; layers?: Record<string, unknown> })
    .filter((r) => r.type === 'packet').map((r) => ({ number: r.frame!.number, layers: Object.keys(r.layers ?? {}) }));
}

describe('carpdump -r FILE with a capture filter', { skip: needTcpdump }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carpdump-bpf-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('-w writes exactly the frames tcpdump -r FILE EXPR keeps (trailing words and -f)', () => {
    for (const [file, expr] of [['keepalived-vrrp.pcap', 'ip6 proto 112'], ['carp-vrrp-conflict.pcap', 'arp or (ip proto 112 and len < 80)'], ['keepalived-vrrp.pcapng', 'host 10.77.0.2']] as const) {
      const expected = tcpdumpKeys(['-r', sample(file), expr]);
      assert.ok(expected.length > 0, `${file}: "${expr}" keeps nothing`);
      for (const form of [expr.split(' '), ['-f', expr]]) {
        const out = path.join(dir, 'out.pcap');
        const r = carpdump(['-r', sample(file), '-q', '-w', out, ...form]);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(frameKeys(readFileSync(out)), expected, `${file} ${form.join(' ')}`);
        rmSync(out);
      }
    }
  });

  it('-c counts kept frames only, as tcpdump -c', () => {
    const out = path.join(dir, 'c.pcap');
    const r = carpdump(['-r', sample('keepalived-vrrp.pcap'), '-q', '-c', '3', '-w', out, 'arp']);
    assert.equal(r.status, 0, r.stderr);
    const kept = frameKeys(readFileSync(out));
    assert.equal(kept.length, 3);
    assert.deepEqual(kept, tcpdumpKeys(['-r', sample('keepalived-vrrp.pcap'), '-c', '3', 'arp']));
  });

  it('kept frames keep their number in the file; the summary counts kept frames only', () => {
    const all = jsonlFrames(carpdump(['-r', sample('keepalived-vrrp.pcap'), '-A', '-T', 'jsonl']).stdout);
    const r = carpdump(['-r', sample('keepalived-vrrp.pcap'), '-A', '-T', 'jsonl', '-f', 'arp']);
    assert.equal(r.status, 0, r.stderr);
    const arp = jsonlFrames(r.stdout);
    const expected = all.filter((f) => f.layers.includes('arp')).map((f) => f.number);
    assert.ok(expected.length > 0 && expected.length < all.length);
    assert.deepEqual(arp.map((f) => f.number), expected);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { type: string; frames: number };
    assert.equal(summary.type, 'summary');
    assert.equal(summary.frames, expected.length);
  });

  it('filters gzip-compressed captures and mixed-link pcapng files (compiled per link type)', () => {
    const plain = carpdump(['-r', sample('ucarp-failover.pcap'), '-A', '-T', 'jsonl', 'arp']);
    const gz = carpdump(['-r', sample('ucarp-failover.pcap.gz'), '-A', '-T', 'jsonl', 'arp']);
    assert.equal(gz.status, 0, gz.stderr);
    assert.ok(jsonlFrames(plain.stdout).length > 0);
    assert.equal(gz.stdout, plain.stdout);
    // synthetic-links.pcapng: the same advert over several link types; "ip proto 112" compiles
    // for each one and keeps frames of several link types.
    const links = carpdump(['-r', sample('synthetic-links.pcapng'), '-A', '-T', 'jsonl', 'ip proto 112']);
    assert.equal(links.status, 0, links.stderr);
    const linktypes = new Set(links.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { frame?: { linktype: number } }).frame?.linktype).filter((v) => v !== undefined));
    assert.ok(linktypes.size >= 4, `link types kept: ${[...linktypes].join(', ')}`);
  });

  it('a bad expression: one line, exit 1 (as live capture), before any output file is created', () => {
    const out = path.join(dir, 'bad.pcap');
    const r = carpdump(['-r', sample('keepalived-vrrp.pcap'), '-w', out, '-f', 'ip proto 112 and (']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^carpdump: bad capture filter "ip proto 112 and \(": can't parse filter expression: syntax error \(link type 1\)\n$/);
    assert.equal(existsSync(out), false);
  });

  it('an expression that does not fit a later link type ends the run there with one line, exit 1', () => {
    const r = carpdump(['-r', sample('synthetic-links.pcapng'), '-A', '-T', 'jsonl', 'ether src 00:00:5e:00:00:07']);
    assert.equal(r.status, 1);
    assert.match(r.stderr.replace(/^reading from file .*\n/, ''), /^carpdump: bad capture filter "ether src 00:00:5e:00:00:07": ethernet addresses supported only on .*\(link type \d+\)\n$/);
  });
});

describe('carpdump -r FILE EXPR without tcpdump', () => {
  it('says that libpcap\'s compiler is needed: one line, exit 1', () => {
    const r = carpdump(['-r', sample('keepalived-vrrp.pcap'), 'arp'], { CARPDUMP_TCPDUMP: '/nonexistent/tcpdump' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "carpdump: filtering a file needs libpcap's compiler (install tcpdump): /nonexistent/tcpdump not found\n");
  });
  it('an empty -f on a file means no filter (no compiler needed)', () => {
    const r = carpdump(['-r', sample('keepalived-vrrp.pcap'), '-q', '-f', ''], { CARPDUMP_TCPDUMP: '/nonexistent/tcpdump' });
    assert.equal(r.status, 0, r.stderr);
  });
  it('--help says files are filtered too', () => {
    assert.match(carpdump(['--help']).stdout, /-f, --filter EXPR +BPF capture filter .*files too/);
  });
});
