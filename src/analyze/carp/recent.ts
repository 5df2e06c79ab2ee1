// A bounded map of the most recent keys, in two generations: when the newer generation is full
// it becomes the older one and the previous older one is dropped whole. Holds at most
// 2 x `generation` keys; a key is forgotten after between `generation` and 2 x `generation`
// newer ones. Dropping the oldest Map entry one by one would be O(n) per insertion in V8.
// Used for the senders whose HMAC mismatch / cause was already reported (index.ts).

export class RecentMap<K, V> {
  private recent = new Map<K, V>();
  private older = new Map<K, V>();

  constructor(private readonly generation: number) {}

  get(k: K): V | undefined {
    return this.recent.get(k) ?? this.older.get(k);
  }

  has(k: K): boolean {
    return this.recent.has(k) || this.older.has(k);
  }

  /** Add a key not in the map (callers check `has`/`get` first). */
  set(k: K, v: V): void {
    if (this.recent.size >= this.generation) { this.older = this.recent; this.recent = new Map(); }
    this.recent.set(k, v);
  }

  /** Keys held (callers never set a key twice: see set). */
  get size(): number {
    return this.recent.size + this.older.size;
  }

  delete(k: K): void {
    this.recent.delete(k);
    this.older.delete(k);
  }
}
