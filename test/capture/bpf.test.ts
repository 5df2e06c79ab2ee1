// Classic BPF: the interpreter on hand-written programs (one group per opcode class), the
// validator, the `tcpdump -ddd` parser, a fixed-seed property test (nothing throws), and the
// differential test: on the project's samples the frames FileCaptureFilter keeps are exactly
// the frames `tcpdump -r FILE EXPR -w -` writes, for several expressions and link types.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { BPF, bpfProgram, runBpf, validateBpf, type BpfInsn } from '../../src/capture/bpf.js';
import { compileWithTcpdump, FileCaptureFilter, parseBpfDecimal } from '../../src/capture/bpf-compile.js';
import { CaptureParser } from '../../src/capture/parser.js';
import type { RawFrame } from '../../src/capture/types.js';
import { CarpdumpError } from '../../src/errors.js';
import { buildPcap, mulberry32 } from '../builders/capture.js';
import { checkProperty } from '../support/fc-seed.js';
import { SAMPLES as samplesDir } from '../support/paths.js';
import { skipReason } from '../support/skip.js';
import { rawFrame } from '../support/frames.js';


/** The differential tests need tcpdump (libpcap's compiler and the oracle); CI must have it. */
const needTcpdump = skipReason({ commands: ['tcpdump'] });
const haveTcpdump = needTcpdump === undefined;

const I = (code: number, k = 0, jt = 0, jf = 0): BpfInsn => ({ code, jt, jf, k });
const run = (insns: BpfInsn[], data: number[] | Uint8Array = [], wirelen?: number): number => {
  const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
  return runBpf(bpfProgram(insns), bytes, wirelen ?? bytes.length);
};
const RET_A = I(BPF.RET | BPF.A);
const LD_IMM = (k: number): BpfInsn => I(BPF.LD | BPF.W | BPF.IMM, k);
const LDX_IMM = (k: number): BpfInsn => I(BPF.LDX | BPF.W | BPF.IMM, k);

describe('BPF interpreter: loads', () => {
  const pkt = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
  it('LD W/H/B ABS read big-endian; past the captured bytes the program returns 0', () => {
    assert.equal(run([I(BPF.LD | BPF.W | BPF.ABS, 1), RET_A], pkt), 0x22334455);
    assert.equal(run([I(BPF.LD | BPF.W | BPF.ABS, 4), RET_A], [0xff, 0xff, 0xff, 0xff, 0xfe, 0xdc, 0xba, 0x98]), 0xfedcba98);
    assert.equal(run([I(BPF.LD | BPF.H | BPF.ABS, 6), RET_A], pkt), 0x7788);
    assert.equal(run([I(BPF.LD | BPF.B | BPF.ABS, 7), RET_A], pkt), 0x88);
    const oob = I(BPF.RET | BPF.K, 99);
    assert.equal(run([I(BPF.LD | BPF.W | BPF.ABS, 5), oob], pkt), 0);
    assert.equal(run([I(BPF.LD | BPF.H | BPF.ABS, 7), oob], pkt), 0);
    assert.equal(run([I(BPF.LD | BPF.B | BPF.ABS, 8), oob], pkt), 0);
    assert.equal(run([I(BPF.LD | BPF.W | BPF.ABS, 0xffffffff), oob], pkt), 0);
  });
  it('LD W/H/B IND add X; out of bounds (also X + k beyond 2^32) returns 0', () => {
    assert.equal(run([LDX_IMM(2), I(BPF.LD | BPF.W | BPF.IND, 1), RET_A], pkt), 0x44556677);
    assert.equal(run([LDX_IMM(2), I(BPF.LD | BPF.H | BPF.IND, 4), RET_A], pkt), 0x7788);
    assert.equal(run([LDX_IMM(5), I(BPF.LD | BPF.B | BPF.IND, 0), RET_A], pkt), 0x66);
    assert.equal(run([LDX_IMM(5), I(BPF.LD | BPF.W | BPF.IND, 0), I(BPF.RET | BPF.K, 1)], pkt), 0);
    assert.equal(run([LDX_IMM(0xffffffff), I(BPF.LD | BPF.B | BPF.IND, 1), I(BPF.RET | BPF.K, 1)], pkt), 0);
  });
  it('LDX B MSH is 4 * (low nibble), the IPv4 header length', () => {
    assert.equal(run([I(BPF.LDX | BPF.B | BPF.MSH, 1), I(BPF.MISC | BPF.TXA), RET_A], [0, 0x46]), 24);
    assert.equal(run([I(BPF.LDX | BPF.B | BPF.MSH, 2), I(BPF.RET | BPF.K, 1)], [0, 0x46]), 0);
  });
  it('LD/LDX LEN give the wire length, not the captured length', () => {
    assert.equal(run([I(BPF.LD | BPF.W | BPF.LEN), RET_A], [1, 2, 3], 1500), 1500);
    assert.equal(run([I(BPF.LDX | BPF.W | BPF.LEN), I(BPF.MISC | BPF.TXA), RET_A], [1, 2, 3], 60), 60);
  });
  it('LD/LDX IMM, ST/STX and LD/LDX MEM', () => {
    assert.equal(run([LD_IMM(0xdeadbeef), RET_A]), 0xdeadbeef);
    assert.equal(run([LD_IMM(7), I(BPF.ST, 3), LD_IMM(0), I(BPF.LD | BPF.W | BPF.MEM, 3), RET_A]), 7);
    assert.equal(run([LDX_IMM(9), I(BPF.STX, 15), I(BPF.LDX | BPF.W | BPF.MEM, 15), I(BPF.MISC | BPF.TXA), RET_A]), 9);
    // Scratch index 16 does not exist: 0 (the validator rejects such programs).
    assert.equal(run([LD_IMM(1), I(BPF.ST, 16), I(BPF.RET | BPF.K, 5)]), 0);
    assert.equal(run([I(BPF.LD | BPF.W | BPF.MEM, 16), I(BPF.RET | BPF.K, 5)]), 0);
  });
});

describe('BPF interpreter: ALU (unsigned 32-bit)', () => {
  const alu = (op: number, a: number, operand: number): [number, number] => [
    run([LD_IMM(a), I(BPF.ALU | op | BPF.K, operand), RET_A]),
    run([LD_IMM(a), LDX_IMM(operand), I(BPF.ALU | op | BPF.X), RET_A]),
  ];
  const cases: [string, number, number, number, number][] = [
    // name, op, A, operand, expected
    ['ADD wraps', BPF.ADD, 0xffffffff, 2, 1],
    ['SUB wraps', BPF.SUB, 0, 1, 0xffffffff],
    ['MUL keeps the low 32 bits', BPF.MUL, 0x10001, 0x10001, 0x00020001],
    ['MUL of large values', BPF.MUL, 0xffffffff, 0xffffffff, 1],
    ['DIV truncates', BPF.DIV, 0xfffffffe, 3, 0x55555554],
    ['MOD', BPF.MOD, 0xffffffff, 10, 5],
    ['OR', BPF.OR, 0xf0f00000, 0x0000f0f0, 0xf0f0f0f0],
    ['AND', BPF.AND, 0xff00ff00, 0xf0f0f0f0, 0xf000f000],
    ['XOR', BPF.XOR, 0xffff0000, 0xff00ff00, 0x00ffff00],
    ['LSH drops the high bits', BPF.LSH, 0x80000001, 4, 0x10],
    ['RSH is logical', BPF.RSH, 0x80000000, 31, 1],
  ];
  for (const [name, op, a, operand, expected] of cases) {
    it(`${name} (K and X)`, () => assert.deepEqual(alu(op, a, operand), [expected, expected]));
  }
  it('NEG', () => {
    assert.equal(run([LD_IMM(1), I(BPF.ALU | BPF.NEG), RET_A]), 0xffffffff);
    assert.equal(run([LD_IMM(0), I(BPF.ALU | BPF.NEG), RET_A]), 0);
  });
  it('division and modulo by zero end with 0; shifts by 32 or more give 0', () => {
    assert.deepEqual(alu(BPF.DIV, 5, 0), [0, 0]);
    assert.deepEqual(alu(BPF.MOD, 5, 0), [0, 0]);
    assert.equal(run([LD_IMM(5), LDX_IMM(0), I(BPF.ALU | BPF.DIV | BPF.X), I(BPF.RET | BPF.K, 7)]), 0);
    assert.deepEqual(alu(BPF.LSH, 0xffffffff, 32), [0, 0]);
    assert.deepEqual(alu(BPF.RSH, 0xffffffff, 40), [0, 0]);
  });
});

describe('BPF interpreter: jumps, returns, misc', () => {
  // if (A op operand) return 1 else return 2
  const jump = (op: number, a: number, operand: number): [number, number] => [
    run([LD_IMM(a), I(BPF.JMP | op | BPF.K, operand, 0, 1), I(BPF.RET | BPF.K, 1), I(BPF.RET | BPF.K, 2)]),
    run([LD_IMM(a), LDX_IMM(operand), I(BPF.JMP | op | BPF.X, 0, 0, 1), I(BPF.RET | BPF.K, 1), I(BPF.RET | BPF.K, 2)]),
  ];
  it('JEQ', () => {
    assert.deepEqual(jump(BPF.JEQ, 0x800, 0x800), [1, 1]);
    assert.deepEqual(jump(BPF.JEQ, 0x800, 0x806), [2, 2]);
  });
  it('JGT and JGE compare unsigned', () => {
    assert.deepEqual(jump(BPF.JGT, 0x80000000, 1), [1, 1]);
    assert.deepEqual(jump(BPF.JGT, 5, 5), [2, 2]);
    assert.deepEqual(jump(BPF.JGE, 5, 5), [1, 1]);
    assert.deepEqual(jump(BPF.JGE, 4, 0xffffffff), [2, 2]);
  });
  it('JSET tests bits', () => {
    assert.deepEqual(jump(BPF.JSET, 0x1fff, 0x2000), [2, 2]);
    assert.deepEqual(jump(BPF.JSET, 0x3fff, 0x2000), [1, 1]);
  });
  it('jt/jf skip that many instructions; JA skips k', () => {
    const p = [LD_IMM(3), I(BPF.JMP | BPF.JEQ | BPF.K, 3, 2, 0), I(BPF.RET | BPF.K, 10), I(BPF.RET | BPF.K, 11), I(BPF.RET | BPF.K, 12)];
    assert.equal(run(p), 12);
    assert.equal(run([I(BPF.JMP | BPF.JA, 2), I(BPF.RET | BPF.K, 1), I(BPF.RET | BPF.K, 2), I(BPF.RET | BPF.K, 3)]), 3);
  });
  it('RET K returns k, RET A returns A (unsigned)', () => {
    assert.equal(run([I(BPF.RET | BPF.K, 262144)]), 262144);
    assert.equal(run([LD_IMM(0xffffffff), RET_A]), 0xffffffff);
  });
  it('TAX and TXA copy between A and X', () => {
    assert.equal(run([LD_IMM(42), I(BPF.MISC | BPF.TAX), LD_IMM(0), I(BPF.MISC | BPF.TXA), RET_A]), 42);
  });
  it('running off the end, a jump past the end, or an unknown opcode returns 0', () => {
    assert.equal(run([LD_IMM(1)]), 0);
    assert.equal(run([I(BPF.JMP | BPF.JA, 1000), I(BPF.RET | BPF.K, 1)]), 0);
    assert.equal(run([I(0xff), I(BPF.RET | BPF.K, 1)]), 0);
    assert.equal(run([]), 0);
  });
});

describe('validateBpf and parseBpfDecimal', () => {
  it('accepts a well-formed program and rejects what libpcap\'s bpf_validate rejects', () => {
    const ok = [I(BPF.LD | BPF.H | BPF.ABS, 12), I(BPF.JMP | BPF.JEQ | BPF.K, 0x806, 0, 1), I(BPF.RET | BPF.K, 262144), I(BPF.RET | BPF.K, 0)];
    assert.equal(validateBpf(bpfProgram(ok)), undefined);
    const bad: [string, BpfInsn[], RegExp][] = [
      ['empty', [], /length 0/],
      ['no final return', [LD_IMM(1)], /last instruction/],
      ['jump past the end', [I(BPF.JMP | BPF.JEQ | BPF.K, 1, 0, 5), I(BPF.RET | BPF.K, 0)], /out of the program/],
      ['JA past the end', [I(BPF.JMP | BPF.JA, 1), I(BPF.RET | BPF.K, 0)], /out of the program/],
      ['scratch 16', [I(BPF.ST, 16), I(BPF.RET | BPF.K, 0)], /scratch/],
      ['constant division by zero', [I(BPF.ALU | BPF.DIV | BPF.K, 0), I(BPF.RET | BPF.K, 0)], /division/],
      ['constant shift 32', [I(BPF.ALU | BPF.LSH | BPF.K, 32), I(BPF.RET | BPF.K, 0)], /shift/],
      ['RET X', [I(BPF.RET | BPF.X)], /return/],
      ['unknown misc', [I(BPF.MISC | 0x08), I(BPF.RET | BPF.K, 0)], /misc/],
      ['LD B IMM', [I(BPF.LD | BPF.B | BPF.IMM), I(BPF.RET | BPF.K, 0)], /size/],
    ];
    for (const [name, insns, why] of bad) assert.match(validateBpf(bpfProgram(insns)) ?? 'valid', why, name);
  });
  it('parses tcpdump -ddd output and rejects anything else', () => {
    assert.deepEqual(parseBpfDecimal('2\n40 0 0 12\n6 0 0 262144\n'), [
      { code: 40, jt: 0, jf: 0, k: 12 }, { code: 6, jt: 0, jf: 0, k: 262144 },
    ]);
    assert.throws(() => parseBpfDecimal('3\n40 0 0 12\n6 0 0 0\n'), /unexpected compiler output/);
    assert.throws(() => parseBpfDecimal('1\n40 0 12\n'), /unexpected compiler output/);
    assert.throws(() => parseBpfDecimal('(000) ldh [12]'), /unexpected compiler output/);
  });
});

describe('FileCaptureFilter', () => {
  it('compiles once per link type, on first use', () => {
    const calls: number[] = [];
    const f = new FileCaptureFilter('x', (_e, lt) => { calls.push(lt); return bpfProgram([I(BPF.RET | BPF.K, lt === 1 ? 1 : 0)]); });
    const frame = (linktype: number): RawFrame => rawFrame(new Uint8Array(0), { tsSec: 0, linktype });
    assert.deepEqual([1, 1, 113, 1, 113, 276].map((lt) => f.matches(frame(lt))), [true, true, false, true, false, false]);
    assert.deepEqual(calls, [1, 113, 276]);
  });
  it('a missing compiler is one CarpdumpError naming tcpdump', () => {
    assert.throws(() => compileWithTcpdump('arp', 1, '/nonexistent/tcpdump'), (err: unknown) =>
      err instanceof CarpdumpError && err.exitCode === 1 &&
      err.message === "filtering a file needs libpcap's compiler (install tcpdump): /nonexistent/tcpdump not found");
  });
  it('a syntax error is reported by precheck with libpcap\'s message', { skip: needTcpdump }, () => {
    assert.throws(() => new FileCaptureFilter('ip proto 112 and (').precheck(), /^CarpdumpError: bad capture filter "ip proto 112 and \(": .*syntax error/);
  });
  it('precheck leaves link-type-specific errors to the frames of that link type', { skip: needTcpdump }, () => {
    const f = new FileCaptureFilter('ether src 00:00:5e:00:00:07');
    f.precheck(); // fine on Ethernet
    assert.throws(() => f.programFor(101), /ethernet addresses supported only on .* \(link type 101\)/);
  });
});

// ------------------------------------------------------------------ property test

describe('BPF property: random packets and random programs never throw', () => {
  const compiled = haveTcpdump
    ? ['ip proto 112', 'vlan and ip proto 112', 'ip6 proto 112', 'host 10.77.0.1', 'tcp[13] & 2 != 0', 'ip[6:2] & 0x1fff = 0 and len > 100']
        .map((e) => compileWithTcpdump(e, 1))
    : [];
  it('compiled programs on random bytes return an unsigned 32-bit value', () => {
    checkProperty(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(70000), fc.nat(Math.max(0, compiled.length - 1)), (data, extra, i) => {
      const p = compiled[i] ?? bpfProgram([I(BPF.LD | BPF.H | BPF.ABS, 12), I(BPF.RET | BPF.A)]);
      const r = runBpf(p, data, data.length + extra);
      return Number.isInteger(r) && r >= 0 && r <= 0xffffffff;
    }), { seed: 0x42f, numRuns: 3000 });
  });
  it('random instruction sequences (valid or not) end without throwing', () => {
    const insn = fc.record({
      code: fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.constantFrom(0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1, 0x15, 0x35, 0x45, 0x3c, 0x9c, 0x6c, 0x02, 0x61)),
      jt: fc.integer({ min: 0, max: 255 }),
      jf: fc.integer({ min: 0, max: 255 }),
      k: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff })),
    });
    checkProperty(fc.property(fc.array(insn, { maxLength: 40 }), fc.uint8Array({ maxLength: 80 }), (insns, data) => {
      const p = bpfProgram(insns);
      validateBpf(p);
      const r = runBpf(p, data, data.length);
      return Number.isInteger(r) && r >= 0 && r <= 0xffffffff;
    }), { seed: 0x42f, numRuns: 5000 });
  });
});

// ------------------------------------------------------------------ differential vs tcpdump

interface Kept { key: string[]; total: number }

function parseFrames(bytes: Uint8Array, onFrame: (f: RawFrame) => void): void {
  const p = new CaptureParser(onFrame);
  p.feed(bytes);
  p.end();
}

/** A frame's identity in a microsecond pcap: time and bytes. */
const frameKey = (f: RawFrame): string => `${f.tsSec}.${Math.floor(f.tsNsec / 1000)} ${f.originalLength} ${Buffer.from(f.data).toString('hex')}`;

function carpdumpKeeps(file: string, expression: string): Kept | Error {
  const filter = new FileCaptureFilter(expression);
  const key: string[] = [];
  let total = 0;
  try {
    parseFrames(readFileSync(file), (f) => { total++; if (filter.matches(f)) key.push(frameKey(f)); });
  } catch (err) {
    return err as Error;
  }
  return { key, total };
}

function tcpdumpKeeps(file: string, expression: string): string[] | Error {
  const r = spawnSync('tcpdump', ['-r', file, '-w', '-', expression], { maxBuffer: 1 << 28 });
  if (r.status !== 0) return new Error(r.stderr.toString());
  const key: string[] = [];
  parseFrames(new Uint8Array(r.stdout), (f) => key.push(frameKey(f)));
  return key;
}

describe('differential: FileCaptureFilter keeps what tcpdump -r FILE EXPR keeps', { skip: needTcpdump }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carpdump-bpf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // synthetic-links.pcapng mixes link types, which libpcap cannot read in one file: split it
  // into one microsecond pcap per link type (tcpdump then compiles for each one).
  const files = readdirSync(samplesDir).filter((n) => n.endsWith('.pcap')).map((n) => path.join(samplesDir, n));
  files.push(path.join(samplesDir, 'keepalived-vrrp.pcapng'));
  const byLink = new Map<number, { tsSec: number; tsFrac: number; data: Uint8Array; originalLength: number }[]>();
  parseFrames(readFileSync(path.join(samplesDir, 'synthetic-links.pcapng')), (f) => {
    const list = byLink.get(f.linktype) ?? [];
    list.push({ tsSec: f.tsSec, tsFrac: Math.floor(f.tsNsec / 1000), data: f.data.slice(), originalLength: f.originalLength });
    byLink.set(f.linktype, list);
  });
  for (const [linktype, records] of byLink) {
    const file = path.join(dir, `synthetic-links-${linktype}.pcap`);
    writeFileSync(file, buildPcap({ endian: 'le', linktype, records }));
    files.push(file);
  }

  // Mutated copies of the Ethernet samples' frames (fixed seed): IPv4 header lengths other than
  // 20 (LDX MSH), random bytes where filters look, and frames captured short of their wire
  // length (loads past the captured bytes).
  {
    const rand = mulberry32(0xb9f);
    const bases: Uint8Array[] = [];
    for (const name of ['keepalived-vrrp.pcap', 'carp-vrrp-conflict.pcap', 'pfsync-session.pcap', 'synthetic-carp-edge.pcap']) {
      parseFrames(readFileSync(path.join(samplesDir, name)), (f) => { if (f.linktype === 1) bases.push(f.data.slice()); });
    }
    const records = Array.from({ length: 3000 }, (_, i) => {
      const data = bases[Math.floor(rand() * bases.length)]!.slice();
      if (rand() < 0.4 && data.length > 14) data[14] = 0x40 | (5 + Math.floor(rand() * 11)); // IPv4 IHL 5..15
      const flips = Math.floor(rand() * 4);
      for (let j = 0; j < flips; j++) data[14 + Math.floor(rand() * (data.length - 14))] = Math.floor(rand() * 256);
      const cut = rand() < 0.25 ? Math.floor(rand() * data.length) : data.length;
      return { tsSec: 1_700_000_000 + i, tsFrac: 0, data: data.subarray(0, cut), originalLength: data.length };
    });
    const file = path.join(dir, 'mutated.pcap');
    writeFileSync(file, buildPcap({ endian: 'le', linktype: 1, records }));
    files.push(file);
  }

  const expressions = ['ip proto 112', 'vrrp[1] = 51 or carp[0] = 0x21 or udp port 53', 'icmp[0] = 8 or ip[6:2] & 0x1fff != 0', 'len >= 60 and len <= 70', 'arp', 'vlan and ip proto 112', 'ip6 proto 112', 'host 10.77.0.1',
    'ether src 00:00:5e:00:00:07', 'len > 100', 'ip proto 240 or arp', 'ip6 and not ip6 proto 112', 'vlan 100 and vlan 77', 'vlan 77 and ip proto 112'];
  const kept = new Map<string, number>();
  let compared = 0;
  let partial = 0;

  for (const file of files) {
    it(path.basename(file), () => {
      for (const e of expressions) {
        const ours = carpdumpKeeps(file, e);
        const theirs = tcpdumpKeeps(file, e);
        const what = `${path.basename(file)}: ${e}`;
        if (theirs instanceof Error) {
          // tcpdump cannot compile it for this link type: neither can we.
          assert.ok(ours instanceof Error, `${what}: tcpdump failed (${theirs.message.trim()}) but carpdump did not`);
          assert.match(ours.message, /bad capture filter/);
          continue;
        }
        assert.ok(!(ours instanceof Error), `${what}: ${String(ours)}`);
        assert.deepEqual(ours.key, theirs, what);
        compared++;
        if (ours.key.length > 0 && ours.key.length < ours.total) partial++;
        kept.set(e, (kept.get(e) ?? 0) + ours.key.length);
      }
    });
  }
  it('the comparison is not vacuous: link types split out, every expression kept frames somewhere, many runs partial', () => {
    assert.ok(byLink.size >= 5, `link types in synthetic-links.pcapng: ${[...byLink.keys()].join(', ')}`);
    for (const e of expressions) assert.ok((kept.get(e) ?? 0) > 0, `no frame kept by "${e}" in any sample`);
    assert.ok(compared >= files.length * expressions.length * 0.8, `${compared} comparisons`);
    assert.ok(partial >= compared / 4, `${partial} of ${compared} runs kept some but not all frames`);
  });
});
