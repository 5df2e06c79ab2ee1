// openCaptureFile: plain files, gzip, standard input (through a child process), error
// messages, stop(), and the same capture converted by editcap (pcapng, nanosecond pcap).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describeFsError, openCaptureFile } from '../../src/capture/open.js';
import { CaptureFormatError, CarpdumpError } from '../../src/errors.js';
import { buildPcap, buildPcapng, mulberry32, payload, type PcapRecordSpec } from '../builders/capture.js';
import { snapshot, type FrameSnapshot } from './helpers.js';
import { skipReason } from '../support/skip.js';

const dir = mkdtempSync(join(tmpdir(), 'carpdump-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function readAll(path: string): Promise<{ frames: FrameSnapshot[]; error?: unknown }> {
  const frames: FrameSnapshot[] = [];
  try {
    await openCaptureFile(path).run((f) => frames.push(snapshot(f)));
    return { frames };
  } catch (error) {
    return { frames, error };
  }
}

function records(count: number, seed: number): PcapRecordSpec[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => ({
    tsSec: 1_700_000_000 + i,
    tsFrac: Math.floor(rand() * 1_000_000),
    data: payload(14 + Math.floor(rand() * 1500), i),
  }));
}

const RECORDS = records(50, 5);
const PCAP = buildPcap({ endian: 'le', records: RECORDS });

describe('openCaptureFile', () => {
  it('reads a plain file', async () => {
    const r = await readAll(write('plain.pcap', PCAP));
    assert.equal(r.error, undefined);
    assert.equal(r.frames.length, RECORDS.length);
    assert.deepEqual(r.frames[7]?.data, Array.from(RECORDS[7]?.data ?? []));
  });

  it('reads gzip-compressed pcap and pcapng by their magic', async () => {
    const plain = await readAll(write('a.pcap', PCAP));
    const gz = await readAll(write('a.pcap.gz', gzipSync(PCAP)));
    assert.deepEqual(gz, plain);
    const ng = buildPcapng([
      { endian: 'be', blocks: [{ kind: 'idb', linktype: 1 }, { kind: 'epb', interfaceId: 0, ts: 5n, data: payload(20, 1) }] },
    ]);
    const ngz = await readAll(write('n.pcapng.gz', gzipSync(ng)));
    assert.equal(ngz.error, undefined);
    assert.equal(ngz.frames.length, 1);
    const src = openCaptureFile(join(dir, 'n.pcapng.gz'));
    await src.run(() => undefined);
    assert.equal(src.format, 'pcapng');
    assert.equal(src.compressed, true);
  });

  it('says which file is missing, in one line', () => {
    const path = join(dir, 'nope.pcap');
    assert.throws(() => openCaptureFile(path), (e: unknown) => {
      assert.ok(e instanceof CarpdumpError);
      assert.equal(e.message, `cannot read ${path}: no such file`);
      return true;
    });
  });

  it('refuses a directory', () => {
    assert.throws(() => openCaptureFile(dir), { message: `cannot read ${dir}: is a directory` });
  });

  it('maps permission errors to a short text', () => {
    assert.equal(describeFsError(Object.assign(new Error('x'), { code: 'EACCES' })), 'permission denied');
  });

  it('names the file in a truncation error, after delivering the complete frames', async () => {
    const path = write('cut.pcap', PCAP.subarray(0, PCAP.length - 5));
    const r = await readAll(path);
    assert.equal(r.frames.length, RECORDS.length - 1);
    assert.ok(r.error instanceof CaptureFormatError);
    assert.match(r.error.message, new RegExp(`^${path.replace(/[.]/g, '\\.')}: truncated record at byte \\d+: header says \\d+ bytes, \\d+ present$`));
  });

  it('names the file and the magic of a non-capture', async () => {
    const path = write('text.txt', new TextEncoder().encode('#!/bin/sh\necho hi\n'));
    const r = await readAll(path);
    assert.ok(r.error instanceof CarpdumpError);
    assert.equal(r.error.message, `${path}: not a pcap or pcapng file (magic 0x23212f62)`);
  });

  it('reports corrupt gzip data as a CarpdumpError', async () => {
    const gz = gzipSync(PCAP);
    const bad = gz.slice();
    for (let i = 20; i < 60; i++) bad[i] = 0;
    const r = await readAll(write('bad.pcap.gz', bad));
    assert.ok(r.error instanceof CarpdumpError, String(r.error));
    assert.equal(r.error.message.includes('\n'), false);
    const cut = await readAll(write('cut.pcap.gz', gz.subarray(0, gz.length - 100)));
    assert.ok(cut.error instanceof CarpdumpError, String(cut.error));
  });

  for (const gz of [false, true]) {
    it(`stop() ends run() after the current frame${gz ? ' (gzip)' : ''}`, async () => {
      const src = openCaptureFile(write(`stop${gz ? '.gz' : ''}`, gz ? gzipSync(PCAP) : PCAP));
      const seen: number[] = [];
      await src.run((f) => {
        seen.push(f.number);
        if (f.number === 3) src.stop();
      });
      assert.deepEqual(seen, [1, 2, 3]);
    });
  }

  it('passes an error thrown by the sink through unchanged', async () => {
    const boom = new Error('sink failed');
    await assert.rejects(
      openCaptureFile(write('sink.pcap', PCAP)).run(() => {
        throw boom;
      }),
      (e: unknown) => e === boom,
    );
  });
});

// ---------------------------------------------------------------- standard input

const openModule = fileURLToPath(new URL('../../src/capture/open.js', import.meta.url));
const STDIN_SCRIPT = `
import { openCaptureFile } from ${JSON.stringify(openModule)};
const src = openCaptureFile('-');
try {
  await src.run((f) => process.stdout.write(JSON.stringify([f.number, f.tsSec, f.tsNsec, f.capturedLength, Buffer.from(f.data).toString('hex')]) + '\\n'));
} catch (e) {
  process.stderr.write(e.message + '\\n');
  process.exitCode = 1;
}
`;

/** Runs the stdin script with `input` piped, or with an open file descriptor as stdin. */
function runStdin(input: Uint8Array | number): { frames: unknown[]; stderr: string; status: number | null } {
  const options = typeof input === 'number' ? { stdio: [input, 'pipe', 'pipe'] as ['pipe' | number, 'pipe', 'pipe'] } : { input };
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', STDIN_SCRIPT], { ...options, maxBuffer: 64 << 20 });
  const lines = r.stdout.toString().split('\n').filter((l) => l !== '');
  return { frames: lines.map((l) => JSON.parse(l) as unknown), stderr: r.stderr.toString(), status: r.status };
}

describe("openCaptureFile('-')", () => {
  const expected = RECORDS.map((r, i) => [i + 1, r.tsSec, r.tsFrac * 1000, r.data.length, Buffer.from(r.data).toString('hex')]);

  it('reads a pcap from standard input', () => {
    const r = runStdin(PCAP);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.frames, expected);
  });

  it('reads gzip from standard input', () => {
    const r = runStdin(gzipSync(PCAP));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.frames, expected);
  });

  for (const gz of [false, true]) {
    it(`reads standard input redirected from a file${gz ? ' (gzip)' : ''}, from its current position`, () => {
      const junk = new Uint8Array(10).fill(0x55);
      const body = gz ? gzipSync(PCAP) : PCAP;
      const path = write(`stdin${gz ? '.gz' : ''}`, Buffer.concat([junk, body]));
      const fd = openSync(path, 'r');
      try {
        readSync(fd, new Uint8Array(junk.length), 0, junk.length, null); // the shell read these already
        const r = runStdin(fd);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.frames, expected);
      } finally {
        closeSync(fd);
      }
    });
  }

  it('reports a truncated stream on stdin with its name', () => {
    const r = runStdin(PCAP.subarray(0, 100));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^standard input: truncated record at byte 24: header says \d+ bytes, 60 present\n$/);
  });

  it('reports empty standard input', () => {
    const r = runStdin(new Uint8Array(0));
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'standard input: empty file: no pcap or pcapng header\n');
  });
});

// ---------------------------------------------------------------- the same capture, four containers

describe('same capture as pcap, nanosecond pcap, pcapng and gzip', () => {
  const skip = skipReason({ commands: ['editcap'] }); // wireshark tools

  it('gives the same frames in every container', { skip }, async () => {
    const micro = write('same.pcap', buildPcap({ endian: 'be', linktype: 113, records: RECORDS }));
    const convert = (format: string, out: string): string => {
      const path = join(dir, out);
      const r = spawnSync('editcap', ['-F', format, micro, path]);
      assert.equal(r.status, 0, `editcap -F ${format}: ${r.stderr.toString()}`);
      return path;
    };
    const variants: Array<[string, string, number]> = [
      ['pcap', micro, 6],
      ['pcapng', convert('pcapng', 'same.pcapng'), 6],
      ['nsecpcap', convert('nsecpcap', 'same.nsec.pcap'), 9],
    ];
    const base = await readAll(micro);
    assert.equal(base.error, undefined);
    const strip = (frames: FrameSnapshot[]): Array<Omit<FrameSnapshot, 'tsDigits'>> =>
      frames.map(({ tsDigits: _digits, ...rest }) => rest);
    for (const [name, path, digits] of variants) {
      for (const gz of [false, true]) {
        const file = gz ? write(`${name}.gz`, gzipSync(readFileSync(path))) : path;
        const r = await readAll(file);
        assert.equal(r.error, undefined, `${name}${gz ? ' gz' : ''}: ${String(r.error)}`);
        assert.deepEqual(strip(r.frames), strip(base.frames), `${name}${gz ? ' gz' : ''}`);
        assert.ok(r.frames.every((f) => f.tsDigits === digits), `${name} tsDigits`);
      }
    }
  });
});
