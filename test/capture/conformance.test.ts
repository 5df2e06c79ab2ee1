// Conformance on the shared reference captures (../shared beside the clone): every frame's
// number, timestamp, lengths and interface must equal what tshark reports (for the link
// types tshark 4.0 refuses in pcap, such as 246 DLT_PFSYNC, what the npm pcap-parser
// reports), and a classic pcap copied through PcapWriter must come out with identical
// records (the file header's thiszone/sigfigs/snaplen are the writer's own).
// Outside CI, skips when ../shared or tshark is missing; in CI, fails.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCaptureFile } from '../../src/capture/open.js';
import type { RawFrame } from '../../src/capture/types.js';
import { PcapWriter } from '../../src/capture/writer.js';
import { SHARED as shared } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const haveShared = existsSync(shared);

function captureFiles(): string[] {
  const out: string[] = [];
  for (const sub of ['captures', 'corpus/public']) {
    const d = join(shared, sub);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d).sort()) {
      if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(name)) out.push(join(d, name));
    }
  }
  return out;
}

interface Row {
  number: number;
  ts: string;
  caplen: number;
  len: number;
  iface: number;
}

async function ours(path: string): Promise<{ rows: Row[]; frames: RawFrame[]; error?: unknown }> {
  const rows: Row[] = [];
  const frames: RawFrame[] = [];
  try {
    await openCaptureFile(path).run((f) => {
      rows.push({
        number: f.number,
        ts: `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`,
        caplen: f.capturedLength,
        len: f.originalLength,
        iface: f.interfaceId,
      });
      frames.push({ ...f, data: f.data.slice() });
    });
    return { rows, frames };
  } catch (error) {
    return { rows, frames, error };
  }
}

interface PcapParserEmitter {
  on(event: 'packet', listener: (p: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number } }) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(path: string): PcapParserEmitter };

/** The npm pcap-parser's view of a microsecond pcap, as rows. */
function viaPcapParser(path: string): Promise<Row[]> {
  return new Promise((resolvePromise, reject) => {
    const rows: Row[] = [];
    const p = pcapParser.parse(path);
    p.on('packet', ({ header: h }) => {
      rows.push({
        number: rows.length + 1,
        ts: `${h.timestampSeconds}.${String(h.timestampMicroseconds * 1000).padStart(9, '0')}`,
        caplen: h.capturedLength,
        len: h.originalLength,
        iface: 0,
      });
    });
    p.on('end', () => resolvePromise(rows));
    p.on('error', reject);
  });
}

function tshark(path: string): { rows: Row[]; ok: boolean; unsupported: boolean } {
  const r = spawnSync(
    'tshark',
    ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len', '-e', 'frame.interface_id'],
    { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 256 << 20 },
  );
  const rows = r.stdout
    .toString()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [n, ts, caplen, len, iface] = l.split('\t');
      return { number: Number(n), ts: ts ?? '', caplen: Number(caplen), len: Number(len), iface: iface ? Number(iface) : 0 };
    });
  const unsupported = /network type \d+ unknown or unsupported/.test(r.stderr.toString());
  return { rows, ok: r.status === 0, unsupported };
}

describe('reference captures', () => {
  const skip = skipReason({ paths: [shared], commands: ['tshark'] });
  const dir = mkdtempSync(join(tmpdir(), 'carpdump-conf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const files = haveShared ? captureFiles() : [];

  it('finds capture files', { skip }, () => {
    assert.ok(files.length > 0, `no capture in ${shared}`);
  });

  for (const path of files) {
    const name = path.slice(shared.length + 1);
    it(`${name}: frames as tshark reads them`, { skip }, async () => {
      const mine = await ours(path);
      const theirs = tshark(path);
      if (theirs.unsupported) {
        assert.equal(mine.error, undefined, String(mine.error));
        assert.ok(mine.rows.length > 0);
        assert.deepEqual(mine.rows, await viaPcapParser(path));
      } else if (theirs.ok) {
        assert.equal(mine.error, undefined, String(mine.error));
        assert.deepEqual(mine.rows, theirs.rows);
      } else {
        // A damaged file: both deliver the same complete frames before the damage.
        assert.ok(mine.error !== undefined, 'tshark failed but we did not');
        assert.deepEqual(mine.rows.slice(0, theirs.rows.length), theirs.rows);
      }
    });

    // Only little-endian microsecond pcap can be byte-identical: other files get no such test
    // (rather than a test that passes without asserting anything).
    if (readFileSync(path).subarray(0, 4).readUInt32LE(0) !== 0xa1b2c3d4) continue;
    it(`${name}: copied through PcapWriter unchanged`, { skip }, async () => {
      const original = readFileSync(path);
      const mine = await ours(path);
      const copy = join(dir, 'copy.pcap');
      // Fuzzed files hold records longer than their header's snaplen: keep them whole.
      const snaplen = Math.max(original.readUInt32LE(16), ...mine.frames.map((f) => f.capturedLength));
      const linktype = original.readUInt32LE(20) & 0xffff;
      const w = new PcapWriter(copy, { linktype, snaplen });
      for (const f of mine.frames) w.writeFrame(f);
      w.close();
      assert.equal(w.packetsWritten, mine.frames.length);
      const written = readFileSync(copy);
      if (mine.error !== undefined) {
        // A damaged file: the frames read before the damage are copied byte for byte.
        assert.ok(written.length < original.length, 'an error was reported but every byte was copied');
        assert.ok(written.subarray(24).equals(original.subarray(24, written.length)), 'records before the damage differ');
        return;
      }
      assert.equal(written.length, original.length);
      assert.equal(written.readUInt32LE(20), linktype);
      assert.ok(written.subarray(24).equals(original.subarray(24)), 'records differ');
    });
  }
});
