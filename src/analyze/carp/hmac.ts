// CARP advert authentication (../shared/reference/carp.md section 3).
//
//   md = HMAC-SHA1(key, M)     key = first 19 bytes of the passphrase (UTF-8), zero padded
//
//   M:  +------+------+--------------+------+-----------------+------------------+-----------+
//       | 0x02 | 0x01 | [lladdr (6)] | vhid | IPv4 addrs (4n) | IPv6 addrs (16m) | counter 8 |
//       +------+------+--------------+------+-----------------+------------------+-----------+
//
// Variants (tried in this order, the first that verifies is reported):
//   sorted             OpenBSD >= 2007 HMAC_NOV6LL context (what it sends with), FreeBSD >= 10
//                      without link-local VIPs, ucarp with its one --addr
//   sorted-v6ll        OpenBSD HMAC_ORIG context / FreeBSD with link-local VIPs (link-locals kept)
//   lladdr, lladdr-v6ll  OpenBSD with a custom carp lladdr: the advert's Ethernet source is inserted
//                      between type and vhid
//   config-order       OpenBSD <= 1.94 / FreeBSD 5-6: addresses in configuration order, unsorted
//   ucarp-single       ucarp: only one IPv4 address of the set (its --addr) is hashed
//
// Never put a passphrase into a message, finding or error: callers only learn which entry matched.

import { isLinkLocal6, sortForHmac, type VirtualAddress } from './addresses.js';
import { digestWords, HmacKey } from './sha1.js';

export const HMAC_VARIANTS = ['sorted', 'sorted-v6ll', 'lladdr', 'lladdr-v6ll', 'config-order', 'ucarp-single'] as const;
export type HmacVariant = (typeof HMAC_VARIANTS)[number];

export const CARP_KEY_BYTES = 19;
const CARP_VERSION = 2;
const CARP_ADVERTISEMENT = 1;

/** The HMAC key: the passphrase's first 19 UTF-8 bytes (ifconfig's strlcpy into 20 bytes). */
export function carpKey(passphrase: string): Buffer {
  const b = Buffer.from(passphrase, 'utf8');
  return b.length > CARP_KEY_BYTES ? b.subarray(0, CARP_KEY_BYTES) : b;
}

/** The 8 counter bytes from the decimal string of carp.counter (written into `into` when given). */
export function counterBytes(counter: string, into?: Uint8Array): Uint8Array | undefined {
  const n = counter.length;
  if (n === 0 || n > 20) return undefined;
  if (n <= 15) {
    // Below 10^15 < 2^53 the value is exact as a double: no BigInt, no RegExp, no DataView (this
    // runs once per advert; ucarp and keepalived counters start small, the BSDs' at a random
    // 64-bit value).
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = counter.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      v = v * 10 + d;
    }
    const hi = Math.floor(v / 0x1_0000_0000), lo = v >>> 0;
    const out = into ?? new Uint8Array(8);
    out[0] = hi >>> 24; out[1] = hi >>> 16; out[2] = hi >>> 8; out[3] = hi;
    out[4] = lo >>> 24; out[5] = lo >>> 16; out[6] = lo >>> 8; out[7] = lo;
    return out;
  }
  if (!/^\d+$/.test(counter)) return undefined;
  const v = BigInt(counter);
  if (v >= 1n << 64n) return undefined;
  const out = into ?? new Uint8Array(8);
  new DataView(out.buffer, out.byteOffset, 8).setBigUint64(0, v, false);
  return out;
}

/** The value of each ASCII hex digit, -1 for any other character below 128. */
const HEX_VALUE = ((): Int8Array => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) { t[97 + i] = 10 + i; t[65 + i] = 10 + i; }
  return t;
})();

function hexNibble(c: number): number {
  return c < 128 ? HEX_VALUE[c]! : -1;
}

/**
 * A 20-byte digest given as 40 hex digits, as the five big-endian words the HMAC check
 * compares (hexToBytes then digestWords, without the byte array); undefined unless exactly
 * 40 hex digits.
 */
export function hexDigestWords(hex: string, into?: Int32Array): Int32Array | undefined {
  if (hex.length !== 40) return undefined;
  const out = into ?? new Int32Array(5);
  // no branch per digit: a bad digit's -1 is or-ed into `bad` (2.5x faster, once per advert)
  let bad = 0;
  for (let w = 0; w < 5; w++) {
    let word = 0;
    for (let i = 8 * w; i < 8 * w + 8; i++) {
      const n = hexNibble(hex.charCodeAt(i));
      bad |= n;
      word = (word << 4) | (n & 15);
    }
    out[w] = word;
  }
  return bad < 0 ? undefined : out;
}

export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i)), lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Build M for one address list, in the order given. */
export function buildHmacMessage(vhid: number, addrs: readonly VirtualAddress[], counter: Uint8Array, lladdr?: Uint8Array): Uint8Array {
  const v4 = addrs.filter((a) => a.family === 4);
  const v6 = addrs.filter((a) => a.family === 6);
  const len = 2 + (lladdr ? 6 : 0) + 1 + 4 * v4.length + 16 * v6.length + 8;
  const m = new Uint8Array(len);
  let o = 0;
  m[o++] = CARP_VERSION;
  m[o++] = CARP_ADVERTISEMENT;
  if (lladdr) { m.set(lladdr, o); o += 6; }
  m[o++] = vhid;
  for (const a of v4) { m.set(a.bytes, o); o += 4; }
  for (const a of v6) {
    const b = Uint8Array.from(a.bytes);
    if (isLinkLocal6(b) || (b[0] === 0xff && (b[1]! & 0x0f) <= 2)) { b[2] = 0; b[3] = 0; } // KAME scope bytes zero
    m.set(b, o); o += 16;
  }
  m.set(counter, o);
  return m;
}

export interface HmacCandidate {
  readonly variant: HmacVariant;
  readonly message: Uint8Array;
  /** Addresses hashed (for carp.vip). */
  readonly addresses: readonly VirtualAddress[];
}

function sameList(a: readonly VirtualAddress[], b: readonly VirtualAddress[]): boolean {
  return a.length === b.length && a.every((x, i) => x.text === b[i]!.text);
}

/**
 * Every message the variants produce for one address set (configuration order as given),
 * without duplicates (a variant that yields the same bytes as an earlier one is skipped).
 */
export function hmacCandidates(vhid: number, configOrder: readonly VirtualAddress[], counter: Uint8Array, lladdr?: Uint8Array, ucarpSingle = true): HmacCandidate[] {
  const out: HmacCandidate[] = [];
  const seen = new Set<string>();
  const add = (variant: HmacVariant, addrs: readonly VirtualAddress[], ll?: Uint8Array): void => {
    const message = buildHmacMessage(vhid, addrs, counter, ll);
    const key = Buffer.from(message).toString('hex');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ variant, message, addresses: addrs });
  };
  const sortedAll = sortForHmac(configOrder);
  const noLL = sortedAll.filter((a) => !(a.family === 6 && isLinkLocal6(a.bytes)));
  add('sorted', noLL);
  add('sorted-v6ll', sortedAll);
  if (lladdr) {
    add('lladdr', noLL, lladdr);
    add('lladdr-v6ll', sortedAll, lladdr);
  }
  const v4cfg = configOrder.filter((a) => a.family === 4);
  const v6cfg = configOrder.filter((a) => a.family === 6);
  const cfg = [...v4cfg, ...v6cfg];
  if (!sameList(cfg, sortedAll)) add('config-order', cfg);
  if (ucarpSingle && configOrder.length > 1) for (const a of sortForHmac(v4cfg)) add('ucarp-single', [a]);
  return out;
}

const keyStates = new WeakMap<Uint8Array, HmacKey>();

/** The key's precomputed HMAC state (cached per key array). */
export function hmacKeyOf(key: Uint8Array): HmacKey {
  let k = keyStates.get(key);
  if (!k) { k = new HmacKey(key); keyStates.set(key, k); }
  return k;
}

/** The first candidate whose HMAC under `key` equals `md` (20 bytes, or its five words), if any. */
export function findMatchingCandidate(key: Uint8Array | HmacKey, candidates: readonly HmacCandidate[], md: Uint8Array | Int32Array): HmacCandidate | undefined {
  const k = key instanceof HmacKey ? key : hmacKeyOf(key);
  let words: Int32Array;
  if (md instanceof Int32Array) words = md;
  else if (md.length === 20) words = digestWords(md);
  else return undefined;
  for (const c of candidates) if (k.matchesWords(c.message, words)) return c;
  return undefined;
}
