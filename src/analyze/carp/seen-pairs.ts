// The (counter, HMAC) pairs a VHID group has seen, for replay detection (group.ts checkReplay):
// the last `capacity` pairs, each with who sent it first (source address, Ethernet source) and
// in which frame. Numbers in typed arrays, not a Map of text keys: the keys were ~60-character
// strings (HMAC hex + counter decimal) hashed per advert and kept alive for thousands of adverts,
// which the young-generation GC copied before promoting them. On 200k adverts with --carp-pass
// and --vip this table took the analysis from 2.16 to 1.37 s of CPU and 131 to 103 MB.
//
// A ring of up to `capacity` slots (it starts small and doubles; once full, the oldest pair is
// overwritten) and an open-addressing index of at least twice as many buckets (linear probing;
// a slot leaves the index by backward-shift deletion, so there are no tombstones). A pair is 7
// words: the HMAC's five big-endian words, the counter's high and low word; a bucket holds its
// slot and its hash, and a lookup compares the seven words only when the hashes agree.

/** Words per pair: HMAC (5), counter high, counter low. */
const W = 7;

/**
 * A pair's hash, whose top bits are its home bucket: Fibonacci hashing (the top bits of a
 * product, which every input bit reaches). The HMAC's first word is uniform already (a keyed
 * digest); the counter is mixed in so that a stream of one HMAC with other counters (forged or
 * broken senders) spreads too.
 */
function hashOf(md0: number, hi: number, lo: number): number {
  return Math.imul(md0 ^ lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
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
   * Two words per bucket: slot + 1 (0: empty) and the pair's hash, so that a probe compares the
   * pair's words only when the hashes agree and a deletion finds each entry's home without
   * reading the pair (the table is spread over cache lines; the pairs, by age, more so).
   */
  private index!: Int32Array;
  private mask = 0;
  private shift = 32;
  /** Slots allocated now (<= capacity). */
  private slots = 0;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.allocate(Math.min(INITIAL_SLOTS, capacity));
  }

  private allocate(slots: number): void {
    let buckets = 1;
    while (buckets < 2 * slots) buckets <<= 1;
    this.slots = slots;
    this.index = new Int32Array(2 * buckets);
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

  private equals(slot: number, md: Int32Array, hi: number, lo: number): boolean {
    const w = this.words, o = slot * W;
    return w[o] === md[0] && w[o + 1] === md[1] && w[o + 2] === md[2] && w[o + 3] === md[3] && w[o + 4] === md[4]
      && w[o + 5] === hi && w[o + 6] === lo;
  }

  private find(md: Int32Array, hi: number, lo: number): number {
    const h = hashOf(md[0]!, hi, lo), index = this.index;
    for (let b = h >>> this.shift; ; b = (b + 1) & this.mask) {
      const e = index[2 * b]!;
      if (e === 0) return -1;
      if (index[2 * b + 1] === h && this.equals(e - 1, md, hi, lo)) return e - 1;
    }
  }

  /** Who sent this pair first, while it is among the last `capacity` pairs added. */
  get(md: Int32Array, hi: number, lo: number): SeenSender | undefined {
    const slot = this.find(md, hi, lo);
    if (slot < 0) return undefined;
    return { src: this.srcs[slot]!, ethSrc: this.eths[slot], frame: this.frames[slot]! };
  }

  /** Add a pair not held (callers `get` first); the oldest is forgotten when all slots are used. */
  add(md: Int32Array, hi: number, lo: number, src: string, ethSrc: string | undefined, frame: number): void {
    if (this.count === this.slots && this.slots < this.capacity) this.grow();
    const slot = this.next;
    if (this.count === this.slots) this.unindex(slot);
    else this.count++;
    this.next = slot + 1 === this.slots ? 0 : slot + 1;
    const w = this.words, o = slot * W;
    w[o] = md[0]!; w[o + 1] = md[1]!; w[o + 2] = md[2]!; w[o + 3] = md[3]!; w[o + 4] = md[4]!;
    w[o + 5] = hi; w[o + 6] = lo;
    this.srcs[slot] = src;
    this.eths[slot] = ethSrc;
    this.frames[slot] = frame;
    const h = hashOf(md[0]!, hi, lo), index = this.index;
    let b = h >>> this.shift;
    while (index[2 * b] !== 0) b = (b + 1) & this.mask;
    index[2 * b] = slot + 1;
    index[2 * b + 1] = h;
  }

  /** Take `slot` out of the index: backward-shift deletion (later entries of its run move up). */
  private unindex(slot: number): void {
    const w = this.words, o = slot * W, index = this.index, shift = this.shift, mask = this.mask;
    let b = hashOf(w[o]!, w[o + 5]!, w[o + 6]!) >>> shift;
    while (index[2 * b] !== slot + 1) b = (b + 1) & mask;
    let hole = b;
    for (let j = (hole + 1) & mask; index[2 * j] !== 0; j = (j + 1) & mask) {
      const h = index[2 * j + 1]! >>> shift;
      // move j's entry into the hole unless its home bucket lies cyclically in (hole, j]
      const stays = hole <= j ? h > hole && h <= j : h > hole || h <= j;
      if (!stays) { index[2 * hole] = index[2 * j]!; index[2 * hole + 1] = index[2 * j + 1]!; hole = j; }
    }
    index[2 * hole] = 0;
  }
}
