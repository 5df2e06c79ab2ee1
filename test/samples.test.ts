// The samples of samples/: every capture listed in samples/README.md exists, is listed
// there if it exists, decodes frame by frame without an internal error, and goes through the
// whole CLI (decode + analyzers + output) with exit status 0. Protocol-112 frames of the
// ucarp recordings are CARP and those of the keepalived recording VRRP; the pcapng, nanosecond
// and gzip conversions carry the same frames as their pcap; the synthetic samples are what
// make-samples.ts writes today (regenerate them with `node dist/test/builders/make-samples.js`
// when a builder changes).

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openCaptureFile } from '../src/capture/open.js';
import type { RawFrame } from '../src/capture/types.js';
import { decodeFrame } from '../src/decode/frame.js';
import type { DecodedFrame } from '../src/decode/types.js';
import { makeSamples } from './builders/make-samples.js';
import { carpdumpOk } from './support/cli.js';
import { SAMPLES } from './support/paths.js';

const CAPTURE_FILE = /\.(pcap|pcapng)(\.gz)?$/;

/** File names in the first column of samples/README.md's tables: "| `name.pcap` | ...". */
function listedSamples(): string[] {
  const readme = readFileSync(join(SAMPLES, 'README.md'), 'utf8');
  const names: string[] = [];
  for (const line of readme.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (m?.[1] !== undefined && CAPTURE_FILE.test(m[1])) names.push(m[1]);
  }
  return names;
}

interface ReadResult {
  frames: RawFrame[];
  decoded: DecodedFrame[];
}

async function readAll(path: string): Promise<ReadResult> {
  const frames: RawFrame[] = [];
  const decoded: DecodedFrame[] = [];
  await openCaptureFile(path).run((f) => {
    const copy: RawFrame = { ...f, data: Uint8Array.from(f.data) };
    frames.push(copy);
    decoded.push(decodeFrame(copy));
  });
  return { frames, decoded };
}

/** Protocol names of the layers above IP protocol 112 (carp / vrrp / whatever decoded it). */
function proto112Layers(decoded: DecodedFrame[]): string[] {
  const out: string[] = [];
  for (const d of decoded) {
    const top = d.layers.find((l) => l.proto === 'carp' || l.proto === 'vrrp');
    if (top) out.push(top.proto);
  }
  return out;
}

const listed = listedSamples();

describe('samples/README.md', () => {
  it('lists the real recordings and the synthetic samples', () => {
    for (const name of ['ucarp-failover.pcap', 'keepalived-vrrp.pcap', 'multi-vhid.pcap', 'synthetic-carp-edge.pcap']) {
      assert.ok(listed.includes(name), `${name} is not listed`);
    }
  });

  it('lists every capture file in samples/', () => {
    const present = readdirSync(SAMPLES).filter((n) => CAPTURE_FILE.test(n));
    for (const name of present) assert.ok(listed.includes(name), `samples/${name} exists but is not described in samples/README.md`);
  });
});

describe('every listed sample', () => {
  for (const name of listed) {
    it(`${name} decodes every frame without an internal error`, async () => {
      const { decoded } = await readAll(join(SAMPLES, name));
      assert.ok(decoded.length > 0, 'no frames');
      for (const d of decoded) {
        assert.equal(d.internalError, undefined, `frame ${d.raw.number}: ${d.internalError ?? ''}`);
        assert.ok(!d.annotations.some((a) => a.id === 'carpdump.internal_error'), `frame ${d.raw.number} has carpdump.internal_error`);
      }
    });

    it(`${name} goes through the CLI (-A -V, analyzers on) with exit status 0`, () => {
      // carpdumpOk asserts exit status 0, with stderr in the message.
      const out = carpdumpOk(['-r', join(SAMPLES, name), '-A', '-V', '-z', 'carp,masters', '--color', 'never'], { NO_COLOR: '1' });
      assert.ok(out.length > 0);
      assert.ok(!out.includes('internal_error'), 'output mentions an internal error');
    });
  }
});

describe('what the recordings contain', () => {
  const carpOnly = ['ucarp-failover.pcap', 'ucarp-preempt.pcap', 'ucarp-split-brain.pcap', 'multi-vhid.pcap'];
  for (const name of carpOnly) {
    it(`${name}: every IP protocol 112 frame is CARP`, async () => {
      const protos = proto112Layers((await readAll(join(SAMPLES, name))).decoded);
      assert.ok(protos.length >= 10, `only ${protos.length} adverts`);
      assert.deepEqual([...new Set(protos)], ['carp']);
    });
  }

  it('keepalived-vrrp.pcap: every IP protocol 112 frame is VRRP', async () => {
    const protos = proto112Layers((await readAll(join(SAMPLES, 'keepalived-vrrp.pcap'))).decoded);
    assert.ok(protos.length >= 40);
    assert.deepEqual([...new Set(protos)], ['vrrp']);
  });

  it('carp-vrrp-conflict.pcap: CARP and VRRP told apart per packet (6 CARP, 5 VRRP)', async () => {
    const protos = proto112Layers((await readAll(join(SAMPLES, 'carp-vrrp-conflict.pcap'))).decoded);
    assert.equal(protos.filter((p) => p === 'carp').length, 6);
    assert.equal(protos.filter((p) => p === 'vrrp').length, 5);
  });

  const conversions: [string, string][] = [
    ['ucarp-failover.pcap', 'ucarp-failover.pcapng'],
    ['ucarp-failover.pcap', 'ucarp-failover-ns.pcap'],
    ['ucarp-failover.pcap', 'ucarp-failover.pcap.gz'],
    ['keepalived-vrrp.pcap', 'keepalived-vrrp.pcapng'],
  ];
  for (const [original, converted] of conversions) {
    it(`${converted} carries the same frames as ${original}`, async () => {
      const a = (await readAll(join(SAMPLES, original))).frames;
      const b = (await readAll(join(SAMPLES, converted))).frames;
      assert.equal(b.length, a.length);
      a.forEach((f, i) => {
        const g = b[i]!;
        assert.deepEqual([g.tsSec, g.tsNsec, g.originalLength, g.linktype], [f.tsSec, f.tsNsec, f.originalLength, f.linktype], `frame ${i + 1}`);
        assert.deepEqual(g.data, f.data, `frame ${i + 1} bytes`);
      });
    });
  }
});

describe('synthetic samples', () => {
  it('are what make-samples.ts writes today (byte for byte)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carpdump-samples-'));
    try {
      for (const file of makeSamples(dir)) {
        const name = file.slice(dir.length + 1);
        assert.ok(listed.includes(name), `${name} is not listed in samples/README.md`);
        assert.deepEqual(readFileSync(join(SAMPLES, name)), readFileSync(file), `samples/${name} is stale: run node dist/test/builders/make-samples.js`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('synthetic-carp-edge.pcap: 22 frames, 21 of them CARP or VRRP', async () => {
    const { decoded } = await readAll(join(SAMPLES, 'synthetic-carp-edge.pcap'));
    assert.equal(decoded.length, 22);
    assert.equal(proto112Layers(decoded).length, 21);
  });

  it('synthetic-links.pcapng: the advert is CARP on every link type', async () => {
    const { decoded } = await readAll(join(SAMPLES, 'synthetic-links.pcapng'));
    assert.equal(decoded.length, 8);
    decoded.forEach((d) => assert.ok(d.layers.some((l) => l.proto === 'carp'), `frame ${d.raw.number} (linktype ${d.raw.linktype}) has no CARP layer`));
  });

  it('pfsync-session.pcap: 11 pfsync frames', async () => {
    const { decoded } = await readAll(join(SAMPLES, 'pfsync-session.pcap'));
    assert.equal(decoded.length, 11);
    decoded.forEach((d) => assert.ok(d.layers.some((l) => l.proto === 'pfsync'), `frame ${d.raw.number} has no pfsync layer`));
  });
});
