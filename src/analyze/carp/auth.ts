// HMAC verification state of one VHID on one link: which passphrases to try, which virtual
// addresses (from --vip, or inferred from ARP / neighbour advertisements and confirmed by the
// HMAC itself), and the adverts that could not be checked yet. Status rules (SPEC.md):
//   good        the md verifies with a known passphrase (or the empty one) and an address set
//   bad         it does not, and the addresses are certain (--vip, or confirmed by an earlier advert)
//   unverified  no passphrase, no addresses, or only unconfirmed inferred candidates: never 'bad'
//               because addresses are missing.
// Secrets never leave this module except as the opaque KeyEntry the caller passes back.

import { parseMac, parseVirtualAddress, vhidOfVirtualMac, type VirtualAddress } from './addresses.js';
import {
  carpKey, counterBytes, findMatchingCandidate, hexToBytes, hmacCandidates,
  type HmacCandidate, type HmacVariant,
} from './hmac.js';
import type { AdvertFacts } from './facts.js';

export type KeyOrigin = 'configured' | 'empty' | 'wordlist';

export interface KeyEntry {
  readonly origin: KeyOrigin;
  readonly key: Uint8Array;
  /** Index of the configured passphrase / wordlist line, to tell two keys apart without showing them. */
  readonly index: number;
  /** Only for --show-secrets reporting of a wordlist hit. */
  readonly secret: string;
}

export interface VerifyResult {
  readonly status: 'good' | 'bad' | 'unverified';
  readonly variant?: HmacVariant;
  readonly reason?: string;
  readonly key?: KeyEntry;
  /** Addresses hashed (good) or the ones in use. */
  readonly addresses: readonly string[];
  readonly inferred: boolean;
}

/** Addresses of one link announced from a host's own MAC (ucarp's gratuitous ARP): candidates for every VHID. */
export class LinkPool {
  readonly addresses = new Map<string, VirtualAddress>();
  generation = 0;
  static readonly CAP = 8;
  add(a: VirtualAddress): boolean {
    if (this.addresses.has(a.text) || this.addresses.size >= LinkPool.CAP) return false;
    this.addresses.set(a.text, a);
    this.generation++;
    return true;
  }
}

interface PendingAdvert {
  readonly frame: number;
  readonly counter: Uint8Array;
  readonly md: Uint8Array;
  readonly lladdr: Uint8Array | undefined;
}

const SUBSET_LIMIT = 10;

interface AddressSet {
  readonly addrs: readonly VirtualAddress[];
  /** Also try each IPv4 address alone (ucarp-single). */
  readonly singles: boolean;
}
const PENDING_CAP = 64;

export class VhidAuth {
  readonly candidates = new Map<string, VirtualAddress>();
  private candidateGeneration = 0;
  private confirmed: readonly VirtualAddress[] | undefined;
  private failedAt: string | undefined;
  private readonly pending: PendingAdvert[] = [];
  pendingDropped = 0;
  /** Earlier adverts checked once the addresses became known. */
  readonly rechecked = { frames: [] as number[], good: 0, bad: 0 };
  found: KeyEntry | undefined;
  /** Generation string at which the wordlist was last run. */
  auditedAt: string | undefined;
  auditRuns = 0;

  constructor(
    readonly vhid: number,
    private readonly keys: readonly KeyEntry[],
    private readonly explicit: readonly VirtualAddress[] | undefined,
    private readonly pool: LinkPool,
    /** Address sets the HMAC confirmed for this VHID on any link (tried on the others too). */
    private readonly confirmedByVhid: Map<number, readonly VirtualAddress[]> = new Map(),
  ) {}

  get hasConfiguredKey(): boolean { return this.keys.some((k) => k.origin === 'configured'); }
  get addressesKnown(): boolean { return this.explicit !== undefined || this.confirmed !== undefined; }

  /** For the summary: --vip, else the HMAC-confirmed set, else the VHID's own candidates. */
  addressesForSummary(): { addresses: string[]; inferred: boolean; confirmed: boolean } {
    if (this.explicit) return { addresses: this.explicit.map((a) => a.text), inferred: false, confirmed: true };
    if (this.confirmed) return { addresses: this.confirmed.map((a) => a.text), inferred: true, confirmed: true };
    return { addresses: [...this.candidates.keys()], inferred: true, confirmed: false };
  }

  addCandidate(a: VirtualAddress): boolean {
    if (this.candidates.has(a.text) || this.candidates.size >= LinkPool.CAP) return false;
    this.candidates.set(a.text, a);
    this.candidateGeneration++;
    return true;
  }

  private generation(): string {
    const elsewhere = this.confirmedByVhid.get(this.vhid);
    return `${this.candidateGeneration}/${this.pool.generation}/${elsewhere ? elsewhere.map((a) => a.text).join(',') : ''}`;
  }

  private allKeys(): KeyEntry[] {
    return this.found ? [...this.keys, this.found] : [...this.keys];
  }

  /**
   * Candidate address lists to try, most likely first. Inferred: the confirmed set, the VHID's
   * own candidates, then every subset of all candidates (VHID's and the link's) from the
   * smallest up (a single-address match is reported as 'sorted', not 'ucarp-single').
   */
  private addressSets(): { sets: AddressSet[]; inferred: boolean } {
    if (this.explicit) return { sets: [{ addrs: [...this.explicit], singles: true }], inferred: false };
    const sets: AddressSet[] = [];
    if (this.confirmed) sets.push({ addrs: [...this.confirmed], singles: false });
    const elsewhere = this.confirmedByVhid.get(this.vhid);
    if (elsewhere && elsewhere !== this.confirmed) sets.push({ addrs: [...elsewhere], singles: false });
    const own = [...this.candidates.values()];
    const all = [...own, ...[...this.pool.addresses.values()].filter((a) => !this.candidates.has(a.text))];
    if (own.length > 0) sets.push({ addrs: own, singles: true });
    if (all.length > 0 && all.length <= SUBSET_LIMIT) {
      const subsets: VirtualAddress[][] = [];
      for (let mask = 1; mask < 1 << all.length; mask++) subsets.push(all.filter((_, i) => (mask >> i) & 1));
      subsets.sort((a, b) => a.length - b.length);
      sets.push(...subsets.map((addrs) => ({ addrs, singles: false })));
    } else if (all.length > 0) {
      sets.push({ addrs: all, singles: true });
    }
    return { sets, inferred: true };
  }

  private lladdrOf(ad: AdvertFacts): Uint8Array | undefined {
    if (!ad.ethSrc) return undefined;
    const v = vhidOfVirtualMac(ad.ethSrc);
    if (v && v.vhid === ad.vhid) return undefined;
    return parseMac(ad.ethSrc);
  }

  /** Messages for the wordlist audit: a few per advert (variants of the likeliest address sets). */
  auditTargets(ad: AdvertFacts, max: number): HmacCandidate[] {
    const counter = ad.counter ? counterBytes(ad.counter) : undefined;
    if (!counter) return [];
    const out: HmacCandidate[] = [];
    for (const set of this.addressSets().sets) {
      for (const c of hmacCandidates(ad.vhid, set.addrs, counter, this.lladdrOf(ad), set.singles)) {
        if (out.length >= max) return out;
        out.push(c);
      }
    }
    return out;
  }

  get auditGeneration(): string { return this.explicit ? 'explicit' : this.generation(); }

  verify(ad: AdvertFacts): VerifyResult {
    const md = ad.hmac ? hexToBytes(ad.hmac) : undefined;
    const counter = ad.counter ? counterBytes(ad.counter) : undefined;
    const known = this.explicit ?? this.confirmed;
    const inUse = (known ?? [...this.candidates.values()]).map((a) => a.text);
    if (!md || md.length !== 20 || !counter) {
      return { status: 'unverified', reason: 'advert has no complete counter and HMAC', addresses: inUse, inferred: !this.explicit };
    }
    const lladdr = this.lladdrOf(ad);
    const { sets, inferred } = this.addressSets();
    if (sets.length === 0) {
      this.remember({ frame: ad.frame, counter, md, lladdr });
      return { status: 'unverified', reason: `virtual addresses of VHID ${ad.vhid} not known yet (give --vip, or capture the ARP/NA of the virtual MAC)`, addresses: [], inferred: true };
    }
    const gen = this.generation();
    const searchAll = !inferred || this.failedAt !== gen;
    const tried = searchAll ? sets : sets.slice(0, this.confirmed ? 1 : 0);
    for (const set of tried) {
      const cands = hmacCandidates(ad.vhid, set.addrs, counter, lladdr, set.singles);
      for (const key of this.allKeys()) {
        const hit = findMatchingCandidate(key.key, cands, md);
        if (!hit) continue;
        if (inferred) {
          const wasKnown = this.confirmed !== undefined;
          this.confirmed = hit.variant === 'ucarp-single' ? hit.addresses : set.addrs;
          this.confirmedByVhid.set(this.vhid, this.confirmed);
          this.failedAt = undefined;
          if (!wasKnown) this.recheckPending(key);
        }
        return { status: 'good', variant: hit.variant, key, addresses: hit.addresses.map((a) => a.text), inferred };
      }
    }
    if (inferred && searchAll) this.failedAt = gen;
    if (!this.hasConfiguredKey && !this.found) {
      if (!known) this.remember({ frame: ad.frame, counter, md, lladdr });
      return { status: 'unverified', reason: `no passphrase for VHID ${ad.vhid} (--carp-pass)`, addresses: inUse, inferred };
    }
    if (known) {
      return { status: 'bad', reason: inferred ? 'does not verify with the passphrase and the address set confirmed by earlier adverts' : 'does not verify with the passphrase and the --vip addresses', addresses: inUse, inferred };
    }
    this.remember({ frame: ad.frame, counter, md, lladdr });
    return { status: 'unverified', reason: 'no inferred address set verifies (wrong passphrase, or virtual addresses not seen: give --vip)', addresses: inUse, inferred };
  }

  private remember(p: PendingAdvert): void {
    if (this.pending.length >= PENDING_CAP) { this.pendingDropped++; return; }
    this.pending.push(p);
  }

  /** The addresses just became known: check the adverts that were left unverified. */
  private recheckPending(key: KeyEntry): void {
    const set = this.confirmed;
    if (!set) return;
    for (const p of this.pending.splice(0)) {
      const ok = findMatchingCandidate(key.key, hmacCandidates(this.vhid, set, p.counter, p.lladdr), p.md);
      this.rechecked.frames.push(p.frame);
      if (ok) this.rechecked.good++; else this.rechecked.bad++;
    }
  }

  /** A wordlist hit: adopt it and re-check what was pending. */
  adoptFound(entry: KeyEntry): void { this.found = entry; this.failedAt = undefined; }
}

export function parseAddressList(texts: readonly string[]): VirtualAddress[] {
  const out: VirtualAddress[] = [];
  for (const t of texts) {
    const a = parseVirtualAddress(t);
    if (a) out.push(a);
  }
  return out;
}

export function makeKeyEntries(passphrases: readonly { vhid: number | '*'; passphrase: string }[], vhid: number): KeyEntry[] {
  const out: KeyEntry[] = [];
  passphrases.forEach((p, index) => {
    if (p.vhid === vhid) out.push({ origin: 'configured', key: carpKey(p.passphrase), index, secret: p.passphrase });
  });
  passphrases.forEach((p, index) => {
    if (p.vhid === '*') out.push({ origin: 'configured', key: carpKey(p.passphrase), index, secret: p.passphrase });
  });
  out.push({ origin: 'empty', key: new Uint8Array(0), index: -1, secret: '' });
  return out;
}
