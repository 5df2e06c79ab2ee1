// Several capture points see the same advert: a frame with the same bytes as one another point
// delivered within COPY_WINDOW_SECONDS is a copy. The pipeline gives copies only to analyzers
// that ask for them (presence), so the election counts each advert once. Memory: the frames of
// the last window, at most MAX_TRACKED.

import type { RawFrame } from './types.js';

const COPY_WINDOW_SECONDS = 0.5;
const MAX_TRACKED = 65536;

export class CrossPointDuplicates {
  private readonly seen = new Map<string, { point: string; at: number }>();
  private readonly order: { key: string; at: number }[] = [];
  private head = 0;
  copies = 0;

  isCopy(raw: RawFrame): boolean {
    const at = raw.tsSec + raw.tsNsec / 1e9;
    while (this.head < this.order.length && (at - this.order[this.head]!.at > COPY_WINDOW_SECONDS || this.order.length - this.head > MAX_TRACKED)) {
      const old = this.order[this.head++]!;
      if (this.seen.get(old.key)?.at === old.at) this.seen.delete(old.key);
    }
    if (this.head > 4096 && this.head * 2 > this.order.length) { this.order.splice(0, this.head); this.head = 0; }
    const key = Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength).toString('latin1');
    const prior = this.seen.get(key);
    if (prior && prior.point !== raw.capturePoint && Math.abs(at - prior.at) <= COPY_WINDOW_SECONDS) {
      this.copies++;
      return true;
    }
    this.seen.set(key, { point: raw.capturePoint ?? '', at });
    this.order.push({ key, at });
    return false;
  }
}
