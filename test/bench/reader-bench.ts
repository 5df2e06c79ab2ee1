// Quick throughput measurement of the capture reader (not a test): builds a 1M-packet
// classic pcap in the temp directory (once; reused on later runs) and prints packets/s for
// openCaptureFile, for the bare CaptureParser over an in-memory buffer, and for the
// pcap-parser npm package on the same file.
//
//   npx tsc -p . && node dist/test/bench/reader-bench.js [packets] [bytesPerPacket]

import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureFile } from '../../src/capture/open.js';
import { CaptureParser } from '../../src/capture/parser.js';
import { readFileSync } from 'node:fs';

interface PcapParserEmitter {
  on(event: 'packet', listener: (p: { header: unknown; data: Uint8Array }) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(path: string): PcapParserEmitter };

const packets = Number(process.argv[2] ?? 1_000_000);
const size = Number(process.argv[3] ?? 512);
const file = join(tmpdir(), `carpdump-bench-${packets}x${size}.pcap`);

function buildFile(): void {
  if (existsSync(file) && statSync(file).size === 24 + packets * (16 + size)) return;
  const fd = openSync(file, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  const batch = 4096;
  const rec = 16 + size;
  const buf = Buffer.alloc(batch * rec);
  for (let i = 0; i < batch; i++) for (let j = 0; j < size; j++) buf[i * rec + 16 + j] = (i + j) & 0xff;
  for (let done = 0; done < packets; done += batch) {
    const n = Math.min(batch, packets - done);
    for (let i = 0; i < n; i++) {
      const k = done + i;
      buf.writeUInt32LE(1_700_000_000 + Math.floor(k / 1000), i * rec);
      buf.writeUInt32LE((k % 1000) * 1000, i * rec + 4);
      buf.writeUInt32LE(size, i * rec + 8);
      buf.writeUInt32LE(size, i * rec + 12);
    }
    writeSync(fd, buf, 0, n * rec);
  }
  closeSync(fd);
}

function report(name: string, count: number, ms: number): void {
  const rate = count / (ms / 1000);
  console.log(`${name.padEnd(34)} ${count} packets in ${ms.toFixed(0)} ms: ${(rate / 1e6).toFixed(2)} M packets/s`);
}

async function benchOpen(): Promise<void> {
  let n = 0;
  let sum = 0;
  const t0 = performance.now();
  await openCaptureFile(file).run((f) => {
    n++;
    sum += f.data[0] ?? 0;
  });
  report('openCaptureFile (file, 4 MiB reads)', n, performance.now() - t0);
  if (sum < 0) console.log(sum);
}

function benchParserInMemory(): void {
  const bytes = readFileSync(file);
  let n = 0;
  const t0 = performance.now();
  const parser = new CaptureParser(() => {
    n++;
  });
  for (let off = 0; off < bytes.length; off += 1 << 20) parser.feed(bytes.subarray(off, off + (1 << 20)));
  parser.end();
  report('CaptureParser (in memory, 1 MiB)', n, performance.now() - t0);
}

function benchPcapParser(): Promise<void> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const t0 = performance.now();
    const p = pcapParser.parse(file);
    p.on('packet', () => {
      n++;
    });
    p.on('end', () => {
      report('pcap-parser (npm)', n, performance.now() - t0);
      resolve();
    });
    p.on('error', reject);
  });
}

buildFile();
console.log(`file: ${file} (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB, ${packets} packets of ${size} bytes)`);
// Several rounds: the first includes JIT warm-up and page-cache fill; the machine may be busy.
for (let round = 0; round < 4; round++) {
  await benchOpen();
  benchParserInMemory();
}
await benchPcapParser();
