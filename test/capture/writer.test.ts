// PcapWriter: round trip through our reader, nanosecond magic, link-type skipping, snaplen,
// flush without close, standard output, and tcpdump/tshark reading the result.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RawFrame } from '../../src/capture/types.js';
import { PcapWriter } from '../../src/capture/writer.js';
import { CarpdumpError } from '../../src/errors.js';
import { mulberry32, payload } from '../builders/capture.js';
import { parseBytes, type FrameSnapshot } from './helpers.js';
import { skipReason } from '../support/skip.js';

const dir = mkdtempSync(join(tmpdir(), 'carpdump-writer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function frames(count: number, linktype = 1, seed = 3): RawFrame[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const data = payload(14 + Math.floor(rand() * 1500), i); // at least an Ethernet header
    data[12] = 0x88; // ethertype 0x88b5 (IEEE local experimental): tcpdump prints one plain line
    data[13] = 0xb5;
    return {
      number: i + 1,
      tsSec: 1_700_000_000 + i * 3,
      tsNsec: Math.floor(rand() * 1e9),
      tsDigits: 9,
      linktype,
      interfaceId: 0,
      capturedLength: data.length,
      originalLength: data.length + (i % 3),
      data,
    };
  });
}

/** What a frame becomes after a trip through a file of the given precision. */
function expectedAfterTrip(f: RawFrame, nano: boolean, snaplen = 262144): FrameSnapshot {
  const caplen = Math.min(f.capturedLength, snaplen);
  return {
    number: f.number,
    tsSec: f.tsSec,
    tsNsec: nano ? f.tsNsec : Math.floor(f.tsNsec / 1000) * 1000,
    tsDigits: nano ? 9 : 6,
    linktype: f.linktype,
    interfaceId: 0,
    capturedLength: caplen,
    originalLength: f.originalLength,
    data: Array.from(f.data.subarray(0, caplen)),
  };
}

function writeAll(path: string, list: RawFrame[], options: ConstructorParameters<typeof PcapWriter>[1] = {}): PcapWriter {
  const w = new PcapWriter(path, options);
  for (const f of list) w.writeFrame(f);
  w.close();
  return w;
}

describe('PcapWriter', () => {
  const list = frames(40);

  for (const nano of [false, true]) {
    it(`round-trips through the reader (${nano ? 'nanosecond' : 'microsecond'})`, () => {
      const path = join(dir, `rt-${nano}.pcap`);
      const w = writeAll(path, list, { linktype: 1, nanosecond: nano });
      assert.equal(w.packetsWritten, list.length);
      const bytes = readFileSync(path);
      assert.equal(bytes.readUInt32LE(0), nano ? 0xa1b23c4d : 0xa1b2c3d4);
      const r = parseBytes(bytes);
      assert.equal(r.error, undefined);
      assert.deepEqual(r.frames, list.map((f) => expectedAfterTrip(f, nano)));
    });
  }

  it('skips and counts frames of another link type', () => {
    const path = join(dir, 'mixed.pcap');
    const mixed = [...frames(3, 1), ...frames(2, 113, 9), ...frames(1, 1, 11)];
    const w = writeAll(path, mixed, { linktype: 1 });
    assert.equal(w.packetsWritten, 4);
    assert.equal(w.skippedOtherLinktype, 2);
    assert.ok(parseBytes(readFileSync(path)).frames.every((f) => f.linktype === 1));
  });

  it('takes the link type from the first frame when none is given', () => {
    const path = join(dir, 'lazy.pcap');
    writeAll(path, frames(2, 246));
    assert.equal(readFileSync(path).readUInt32LE(20), 246);
    const empty = join(dir, 'empty.pcap');
    writeAll(empty, []);
    const bytes = readFileSync(empty);
    assert.equal(bytes.length, 24);
    assert.equal(bytes.readUInt32LE(20), 1);
  });

  it('cuts frames to the snaplen, keeping the original length', () => {
    const path = join(dir, 'snap.pcap');
    writeAll(path, list, { linktype: 1, snaplen: 96 });
    const r = parseBytes(readFileSync(path));
    assert.equal(readFileSync(path).readUInt32LE(16), 96);
    assert.deepEqual(r.frames, list.map((f) => expectedAfterTrip(f, false, 96)));
  });

  it('handles a frame larger than its buffer', () => {
    const data = payload(3 * 1024 * 1024, 5);
    const big: RawFrame = { ...(frames(1)[0] as RawFrame), data, capturedLength: data.length, originalLength: data.length };
    const path = join(dir, 'big.pcap');
    writeAll(path, [...list.slice(0, 2), big, ...list.slice(2, 4)], { linktype: 1, snaplen: 4 * 1024 * 1024 });
    const r = parseBytes(readFileSync(path));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.frames.map((f) => f.capturedLength), [list[0]?.capturedLength, list[1]?.capturedLength, data.length, list[2]?.capturedLength, list[3]?.capturedLength]);
    assert.deepEqual(r.frames[2]?.data, Array.from(data));
  });

  it('flush() leaves a complete file before close()', () => {
    const path = join(dir, 'flush.pcap');
    const w = new PcapWriter(path, { linktype: 1 });
    w.writeFrame(list[0] as RawFrame);
    assert.equal(readFileSync(path).length, 0, 'buffered until flush');
    w.writeFrame(list[1] as RawFrame);
    w.flush();
    const r = parseBytes(readFileSync(path));
    assert.equal(r.error, undefined);
    assert.equal(r.frames.length, 2);
    w.close();
    w.close(); // idempotent
  });

  it('says when the output cannot be created', () => {
    const path = join(dir, 'no-such-dir', 'x.pcap');
    assert.throws(() => new PcapWriter(path), (e: unknown) => e instanceof CarpdumpError && e.message === `cannot write ${path}: no such file`);
  });

  it("writes to standard output for '-'", () => {
    const writerModule = fileURLToPath(new URL('../../src/capture/writer.js', import.meta.url));
    const script = `
import { PcapWriter } from ${JSON.stringify(writerModule)};
const w = new PcapWriter('-', { linktype: 1 });
for (let i = 0; i < 5000; i++) {
  const data = new Uint8Array(200).fill(i & 0xff);
  w.writeFrame({ number: i + 1, tsSec: 1000 + i, tsNsec: 5000, tsDigits: 6, linktype: 1, interfaceId: 0, capturedLength: 200, originalLength: 200, data });
}
w.close();
`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr.toString());
    const parsed = parseBytes(r.stdout);
    assert.equal(parsed.error, undefined);
    assert.equal(parsed.frames.length, 5000);
    assert.equal(parsed.frames[4999]?.tsSec, 5999);
    assert.equal(parsed.frames[4999]?.data[0], 4999 & 0xff);
  });

  it('is read by tcpdump with the same timestamps and lengths', { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
    for (const nano of [false, true]) {
      const path = join(dir, `tcpdump-${nano}.pcap`);
      writeAll(path, list, { linktype: 1, nanosecond: nano });
      const args = ['-r', path, '-nn', '-tt', '-e', ...(nano ? ['--time-stamp-precision=nano'] : [])];
      const r = spawnSync('tcpdump', args);
      assert.equal(r.status, 0, r.stderr.toString());
      // One summary line per packet; unknown ethertypes add indented hex-dump lines.
      const lines = r.stdout.toString().trim().split('\n').filter((l) => !l.startsWith('\t'));
      assert.equal(lines.length, list.length);
      lines.forEach((line, i) => {
        const f = expectedAfterTrip(list[i] as RawFrame, nano);
        const ts = `${f.tsSec}.${String(nano ? f.tsNsec : f.tsNsec / 1000).padStart(nano ? 9 : 6, '0')}`;
        assert.ok(line.startsWith(`${ts} `), `${line} should start with ${ts}`);
        assert.match(line, new RegExp(`length ${f.originalLength}\\b`));
      });
    }
  });

  it('is read by tshark with the same frame lengths', { skip: skipReason({ commands: ['tshark'] }) }, () => {
    const path = join(dir, 'tshark.pcap');
    writeAll(path, list, { linktype: 1 });
    const r = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.cap_len', '-e', 'frame.len'], {
      env: { ...process.env, TZ: 'UTC' },
    });
    assert.equal(r.status, 0, r.stderr.toString());
    const rows = r.stdout.toString().trim().split('\n').map((l) => l.split('\t').map(Number));
    assert.deepEqual(rows, list.map((f) => [f.capturedLength, f.originalLength]));
  });
});
