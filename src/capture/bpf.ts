// Classic BPF (the filter machine of libpcap and the kernel's SO_ATTACH_FILTER), as an
// allocation-free interpreter, so that capture filters apply to capture files too.
//
// Normative source: S. McCanne, V. Jacobson, "The BSD Packet Filter" (USENIX 1993) and
// libpcap's pcap/bpf.h + bpf_filter.c (bpf_filter_with_aux_data), whose semantics this follows:
// unsigned 32-bit A and X, 16 scratch words M[], a load outside the captured bytes or a division
// by zero ends the program with 0 (drop), jumps go forward only, the return value is the number
// of bytes to keep (0 = drop). The programs come from libpcap's compiler (bpf-compile.ts).
//
// One instruction (struct bpf_insn), as `tcpdump -ddd` prints it ("code jt jf k"):
//
//   0      16     24     32                      64
//   +------+------+------+------------------------+
//   | code |  jt  |  jf  |           k            |
//   +------+------+------+------------------------+
//   code = class (3 bits) | size/op/jmp (bits 3-7) | mode/src (bits 3, 5-7)
//
//   class  LD 0x00  LDX 0x01  ST 0x02  STX 0x03  ALU 0x04  JMP 0x05  RET 0x06  MISC 0x07
//   size   W 0x00  H 0x08  B 0x10                 (LD, LDX)
//   mode   IMM 0x00 ABS 0x20 IND 0x40 MEM 0x60 LEN 0x80 MSH 0xa0
//   alu    ADD 0x00 SUB 0x10 MUL 0x20 DIV 0x30 OR 0x40 AND 0x50 LSH 0x60 RSH 0x70
//          NEG 0x80 MOD 0x90 XOR 0xa0                src K 0x00 X 0x08
//   jmp    JA 0x00 JEQ 0x10 JGT 0x20 JGE 0x30 JSET 0x40
//   ret    K 0x00 A 0x10                             misc TAX 0x00 TXA 0x80

/** Opcodes by name (pcap/bpf.h), for hand-written programs and tests. */
export const BPF = {
  LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, RET: 0x06, MISC: 0x07,
  W: 0x00, H: 0x08, B: 0x10,
  IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0,
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0,
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40,
  K: 0x00, X: 0x08, A: 0x10, // source of ALU/JMP (K, X); RET value (K, A)
  TAX: 0x00, TXA: 0x80,
} as const;

/** BPF_MEMWORDS: scratch memory size. */
export const BPF_MEMWORDS = 16;
/** BPF_MAXINSNS: the longest program libpcap and the kernel accept. */
export const BPF_MAXINSNS = 4096;

/** One instruction as in struct bpf_insn. */
export interface BpfInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** A program in the interpreter's layout: one typed array per struct member, plus the scratch memory. */
export interface BpfProgram {
  readonly length: number;
  readonly code: Uint16Array;
  readonly jt: Uint8Array;
  readonly jf: Uint8Array;
  readonly k: Uint32Array;
  /** M[]: scratch words, reused by every run (runs are synchronous). */
  readonly mem: Uint32Array;
}

/** Builds a program from instructions without checking them (see validateBpf). */
export function bpfProgram(insns: readonly BpfInsn[]): BpfProgram {
  const n = insns.length;
  const p: BpfProgram = {
    length: n, code: new Uint16Array(n), jt: new Uint8Array(n), jf: new Uint8Array(n), k: new Uint32Array(n),
    mem: new Uint32Array(BPF_MEMWORDS),
  };
  for (let i = 0; i < n; i++) {
    const ins = insns[i]!;
    p.code[i] = ins.code;
    p.jt[i] = ins.jt;
    p.jf[i] = ins.jf;
    p.k[i] = ins.k >>> 0;
  }
  return p;
}

const VALID_ALU = new Set([0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0]);

/**
 * libpcap's bpf_validate(): every opcode known, jumps inside the program, scratch indexes
 * below 16, no constant division by zero or shift of 32 or more, the last instruction a RET.
 * Returns undefined when valid, else why not.
 */
export function validateBpf(p: BpfProgram): string | undefined {
  const n = p.length;
  if (n < 1 || n > BPF_MAXINSNS) return `program length ${n} outside 1..${BPF_MAXINSNS}`;
  for (let i = 0; i < n; i++) {
    const code = p.code[i]!;
    const k = p.k[i]!;
    const bad = (why: string): string => `instruction ${i} (code ${code}): ${why}`;
    if (code > 0xff) return bad('unknown opcode');
    switch (code & 0x07) {
      case BPF.LD:
      case BPF.LDX: {
        const mode = code & 0xe0;
        const size = code & 0x18;
        const ldx = (code & 0x07) === BPF.LDX;
        if (size === 0x18) return bad('unknown load size');
        if (mode === BPF.MEM) { if (k >= BPF_MEMWORDS) return bad('scratch index out of range'); }
        else if (mode === BPF.MSH) { if (!ldx || size !== BPF.B) return bad('MSH is LDX B only'); }
        else if (mode === BPF.ABS || mode === BPF.IND) { if (ldx) return bad('LDX has no ABS/IND mode'); }
        else if (mode !== BPF.IMM && mode !== BPF.LEN) return bad('unknown load mode');
        if ((mode === BPF.IMM || mode === BPF.LEN || mode === BPF.MEM) && size !== BPF.W) return bad('bad size for mode');
        if (ldx && mode !== BPF.MSH && size !== BPF.W) return bad('bad LDX size');
        break;
      }
      case BPF.ST:
      case BPF.STX:
        if (code & 0xf8) return bad('unknown store');
        if (k >= BPF_MEMWORDS) return bad('scratch index out of range');
        break;
      case BPF.ALU: {
        const op = code & 0xf0;
        if (!VALID_ALU.has(op)) return bad('unknown ALU op');
        if (op === BPF.NEG && (code & BPF.X)) return bad('NEG has no source');
        if ((code & BPF.X) === 0) {
          if ((op === BPF.DIV || op === BPF.MOD) && k === 0) return bad('division by constant zero');
          if ((op === BPF.LSH || op === BPF.RSH) && k >= 32) return bad('constant shift of 32 or more');
        }
        break;
      }
      case BPF.JMP: {
        const op = code & 0xf0;
        if (op === BPF.JA) {
          if (code !== (BPF.JMP | BPF.JA)) return bad('unknown jump');
          if (k >= n - i - 1) return bad('jump out of the program');
        } else if (op === BPF.JEQ || op === BPF.JGT || op === BPF.JGE || op === BPF.JSET) {
          if (i + 1 + Math.max(p.jt[i]!, p.jf[i]!) >= n) return bad('jump out of the program');
        } else return bad('unknown jump');
        break;
      }
      case BPF.RET: {
        // libpcap knows RET K and RET A only (no RET X).
        if (code !== (BPF.RET | BPF.K) && code !== (BPF.RET | BPF.A)) return bad('unknown return');
        break;
      }
      case BPF.MISC:
        if (code !== (BPF.MISC | BPF.TAX) && code !== (BPF.MISC | BPF.TXA)) return bad('unknown misc op');
        break;
    }
  }
  if ((p.code[n - 1]! & 0x07) !== BPF.RET) return 'the last instruction is not a return';
  return undefined;
}

/**
 * Runs the program on a packet: `data` the captured bytes, `wirelen` the length on the wire
 * (BPF_LEN). Returns the program's return value as unsigned (0 = drop). Never throws and always
 * ends, valid program or not: an unknown opcode or running off the end returns 0.
 */
export function runBpf(p: BpfProgram, data: Uint8Array, wirelen: number): number {
  const codes = p.code;
  const ks = p.k;
  const mem = p.mem;
  const n = p.length;
  const buflen = data.length;
  let a = 0;
  let x = 0;
  let pc = 0;
  let off = 0;
  while (pc < n) {
    const k = ks[pc]!;
    switch (codes[pc]!) {
      case 0x06: return k; // RET K
      case 0x16: return a; // RET A
      // --- loads into A ---
      case 0x20: // LD W ABS
        if (k + 4 > buflen) return 0;
        a = ((data[k]! << 24) | (data[k + 1]! << 16) | (data[k + 2]! << 8) | data[k + 3]!) >>> 0;
        break;
      case 0x28: // LD H ABS
        if (k + 2 > buflen) return 0;
        a = (data[k]! << 8) | data[k + 1]!;
        break;
      case 0x30: // LD B ABS
        if (k >= buflen) return 0;
        a = data[k]!;
        break;
      case 0x40: // LD W IND
        off = x + k;
        if (off + 4 > buflen) return 0;
        a = ((data[off]! << 24) | (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!) >>> 0;
        break;
      case 0x48: // LD H IND
        off = x + k;
        if (off + 2 > buflen) return 0;
        a = (data[off]! << 8) | data[off + 1]!;
        break;
      case 0x50: // LD B IND
        off = x + k;
        if (off >= buflen) return 0;
        a = data[off]!;
        break;
      case 0x80: a = wirelen >>> 0; break; // LD W LEN
      case 0x00: a = k; break; // LD W IMM
      case 0x60: // LD W MEM
        if (k >= BPF_MEMWORDS) return 0;
        a = mem[k]!;
        break;
      // --- loads into X ---
      case 0x01: x = k; break; // LDX W IMM
      case 0x81: x = wirelen >>> 0; break; // LDX W LEN
      case 0x61: // LDX W MEM
        if (k >= BPF_MEMWORDS) return 0;
        x = mem[k]!;
        break;
      case 0xb1: // LDX B MSH: X = 4 * (P[k] & 0xf), the IPv4 header length
        if (k >= buflen) return 0;
        x = (data[k]! & 0x0f) << 2;
        break;
      // --- stores ---
      case 0x02: // ST
        if (k >= BPF_MEMWORDS) return 0;
        mem[k] = a;
        break;
      case 0x03: // STX
        if (k >= BPF_MEMWORDS) return 0;
        mem[k] = x;
        break;
      // --- ALU, constant operand ---
      case 0x04: a = (a + k) >>> 0; break;
      case 0x14: a = (a - k) >>> 0; break;
      case 0x24: a = Math.imul(a, k) >>> 0; break;
      case 0x34: if (k === 0) return 0; a = Math.floor(a / k); break;
      case 0x94: if (k === 0) return 0; a = a % k; break;
      case 0x44: a = (a | k) >>> 0; break;
      case 0x54: a = (a & k) >>> 0; break;
      case 0xa4: a = (a ^ k) >>> 0; break;
      case 0x64: a = k < 32 ? (a << k) >>> 0 : 0; break;
      case 0x74: a = k < 32 ? a >>> k : 0; break;
      case 0x84: a = -a >>> 0; break; // NEG
      // --- ALU, X operand ---
      case 0x0c: a = (a + x) >>> 0; break;
      case 0x1c: a = (a - x) >>> 0; break;
      case 0x2c: a = Math.imul(a, x) >>> 0; break;
      case 0x3c: if (x === 0) return 0; a = Math.floor(a / x); break;
      case 0x9c: if (x === 0) return 0; a = a % x; break;
      case 0x4c: a = (a | x) >>> 0; break;
      case 0x5c: a = (a & x) >>> 0; break;
      case 0xac: a = (a ^ x) >>> 0; break;
      case 0x6c: a = x < 32 ? (a << x) >>> 0 : 0; break;
      case 0x7c: a = x < 32 ? a >>> x : 0; break;
      // --- jumps (forward only: k, jt and jf are unsigned) ---
      case 0x05: pc += k; break; // JA
      case 0x15: pc += a === k ? p.jt[pc]! : p.jf[pc]!; break;
      case 0x25: pc += a > k ? p.jt[pc]! : p.jf[pc]!; break;
      case 0x35: pc += a >= k ? p.jt[pc]! : p.jf[pc]!; break;
      case 0x45: pc += (a & k) !== 0 ? p.jt[pc]! : p.jf[pc]!; break;
      case 0x1d: pc += a === x ? p.jt[pc]! : p.jf[pc]!; break;
      case 0x2d: pc += a > x ? p.jt[pc]! : p.jf[pc]!; break;
      case 0x3d: pc += a >= x ? p.jt[pc]! : p.jf[pc]!; break;
      case 0x4d: pc += (a & x) !== 0 ? p.jt[pc]! : p.jf[pc]!; break;
      // --- misc ---
      case 0x07: x = a; break; // TAX
      case 0x87: a = x; break; // TXA
      default: return 0;
    }
    pc++;
  }
  return 0;
}
