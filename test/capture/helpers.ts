// Shared helpers for the capture tests: run the push parser over bytes in a given chunking
// and snapshot what it emitted (copying data, since frames may view a reused buffer).

import { CaptureParser } from '../../src/capture/parser.js';
import type { RawFrame } from '../../src/capture/types.js';
import { mulberry32 } from '../builders/capture.js';

export interface FrameSnapshot {
  number: number;
  tsSec: number;
  tsNsec: number;
  tsDigits: number;
  linktype: number;
  interfaceId: number;
  capturedLength: number;
  originalLength: number;
  data: number[];
  timeOutOfRange?: string;
}

export function snapshot(f: RawFrame): FrameSnapshot {
  return {
    number: f.number,
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    tsDigits: f.tsDigits,
    linktype: f.linktype,
    interfaceId: f.interfaceId,
    capturedLength: f.capturedLength,
    originalLength: f.originalLength,
    data: Array.from(f.data),
    ...(f.timeOutOfRange !== undefined ? { timeOutOfRange: f.timeOutOfRange } : {}),
  };
}

export interface ParseResult {
  frames: FrameSnapshot[];
  error?: unknown;
  format?: string;
  bytesConsumed: number;
}

export type Chunking = 'whole' | 'bytewise' | { seed: number; max: number };

/** Feeds `bytes` in the given chunking (each chunk a fresh copy, then scribbled over). */
export function parseBytes(bytes: Uint8Array, chunking: Chunking = 'whole'): ParseResult {
  const frames: FrameSnapshot[] = [];
  const parser = new CaptureParser((f) => {
    if (f.data.length !== f.capturedLength) throw new Error('data.length != capturedLength');
    frames.push(snapshot(f));
  });
  const sizes = chunkSizes(bytes.length, chunking);
  let error: unknown;
  try {
    let at = 0;
    for (const n of sizes) {
      // A reused-buffer imitation: the chunk is overwritten after feed() returns.
      const chunk = bytes.slice(at, at + n);
      parser.feed(chunk);
      chunk.fill(0xee);
      at += n;
    }
    parser.end();
  } catch (e) {
    error = e;
  }
  return { frames, error, format: parser.format, bytesConsumed: parser.bytesConsumed };
}

function chunkSizes(total: number, chunking: Chunking): number[] {
  if (chunking === 'whole') return total > 0 ? [total] : [];
  const sizes: number[] = [];
  if (chunking === 'bytewise') {
    for (let i = 0; i < total; i++) sizes.push(1);
    return sizes;
  }
  const rand = mulberry32(chunking.seed);
  let left = total;
  while (left > 0) {
    const n = Math.min(left, 1 + Math.floor(rand() * chunking.max));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}
