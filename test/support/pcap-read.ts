// The pfsync conformance tests' own small reader of classic pcap files (independent of
// src/capture, so a reader bug cannot hide behind itself).

import fs from 'node:fs';
import type { RawFrame } from '../../src/capture/types.js';

/** Classic pcap (either byte order, microsecond magic): the test's own small reader. */
export function readPcap(file: string): RawFrame[] {
  const b = fs.readFileSync(file);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const linktype = u32(20);
  const frames: RawFrame[] = [];
  for (let off = 24; off + 16 <= b.length;) {
    const incl = u32(off + 8);
    const data = new Uint8Array(b.subarray(off + 16, off + 16 + incl));
    frames.push({
      number: frames.length + 1, tsSec: u32(off), tsNsec: u32(off + 4) * 1000, tsDigits: 6, linktype,
      interfaceId: 0, capturedLength: incl, originalLength: u32(off + 12), data,
    });
    off += 16 + incl;
  }
  return frames;
}

