// Differential oracle: on classic (microsecond) pcaps of either byte order, our records must
// equal those of the independent npm package pcap-parser (header fields and bytes).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCaptureFile } from '../../src/capture/open.js';
import { buildPcap, mulberry32, type Endian, type PcapRecordSpec } from '../builders/capture.js';

interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Uint8Array;
}
interface PcapParserEmitter {
  on(event: 'globalHeader', listener: (h: { linkLayerType: number }) => void): this;
  on(event: 'packet', listener: (p: PcapParserPacket) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(path: string): PcapParserEmitter };

interface Rec {
  sec: number;
  usec: number;
  caplen: number;
  len: number;
  linktype: number;
  /** Packet bytes as hex (cheaper to compare than arrays of numbers). */
  data: string;
}

function viaPcapParser(path: string): Promise<Rec[]> {
  return new Promise((resolve, reject) => {
    const out: Rec[] = [];
    let linktype = -1;
    const p = pcapParser.parse(path);
    p.on('globalHeader', (h) => {
      linktype = h.linkLayerType;
    });
    p.on('packet', (pkt) => {
      out.push({
        sec: pkt.header.timestampSeconds,
        usec: pkt.header.timestampMicroseconds,
        caplen: pkt.header.capturedLength,
        len: pkt.header.originalLength,
        linktype,
        data: Buffer.from(pkt.data).toString('hex'),
      });
    });
    p.on('end', () => resolve(out));
    p.on('error', reject);
  });
}

async function viaCarpdump(path: string): Promise<Rec[]> {
  const out: Rec[] = [];
  await openCaptureFile(path).run((f) => {
    assert.equal(f.tsNsec % 1000, 0);
    out.push({
      sec: f.tsSec,
      usec: f.tsNsec / 1000,
      caplen: f.capturedLength,
      len: f.originalLength,
      linktype: f.linktype,
      data: Buffer.from(f.data).toString('hex'),
    });
  });
  return out;
}

/** A random classic pcap: sizes from 0 to 2000 bytes, timestamps anywhere in uint32. */
function randomPcap(seed: number, endian: Endian): Uint8Array {
  const rand = mulberry32(seed);
  const records: PcapRecordSpec[] = [];
  const count = Math.floor(rand() * 300);
  for (let i = 0; i < count; i++) {
    const len = rand() < 0.1 ? 0 : Math.floor(rand() * 2000);
    const data = new Uint8Array(len);
    for (let j = 0; j < len; j++) data[j] = Math.floor(rand() * 256);
    records.push({
      tsSec: Math.floor(rand() * 2 ** 32),
      tsFrac: Math.floor(rand() * 1_000_000),
      data,
      originalLength: len + Math.floor(rand() * 100),
    });
  }
  return buildPcap({ endian, linktype: [1, 113, 101, 246][Math.floor(rand() * 4)] ?? 1, records });
}

describe('differential oracle: pcap-parser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carpdump-oracle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const endian of ['le', 'be'] as Endian[]) {
    it(`${endian}: records equal pcap-parser's on seeded random files`, async () => {
      for (let seed = 1; seed <= 20; seed++) {
        const path = join(dir, `r-${endian}-${seed}.pcap`);
        writeFileSync(path, randomPcap(seed * 7919, endian));
        const expected = await viaPcapParser(path);
        const actual = await viaCarpdump(path);
        assert.deepEqual(actual, expected, `seed ${seed * 7919} (${endian})`);
      }
    });
  }

  it('agrees on a large file read across many 4 MiB blocks', async () => {
    const rand = mulberry32(99);
    const records: PcapRecordSpec[] = [];
    for (let i = 0; i < 12000; i++) {
      const len = 1 + Math.floor(rand() * 1514);
      records.push({ tsSec: 1_700_000_000 + i, tsFrac: i % 1_000_000, data: new Uint8Array(len).fill(i & 0xff) });
    }
    const path = join(dir, 'large.pcap');
    writeFileSync(path, buildPcap({ endian: 'le', records }));
    const actual = await viaCarpdump(path);
    assert.equal(actual.length, records.length);
    assert.deepEqual(actual, await viaPcapParser(path));
  });
});
