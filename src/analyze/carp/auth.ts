// HMAC verification state of one VHID on one link: which passphrases to try, which virtual
// addresses (from --vip, or inferred from ARP / neighbour advertisements and confirmed by the
// HMAC itself), and the adverts that could not be checked yet. Status rules (SPEC.md):
//   good        the md verifies with a known passphrase (or the empty one) and an address set
//   bad         it does not, and the addresses are certain (--vip, or confirmed by an earlier advert)
//   unverified  no passphrase, no addresses, or only unconfirmed inferred candidates: never 'bad'
//               because addresses are missing.
// Inference is per sender: the first address set that verifies one sender's adverts (--vip, ARP/NA
// candidates, or found by discover.ts for a known passphrase) is the VHID's; another sender's
// adverts that do not verify with it are 'bad', with the likely cause (VerifyResult.cause):
//   passphrase  no candidate set verifies them with the passphrase
//   addresses   they verify with another candidate set (expected / verifiesWith name the sets)
//   variant     they verify with the VHID's addresses, but hashed another way (lladdr, link-local,
//               configuration order) than the adverts that set the VHID's addresses
// Each sender's search is done once per generation of candidates (the failure is cached).
// Secrets never leave this module except as the opaque KeyEntry the caller passes back.

import { parseMac, parseVirtualAddress, vhidOfVirtualMac, type VirtualAddress } from './addresses.js';
import {
  carpKey, findMatchingCandidate, hmacCandidates, hmacKeyOf,
  type HmacCandidate, type HmacVariant,
} from './hmac.js';
import type { AdvertFacts } from './facts.js';
import type { CarpPair } from '../../decode/carp-lane.js';
import { discoverVips } from './discover.js';
import { digestWords, innerWords, setMessageU64, type HmacKey } from './sha1.js';

export type KeyOrigin = 'configured' | 'empty' | 'wordlist';

export interface KeyEntry {
  readonly origin: KeyOrigin;
  readonly key: Uint8Array;
  /** Index of the configured passphrase / wordlist line, to tell two keys apart without showing them. */
  readonly index: number;
  /** Only for --show-secrets reporting of a wordlist hit. */
  readonly secret: string;
  /** The key's precomputed HMAC state. */
  readonly hmac: HmacKey;
}

export type MismatchCause = 'passphrase' | 'addresses' | 'variant';

export interface VerifyResult {
  readonly status: 'good' | 'bad' | 'unverified';
  readonly variant?: HmacVariant;
  readonly reason?: string;
  readonly key?: KeyEntry;
  /** Addresses hashed (good) or the ones in use. */
  readonly addresses: readonly string[];
  readonly inferred: boolean;
  /** bad, or good in another variant than the VHID's: what the evidence points to. */
  readonly cause?: MismatchCause;
  /** cause 'addresses': the set this sender's adverts verify with. */
  readonly verifiesWith?: readonly string[];
  /** cause 'variant': the variant of the VHID's first verified advert. */
  readonly vhidVariant?: HmacVariant;
  /** A passphrase is known (configured or found): unverified means addresses are missing. */
  readonly keyKnown: boolean;
  /** unverified with a key: what was searched for the addresses. */
  readonly searched?: string;
  /** This advert's search found the VHID's addresses (no --vip, no ARP). */
  readonly discovered?: { readonly addresses: readonly string[]; readonly searched: number };
}

interface SenderAuth {
  /** Candidate generation at which every set failed for this sender. */
  failedAt: string | undefined;
  /** The discovery search ran (once per sender). */
  searched: { sets: number; scope: string } | undefined;
  /** A set (not the VHID's) that verified this sender's adverts. */
  alt: { addrs: readonly VirtualAddress[]; singles: boolean } | undefined;
}
const MAX_SENDERS = 16;
/** The search record of a sender past MAX_SENDERS (shared: it is only read). */
const NOT_SEARCHED = { sets: 0, scope: `none: more than ${MAX_SENDERS} senders on this VHID, only the first ${MAX_SENDERS} are searched` } as const;

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
  readonly md: Int32Array;
  readonly lladdr: Uint8Array | undefined;
}

const SUBSET_LIMIT = 10;

const texts = new WeakMap<readonly VirtualAddress[], readonly string[]>();
// the last answer: verify() asks for the known set's texts per advert, and the set stays
let lastAddrs: readonly VirtualAddress[] | undefined, lastTexts: readonly string[] = [];
/** The addresses' texts, one array per address list (lists are shared: sets, candidates). Read-only. */
function textsOf(addrs: readonly VirtualAddress[]): readonly string[] {
  if (addrs === lastAddrs) return lastTexts;
  let t = texts.get(addrs);
  if (!t) { t = addrs.map((a) => a.text); texts.set(addrs, t); }
  lastAddrs = addrs; lastTexts = t;
  return t;
}

/** match()'s answer: the key and candidate that verified, and the candidate's blocks (Template.words) and counter place. */
interface Hit {
  c: HmacCandidate;
  key: KeyEntry;
  words: Int32Array;
  counterAt: number;
}

/**
 * What made the last good verdict of verify()'s first try (the --vip set, or the confirmed set),
 * for the next advert of the same sender: VhidAuth.repeat.
 */
interface Repeat {
  src: string;
  eth: string;
  /** The --vip set (undefined), or the inferred sets' cache entry the confirmed set came first in. */
  sets: object | undefined;
  keys: readonly KeyEntry[];
  variant: HmacVariant | undefined;
  key: KeyEntry;
  words: Int32Array;
  counterAt: number;
  r: VerifyResult;
}

interface AddressSet {
  readonly addrs: readonly VirtualAddress[];
  /** Also try each IPv4 address alone (ucarp-single). */
  readonly singles: boolean;
}
const PENDING_CAP = 64;

/** An address set's candidate messages (one lladdr) as HMAC blocks: VhidAuth.templateFor. */
interface Template {
  /** The candidates; their `message` keeps the counter it was built with (only the blocks change). */
  readonly cands: readonly HmacCandidate[];
  /** innerWords of each candidate's message, with the counter of the last advert it was tried on (match() writes it). */
  readonly words: readonly Int32Array[];
  /** Where the counter starts in each message (its last 8 bytes). */
  readonly counterAt: readonly number[];
}

export class VhidAuth {
  readonly candidates = new Map<string, VirtualAddress>();
  private candidateGeneration = 0;
  private confirmed: readonly VirtualAddress[] | undefined;
  private confirmedVariant: HmacVariant | undefined;
  /** Every sender's record (for the resets below), at most MAX_SENDERS. */
  private readonly senders: SenderAuth[] = [];
  /** The same records by source address then Ethernet source ('' for none): no key text per advert. */
  private readonly senderIndex = new Map<string, Map<string, SenderAuth>>();
  /** IPv6 addresses seen on the segment (discovery candidates). */
  seen6: readonly VirtualAddress[] = [];
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
  ) {
    this.explicitSet = explicit ? { addrs: [...explicit], singles: true } : undefined;
    this.hasConfiguredKey = keys.some((k) => k.origin === 'configured');
    this.keyList = [...keys];
  }

  /** --vip as the one address set to try (one object: candidatesFor caches per set). */
  private readonly explicitSet: AddressSet | undefined;

  /** A configured passphrase is among the keys (they never change: a wordlist hit is `found`). */
  readonly hasConfiguredKey: boolean;
  /** A passphrase is known: configured, or found by --wordlist. */
  get keyKnown(): boolean { return this.hasConfiguredKey || this.found !== undefined; }
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
    return this.inferredSets().gen;
  }

  /** addressSets() and generation() for the candidates as they are now, rebuilt only when one of them changed. */
  private setsCache: { cand: number; pool: number; elsewhere: readonly VirtualAddress[] | undefined; confirmed: readonly VirtualAddress[] | undefined; gen: string; sets: AddressSet[] } | undefined;

  private inferredSets(): { gen: string; sets: AddressSet[] } {
    const elsewhere = this.confirmedByVhid.get(this.vhid);
    const c = this.setsCache;
    if (c && c.cand === this.candidateGeneration && c.pool === this.pool.generation && c.elsewhere === elsewhere && c.confirmed === this.confirmed) return c;
    const gen = `${this.candidateGeneration}/${this.pool.generation}/${elsewhere ? elsewhere.map((a) => a.text).join(',') : ''}`;
    this.setsCache = { cand: this.candidateGeneration, pool: this.pool.generation, elsewhere, confirmed: this.confirmed, gen, sets: this.buildSets(elsewhere) };
    return this.setsCache;
  }

  /** The keys to try: the configured ones (and the empty one), then a wordlist hit. Read-only: shared between adverts. */
  private keyList: readonly KeyEntry[];

  /**
   * Candidate address lists to try, most likely first. Inferred: the confirmed set, the VHID's
   * own candidates, then every subset of all candidates (VHID's and the link's) from the
   * smallest up (a single-address match is reported as 'sorted', not 'ucarp-single').
   */
  private addressSets(): { sets: readonly AddressSet[]; inferred: boolean } {
    if (this.explicitSet) return { sets: [this.explicitSet], inferred: false };
    return { sets: this.inferredSets().sets, inferred: true };
  }

  private buildSets(elsewhere: readonly VirtualAddress[] | undefined): AddressSet[] {
    const sets: AddressSet[] = [];
    if (this.confirmed) sets.push({ addrs: [...this.confirmed], singles: false });
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
    return sets;
  }

  lladdrFor(ad: AdvertFacts): Uint8Array | undefined { return this.lladdrOf(ad); }

  /** Parsed lladdr per Ethernet source (the same array each time: candidatesFor keys on it). */
  private readonly lladdrs = new Map<string, Uint8Array | undefined>();

  /** The last lladdrOf answer (a sender repeats its Ethernet source, the lane the same string). */
  private lastEth: string | undefined = undefined;
  private lastLladdr: Uint8Array | undefined = undefined;

  private lladdrOf(ad: AdvertFacts): Uint8Array | undefined {
    if (!ad.ethSrc) return undefined;
    if (ad.ethSrc === this.lastEth) return this.lastLladdr;
    const ll = this.lladdrOfMac(ad.ethSrc, ad.vhid);
    this.lastEth = ad.ethSrc;
    this.lastLladdr = ll;
    return ll;
  }

  private lladdrOfMac(ethSrc: string, vhid: number): Uint8Array | undefined {
    if (this.lladdrs.has(ethSrc)) return this.lladdrs.get(ethSrc);
    const v = vhidOfVirtualMac(ethSrc);
    const ll = v && v.vhid === vhid ? undefined : parseMac(ethSrc);
    if (this.lladdrs.size >= 64) this.lladdrs.clear();
    this.lladdrs.set(ethSrc, ll);
    return ll;
  }

  /** Messages for the wordlist audit: a few per advert (variants of the likeliest address sets). */
  auditTargets(ad: AdvertFacts, max: number): HmacCandidate[] {
    const counter = ad.parsed?.counter;
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

  /** The last senderOf answer and its key (consecutive adverts of a VHID are mostly one master's). */
  private lastSender: SenderAuth | undefined = undefined;
  private lastSenderSrc = '';
  private lastSenderEth = '';

  private senderOf(ad: AdvertFacts): SenderAuth {
    const eth = ad.ethSrc ?? '';
    if (this.lastSender !== undefined && ad.src === this.lastSenderSrc && eth === this.lastSenderEth) return this.lastSender;
    const snd = this.findSender(ad, eth);
    if (!snd) {
      // Past the cap nothing is remembered per sender, so a discovery search (up to 100k HMACs)
      // would run again for every advert: a flood of sources would cost minutes per thousand.
      // These senders get a fresh record each time and are checked against the known sets only.
      return { failedAt: undefined, searched: NOT_SEARCHED, alt: undefined };
    }
    this.lastSender = snd; this.lastSenderSrc = ad.src; this.lastSenderEth = eth;
    return snd;
  }

  /** The sender's record, made on first sight; undefined past MAX_SENDERS. */
  private findSender(ad: AdvertFacts, eth: string): SenderAuth | undefined {
    let bySrc = this.senderIndex.get(ad.src);
    const known = bySrc?.get(eth);
    if (known) return known;
    if (this.senders.length >= MAX_SENDERS) return undefined;
    const snd: SenderAuth = { failedAt: undefined, searched: undefined, alt: undefined };
    this.senders.push(snd);
    if (!bySrc) { bySrc = new Map(); this.senderIndex.set(ad.src, bySrc); }
    bySrc.set(eth, snd);
    return snd;
  }

  /**
   * Candidate messages per (address set, lladdr), built once with their padded HMAC blocks
   * (innerWords); per advert only the counter (the last 8 message bytes) is written into the
   * blocks. Keyed by the set object and the lladdr array: both are stable between adverts (the
   * --vip set is built once, inferred sets are cached per generation, lladdrOf caches the parsed
   * MAC), so no key string is built per advert. At most 64 entries: then it starts over.
   */
  private readonly templates = new Map<AddressSet, Map<Uint8Array | undefined, Template>>();
  private templateCount = 0;

  /** The last templateFor answer (consecutive adverts of a VHID verify against one set and lladdr). */
  private lastTemplate: { set: AddressSet; lladdr: Uint8Array | undefined; t: Template } | undefined;

  private templateFor(set: AddressSet, p: CarpPair, lladdr: Uint8Array | undefined): Template {
    const last = this.lastTemplate;
    return last !== undefined && last.set === set && last.lladdr === lladdr ? last.t : this.buildTemplate(set, p.counter, lladdr);
  }

  private buildTemplate(set: AddressSet, counter: Uint8Array, lladdr: Uint8Array | undefined): Template {
    let bySet = this.templates.get(set);
    let t = bySet?.get(lladdr);
    if (!t) {
      const cands = hmacCandidates(this.vhid, set.addrs, counter, lladdr, set.singles);
      t = { cands, words: cands.map((c) => innerWords(c.message)), counterAt: cands.map((c) => c.message.length - 8) };
      if (this.templateCount >= 64) { this.templates.clear(); this.templateCount = 0; bySet = undefined; }
      if (!bySet) { bySet = new Map(); this.templates.set(set, bySet); }
      bySet.set(lladdr, t);
      this.templateCount++;
    }
    this.lastTemplate = { set, lladdr, t };
    return t;
  }

  /** match()'s answer, reused: valid until the next match() (its callers read it at once; good() copies what it keeps). */
  private readonly hit: Hit = { c: undefined as unknown as HmacCandidate, key: undefined as unknown as KeyEntry, words: new Int32Array(0), counterAt: 0 };

  /** The first key and candidate of `set` whose HMAC of the advert's counter is its digest (both in `p`). */
  private match(set: AddressSet, p: CarpPair, lladdr: Uint8Array | undefined, keys: readonly KeyEntry[]): Hit | undefined {
    const t = this.templateFor(set, p, lladdr);
    const { words, counterAt } = t, hi = p.hi, lo = p.lo;
    // the counter is written into a candidate's blocks only when it is tried (with --vip, up to
    // 13 candidates; the first verifies, advert after advert)
    let written = 0;
    for (const key of keys) {
      for (let i = 0; i < words.length; i++) {
        if (i >= written) { setMessageU64(words[i]!, counterAt[i]!, hi, lo); written = i + 1; }
        if (!key.hmac.matchesInner(words[i]!, p.md)) continue;
        const hit = this.hit;
        hit.c = t.cands[i]!; hit.key = key; hit.words = words[i]!; hit.counterAt = counterAt[i]!;
        return hit;
      }
    }
    return undefined;
  }

  /** Discovery for this sender (once): the set it verifies with, if any. */
  private discover(ad: AdvertFacts, snd: SenderAuth, counter: Uint8Array, md: Int32Array, lladdr: Uint8Array | undefined): { addrs: VirtualAddress[]; variant: HmacVariant; key: KeyEntry; sets: number } | undefined {
    if (snd.searched) return undefined;
    const keys = this.keyList.filter((k) => k.origin !== 'empty');
    if (keys.length === 0) return undefined;
    const r = discoverVips(ad.vhid, ad.src, counter, md, lladdr, keys, this.seen6);
    snd.searched = { sets: r.searched, scope: r.scope };
    if (!r.hit) return undefined;
    return { addrs: [...r.hit.addresses], variant: r.hit.variant, key: r.hit.key, sets: r.searched };
  }

  private searchedText(snd: SenderAuth): string | undefined {
    return snd.searched ? `${snd.searched.sets} candidate address sets (${snd.searched.scope})` : undefined;
  }

  /**
   * The last good verdict without a discovery, and what it was made of: the next advert of the
   * same sender verifies with the same candidate and key, so it gets the same (read-only) object.
   */
  private lastGood: { c: HmacCandidate; key: KeyEntry; inferred: boolean; keyKnown: boolean; vhidVariant: HmacVariant | undefined; r: VerifyResult } | undefined;

  /** A good verdict (a method, not a closure made per advert). */
  private good(hit: Hit, inferred: boolean, keyKnown: boolean, discovered?: VerifyResult['discovered']): VerifyResult {
    const last = this.lastGood;
    if (discovered === undefined && last !== undefined && last.c === hit.c && last.key === hit.key && last.inferred === inferred
      && last.keyKnown === keyKnown && last.vhidVariant === this.confirmedVariant) return last.r;
    const variantOff = this.confirmedVariant !== undefined && hit.c.variant !== this.confirmedVariant
      && !(hit.c.variant === 'ucarp-single' || this.confirmedVariant === 'ucarp-single');
    // a literal and assignments: an object spread here costs more than the HMAC (see extendFacts)
    const r: { -readonly [K in keyof VerifyResult]: VerifyResult[K] } = {
      status: 'good', variant: hit.c.variant, key: hit.key, addresses: textsOf(hit.c.addresses), inferred, keyKnown,
    };
    if (variantOff) { r.cause = 'variant'; r.vhidVariant = this.confirmedVariant!; }
    if (discovered) r.discovered = discovered;
    else this.lastGood = { c: hit.c, key: hit.key, inferred, keyKnown, vhidVariant: this.confirmedVariant, r };
    return r;
  }

  /** The VHID's own candidates' texts, one array per change of them (read-only: the verdicts share it). */
  private candidateList: { gen: number; texts: readonly string[] } | undefined;
  private candidateTexts(): readonly string[] {
    const c = this.candidateList;
    if (c && c.gen === this.candidateGeneration) return c.texts;
    const texts = [...this.candidates.keys()];
    this.candidateList = { gen: this.candidateGeneration, texts };
    return texts;
  }

  /** The verdict without a passphrase (no key known): the same read-only object while the addresses in use are. */
  private lastNoPassphrase: VerifyResult | undefined;
  private noPassphrase(inUse: readonly string[], inferred: boolean): VerifyResult {
    const last = this.lastNoPassphrase;
    if (last && last.addresses === inUse && last.inferred === inferred) return last;
    const r: VerifyResult = { status: 'unverified', reason: `no passphrase for VHID ${this.vhid} (--carp-pass)`, addresses: inUse, inferred, keyKnown: false };
    this.lastNoPassphrase = r;
    return r;
  }

  /**
   * The last good verdict of verify()'s first try and what it was made of (see verify): a VHID's
   * master sends advert after advert that verifies with the same key and candidate, so the next
   * one from the same sender, with the same keys, address set and variant, is checked against that
   * candidate alone, and gets the same (read-only) verdict object.
   */
  private repeat: Repeat | undefined;

  private rememberRepeat(ad: AdvertFacts, sets: object | undefined, hit: Hit, r: VerifyResult): VerifyResult {
    this.repeat = {
      src: ad.src, eth: ad.ethSrc ?? '', sets, keys: this.keyList, variant: this.confirmedVariant, key: hit.key,
      words: hit.words, counterAt: hit.counterAt, r,
    };
    return r;
  }

  verify(ad: AdvertFacts): VerifyResult {
    // the advert's counter and digest as numbers (advertOf's or the lane's: what keeps them, remember() and discovery, copies)
    const p = ad.parsed;
    // The last good verdict again, when everything it was made of holds (the sender, so its
    // lladdr; the keys; the address set the first try takes; the VHID's variant) and its candidate
    // verifies this advert: what the steps below give then, as match() tries the keys and
    // candidates in order and takes the first that verifies (an earlier one verifying now but not
    // for the last advert would take an HMAC collision), and good() hands the same object. Per
    // advert that skips the lookups below, the template, the loops and good()'s checks.
    const rp = this.repeat;
    if (rp !== undefined && p !== undefined && ad.src === rp.src && (ad.ethSrc ?? '') === rp.eth && this.keyList === rp.keys
      && this.confirmedVariant === rp.variant
      && (rp.sets === undefined ? this.explicitSet !== undefined : this.explicitSet === undefined && this.confirmed !== undefined && this.inferredSets() === rp.sets)) {
      setMessageU64(rp.words, rp.counterAt, p.hi, p.lo);
      if (rp.key.hmac.matchesInner(rp.words, p.md)) return rp.r;
    }
    const known = this.explicit ?? this.confirmed;
    const inUse = known ? textsOf(known) : this.candidateTexts();
    const keyKnown = this.keyKnown;
    if (!p) {
      return { status: 'unverified', reason: 'advert has no complete counter and HMAC', addresses: inUse, inferred: !this.explicit, keyKnown };
    }
    const { counter, md } = p;
    const lladdr = this.lladdrOf(ad);
    const snd = this.senderOf(ad);
    const keys = this.keyList;
    if (this.explicitSet) {
      const hit = this.match(this.explicitSet, p, lladdr, keys);
      if (hit) {
        if (this.confirmedVariant === undefined) this.confirmedVariant = hit.c.variant;
        return this.rememberRepeat(ad, undefined, hit, this.good(hit, false, keyKnown));
      }
      if (!keyKnown) return this.noPassphrase(inUse, false);
      const alt = this.alternative(ad, snd, p, lladdr, keys);
      return {
        status: 'bad', addresses: inUse, inferred: false, keyKnown,
        reason: alt ? `does not verify with the --vip addresses; verifies with ${alt.map((a) => a.text).join(', ')}` : 'does not verify with the passphrase and the --vip addresses',
        cause: alt ? 'addresses' : 'passphrase', ...(alt ? { verifiesWith: alt.map((a) => a.text) } : {}),
      };
    }

    const cache = this.inferredSets(), sets = cache.sets; // no --vip here (addressSets() without the record per advert)
    if (this.confirmed) {
      const hit = this.match(sets[0]!, p, lladdr, keys);
      if (hit) return this.rememberRepeat(ad, cache, hit, this.good(hit, true, keyKnown));
    }
    const gen = this.generation();
    let discovered: VerifyResult['discovered'];
    if (snd.failedAt !== gen) {
      for (const set of this.confirmed ? sets.slice(1) : sets) {
        const hit = this.match(set, p, lladdr, keys);
        if (!hit) continue;
        if (!this.confirmed) {
          this.adopt(hit.c.variant === 'ucarp-single' ? hit.c.addresses : set.addrs, hit.c.variant, hit.key);
          return this.good(hit, true, keyKnown);
        }
        snd.alt = set;
        break;
      }
      if (!snd.alt && keyKnown) {
        const d = this.discover(ad, snd, counter, md, lladdr);
        if (d && !this.confirmed) {
          this.adopt(d.addrs, d.variant, d.key);
          discovered = { addresses: d.addrs.map((a) => a.text), searched: d.sets };
          const hit = this.match({ addrs: d.addrs, singles: false }, p, lladdr, [d.key]);
          if (hit) return this.good(hit, true, keyKnown, discovered);
        } else if (d) {
          snd.alt = { addrs: d.addrs, singles: false };
        }
      }
      snd.failedAt = gen;
    }
    if (!keyKnown) {
      if (!known) this.remember(ad.frame, counter, md, lladdr);
      return this.noPassphrase(inUse, true);
    }
    if (this.confirmed) {
      const alt = snd.alt ? snd.alt.addrs.map((a) => a.text) : undefined;
      return {
        status: 'bad', addresses: inUse, inferred: true, keyKnown,
        reason: alt ? `verifies only with ${alt.join(', ')}, not with the addresses confirmed by other adverts` : 'does not verify with the passphrase and the address set confirmed by earlier adverts',
        cause: alt ? 'addresses' : 'passphrase', ...(alt ? { verifiesWith: alt } : {}),
      };
    }
    const searched = this.searchedText(snd);
    if (sets.length > 0) {
      return {
        status: 'unverified', addresses: inUse, inferred: true, keyKnown, cause: 'passphrase',
        reason: `no candidate address set verifies with the passphrase (wrong passphrase, or virtual addresses not seen: give --vip)`,
        ...(searched ? { searched } : {}),
      };
    }
    return {
      status: 'unverified', addresses: [], inferred: true, keyKnown,
      reason: `virtual addresses of VHID ${ad.vhid} not known (give --vip${searched ? `; searched ${searched}` : ''})`,
      ...(searched ? { searched } : {}),
    };
  }

  /** --vip given and the advert does not verify: another candidate set (ARP/NA or search) that does. */
  private alternative(ad: AdvertFacts, snd: SenderAuth, p: CarpPair, lladdr: Uint8Array | undefined, keys: readonly KeyEntry[]): readonly VirtualAddress[] | undefined {
    if (snd.alt) return this.match(snd.alt, p, lladdr, keys) ? snd.alt.addrs : undefined;
    if (snd.searched) return undefined;
    const own = [...this.candidates.values(), ...[...this.pool.addresses.values()].filter((a) => !this.candidates.has(a.text))];
    if (own.length > 0 && own.length <= SUBSET_LIMIT) {
      for (let mask = 1; mask < 1 << own.length; mask++) {
        const set = { addrs: own.filter((_, i) => (mask >> i) & 1), singles: false };
        if (this.match(set, p, lladdr, keys)) { snd.alt = set; return set.addrs; }
      }
    }
    const d = this.discover(ad, snd, p.counter, p.md, lladdr);
    if (d) { snd.alt = { addrs: d.addrs, singles: false }; return d.addrs; }
    return undefined;
  }

  private adopt(addrs: readonly VirtualAddress[], variant: HmacVariant, key: KeyEntry): void {
    const wasKnown = this.confirmed !== undefined;
    this.confirmed = addrs;
    this.confirmedVariant = variant;
    this.confirmedByVhid.set(this.vhid, addrs);
    for (const snd of this.senders) snd.failedAt = undefined;
    if (!wasKnown) this.recheckPending(key);
  }

  /** Keep a copy of an advert that could not be checked (the arrays are verify()'s or the lane's: reused). */
  private remember(frame: number, counter: Uint8Array, md: Int32Array, lladdr: Uint8Array | undefined): void {
    // counted, not copied, once full: without a passphrase this runs for every advert
    if (this.pending.length >= PENDING_CAP) { this.pendingDropped++; return; }
    this.pending.push({ frame, counter: counter.slice(), md: md.slice(), lladdr });
  }

  /** The addresses just became known: check the adverts that were left unverified. */
  private recheckPending(key: KeyEntry): void {
    const set = this.confirmed;
    if (!set) return;
    for (const p of this.pending.splice(0)) {
      const ok = findMatchingCandidate(key.hmac, hmacCandidates(this.vhid, set, p.counter, p.lladdr), p.md);
      this.rechecked.frames.push(p.frame);
      if (ok) this.rechecked.good++; else this.rechecked.bad++;
    }
  }

  /** A wordlist hit: adopt it and re-check what was pending. */
  adoptFound(entry: KeyEntry): void {
    this.found = entry;
    this.keyList = [...this.keys, entry];
    for (const snd of this.senders) { snd.failedAt = undefined; snd.searched = undefined; }
  }
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
    if (p.vhid === vhid) out.push(keyEntry('configured', p.passphrase, index));
  });
  passphrases.forEach((p, index) => {
    if (p.vhid === '*') out.push(keyEntry('configured', p.passphrase, index));
  });
  out.push(keyEntry('empty', '', -1));
  return out;
}

export function keyEntry(origin: KeyOrigin, passphrase: string, index: number): KeyEntry {
  const key = carpKey(passphrase);
  return { origin, key, index, secret: passphrase, hmac: hmacKeyOf(key) };
}
