// Virtual-address handling for the CARP HMAC (../shared/reference/carp.md section 3.1):
// text -> wire bytes, the sort order the kernels hash in, and link-local detection.
// IPv4 addresses are sorted as unsigned 32-bit numbers, IPv6 by memcmp; duplicates count once and
// the all-zero / all-ones addresses can never be hashed (the kernels' "smallest greater than the
// previous one" loop). IPv6 scope ids ("%eth0") are dropped: the hashed bytes are the wire form.

export interface VirtualAddress {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly family: 4 | 6;
}

export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

export function parseIPv6(input: string): Uint8Array | undefined {
  const text = input.split('%')[0]!.toLowerCase();
  if (text.length === 0 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

export function parseVirtualAddress(text: string): VirtualAddress | undefined {
  const t = text.trim();
  const v4 = parseIPv4(t);
  if (v4) return { text: t, bytes: v4, family: 4 };
  const v6 = parseIPv6(t);
  if (v6) return { text: t.split('%')[0]!, bytes: v6, family: 6 };
  return undefined;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** fe80::/10 (link-local unicast) — skipped by OpenBSD's HMAC_NOV6LL context. */
export function isLinkLocal6(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80;
}

function isAll(bytes: Uint8Array, v: number): boolean {
  for (const b of bytes) if (b !== v) return false;
  return true;
}

/** Ascending, duplicates once, never all-zero/all-ones (carp.md 3.1 "Sorting detail"). */
export function sortForHmac(addrs: readonly VirtualAddress[]): VirtualAddress[] {
  const out: VirtualAddress[] = [];
  const sorted = [...addrs].sort((a, b) => compareBytes(a.bytes, b.bytes));
  for (const a of sorted) {
    if (isAll(a.bytes, 0) || isAll(a.bytes, 0xff)) continue;
    const prev = out[out.length - 1];
    if (prev && compareBytes(prev.bytes, a.bytes) === 0) continue;
    out.push(a);
  }
  return out;
}

const macCache = new Map<string, Uint8Array | undefined>();
const MAC_CACHE = 256;

/** Parse a MAC "aa:bb:cc:dd:ee:ff" (or with '-') to 6 bytes; cached (a capture has few MACs). Do not modify the result. */
export function parseMac(text: string): Uint8Array | undefined {
  if (macCache.has(text)) return macCache.get(text);
  const b = parseMacText(text);
  if (macCache.size >= MAC_CACHE) macCache.delete(macCache.keys().next().value as string);
  macCache.set(text, b);
  return b;
}

function parseMacText(text: string): Uint8Array | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) return undefined;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined;
    out[i] = parseInt(p, 16);
  }
  return out;
}

/** The VHID a virtual MAC names: 00:00:5e:00:01:VHID (CARP/VRRP) or ucarp's 00:00:5e:00:00:VHID. */
export function vhidOfVirtualMac(mac: string): { vhid: number; ucarp: boolean } | undefined {
  const b = parseMac(mac);
  if (!b || b[0] !== 0 || b[1] !== 0 || b[2] !== 0x5e || b[3] !== 0) return undefined;
  if (b[4] === 1) return { vhid: b[5]!, ucarp: false };
  if (b[4] === 0) return { vhid: b[5]!, ucarp: true };
  return undefined;
}
