// Test-only builders for capture files: classic pcap (either byte order, micro/nano) and
// pcapng (several sections, interfaces, options, EPB/SPB/PB, unknown blocks). Independent of
// src/capture on purpose: a reader bug must not be mirrored by its fixture.
// Layouts: src/capture/pcap.ts and src/capture/pcapng.ts.

export type Endian = 'le' | 'be';

/** Little helper that appends fixed-width integers in one byte order. */
export class ByteWriter {
  private readonly parts: number[] = [];
  constructor(readonly endian: Endian) {}

  get length(): number {
    return this.parts.length;
  }
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.parts.push(...(this.endian === 'le' ? b : b.reverse()));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.parts.push(...(this.endian === 'le' ? b : b.reverse()));
    return this;
  }
  u64(v: bigint): this {
    const x = BigInt.asUintN(64, v);
    const hi = Number(x >> 32n);
    const lo = Number(x & 0xffffffffn);
    return this.endian === 'le' ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  /** Zero bytes up to the next multiple of 4. */
  pad4(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  /** Overwrites a u32 already written at `at`. */
  patchU32(at: number, v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    const ordered = this.endian === 'le' ? b : b.reverse();
    for (let i = 0; i < 4; i++) this.parts[at + i] = ordered[i] as number;
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

// ---------------------------------------------------------------- classic pcap

export interface PcapRecordSpec {
  tsSec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  tsFrac: number;
  data: Uint8Array;
  /** Length on the wire; default data.length. */
  originalLength?: number;
  /** Override of the caplen field (to forge damage); default data.length. */
  caplenField?: number;
}

export interface PcapSpec {
  endian: Endian;
  /** Nanosecond magic a1b23c4d instead of a1b2c3d4. */
  nano?: boolean;
  /** LINKTYPE_*, default 1 (Ethernet). */
  linktype?: number;
  /** Bits ORed above the link type (FCS length field: bit 26 = present, bits 28-31 = length). */
  linktypeHighBits?: number;
  snaplen?: number;
  records: PcapRecordSpec[];
}

export function buildPcap(spec: PcapSpec): Uint8Array {
  const w = new ByteWriter(spec.endian);
  w.u32(spec.nano === true ? 0xa1b23c4d : 0xa1b2c3d4); // magic, in the file's byte order
  w.u16(2); // version major
  w.u16(4); // version minor
  w.u32(0); // thiszone: always 0
  w.u32(0); // sigfigs: always 0
  w.u32(spec.snaplen ?? 262144); // snaplen
  w.u32(((spec.linktype ?? 1) | (spec.linktypeHighBits ?? 0)) >>> 0); // FCS bits + linktype
  for (const r of spec.records) {
    w.u32(r.tsSec); // ts seconds
    w.u32(r.tsFrac); // ts microseconds / nanoseconds
    w.u32(r.caplenField ?? r.data.length); // captured length
    w.u32(r.originalLength ?? r.data.length); // original length
    w.bytes(r.data); // packet data, no padding in classic pcap
  }
  return w.done();
}

// ---------------------------------------------------------------- pcapng

export interface NgInterfaceSpec {
  linktype: number;
  /** 0 = no limit. */
  snaplen?: number;
  /** Raw if_tsresol byte (MSB set = power of two); absent = option omitted (10^-6). */
  tsresol?: number;
  /** if_tsoffset seconds; absent = option omitted. */
  tsoffset?: bigint;
  /** Adds an if_name option before the others (exercises option skipping). */
  name?: string;
}

export type NgBlockSpec =
  | ({ kind: 'idb' } & NgInterfaceSpec)
  | {
      kind: 'epb';
      interfaceId: number;
      /** Timestamp in the interface's units. */
      ts: bigint;
      data: Uint8Array;
      originalLength?: number;
      /** Adds an epb_flags option and an opt_comment after the data. */
      withOptions?: boolean;
    }
  | { kind: 'pb'; interfaceId: number; ts: bigint; data: Uint8Array; originalLength?: number }
  | { kind: 'spb'; data: Uint8Array; originalLength?: number }
  | { kind: 'raw'; type: number; body: Uint8Array };

export interface NgSectionSpec {
  endian: Endian;
  /** Adds shb_hardware / shb_os options. */
  withOptions?: boolean;
  blocks: NgBlockSpec[];
}

/** Appends a block: type, total length, body (padded), total length. */
function block(w: ByteWriter, type: number, body: (w: ByteWriter) => void): void {
  const start = w.length;
  w.u32(type); // block type
  w.u32(0); // block total length, patched below
  body(w);
  w.pad4();
  const total = w.length - start + 4;
  w.u32(total); // trailing block total length
  w.patchU32(start + 4, total);
}

function option(w: ByteWriter, code: number, value: Uint8Array): void {
  w.u16(code); // option code
  w.u16(value.length); // option length (unpadded)
  w.bytes(value); // value
  w.pad4(); // padding to 32 bits
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export function buildPcapng(sections: NgSectionSpec[]): Uint8Array {
  const out: Uint8Array[] = [];
  for (const section of sections) {
    const w = new ByteWriter(section.endian);
    block(w, 0x0a0d0d0a, (b) => {
      b.u32(0x1a2b3c4d); // byte-order magic
      b.u16(1); // major version
      b.u16(0); // minor version
      b.u64(-1n); // section length: unknown
      if (section.withOptions === true) {
        option(b, 2, text('test hardware')); // shb_hardware
        option(b, 3, text('test os')); // shb_os
        option(b, 0, new Uint8Array(0)); // opt_endofopt
      }
    });
    for (const blk of section.blocks) appendBlock(w, blk);
    out.push(w.done());
  }
  const total = out.reduce((n, b) => n + b.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const b of out) {
    all.set(b, at);
    at += b.length;
  }
  return all;
}

function appendBlock(w: ByteWriter, blk: NgBlockSpec): void {
  const split = (ts: bigint): [number, number] => [Number(ts >> 32n), Number(ts & 0xffffffffn)];
  switch (blk.kind) {
    case 'idb':
      block(w, 1, (b) => {
        b.u16(blk.linktype); // link type
        b.u16(0); // reserved
        b.u32(blk.snaplen ?? 0); // snaplen
        if (blk.name !== undefined) option(b, 2, text(blk.name)); // if_name
        if (blk.tsresol !== undefined) option(b, 9, Uint8Array.of(blk.tsresol)); // if_tsresol
        if (blk.tsoffset !== undefined) option(b, 14, new ByteWriter(b.endian).u64(blk.tsoffset).done()); // if_tsoffset
        if (blk.name !== undefined || blk.tsresol !== undefined || blk.tsoffset !== undefined) option(b, 0, new Uint8Array(0)); // opt_endofopt
      });
      return;
    case 'epb':
      block(w, 6, (b) => {
        const [hi, lo] = split(blk.ts);
        b.u32(blk.interfaceId); // interface id
        b.u32(hi); // timestamp (upper 32 bits)
        b.u32(lo); // timestamp (lower 32 bits)
        b.u32(blk.data.length); // captured packet length
        b.u32(blk.originalLength ?? blk.data.length); // original packet length
        b.bytes(blk.data).pad4(); // packet data, padded
        if (blk.withOptions === true) {
          option(b, 2, new ByteWriter(b.endian).u32(1).done()); // epb_flags: inbound
          option(b, 1, text('a comment')); // opt_comment
          option(b, 0, new Uint8Array(0)); // opt_endofopt
        }
      });
      return;
    case 'pb':
      block(w, 2, (b) => {
        const [hi, lo] = split(blk.ts);
        b.u16(blk.interfaceId); // interface id
        b.u16(0); // drops count
        b.u32(hi); // timestamp (upper)
        b.u32(lo); // timestamp (lower)
        b.u32(blk.data.length); // captured length
        b.u32(blk.originalLength ?? blk.data.length); // packet length
        b.bytes(blk.data).pad4(); // packet data
      });
      return;
    case 'spb':
      block(w, 3, (b) => {
        b.u32(blk.originalLength ?? blk.data.length); // original packet length
        b.bytes(blk.data).pad4(); // packet data (captured = min(original, snaplen, room))
      });
      return;
    case 'raw':
      block(w, blk.type, (b) => {
        b.bytes(blk.body).pad4(); // opaque body
      });
      return;
  }
}

// ---------------------------------------------------------------- reference arithmetic

/** Seconds and nanoseconds of a pcapng unit count, computed with BigInt (the oracle). */
export function unitsToSecNsec(ts: bigint, tsresol: number | undefined, offset = 0n): { sec: number; nsec: number } {
  const r = tsresol ?? 6;
  const perSecond = (r & 0x80) !== 0 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
  return {
    sec: Number(ts / perSecond + offset),
    nsec: Number(((ts % perSecond) * 1_000_000_000n) / perSecond),
  };
}

/** Unit count of (sec, nsec) at a resolution (rounded down). */
export function secNsecToUnits(sec: number, nsec: number, tsresol: number | undefined): bigint {
  const r = tsresol ?? 6;
  const perSecond = (r & 0x80) !== 0 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
  return BigInt(sec) * perSecond + (BigInt(nsec) * perSecond) / 1_000_000_000n;
}

/** Deterministic PRNG (mulberry32) so random tests replay from their printed seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `len` bytes of deterministic content, different for each `tag`. */
export function payload(len: number, tag: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + tag * 7 + (i >> 8)) & 0xff;
  return b;
}
