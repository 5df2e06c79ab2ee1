// Bounds-checked reader over one frame's bytes (tcpdump's GET_* macros, mcap's cursor).
//
// Two ends are tracked: `capturedEnd` (the bytes we have) and `declaredEnd` (where the enclosing
// protocol says this structure ends). Reading past the captured end stops the layer as
// `truncated`; past the declared end as `malformed`. The stop is a typed exception that only the
// frame decoder catches (decode/frame.ts), at the boundary of the layer being decoded, keeping
// the fields already read. All multi-byte reads are explicit about byte order.

export type StopKind = 'truncated' | 'malformed';

/** Thrown by a Cursor when a read would cross an end; caught only in decode/frame.ts. */
export class DecodeStop extends Error {
  constructor(readonly kind: StopKind, readonly what: string, readonly offset: number) {
    super(`${kind} reading ${what} at offset ${offset}`);
    this.name = 'DecodeStop';
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[bytes[i]!];
  return s;
}

export function formatIPv4(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text form (lowercase, longest zero run compressed, embedded IPv4 not used). */
export function formatIPv6(b: Uint8Array, at = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export function formatMac(b: Uint8Array, at = 0): string {
  return `${HEX[b[at]!]}:${HEX[b[at + 1]!]}:${HEX[b[at + 2]!]}:${HEX[b[at + 3]!]}:${HEX[b[at + 4]!]}:${HEX[b[at + 5]!]}`;
}

export class Cursor {
  pos: number;
  readonly capturedEnd: number;
  readonly declaredEnd: number;

  /**
   * @param bytes the whole frame
   * @param start first byte of this structure
   * @param declaredEnd where the enclosing protocol says it ends (default: end of the bytes)
   */
  constructor(readonly bytes: Uint8Array, start = 0, declaredEnd = bytes.length) {
    this.pos = start;
    this.declaredEnd = declaredEnd;
    this.capturedEnd = Math.min(bytes.length, declaredEnd);
  }

  /** Bytes left before the declared end (may exceed what was captured). */
  get remainingDeclared(): number {
    return this.declaredEnd - this.pos;
  }

  /** Bytes left that were captured (and lie before the declared end). */
  get remaining(): number {
    return this.capturedEnd - this.pos;
  }

  /** Throws DecodeStop unless `n` bytes can be read at `at` (default: the current position). */
  need(n: number, what: string, at = this.pos): void {
    if (at + n > this.declaredEnd) throw new DecodeStop('malformed', what, at);
    if (at + n > this.capturedEnd) throw new DecodeStop('truncated', what, at);
  }

  /** True when `n` more bytes are available (no throw). */
  has(n: number): boolean {
    return this.pos + n <= this.capturedEnd;
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16be(what = 'u16'): number {
    this.need(2, what);
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u16le(what = 'u16'): number {
    this.need(2, what);
    const b = this.bytes;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }

  u32be(what = 'u32'): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  u32le(what = 'u32'): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p + 3]! << 24) >>> 0) + ((b[p + 2]! << 16) | (b[p + 1]! << 8) | b[p]!);
  }

  i32be(what = 'i32'): number {
    return this.u32be(what) | 0;
  }

  /** Unsigned 64-bit big-endian as a bigint. */
  u64be(what = 'u64'): bigint {
    const hi = this.u32be(what);
    const lo = this.u32be(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  u64le(what = 'u64'): bigint {
    const lo = this.u32le(what);
    const hi = this.u32le(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A view of the next `n` bytes (checked; never silently shorter). */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  hex(n: number, what = 'bytes'): string {
    this.need(n, what);
    const s = toHex(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  ipv4(what = 'IPv4 address'): string {
    this.need(4, what);
    const s = formatIPv4(this.bytes, this.pos);
    this.pos += 4;
    return s;
  }

  ipv6(what = 'IPv6 address'): string {
    this.need(16, what);
    const s = formatIPv6(this.bytes, this.pos);
    this.pos += 16;
    return s;
  }

  mac(what = 'MAC address'): string {
    this.need(6, what);
    const s = formatMac(this.bytes, this.pos);
    this.pos += 6;
    return s;
  }

  /** NUL-terminated string in a fixed-size field of `n` bytes (e.g. ifname[16]). */
  fixedString(n: number, what = 'string'): string {
    this.need(n, what);
    let end = this.pos;
    const limit = this.pos + n;
    while (end < limit && this.bytes[end] !== 0) end++;
    let s = '';
    for (let i = this.pos; i < end; i++) s += String.fromCharCode(this.bytes[i]!);
    this.pos = limit;
    return s;
  }

  /** A sub-cursor over the next `n` declared bytes (which may be only partly captured). */
  sub(n: number): Cursor {
    const c = new Cursor(this.bytes, this.pos, Math.min(this.pos + n, this.declaredEnd));
    this.pos = Math.min(this.pos + n, this.declaredEnd);
    return c;
  }
}
