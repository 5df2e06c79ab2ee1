// The (counter, HMAC) pairs a VHID group has seen, for replay detection (group.ts checkReplay):
// the last `capacity` pairs, each with who sent it first (source address, Ethernet source) and
// in which frame. Numbers in typed arrays, not a Map of text keys: the keys were ~60-character
// strings (HMAC hex + counter decimal) hashed per advert and kept alive for thousands of adverts,
// which the young-generation GC copied before promoting them. On 200k adverts with --carp-pass
// and --vip this table took the analysis from 2.16 to 1.37 s of CPU and 131 to 103 MB.
//
// A ring of up to `capacity` slots (it starts small and doubles; once full, the oldest pair is
// overwritten) and an open-addressing index (linear probing) of at least four times as many
// buckets. A pair is 7 words: the HMAC's five big-endian words, the counter's high and low word;
// a bucket is one word, its slot and a tag of its hash, and a lookup compares the seven words
// only when the tags agree. An overwritten slot is not taken out of the index: its bucket stays, stale, and
// a lookup that reaches it finds other words in the slot and probes on (the ring holds each pair
// once, so a slot whose words match is that pair's live entry). When the index holds twice as
// many entries as slots, it is built again from the live slots. Per advert that is one probe
// (findOrAdd) where it was two and a backward-shift deletion: on 1M adverts the deletion alone
// was 5% of the run. Pairs crafted to share the fast hash switch the table to a keyed one
// (LONG_PROBE, keyedHash).

import { SHA1_IV } from './sha1.js';
import { compressAt } from './sha1-unrolled.js';

/** Words per pair: HMAC (5), counter high, counter low. */
const W = 7;

/**
 * A probe this long means the pairs were chosen to collide (random digests make runs of this
 * length practically impossible at the index's load of at most one half): the table then
 * hashes with a secret key (keyedHash) from there on.
 */
const LONG_PROBE = 64;

/**
 * A pair's hash, whose top bits are its home bucket: Fibonacci hashing (the top bits of a
 * product, which every input bit reaches). The HMAC's first word is uniform already (a keyed
 * digest); the counter is mixed in so that a stream of one HMAC with other counters (forged or
 * broken senders) spreads too.
 */
function hashOf(md0: number, hi: number, lo: number): number {
  return Math.imul(md0 ^ lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
}

/**
 * The pair's hash under a secret key, for a table whose pairs collided under hashOf (see
 * LONG_PROBE): the first word of one SHA-1 compression of the key's nine words and the pair's
 * seven. hashOf sees only three words, through an invertible mix, so anyone can make pairs
 * share its hash (the same first digest word xor counter, the rest varied): on 100k such
 * adverts every lookup walked a run of thousands of buckets, ~30 µs per advert. Without the
 * key that cannot be done here.
 */
function keyedHash(block: Int32Array, state: Int32Array, md: Int32Array, o: number, hi: number, lo: number): number {
  block[9] = md[o]!; block[10] = md[o + 1]!; block[11] = md[o + 2]!; block[12] = md[o + 3]!; block[13] = md[o + 4]!;
  block[14] = hi; block[15] = lo;
  state[0] = SHA1_IV[0]; state[1] = SHA1_IV[1]; state[2] = SHA1_IV[2]; state[3] = SHA1_IV[3]; state[4] = SHA1_IV[4];
  compressAt(state, block, 0);
  return state[0]!;
}

/** A bucket's tag bits: the hash's bits below the home bucket's (rotated up), which tell apart entries of one home. */
function tagOf(h: number): number {
  return (h << 14) | (h >>> 18);
}

export interface SeenSender {
  readonly src: string;
  readonly ethSrc: string | undefined;
  readonly frame: number;
}

/** Slots a table starts with; it doubles up to its capacity as pairs arrive. */
const INITIAL_SLOTS = 256;

export class SeenPairs {
  private words!: Int32Array;
  private srcs!: string[];
  private eths!: (string | undefined)[];
  private frames!: Float64Array;
  /**
   * One word per bucket: slot + 1 in the low `slotBits` bits (0: empty), the pair's hash in the
   * others (its tag), so that a probe compares the pair's words only when the tags agree. One
   * word, not two: the index is read at a random bucket per advert, and a smaller one stays in
   * the caches that the reader's and the allocator's streaming keep evicting.
   */
  private index!: Int32Array;
  private mask = 0;
  private shift = 32;
  /** Slots allocated now (<= capacity). */
  private slots = 0;
  /** Entries in the index, live and stale; at `2 * slots` it is built again. */
  private entries = 0;
  private next = 0;
  private count = 0;
  private readonly slotMask: number;
  private readonly tagMask: number;
  /** Once a probe was LONG_PROBE buckets: the key's nine words then the pair's seven (keyedHash), and scratch. */
  private keyBlock: Int32Array | undefined;
  private readonly keyState = new Int32Array(5);

  constructor(private readonly capacity: number) {
    const slotBits = 32 - Math.clz32(capacity);
    this.slotMask = (1 << slotBits) - 1;
    this.tagMask = ~this.slotMask;
    this.allocate(Math.min(INITIAL_SLOTS, capacity));
  }

  private allocate(slots: number): void {
    let buckets = 1;
    while (buckets < 4 * slots) buckets <<= 1;
    this.slots = slots;
    this.entries = 0;
    this.index = new Int32Array(buckets);
    this.mask = buckets - 1;
    this.shift = 32 - Math.log2(buckets);
    this.words = new Int32Array(slots * W);
    this.srcs = new Array<string>(slots).fill('');
    this.eths = new Array<string | undefined>(slots).fill(undefined);
    this.frames = new Float64Array(slots);
  }

  /** Twice the slots (up to the capacity): the pairs copied in order, the index rebuilt. */
  private grow(): void {
    // called only when full before the first wrap-around: slot 0 is the oldest
    const { words, srcs, eths, frames, count } = this;
    this.allocate(Math.min(2 * this.slots, this.capacity));
    this.next = 0;
    this.count = 0;
    for (let i = 0; i < count; i++) {
      this.add(words.subarray(i * W, i * W + 5), words[i * W + 5]!, words[i * W + 6]!, srcs[i]!, eths[i], frames[i]!);
    }
  }

  /** Whether the table hashes with its secret key (its pairs collided: LONG_PROBE). */
  get keyed(): boolean { return this.keyBlock !== undefined; }

  /** The pair's hash: hashOf, or keyedHash once the table is keyed. */
  private hash(md: Int32Array, hi: number, lo: number): number {
    const k = this.keyBlock;
    return k === undefined ? hashOf(md[0]!, hi, lo) : keyedHash(k, this.keyState, md, 0, hi, lo);
  }

  /** A random key from now on (crypto.getRandomValues), the index built again with it. */
  private rekey(): void {
    const k = new Int32Array(16);
    globalThis.crypto.getRandomValues(k.subarray(0, 9));
    this.keyBlock = k;
    this.reindex();
  }

  private equals(slot: number, md: Int32Array, hi: number, lo: number): boolean {
    const w = this.words, o = slot * W;
    return w[o] === md[0] && w[o + 1] === md[1] && w[o + 2] === md[2] && w[o + 3] === md[3] && w[o + 4] === md[4]
      && w[o + 5] === hi && w[o + 6] === lo;
  }

  /**
   * The slot holding the pair of hash `h`, else ~b for the empty bucket b that ends its probe
   * (where it goes in).
   */
  private probe(h: number, md: Int32Array, hi: number, lo: number): number {
    const index = this.index, mask = this.mask, tagMask = this.tagMask, slotMask = this.slotMask, tag = tagOf(h) & tagMask;
    let b = h >>> this.shift;
    for (let e = index[b]!; e !== 0; b = (b + 1) & mask, e = index[b]!) {
      if ((e & tagMask) === tag && this.equals((e & slotMask) - 1, md, hi, lo)) return (e & slotMask) - 1;
    }
    return ~b;
  }

  /** Who sent this pair first, while it is among the last `capacity` pairs added. */
  get(md: Int32Array, hi: number, lo: number): SeenSender | undefined {
    const slot = this.probe(this.hash(md, hi, lo), md, hi, lo);
    if (slot < 0) return undefined;
    return { src: this.srcs[slot]!, ethSrc: this.eths[slot], frame: this.frames[slot]! };
  }

  /** The slot holding this pair, or -1 after adding it (with who sent it, in which frame): get() then add(), one probe. */
  findOrAdd(md: Int32Array, hi: number, lo: number, src: string, ethSrc: string | undefined, frame: number): number {
    if (this.count === this.slots && this.slots < this.capacity) this.grow();
    else if (this.entries === 2 * this.slots) this.reindex();
    const h = this.hash(md, hi, lo), at = this.probe(h, md, hi, lo);
    if (at >= 0) return at;
    const b = ~at;
    this.put(b, h, md, hi, lo, src, ethSrc, frame);
    // the run walked from the pair's home bucket to the empty one
    if (((b - (h >>> this.shift)) & this.mask) >= LONG_PROBE && this.keyBlock === undefined) this.rekey();
    return -1;
  }

  /** Who sent the pair in `slot` first (findOrAdd's answer), and in which frame. */
  srcAt(slot: number): string { return this.srcs[slot]!; }
  ethSrcAt(slot: number): string | undefined { return this.eths[slot]; }
  frameAt(slot: number): number { return this.frames[slot]!; }

  /** Add a pair unless it is held; the oldest is forgotten when all slots are used. */
  add(md: Int32Array, hi: number, lo: number, src: string, ethSrc: string | undefined, frame: number): void {
    this.findOrAdd(md, hi, lo, src, ethSrc, frame);
  }

  /** The pair into the next slot (over the oldest once all are used) and into the empty bucket `b`. */
  private put(b: number, h: number, md: Int32Array, hi: number, lo: number, src: string, ethSrc: string | undefined, frame: number): void {
    const slot = this.next;
    if (this.count < this.slots) this.count++;
    this.next = slot + 1 === this.slots ? 0 : slot + 1;
    const w = this.words, o = slot * W;
    w[o] = md[0]!; w[o + 1] = md[1]!; w[o + 2] = md[2]!; w[o + 3] = md[3]!; w[o + 4] = md[4]!;
    w[o + 5] = hi; w[o + 6] = lo;
    this.srcs[slot] = src;
    this.eths[slot] = ethSrc;
    this.frames[slot] = frame;
    this.index[b] = (tagOf(h) & this.tagMask) | (slot + 1);
    this.entries++;
  }

  /** The index built again from the live slots only (the stale buckets of overwritten slots dropped). */
  private reindex(): void {
    const index = this.index, w = this.words, mask = this.mask, shift = this.shift, tagMask = this.tagMask, k = this.keyBlock;
    index.fill(0);
    for (let slot = 0; slot < this.count; slot++) {
      const o = slot * W, hi = w[o + 5]!, lo = w[o + 6]!;
      const h = k === undefined ? hashOf(w[o]!, hi, lo) : keyedHash(k, this.keyState, w, o, hi, lo);
      let b = h >>> shift;
      while (index[b] !== 0) b = (b + 1) & mask;
      index[b] = (tagOf(h) & tagMask) | (slot + 1);
    }
    this.entries = this.count;
  }
}
