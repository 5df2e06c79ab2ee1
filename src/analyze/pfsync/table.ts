// The synced-state table: what a receiving pf would hold, keyed by (creator id, state id).
// Compact and numeric on purpose (a firewall pair syncs millions of states, at up to millions of
// messages a second): an open-addressing hash table (block then linear probing, tombstones) whose key is
// three u32s — creator id, state id high and low word — and whose per-state facts (peer states,
// seqlo, protocol) sit next to the key: one Uint32Array, six words a slot (c, h, l, src seqlo,
// dst seqlo, and tag | src state << 8 | dst state << 16 | proto << 24), so that a probe or a move
// touches one or two cache lines, not one per array. One probe sequence per message (find()
// returns the index every other call takes), no string or object per lookup; ids are formatted as
// hex only where a finding or the summary shows them. Consecutive state ids sit in consecutive
// slots (see home()). 24 bytes a slot, at most 70% full: ~50 MB
// for a million states.

/** The peer facts of one state that the stale rule compares (pfsync.md 11.4). */
export interface PeerFacts {
  srcState: number;
  dstState: number;
  srcSeqlo: number;
  dstSeqlo: number;
}

/** 'full': the state cap is reached; 'creators_full': a new creator id past the creator cap. */
export type InsertResult = 'inserted' | 'exists' | 'full' | 'creators_full';

const EMPTY = 0;
const USED = 1;
const DELETED = 2;
/** u32 words per slot and their offsets. */
const W = 6;
const C = 0, H = 1, L = 2, SSEQ = 3, DSEQ = 4, META = 5;

function meta(tag: number, ss: number, ds: number, proto: number): number {
  return (tag & 0xff) | ((ss & 0xff) << 8) | ((ds & 0xff) << 16) | ((proto & 0xff) << 24);
}

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * Where a state lives. Ids of a run of RUN consecutive state ids (same creator, same id but the
 * low RUN_BITS bits) share one aligned block of RUN slots, in id order (rotated by the block's
 * hash, so that no slot offset is favoured); the blocks are spread by the hash. pf numbers states
 * in sequence (OpenBSD `pf_status.stateid++`, FreeBSD per CPU), its bulk update walks them in
 * that order, and states opened together tend to be updated together: neighbouring messages then
 * touch neighbouring slots (one cache line holds ~2.7 slots) instead of one cache miss each, which
 * dominated the whole pfsync run (a 12 MB table for 250k states, 48 MB for 1M). Unrelated ids
 * still land in independent blocks.
 */
const RUN_BITS = 4;
const RUN = 1 << RUN_BITS;
const RUN_MASK = RUN - 1;
/**
 * Probing (probeNext()): a taken slot sends the key to the same offset of the next block, BLOCK_STEPS
 * times, then to the next slot. A run whose block is taken by another run so moves whole to the
 * next block (about one step per lookup) instead of each id walking through the other run's
 * slots (about ten steps with plain linear probing); the slot-by-slot tail visits every slot, so
 * a probe always ends (at an empty slot; the table is at most 70% full).
 */
const BLOCK_STEPS = 8;

function home(c: number, h: number, l: number): number {
  let x = Math.imul(c ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13) ^ h, 0xc2b2ae35);
  x = Math.imul(x ^ (x >>> 16) ^ (l >>> RUN_BITS), 0x27d4eb2f);
  x ^= x >>> 15;
  return ((x << RUN_BITS) | ((l + (x >>> 27)) & RUN_MASK)) >>> 0;
}

/** The slot probed after slot i, the `step`-th step (from 0) of a probe. */
function probeNext(i: number, step: number, mask: number): number {
  return (i + (step < BLOCK_STEPS ? RUN : 1)) & mask;
}

export class StateTable {
  private capacity = 0;
  private mask = 0;
  private count = 0;
  private tombs = 0;
  private slots = new Uint32Array(0);
  /** States per creator id (numeric). */
  readonly byCreator = new Map<number, number>();

  constructor(readonly cap: number, readonly creatorCap = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.count;
  }

  /** The facts of the state at index i (from find()). */
  proto(i: number): number { return this.slots[i * W + META]! >>> 24; }
  srcState(i: number): number { return (this.slots[i * W + META]! >>> 8) & 0xff; }
  dstState(i: number): number { return (this.slots[i * W + META]! >>> 16) & 0xff; }
  srcSeqlo(i: number): number { return this.slots[i * W + SSEQ]!; }
  dstSeqlo(i: number): number { return this.slots[i * W + DSEQ]!; }

  /** The index of a state, or -1. */
  find(c: number, h: number, l: number): number {
    if (this.capacity === 0) return -1;
    const s = this.slots;
    const mask = this.mask;
    let i = home(c, h, l) & mask;
    for (let step = 0; ; step++) {
      const o = i * W;
      const t = s[o + META]! & 0xff;
      if (t === EMPTY) return -1;
      if (t === USED && s[o + L] === l && s[o + H] === h && s[o + C] === c) return i;
      i = probeNext(i, step, mask);
    }
  }

  /** Insert a new state; 'exists' leaves the old one alone (the kernel's insert fails, EEXIST). */
  insert(c: number, h: number, l: number, proto: number, p: PeerFacts): InsertResult {
    if (this.find(c, h, l) >= 0) return 'exists';
    if (this.count >= this.cap) return 'full';
    if (this.byCreator.size >= this.creatorCap && !this.byCreator.has(c)) return 'creators_full';
    if ((this.count + this.tombs + 1) * 10 > this.capacity * 7) this.rehash();
    const s = this.slots;
    const mask = this.mask;
    let i = home(c, h, l) & mask;
    for (let step = 0; (s[i * W + META]! & 0xff) === USED; step++) i = probeNext(i, step, mask);
    if ((s[i * W + META]! & 0xff) === DELETED) this.tombs--;
    const o = i * W;
    s[o + C] = c; s[o + H] = h; s[o + L] = l;
    s[o + SSEQ] = p.srcSeqlo >>> 0; s[o + DSEQ] = p.dstSeqlo >>> 0;
    s[o + META] = meta(USED, p.srcState, p.dstState, proto);
    this.count++;
    this.byCreator.set(c, (this.byCreator.get(c) ?? 0) + 1);
    return 'inserted';
  }

  /** Overwrite the sides of the state at index i (from find()). */
  setSrc(i: number, state: number, seqlo: number): void {
    const o = i * W;
    this.slots[o + META] = (this.slots[o + META]! & ~0xff00) | ((state & 0xff) << 8);
    this.slots[o + SSEQ] = seqlo >>> 0;
  }

  setDst(i: number, state: number, seqlo: number): void {
    const o = i * W;
    this.slots[o + META] = (this.slots[o + META]! & ~0xff0000) | ((state & 0xff) << 16);
    this.slots[o + DSEQ] = seqlo >>> 0;
  }

  /** Remove the state at index i (from find()). */
  removeAt(i: number): void {
    const o = i * W;
    this.slots[o + META] = (this.slots[o + META]! & ~0xff) | DELETED;
    this.tombs++;
    this.count--;
    const c = this.slots[o + C]!;
    const n = (this.byCreator.get(c) ?? 1) - 1;
    if (n <= 0) this.byCreator.delete(c);
    else this.byCreator.set(c, n);
  }

  remove(c: number, h: number, l: number): boolean {
    const i = this.find(c, h, l);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /** CLR: remove every state of a creator; returns how many. */
  clearCreator(c: number): number {
    if (!this.byCreator.has(c)) return 0;
    let n = 0;
    for (let i = 0; i < this.capacity; i++) {
      if ((this.slots[i * W + META]! & 0xff) === USED && this.slots[i * W + C] === c) { this.removeAt(i); n++; }
    }
    return n;
  }

  /** Grow (or clean tombstones) to keep the table at most 70% full; moves every state. */
  private rehash(): void {
    let next = Math.max(1024, this.capacity);
    while ((this.count + 1) * 10 > next * 5) next *= 2;
    const old = this.slots;
    const oldCap = this.capacity;
    const s = new Uint32Array(next * W);
    const mask = next - 1;
    for (let j = 0; j < oldCap; j++) {
      const f = j * W;
      if ((old[f + META]! & 0xff) !== USED) continue;
      const c = old[f + C]!, h = old[f + H]!, l = old[f + L]!;
      let i = home(c, h, l) & mask;
      for (let step = 0; (s[i * W + META]! & 0xff) === USED; step++) i = probeNext(i, step, mask);
      const o = i * W;
      s[o + C] = c; s[o + H] = h; s[o + L] = l;
      s[o + SSEQ] = old[f + SSEQ]!; s[o + DSEQ] = old[f + DSEQ]!; s[o + META] = old[f + META]!;
    }
    this.slots = s;
    this.capacity = next;
    this.mask = mask;
    this.tombs = 0;
  }
}
