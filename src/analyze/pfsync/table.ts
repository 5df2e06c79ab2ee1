// The synced-state table: what a receiving pf would hold, keyed by (creator id, state id).
// Compact and numeric on purpose (a firewall pair syncs millions of states, at up to millions of
// messages a second): an open-addressing hash table (linear probing, tombstones) whose key is
// three u32s — creator id, state id high and low word — and whose per-state facts (peer states,
// seqlo, protocol) sit in typed arrays at the key's own index. One probe sequence per message
// (find() returns the index every other call takes), no string or object per lookup; ids are
// formatted as hex only where a finding or the summary shows them. About 24 bytes a slot, at most
// 70% full: ~50 MB for a million states.

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

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function hash(c: number, h: number, l: number): number {
  let x = Math.imul(c ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13) ^ h, 0xc2b2ae35);
  x = Math.imul(x ^ (x >>> 16) ^ l, 0x27d4eb2f);
  return (x ^ (x >>> 15)) >>> 0;
}

export class StateTable {
  private capacity = 0;
  private mask = 0;
  private count = 0;
  private tombs = 0;
  private tag = new Uint8Array(0);
  private kc = new Uint32Array(0);
  private kh = new Uint32Array(0);
  private kl = new Uint32Array(0);
  srcState = new Uint8Array(0);
  dstState = new Uint8Array(0);
  srcSeqlo = new Uint32Array(0);
  dstSeqlo = new Uint32Array(0);
  proto = new Uint8Array(0);
  /** States per creator id (numeric). */
  readonly byCreator = new Map<number, number>();

  constructor(readonly cap: number, readonly creatorCap = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.count;
  }

  /** The index of a state, or -1. */
  find(c: number, h: number, l: number): number {
    if (this.capacity === 0) return -1;
    let i = hash(c, h, l) & this.mask;
    for (;;) {
      const t = this.tag[i]!;
      if (t === EMPTY) return -1;
      if (t === USED && this.kl[i] === l && this.kh[i] === h && this.kc[i] === c) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Insert a new state; 'exists' leaves the old one alone (the kernel's insert fails, EEXIST). */
  insert(c: number, h: number, l: number, proto: number, p: PeerFacts): InsertResult {
    if (this.find(c, h, l) >= 0) return 'exists';
    if (this.count >= this.cap) return 'full';
    if (this.byCreator.size >= this.creatorCap && !this.byCreator.has(c)) return 'creators_full';
    if ((this.count + this.tombs + 1) * 10 > this.capacity * 7) this.rehash();
    let i = hash(c, h, l) & this.mask;
    while (this.tag[i] === USED) i = (i + 1) & this.mask;
    if (this.tag[i] === DELETED) this.tombs--;
    this.tag[i] = USED;
    this.kc[i] = c; this.kh[i] = h; this.kl[i] = l;
    this.proto[i] = proto;
    this.write(i, p.srcState, p.dstState, p.srcSeqlo, p.dstSeqlo);
    this.count++;
    this.byCreator.set(c, (this.byCreator.get(c) ?? 0) + 1);
    return 'inserted';
  }

  /** Overwrite the sides of the state at index i (from find()). */
  setSrc(i: number, state: number, seqlo: number): void { this.srcState[i] = state; this.srcSeqlo[i] = seqlo >>> 0; }
  setDst(i: number, state: number, seqlo: number): void { this.dstState[i] = state; this.dstSeqlo[i] = seqlo >>> 0; }

  /** Remove the state at index i (from find()). */
  removeAt(i: number): void {
    this.tag[i] = DELETED;
    this.tombs++;
    this.count--;
    const c = this.kc[i]!;
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
      if (this.tag[i] === USED && this.kc[i] === c) { this.removeAt(i); n++; }
    }
    return n;
  }

  private write(i: number, ss: number, ds: number, sl: number, dl: number): void {
    this.srcState[i] = ss;
    this.dstState[i] = ds;
    this.srcSeqlo[i] = sl >>> 0;
    this.dstSeqlo[i] = dl >>> 0;
  }

  /** Grow (or clean tombstones) to keep the table at most 70% full; moves every state. */
  private rehash(): void {
    let next = Math.max(1024, this.capacity);
    while ((this.count + 1) * 10 > next * 5) next *= 2;
    const old = {
      cap: this.capacity, tag: this.tag, kc: this.kc, kh: this.kh, kl: this.kl,
      ss: this.srcState, ds: this.dstState, sl: this.srcSeqlo, dl: this.dstSeqlo, pr: this.proto,
    };
    this.capacity = next;
    this.mask = next - 1;
    this.tombs = 0;
    this.tag = new Uint8Array(next);
    this.kc = new Uint32Array(next);
    this.kh = new Uint32Array(next);
    this.kl = new Uint32Array(next);
    this.srcState = new Uint8Array(next);
    this.dstState = new Uint8Array(next);
    this.srcSeqlo = new Uint32Array(next);
    this.dstSeqlo = new Uint32Array(next);
    this.proto = new Uint8Array(next);
    for (let j = 0; j < old.cap; j++) {
      if (old.tag[j] !== USED) continue;
      const c = old.kc[j]!, h = old.kh[j]!, l = old.kl[j]!;
      let i = hash(c, h, l) & this.mask;
      while (this.tag[i] === USED) i = (i + 1) & this.mask;
      this.tag[i] = USED;
      this.kc[i] = c; this.kh[i] = h; this.kl[i] = l;
      this.proto[i] = old.pr[j]!;
      this.write(i, old.ss[j]!, old.ds[j]!, old.sl[j]!, old.dl[j]!);
    }
  }
}
