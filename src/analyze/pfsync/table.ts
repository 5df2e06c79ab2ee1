// The synced-state table: what a receiving pf would hold, keyed by (creator id, state id).
// Compact on purpose (a firewall pair syncs millions of states): one Map from a 24-character
// key (8 hex digits of creator id + 16 of state id) to a slot number, and the per-state facts the
// stale check needs in typed arrays indexed by slot (peer states, seqlo, protocol), grown by
// doubling up to the cap. About 100 bytes per state, most of it the Map entry and its key.

/** The peer facts of one state that the stale rule compares (pfsync.md 11.4). */
export interface PeerFacts {
  srcState: number;
  dstState: number;
  srcSeqlo: number;
  dstSeqlo: number;
}

export type InsertResult = 'inserted' | 'exists' | 'full';

export class StateTable {
  private readonly slots = new Map<string, number>();
  private readonly free: number[] = [];
  private used = 0;
  private capacity = 0;
  private srcState = new Uint8Array(0);
  private dstState = new Uint8Array(0);
  private srcSeqlo = new Uint32Array(0);
  private dstSeqlo = new Uint32Array(0);
  private proto = new Uint8Array(0);
  /** States per creator id (8 hex digits). */
  readonly byCreator = new Map<string, number>();

  constructor(readonly cap: number) {}

  static key(creatorid: string, id: string): string {
    return creatorid + id;
  }

  get size(): number {
    return this.slots.size;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** Insert a new state; 'exists' leaves the old one alone (the kernel's insert fails, EEXIST). */
  insert(key: string, proto: number, p: PeerFacts): InsertResult {
    if (this.slots.has(key)) return 'exists';
    if (this.slots.size >= this.cap) return 'full';
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.slots.set(key, slot);
    this.proto[slot] = proto;
    this.write(slot, p);
    const creator = key.slice(0, 8);
    this.byCreator.set(creator, (this.byCreator.get(creator) ?? 0) + 1);
    return 'inserted';
  }

  /** The stored facts of a state (a fresh object), or undefined. */
  get(key: string): (PeerFacts & { proto: number }) | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    return {
      proto: this.proto[slot]!, srcState: this.srcState[slot]!, dstState: this.dstState[slot]!,
      srcSeqlo: this.srcSeqlo[slot]!, dstSeqlo: this.dstSeqlo[slot]!,
    };
  }

  /** Overwrite one side (or both) of a known state. */
  update(key: string, p: PeerFacts, side: { src: boolean; dst: boolean }): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    if (side.src) { this.srcState[slot] = p.srcState; this.srcSeqlo[slot] = p.srcSeqlo >>> 0; }
    if (side.dst) { this.dstState[slot] = p.dstState; this.dstSeqlo[slot] = p.dstSeqlo >>> 0; }
  }

  remove(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.free.push(slot);
    const creator = key.slice(0, 8);
    const n = (this.byCreator.get(creator) ?? 1) - 1;
    if (n <= 0) this.byCreator.delete(creator);
    else this.byCreator.set(creator, n);
    return true;
  }

  /** CLR: remove every state of a creator; returns how many. */
  clearCreator(creatorid: string): number {
    if (!this.byCreator.has(creatorid)) return 0;
    let n = 0;
    for (const key of this.slots.keys()) {
      if (key.startsWith(creatorid) && this.remove(key)) n++;
    }
    return n;
  }

  private write(slot: number, p: PeerFacts): void {
    this.srcState[slot] = p.srcState;
    this.dstState[slot] = p.dstState;
    this.srcSeqlo[slot] = p.srcSeqlo >>> 0;
    this.dstSeqlo[slot] = p.dstSeqlo >>> 0;
  }

  private grow(): void {
    const next = Math.min(Math.max(1024, this.capacity * 2), Math.max(this.cap, 1));
    const g8 = (a: Uint8Array) => { const b = new Uint8Array(next); b.set(a); return b; };
    const g32 = (a: Uint32Array) => { const b = new Uint32Array(next); b.set(a); return b; };
    this.srcState = g8(this.srcState);
    this.dstState = g8(this.dstState);
    this.proto = g8(this.proto);
    this.srcSeqlo = g32(this.srcSeqlo);
    this.dstSeqlo = g32(this.dstSeqlo);
    this.capacity = next;
  }
}
