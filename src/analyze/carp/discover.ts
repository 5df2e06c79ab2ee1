// Virtual-address discovery for a known passphrase (no --vip, no usable ARP/NA): the VIPs are
// inside the HMAC, so candidate address sets are hashed until one verifies the advert. A CARP VIP
// is almost always in the sender's own subnet. Candidates, in this order, for each known key:
//   IPv4  1. single addresses x.y.z.1-254 of the sender's /24            254 sets
//         2. single addresses of the other half of the sender's /23       254 sets
//         3. pairs of addresses of the sender's /24 (sorted, as hashed)    32 131 sets
//   IPv6  1. addresses the capture shows on the segment (advert sources, NA targets: link-local
//            and global), 2. prefix::1-ff of each /64 prefix seen          <= 32 + 255 per prefix
// Each set is hashed as 'sorted' (link-locals kept for an IPv6 link-local candidate) and, when
// the advert comes from a real MAC, as 'lladdr' too. At most MAX_DISCOVERY_SETS sets per key
// (about 65 k HMACs for IPv4, tens of milliseconds with the precomputed key states of sha1.ts).

import { isLinkLocal6, parseIPv4, parseIPv6, type VirtualAddress } from './addresses.js';
import type { HmacVariant } from './hmac.js';
import type { HmacKey } from './sha1.js';

export const MAX_DISCOVERY_SETS = 100_000;

export interface DiscoveryKey {
  readonly hmac: HmacKey;
}

export interface DiscoveryHit<K> {
  readonly key: K;
  readonly addresses: readonly VirtualAddress[];
  readonly variant: HmacVariant;
}

export interface DiscoveryResult<K> {
  readonly hit: DiscoveryHit<K> | undefined;
  /** Address sets tried (per key). */
  readonly searched: number;
  /** What was searched, for a finding ("10.77.0.0/24 singles and pairs, 10.77.1.0/24 singles"). */
  readonly scope: string;
}

function v4(bytes: Uint8Array): VirtualAddress {
  return { text: Array.from(bytes).join('.'), bytes, family: 4 };
}

function v6text(b: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // compress the longest zero run (RFC 5952)
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

/** Message writer: 02 01 [lladdr] vhid addrs counter into a reusable buffer. */
class MessageBuffer {
  private buf = new Uint8Array(64);
  write(vhid: number, addrs: readonly Uint8Array[], counter: Uint8Array, lladdr: Uint8Array | undefined): Uint8Array {
    let len = 2 + (lladdr ? 6 : 0) + 1 + 8;
    for (const a of addrs) len += a.length;
    if (this.buf.length < len) this.buf = new Uint8Array(len);
    const m = this.buf;
    let o = 0;
    m[o++] = 2; m[o++] = 1;
    if (lladdr) { m.set(lladdr, o); o += 6; }
    m[o++] = vhid;
    for (const a of addrs) {
      if (a.length === 16 && (isLinkLocal6(a) || (a[0] === 0xff && (a[1]! & 0x0f) <= 2))) {
        m.set(a, o); m[o + 2] = 0; m[o + 3] = 0; // KAME scope bytes zero
      } else {
        m.set(a, o);
      }
      o += a.length;
    }
    m.set(counter, o);
    return m.subarray(0, len);
  }
}

/**
 * Search candidate sets for the sender `src` until one verifies `md` with one of `keys`.
 * `seen6`: IPv6 addresses seen on the segment (for IPv6 adverts).
 */
export function discoverVips<K extends DiscoveryKey>(
  vhid: number, src: string, counter: Uint8Array, md: Int32Array, lladdr: Uint8Array | undefined,
  keys: readonly K[], seen6: readonly VirtualAddress[] = [],
): DiscoveryResult<K> {
  const mb = new MessageBuffer();
  const lls: (Uint8Array | undefined)[] = lladdr ? [undefined, lladdr] : [undefined];
  let searched = 0;
  const tryKeys = (addrs: readonly Uint8Array[]): { key: K; ll: boolean } | undefined => {
    for (const ll of lls) {
      const msg = mb.write(vhid, addrs, counter, ll);
      for (const key of keys) if (key.hmac.matchesWords(msg, md)) return { key, ll: ll !== undefined };
    }
    return undefined;
  };
  const src4 = parseIPv4(src);
  if (src4) {
    const scope = `${src4[0]}.${src4[1]}.${src4[2]}.0/24 single addresses and pairs, ${src4[0]}.${src4[1]}.${src4[2]! ^ 1}.0/24 single addresses`;
    const single = (third: number): DiscoveryResult<K> | undefined => {
      const a = Uint8Array.of(src4[0]!, src4[1]!, third, 0);
      const one = [a];
      for (let h = 1; h <= 254; h++) {
        a[3] = h;
        searched++;
        const r = tryKeys(one);
        if (r) return { hit: { key: r.key, addresses: [v4(Uint8Array.from(a))], variant: r.ll ? 'lladdr' : 'sorted' }, searched, scope };
      }
      return undefined;
    };
    const first = single(src4[2]!);
    if (first) return first;
    const a = Uint8Array.of(src4[0]!, src4[1]!, src4[2]!, 0);
    const b = Uint8Array.of(src4[0]!, src4[1]!, src4[2]!, 0);
    const pair = [a, b];
    for (let x = 1; x <= 254 && searched < MAX_DISCOVERY_SETS; x++) {
      a[3] = x;
      for (let y = x + 1; y <= 254; y++) {
        b[3] = y;
        searched++;
        const r = tryKeys(pair);
        if (r) return { hit: { key: r.key, addresses: [v4(Uint8Array.from(a)), v4(Uint8Array.from(b))], variant: r.ll ? 'lladdr' : 'sorted' }, searched, scope };
      }
    }
    const other = single(src4[2]! ^ 1);
    if (other) return other;
    return { hit: undefined, searched, scope };
  }
  const src6 = parseIPv6(src);
  if (!src6) return { hit: undefined, searched, scope: 'nothing (source address not parsed)' };
  const seen = new Map<string, Uint8Array>();
  const add = (b: Uint8Array): void => { if (seen.size < 64) seen.set(v6text(b), b); };
  for (const a of seen6) add(a.bytes);
  add(src6);
  const prefixes = new Map<string, Uint8Array>();
  for (const b of seen.values()) {
    if (isLinkLocal6(b) || b[0] === 0xff) continue;
    const p = Uint8Array.from(b); p.fill(0, 8);
    prefixes.set(v6text(p), p);
  }
  const cands: Uint8Array[] = [...seen.values()];
  for (const p of [...prefixes.values()].slice(0, 8)) {
    for (let h = 1; h <= 0xff; h++) { const c = Uint8Array.from(p); c[15] = h; cands.push(c); }
  }
  const scope = `${seen.size} IPv6 addresses seen on the segment` + (prefixes.size > 0 ? ` and ::1-ff of ${[...prefixes.keys()].slice(0, 8).join(', ')}/64` : '');
  for (const c of cands) {
    searched++;
    const r = tryKeys([c]);
    if (r) {
      const variant: HmacVariant = isLinkLocal6(c) ? (r.ll ? 'lladdr-v6ll' : 'sorted-v6ll') : r.ll ? 'lladdr' : 'sorted';
      return { hit: { key: r.key, addresses: [{ text: v6text(c), bytes: c, family: 6 }], variant }, searched, scope };
    }
  }
  return { hit: undefined, searched, scope };
}

export interface SearchTarget {
  readonly message: Uint8Array;
  readonly addresses: readonly VirtualAddress[];
  readonly variant: HmacVariant;
}

/**
 * The single-address candidates of discoverVips as fixed messages (for the wordlist audit, which
 * tries every word against each: pairs are left out there, 32 k sets per word would be too many):
 * IPv4 the sender's /24 then the other half of its /23; IPv6 the addresses seen and prefix::1-ff.
 */
export function searchTargets(vhid: number, src: string, counter: Uint8Array, lladdr: Uint8Array | undefined, seen6: readonly VirtualAddress[] = []): { targets: SearchTarget[]; scope: string } {
  const mb = new MessageBuffer();
  const out: SearchTarget[] = [];
  const push = (a: VirtualAddress, ll: boolean): void => {
    const ll6 = a.family === 6 && isLinkLocal6(a.bytes);
    out.push({
      message: Uint8Array.from(mb.write(vhid, [a.bytes], counter, ll ? lladdr : undefined)), addresses: [a],
      variant: ll ? (ll6 ? 'lladdr-v6ll' : 'lladdr') : ll6 ? 'sorted-v6ll' : 'sorted',
    });
  };
  const add = (a: VirtualAddress): void => { push(a, false); if (lladdr) push(a, true); };
  const src4 = parseIPv4(src);
  if (src4) {
    for (const third of [src4[2]!, src4[2]! ^ 1]) for (let h = 1; h <= 254; h++) add(v4(Uint8Array.of(src4[0]!, src4[1]!, third, h)));
    return { targets: out, scope: `${src4[0]}.${src4[1]}.${src4[2]}.0/24 and ${src4[0]}.${src4[1]}.${src4[2]! ^ 1}.0/24 single addresses` };
  }
  const src6 = parseIPv6(src);
  if (!src6) return { targets: out, scope: 'nothing (source address not parsed)' };
  const seen = new Map<string, Uint8Array>();
  for (const a of [...seen6.map((x) => x.bytes), src6]) if (seen.size < 64) seen.set(v6text(a), a);
  const prefixes = new Map<string, Uint8Array>();
  for (const b of seen.values()) {
    if (isLinkLocal6(b) || b[0] === 0xff) continue;
    const p = Uint8Array.from(b); p.fill(0, 8);
    prefixes.set(v6text(p), p);
  }
  for (const b of seen.values()) add({ text: v6text(b), bytes: b, family: 6 });
  for (const p of [...prefixes.values()].slice(0, 8)) {
    for (let h = 1; h <= 0xff; h++) { const c = Uint8Array.from(p); c[15] = h; add({ text: v6text(c), bytes: c, family: 6 }); }
  }
  return { targets: out, scope: `${seen.size} IPv6 addresses seen and ::1-ff of ${prefixes.size} /64 prefixes` };
}
