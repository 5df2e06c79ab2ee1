// CaptureParser: formats, byte orders, timestamp resolutions, chunking independence,
// truncation and corruption errors.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureParser } from '../../src/capture/parser.js';
import { CaptureFormatError, CarpdumpError } from '../../src/errors.js';
import {
  buildPcap,
  buildPcapng,
  mulberry32,
  payload,
  unitsToSecNsec,
  type Endian,
  type NgBlockSpec,
  type PcapRecordSpec,
} from '../builders/capture.js';
import { parseBytes, type FrameSnapshot } from './helpers.js';
import { assertFields } from '../support/assert.js';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_PFSYNC = 246;

const RECORDS: PcapRecordSpec[] = [
  { tsSec: 1_700_000_000, tsFrac: 123_456, data: payload(60, 1) },
  { tsSec: 1_700_000_001, tsFrac: 0, data: payload(1514, 2), originalLength: 1514 },
  { tsSec: 4_294_967_295, tsFrac: 999_999, data: payload(0, 3), originalLength: 64 },
  { tsSec: 0, tsFrac: 1, data: payload(7, 4), originalLength: 9000 },
];

function expectedPcapFrames(records: PcapRecordSpec[], nano: boolean, linktype: number): FrameSnapshot[] {
  return records.map((r, i) => ({
    number: i + 1,
    tsSec: r.tsSec,
    tsNsec: nano ? r.tsFrac : r.tsFrac * 1000,
    tsDigits: nano ? 9 : 6,
    linktype,
    interfaceId: 0,
    capturedLength: r.data.length,
    originalLength: r.originalLength ?? r.data.length,
    data: Array.from(r.data),
  }));
}

describe('classic pcap', () => {
  for (const endian of ['le', 'be'] as Endian[]) {
    for (const nano of [false, true]) {
      it(`reads ${endian} ${nano ? 'nanosecond' : 'microsecond'} files`, () => {
        const records = nano ? RECORDS.map((r) => ({ ...r, tsFrac: r.tsFrac * 1000 + 789 })) : RECORDS;
        const bytes = buildPcap({ endian, nano, linktype: LINKTYPE_LINUX_SLL, records });
        const r = parseBytes(bytes);
        assertFields(r, {
          error: undefined,
          format: 'pcap',
          frames: expectedPcapFrames(records, nano, LINKTYPE_LINUX_SLL),
          bytesConsumed: bytes.length,
        });
      });
    }
  }

  it('masks the FCS-length bits off the link type field', () => {
    const fcsBits = (1 << 26) | (4 << 28); // FCS present, 4 bytes
    const bytes = buildPcap({ endian: 'be', linktype: LINKTYPE_ETHERNET, linktypeHighBits: fcsBits, records: RECORDS });
    assert.ok(parseBytes(bytes).frames.every((f) => f.linktype === LINKTYPE_ETHERNET));
  });

  it('carries an out-of-range sub-second field into the seconds', () => {
    const bytes = buildPcap({ endian: 'le', records: [{ tsSec: 10, tsFrac: 2_500_000, data: payload(4, 1) }] });
    const [f] = parseBytes(bytes).frames;
    assert.equal(f?.tsSec, 12);
    assert.equal(f?.tsNsec, 500_000_000);
  });

  it('reads a header-only file as zero frames without error', () => {
    const r = parseBytes(buildPcap({ endian: 'le', records: [] }));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.frames, []);
  });
});

// ---------------------------------------------------------------- pcapng

const BIG_NS = 1_700_000_000_123_456_789n; // > 2^53: must not go through a double
interface NgIface {
  linktype: number;
  tsresol?: number;
  tsoffset?: bigint;
  snaplen?: number;
}

/** Two sections (LE then BE) with interfaces of different link types and resolutions. */
function multiSectionFixture(): { bytes: Uint8Array; expected: FrameSnapshot[] } {
  const sectionA: NgIface[] = [
    { linktype: LINKTYPE_ETHERNET }, // default 10^-6
    { linktype: LINKTYPE_LINUX_SLL, tsresol: 9 }, // 10^-9
    { linktype: LINKTYPE_RAW, tsresol: 0x80 | 10, tsoffset: 1000n }, // 2^-10, +1000 s
    { linktype: LINKTYPE_PFSYNC, tsresol: 12 }, // 10^-12 (beyond nanoseconds)
  ];
  const sectionB: NgIface[] = [
    { linktype: LINKTYPE_RAW, tsresol: 0x80 | 40 }, // 2^-40
    { linktype: LINKTYPE_ETHERNET, tsresol: 3, snaplen: 20 }, // 10^-3, snaplen 20
    { linktype: LINKTYPE_ETHERNET, tsresol: 0x80 | 32 }, // 2^-32
  ];
  const expected: FrameSnapshot[] = [];
  const frame = (iface: NgIface, globalId: number, ts: bigint | undefined, data: Uint8Array, orig: number): void => {
    const t = ts === undefined ? { sec: 0, nsec: 0 } : unitsToSecNsec(ts, iface.tsresol, iface.tsoffset ?? 0n);
    const r = iface.tsresol ?? 6;
    const digits = (r & 0x80) !== 0 ? Math.min(9, Math.ceil(((r & 0x7f) * Math.log10(2)) - 1e-9)) : Math.min(9, r);
    expected.push({
      number: expected.length + 1,
      tsSec: t.sec,
      tsNsec: t.nsec,
      tsDigits: digits,
      linktype: iface.linktype,
      interfaceId: globalId,
      capturedLength: data.length,
      originalLength: orig,
      data: Array.from(data),
    });
  };
  const idbs = (list: NgIface[]): NgBlockSpec[] =>
    list.map((i, n) => ({ kind: 'idb', ...i, ...(n === 1 ? { name: 'eth1' } : {}) }));

  const a: NgBlockSpec[] = [...idbs(sectionA)];
  const epb = (list: NgIface[], base: number, id: number, ts: bigint, len: number, tag: number, withOptions = false): void => {
    const data = payload(len, tag);
    a.push({ kind: 'epb', interfaceId: id, ts, data, originalLength: len + 3, withOptions });
    frame(list[id] as NgIface, base + id, ts, data, len + 3);
  };
  epb(sectionA, 0, 0, 1_700_000_000_654_321n, 60, 1, true);
  a.push({ kind: 'raw', type: 0x00000004, body: payload(20, 9) }); // name resolution block
  epb(sectionA, 0, 1, BIG_NS, 61, 2);
  epb(sectionA, 0, 1, BIG_NS + 999_999_999n, 62, 3);
  epb(sectionA, 0, 2, (1_700_000_000n << 10n) + 1023n, 63, 4);
  a.push({ kind: 'raw', type: 0x00000bad, body: payload(13, 9) }); // custom block
  epb(sectionA, 0, 3, 12_345_678_901_234_567n, 64, 5); // picoseconds: 12345.678901234567 s
  // Obsolete Packet Block on interface 0
  {
    const data = payload(40, 6);
    a.push({ kind: 'pb', interfaceId: 0, ts: 1_600_000_000_000_001n, data, originalLength: 40 });
    frame(sectionA[0] as NgIface, 0, 1_600_000_000_000_001n, data, 40);
  }
  // Simple Packet Block: interface 0, no timestamp, full capture
  {
    const data = payload(33, 7);
    a.push({ kind: 'spb', data, originalLength: 33 });
    frame(sectionA[0] as NgIface, 0, undefined, data, 33);
  }
  a.push({ kind: 'raw', type: 0x00000005, body: payload(24, 9) }); // interface statistics block

  const firstSection = a.splice(0, a.length);
  const base = 0; // interface ids restart in each section
  const b: NgBlockSpec[] = [...idbs(sectionB)];
  const epbB = (id: number, ts: bigint, len: number, tag: number): void => {
    const data = payload(len, tag);
    b.push({ kind: 'epb', interfaceId: id, ts, data, originalLength: len });
    frame(sectionB[id] as NgIface, base + id, ts, data, len);
  };
  epbB(0, (16_000_000n << 40n) + 123_456_789n, 70, 11); // 2^64 units of 2^-40 s is only 2^24 s
  epbB(1, 1_700_000_000_123n, 20, 12);
  epbB(2, (4_000_000_000n << 32n) + 0xffffffffn, 71, 13);
  // SPB on interface 0 of section B (snaplen 0: no limit)
  {
    const data = payload(24, 14);
    b.push({ kind: 'spb', data, originalLength: 24 });
    frame(sectionB[0] as NgIface, base, undefined, data, 24);
  }
  const bytes = buildPcapng([
    { endian: 'le', withOptions: true, blocks: firstSection },
    { endian: 'be', blocks: b },
  ]);
  return { bytes, expected };
}

describe('pcapng', () => {
  it('reads several sections of both byte orders, interfaces and resolutions', () => {
    const { bytes, expected } = multiSectionFixture();
    const r = parseBytes(bytes);
    assertFields(r, { error: undefined, format: 'pcapng', frames: expected });
  });

  it('keeps nanosecond timestamps above 2^53 exact', () => {
    const { bytes } = multiSectionFixture();
    const f = parseBytes(bytes).frames[1];
    assertFields(f, { tsSec: 1_700_000_000, tsNsec: 123_456_789, tsDigits: 9 });
  });

  it('applies if_tsoffset and power-of-two resolutions exactly', () => {
    const { bytes } = multiSectionFixture();
    const f = parseBytes(bytes).frames[3];
    // 1023/1024 s = 0.9990234375 s -> 999023437 ns (rounded down); +1000 s offset
    assertFields(f, { tsSec: 1_700_001_000, tsNsec: 999_023_437, tsDigits: 4 });
  });

  it('limits a Simple Packet Block to the interface snaplen', () => {
    const bytes = buildPcapng([
      {
        endian: 'be',
        blocks: [
          { kind: 'idb', linktype: LINKTYPE_ETHERNET, snaplen: 16 },
          { kind: 'spb', data: payload(40, 1), originalLength: 40 },
          { kind: 'spb', data: payload(10, 2), originalLength: 10 },
        ],
      },
    ]);
    const r = parseBytes(bytes);
    assert.equal(r.error, undefined);
    assert.deepEqual(
      r.frames.map((f) => [f.capturedLength, f.originalLength, f.data.length]),
      [
        [16, 40, 16],
        [10, 10, 10],
      ],
    );
    assert.deepEqual(r.frames[0]?.data, Array.from(payload(40, 1).subarray(0, 16)));
  });

  it('numbers interfaces within their section (as tshark 4.0 shows frame.interface_id)', () => {
    const { bytes } = multiSectionFixture();
    const frames = parseBytes(bytes).frames;
    assert.deepEqual(frames.map((f) => f.interfaceId), [0, 1, 1, 2, 3, 0, 0, 0, 1, 2, 0]);
    assert.deepEqual(frames.map((f) => f.linktype), [1, 113, 113, 101, 246, 1, 1, 101, 1, 1, 101]);
  });
});

// ---------------------------------------------------------------- chunking independence

function fixtures(): Array<[string, Uint8Array]> {
  return [
    ['pcap le', buildPcap({ endian: 'le', records: RECORDS })],
    ['pcap be nano', buildPcap({ endian: 'be', nano: true, records: RECORDS })],
    ['pcapng multi-section', multiSectionFixture().bytes],
  ];
}

describe('chunking', () => {
  for (const [name, bytes] of fixtures()) {
    it(`${name}: one byte at a time and random chunks give the same frames`, () => {
      const whole = parseBytes(bytes);
      assert.equal(whole.error, undefined);
      assert.ok(whole.frames.length > 0);
      assert.deepEqual(parseBytes(bytes, 'bytewise'), whole);
      for (const seed of [1, 2, 3, 42, 1234]) {
        for (const max of [3, 17, 100, 5000]) {
          assert.deepEqual(parseBytes(bytes, { seed, max }), whole, `seed ${seed} max ${max}`);
        }
      }
    });
  }
});

// ---------------------------------------------------------------- truncation and errors

describe('truncation', () => {
  it('delivers every complete record, then names the offset and the shortfall', () => {
    const records = [
      { tsSec: 1, tsFrac: 0, data: payload(60, 1) },
      { tsSec: 2, tsFrac: 0, data: payload(60, 2) },
      { tsSec: 3, tsFrac: 0, data: payload(70, 3) },
    ];
    const full = buildPcap({ endian: 'le', records });
    const cut = full.subarray(0, full.length - 58); // 12 of the last record's 70 data bytes remain
    for (const chunking of ['whole', 'bytewise'] as const) {
      const r = parseBytes(cut, chunking);
      assert.equal(r.frames.length, 2);
      assert.ok(r.error instanceof CaptureFormatError);
      const offset = 24 + 2 * (16 + 60);
      assert.equal(r.error.byteOffset, offset);
      assert.equal(r.error.message, `truncated record at byte ${offset}: header says 70 bytes, 12 present`);
    }
  });

  it('names a truncated record header and a truncated pcapng block', () => {
    const pcap = buildPcap({ endian: 'be', records: RECORDS.slice(0, 1) });
    const r1 = parseBytes(pcap.subarray(0, pcap.length - 60 - 5));
    assert.match(String((r1.error as Error).message), /^truncated record header at byte 24: need 16 bytes, 11 present$/);
    const { bytes } = multiSectionFixture();
    const r2 = parseBytes(bytes.subarray(0, bytes.length - 3));
    assert.ok(r2.error instanceof CaptureFormatError);
    assert.match(r2.error.message, /^truncated simple packet block at byte \d+: header says 40 bytes, 37 present$/);
  });

  for (const [name, bytes] of fixtures()) {
    it(`${name}: every prefix yields a prefix of the frames, then at most one typed error`, () => {
      const full = parseBytes(bytes).frames;
      for (let n = 0; n < bytes.length; n++) {
        const r = parseBytes(bytes.subarray(0, n));
        assert.deepEqual(r.frames, full.slice(0, r.frames.length), `prefix ${n}`);
        if (r.error !== undefined) {
          assert.ok(r.error instanceof CarpdumpError, `prefix ${n}: ${String(r.error)}`);
          if (r.error instanceof CaptureFormatError) assert.equal(r.error.byteOffset, r.bytesConsumed);
        } else {
          assert.equal(r.bytesConsumed, n, `prefix ${n} ended cleanly only on a record boundary`);
        }
      }
    });
  }

  it('reports a truncated file header', () => {
    const r = parseBytes(buildPcap({ endian: 'le', records: [] }).subarray(0, 10));
    assert.ok(r.error instanceof CaptureFormatError);
    assert.equal(r.error.message, 'truncated file header at byte 0: need 24 bytes, 10 present');
  });
});

describe('not a capture', () => {
  it('rejects a bad magic with a one-line message', () => {
    const r = parseBytes(new TextEncoder().encode('hello world\n'));
    assert.ok(r.error instanceof CarpdumpError);
    assert.equal(r.error.message, 'not a pcap or pcapng file (magic 0x68656c6c)');
    assert.deepEqual(r.frames, []);
  });

  it('rejects an empty file and a too-short one', () => {
    const empty = parseBytes(new Uint8Array(0));
    assert.ok(empty.error instanceof CarpdumpError);
    assert.equal(empty.error.message, 'empty file: no pcap or pcapng header');
    const short = parseBytes(Uint8Array.of(0xd4, 0xc3));
    assert.ok(short.error instanceof CarpdumpError);
    assert.match(short.error.message, /^not a pcap or pcapng file/);
  });
});

describe('corruption', () => {
  const ng = (blocks: NgBlockSpec[]): Uint8Array => buildPcapng([{ endian: 'le', blocks }]);
  const idb: NgBlockSpec = { kind: 'idb', linktype: 1 };
  const setU32 = (b: Uint8Array, at: number, v: number): Uint8Array => {
    const c = b.slice();
    new DataView(c.buffer).setUint32(at, v, true);
    return c;
  };
  const SHB = 28;
  const IDB = 20;
  const ok = ng([idb, { kind: 'epb', interfaceId: 0, ts: 1n, data: payload(8, 1) }]);
  const epbAt = SHB + IDB;
  const cases: Array<[string, Uint8Array, RegExp, number]> = [
    ['huge caplen in pcap', setU32(buildPcap({ endian: 'le', records: RECORDS }), 24 + 8, 0x20000000), /captured length 536870912 exceeds/, 24],
    ['block length not a multiple of 4', setU32(ok, epbAt + 4, 46), /block length 46 is not a multiple of 4/, epbAt],
    ['block length below 12', setU32(ok, epbAt + 4, 8), /block length 8 is below the minimum of 12/, epbAt],
    ['mismatched trailing length', setU32(ok, ok.length - 4, 44), /trailing length 44/, epbAt],
    ['EPB caplen past its block', setU32(ok, epbAt + 20, 100), /captured length 100 does not fit/, epbAt],
    ['EPB on an undescribed interface', setU32(ok, epbAt + 8, 3), /interface 3 not described/, epbAt],
    ['bad byte-order magic', setU32(ok, 8, 0x11223344), /byte-order magic 0x11223344/, 0],
  ];
  for (const [name, bytes, message, offset] of cases) {
    it(`${name}: CaptureFormatError with the offset, frames before it delivered`, () => {
      for (const chunking of ['whole', 'bytewise'] as const) {
        const r = parseBytes(bytes, chunking);
        assert.ok(r.error instanceof CaptureFormatError, String(r.error));
        assert.match(r.error.message, message);
        assert.equal(r.error.byteOffset, offset);
        assert.equal(r.error.message.includes('\n'), false);
      }
    });
  }

  it('never throws anything but CarpdumpError on damaged input (seeded mutations)', () => {
    const seed = 20261122;
    const rand = mulberry32(seed);
    for (const [, bytes] of fixtures()) {
      for (let i = 0; i < 400; i++) {
        const b = bytes.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        const r = parseBytes(b.subarray(0, Math.floor(rand() * (b.length + 1))), { seed: i, max: 64 });
        assert.ok(r.error === undefined || r.error instanceof CarpdumpError, `seed ${seed} case ${i}: ${String(r.error)}`);
      }
    }
  });
});

describe('stop', () => {
  it('delivers no frame after stop() and ignores later input', () => {
    const bytes = buildPcap({ endian: 'le', records: RECORDS });
    const seen: number[] = [];
    const parser = new CaptureParser((f) => {
      seen.push(f.number);
      if (f.number === 2) parser.stop();
    });
    parser.feed(bytes);
    parser.feed(bytes);
    parser.end();
    assert.deepEqual(seen, [1, 2]);
  });
});
