// Property (issue 12 item 4): for any prefix of any sample capture, carpdump prints the same
// first frames as on the whole file and ends with the documented outcome: exit 0 when the cut
// falls between records, else exit 1 and one line naming the truncation; never a stack trace.
// In-process through cli.main (fast); CARPDUMP_FC_SEED varies the cuts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { main } from '../../src/cli.js';
import { MemoryStream } from '../../src/output/writer.js';
import { checkProperty } from '../support/fc-seed.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLES = ['ucarp-failover.pcap', 'keepalived-vrrp.pcapng', 'pfsync-session.pcap', 'synthetic-links.pcapng', 'synthetic-carp-edge.pcap', 'multi-vhid.pcap']
  .map((f) => ({ name: f, bytes: readFileSync(path.join(root, 'samples', f)) }));
let dir = '';
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'carpdump-prefix-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(file: string): Promise<{ status: number; packets: string[]; stderr: string }> {
  const out = new MemoryStream();
  const err = new MemoryStream();
  const status = await main(['-r', file, '-A', '-T', 'jsonl', '--carp-pass', '*:carpsecret'], { stdout: out, stderr: err, env: { TZ: 'UTC' } });
  return { status, packets: out.text.split('\n').filter((l) => l.startsWith('{"type":"packet"')), stderr: err.text };
}

test('any prefix of a sample: the same first frames, then the documented end', async () => {
  const whole = new Map<string, string[]>();
  for (const s of SAMPLES) {
    const p = path.join(dir, s.name);
    writeFileSync(p, s.bytes);
    const r = await run(p);
    assert.equal(r.status, 0, r.stderr);
    whole.set(s.name, r.packets);
  }
  const cases: { sample: number; cut: number }[] = [];
  checkProperty(fc.property(fc.nat(SAMPLES.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (sample, at) => {
    cases.push({ sample, cut: Math.floor(at * SAMPLES[sample]!.bytes.length) });
  }), { seed: 0x9ef1c5, numRuns: 60 });
  for (const { sample, cut } of cases) {
    const s = SAMPLES[sample]!;
    const p = path.join(dir, `cut-${s.name}`);
    writeFileSync(p, s.bytes.subarray(0, cut));
    const r = await run(p);
    const where = `${s.name} cut at ${cut} of ${s.bytes.length}`;
    const all = whole.get(s.name)!;
    assert.deepEqual(r.packets, all.slice(0, r.packets.length), `${where}: the frames printed are the whole file's first frames`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at |Error:/, where);
    if (r.status === 0) {
      // Only tcpdump's "reading from file" header and the "N frames, M shown" end line.
      assert.deepEqual(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file ') && !/^\d+ frames?, \d+ shown$/.test(l)), [], where);
    } else {
      assert.equal(r.status, 1, `${where}: ${r.stderr}`);
      // After tcpdump's "reading from file" header: one line.
      assert.equal(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('reading from file ')).length, 1, `${where}: one line`);
      assert.match(r.stderr, /truncated|not a pcap or pcapng file|empty/, where);
    }
  }
});
