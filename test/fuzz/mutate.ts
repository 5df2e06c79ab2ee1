// Mutations for the fuzz campaign: bit flips, truncation, length-field lies, pcapng block-type
// swaps and gzip damage, over the samples' bytes. Deterministic given the random source.

import { gzipSync } from 'node:zlib';
import { mulberry32 } from '../builders/capture.js';

export type Rand = () => number;

/** The builders' PRNG (mulberry32). */
export const mulberry: (seed: number) => Rand = mulberry32;

const int = (r: Rand, n: number): number => Math.floor(r() * n);

export const MUTATIONS = ['bitflip', 'truncate', 'length-lie', 'block-swap', 'gzip-damage', 'splice'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export function mutate(input: Uint8Array, r: Rand): { bytes: Uint8Array; how: Mutation } {
  const how = MUTATIONS[int(r, MUTATIONS.length)]!;
  const b = Uint8Array.from(input);
  const v = new DataView(b.buffer);
  switch (how) {
    case 'bitflip':
      for (let i = 1 + int(r, 8); i > 0; i--) { const at = int(r, b.length); b[at] = b[at]! ^ (1 << int(r, 8)); }
      return { bytes: b, how };
    case 'truncate':
      return { bytes: b.subarray(0, int(r, b.length)), how };
    case 'length-lie': {
      // A 32-bit field at a 4-aligned offset (pcap caplen/len, pcapng block lengths, IP lengths nearby) set to an edge value.
      const at = int(r, Math.max(1, (b.length >> 2) - 1)) * 4;
      const values = [0, 1, 0xffffffff, 0x7fffffff, 0x10000000, v.getUint32(at, true) + 1 + int(r, 64), 12, 16];
      if (at + 4 <= b.length) v.setUint32(at, values[int(r, values.length)]! >>> 0, r() < 0.5);
      return { bytes: b, how };
    }
    case 'block-swap': {
      // Rewrite a 4-aligned word to a pcapng block type (SHB, IDB, PB, SPB, EPB, or unknown).
      const at = int(r, Math.max(1, (b.length >> 2) - 1)) * 4;
      const types = [0x0a0d0d0a, 1, 2, 3, 6, 5, 0xbad];
      if (at + 4 <= b.length) v.setUint32(at, types[int(r, types.length)]!, true);
      return { bytes: b, how };
    }
    case 'gzip-damage': {
      const gz = Uint8Array.from(gzipSync(b));
      const k = int(r, 3);
      if (k === 0) return { bytes: gz.subarray(0, int(r, gz.length)), how };
      if (k === 1) { const at = int(r, gz.length); gz[at] = gz[at]! ^ 0xff; return { bytes: gz, how }; }
      const tail = Uint8Array.from({ length: 1 + int(r, 200) }, () => int(r, 256));
      const out = new Uint8Array(gz.length + tail.length);
      out.set(gz);
      out.set(tail, gz.length);
      return { bytes: out, how };
    }
    case 'splice': {
      // Duplicate a random slice in place (records repeated, overlapping headers).
      const from = int(r, b.length);
      const len = int(r, Math.min(512, b.length - from));
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, from + len));
      out.set(b.subarray(from, from + len), from + len);
      out.set(b.subarray(from + len), from + 2 * len);
      return { bytes: out, how };
    }
  }
}

/** Input `index` of a campaign: a sample from `pool`, mutated once or twice. */
export function inputFor(index: number, pool: readonly Uint8Array[], campaignSeed: number): { bytes: Uint8Array; how: string; from: number } {
  const r = mulberry((campaignSeed * 1000003 + index) >>> 0);
  const from = Math.floor(r() * pool.length);
  let m = mutate(pool[from]!, r);
  const how = [m.how];
  if (r() < 0.3) { m = mutate(m.bytes, r); how.push(m.how); }
  return { bytes: m.bytes, how: how.join('+'), from };
}
