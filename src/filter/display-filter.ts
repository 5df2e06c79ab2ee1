// The -Y display filter: `field OP value` terms joined by &&, ||, ! (or and, or, not) and
// parentheses, on the field ids of the registries (Wireshark's syntax, a useful subset).
//
//   expr    := or
//   or      := and { ("||" | "or") and }
//   and     := unary { ("&&" | "and") unary }
//   unary   := ("!" | "not") unary | primary
//   primary := "(" expr ")" | FIELD [ OP VALUE ]       (a bare FIELD or protocol means "is present")
//   OP      := == != < <= > >= contains  (also eq ne lt le gt ge)
//            | in "{" ITEM { [","] ITEM } "}"      ITEM := VALUE | VALUE..VALUE   (tshark 4 sets)
//   VALUE   := number (decimal or 0x hex) | "quoted string" | bare word (address, hex bytes, name)
//
// As Wireshark: ip.addr, ipv6.addr and eth.addr match either the source or the destination; an
// address field compared with ADDR/BITS (10.77.0.0/24) matches the prefix; frame.time_relative
// (since the first frame) and frame.time_delta (since the previous one) are in seconds.
//
// Comparisons are typed by the field's value: numbers numerically, 64-bit decimal strings as
// bigints, IPv4/IPv6 addresses by their bytes, byte strings as hex (`1c:c1`, `0x1cc1`, `1cc1`),
// everything else as text. A field that occurs several times (arrays, repeated layers) matches
// when any occurrence does; `a != b` is `!(a == b)` (as Wireshark 3.6+).

import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.js';
import type { AnalyzedFrame } from '../analyze/types.js';
import type { DecodedFrame, FieldValue } from '../decode/types.js';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains';

/** One member of an `in {…}` set: a value, or an inclusive range `lo..hi`. */
export type SetItem = string | { readonly lo: string; readonly hi: string };

export type FilterNode =
  | { readonly kind: 'and'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'present'; readonly field: string }
  | { readonly kind: 'compare'; readonly field: string; readonly op: CompareOp; readonly value: string }
  | { readonly kind: 'in'; readonly field: string; readonly items: readonly SetItem[] };

type TokenKind = 'field' | 'op' | 'value' | 'string' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'end'
  | 'in' | 'lbrace' | 'rbrace' | 'comma';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

const WORD_OPS: Readonly<Record<string, CompareOp>> = {
  eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=', contains: 'contains',
};

/** One line (usage errors are one line): the problem, its column, and the expression. */
function filterError(expr: string, column: number, what: string): UsageError {
  return new UsageError(`display filter: ${what} at column ${column} of "${expr.replace(/\s+/g, ' ')}"`);
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i]!;
    const column = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\n') { i++; continue; }
    if (ch === '(') { tokens.push({ kind: 'lparen', text: ch, column }); i++; continue; }
    if (ch === ')') { tokens.push({ kind: 'rparen', text: ch, column }); i++; continue; }
    if (ch === '{') { tokens.push({ kind: 'lbrace', text: ch, column }); i++; continue; }
    if (ch === '}') { tokens.push({ kind: 'rbrace', text: ch, column }); i++; continue; }
    if (ch === ',') { tokens.push({ kind: 'comma', text: ch, column }); i++; continue; }
    const two = expr.slice(i, i + 2);
    if (two === '&&') { tokens.push({ kind: 'and', text: two, column }); i += 2; continue; }
    if (two === '||') { tokens.push({ kind: 'or', text: two, column }); i += 2; continue; }
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two, column }); i += 2; continue;
    }
    if (ch === '<' || ch === '>') { tokens.push({ kind: 'op', text: ch, column }); i++; continue; }
    if (ch === '!') { tokens.push({ kind: 'not', text: ch, column }); i++; continue; }
    if (ch === '=') throw filterError(expr, column, `"=" is not an operator (use "==")`);
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let text = '';
      while (j < expr.length && expr[j] !== ch) {
        if (expr[j] === '\\' && j + 1 < expr.length) { text += expr[j + 1]; j += 2; continue; }
        text += expr[j];
        j++;
      }
      if (j >= expr.length) throw filterError(expr, column, 'unterminated string');
      tokens.push({ kind: 'string', text, column });
      i = j + 1;
      continue;
    }
    // A bare word: field id, keyword, number, address, hex bytes.
    let j = i;
    while (j < expr.length && /[A-Za-z0-9_.:\-/*+]/.test(expr[j]!)) j++;
    if (j === i) throw filterError(expr, column, `unexpected character "${ch}"`);
    const word = expr.slice(i, j);
    const lower = word.toLowerCase();
    if (lower === 'and') tokens.push({ kind: 'and', text: word, column });
    else if (lower === 'or') tokens.push({ kind: 'or', text: word, column });
    else if (lower === 'not') tokens.push({ kind: 'not', text: word, column });
    else if (lower === 'in') tokens.push({ kind: 'in', text: word, column });
    else if (WORD_OPS[lower] !== undefined) tokens.push({ kind: 'op', text: WORD_OPS[lower]!, column });
    else tokens.push({ kind: 'value', text: word, column });
    i = j;
  }
  tokens.push({ kind: 'end', text: '', column: expr.length + 1 });
  return tokens;
}

const FIELD_ID = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

/** Parses a display filter; throws a UsageError (exit 2) naming the column of the problem. */
export function parseDisplayFilter(expr: string): FilterNode {
  const tokens = tokenize(expr);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const describe = (t: Token): string => (t.kind === 'end' ? 'end of expression' : `"${t.text}"`);

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (peek().kind === 'or') { next(); left = { kind: 'or', left, right: parseAnd() }; }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (peek().kind === 'and') { next(); left = { kind: 'and', left, right: parseUnary() }; }
    return left;
  };
  const parseUnary = (): FilterNode => {
    if (peek().kind === 'not') { next(); return { kind: 'not', operand: parseUnary() }; }
    return parsePrimary();
  };
  const parsePrimary = (): FilterNode => {
    const t = next();
    if (t.kind === 'lparen') {
      const inner = parseOr();
      const close = next();
      if (close.kind !== 'rparen') throw filterError(expr, close.column, `expected ")" but found ${describe(close)}`);
      return inner;
    }
    if (t.kind !== 'value' || !FIELD_ID.test(t.text)) {
      throw filterError(expr, t.column, `expected a field id (like carp.vhid) but found ${describe(t)}`);
    }
    if (peek().kind === 'in') return parseSet(t.text);
    if (peek().kind !== 'op') return { kind: 'present', field: t.text };
    const op = next();
    const v = next();
    if (v.kind !== 'value' && v.kind !== 'string') {
      throw filterError(expr, v.column, `expected a value after "${op.text}" but found ${describe(v)}`);
    }
    return { kind: 'compare', field: t.text, op: op.text as CompareOp, value: v.text };
  };

  const parseSet = (field: string): FilterNode => {
    next(); // in
    const open = next();
    if (open.kind !== 'lbrace') throw filterError(expr, open.column, `expected "{" after "in" but found ${describe(open)}`);
    const items: SetItem[] = [];
    for (;;) {
      const t = next();
      if (t.kind === 'rbrace' && items.length > 0) break;
      if (t.kind === 'comma' && items.length > 0) continue;
      if (t.kind !== 'value' && t.kind !== 'string') throw filterError(expr, t.column, `expected a set member or "}" but found ${describe(t)}`);
      const range = t.kind === 'value' ? /^(.+?)\.\.(.+)$/.exec(t.text) : null;
      items.push(range ? { lo: range[1]!, hi: range[2]! } : t.text);
    }
    return { kind: 'in', field, items };
  };

  if (peek().kind === 'end') throw filterError(expr, 1, 'empty expression');
  const node = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') throw filterError(expr, rest.column, `unexpected ${describe(rest)}`);
  return node;
}

/** What a filter needs besides the frame: times of the first and the previous frame (seconds). */
export interface FilterContext {
  readonly firstEpoch?: number;
  readonly previousEpoch?: number;
  /** The frame's capture point (several -r). */
  readonly capturePoint?: string;
}

/** Wireshark's either-side address fields. */
export const ADDRESS_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'ip.addr': ['ip.src', 'ip.dst'],
  'ipv6.addr': ['ipv6.src', 'ipv6.dst'],
  'eth.addr': ['eth.src', 'eth.dst'],
};

/** The frame pseudo-fields, as tshark names them, with their kinds (for -G fields and checks). */
export const FRAME_FIELDS: readonly { readonly id: string; readonly kind: 'uint' | 'float' | 'string'; readonly label: string }[] = [
  { id: 'frame.number', kind: 'uint', label: 'Frame number' },
  { id: 'frame.time_epoch', kind: 'float', label: 'Epoch time (seconds)' },
  { id: 'frame.time_relative', kind: 'float', label: 'Time since the first frame (seconds)' },
  { id: 'frame.time_delta', kind: 'float', label: 'Time since the previous frame (seconds)' },
  { id: 'frame.len', kind: 'uint', label: 'Frame length on the wire' },
  { id: 'frame.cap_len', kind: 'uint', label: 'Frame length captured' },
  { id: 'frame.linktype', kind: 'uint', label: 'Link type (LINKTYPE_*)' },
  { id: 'frame.interface_id', kind: 'uint', label: 'Interface index' },
  { id: 'frame.capture_point', kind: 'string', label: 'Capture point (file or interface) of the frame' },
];

/** Frame-level pseudo-fields, as tshark names them (frame.time_epoch as a number here). */
export function frameFieldValue(frame: AnalyzedFrame, id: string, ctx: FilterContext = {}): FieldValue | undefined {
  const raw = frame.raw;
  const epoch = raw.tsSec + raw.tsNsec / 1e9;
  switch (id) {
    case 'frame.time_relative': return ctx.firstEpoch === undefined ? 0 : Number((epoch - ctx.firstEpoch).toFixed(9));
    case 'frame.time_delta': return ctx.previousEpoch === undefined ? 0 : Number((epoch - ctx.previousEpoch).toFixed(9));
    case 'frame.capture_point': return ctx.capturePoint;
    case 'frame.number': return raw.number;
    case 'frame.time_epoch': return raw.tsSec + raw.tsNsec / 1e9;
    case 'frame.len': return raw.originalLength;
    case 'frame.cap_len': return raw.capturedLength;
    case 'frame.linktype': return raw.linktype;
    case 'frame.interface_id': return raw.interfaceId;
    default: return undefined;
  }
}

/** Every value of a field in a frame: derived values, then every layer, searching nested objects. */
export function collectFieldValues(frame: AnalyzedFrame, id: string, ctx: FilterContext = {}): FieldValue[] {
  if (id.startsWith('frame.')) {
    const v = frameFieldValue(frame, id, ctx);
    return v === undefined ? [] : [v];
  }
  const alias = ADDRESS_ALIASES[id];
  if (alias) return alias.flatMap((a) => collectFieldValues(frame, a, ctx));
  const out: FieldValue[] = [];
  const d = frame.derived[id];
  if (d !== undefined) out.push(d);
  const visit = (v: FieldValue, depth: number): void => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { for (const e of v as readonly FieldValue[]) visit(e, depth + 1); return; }
    const obj = v as { readonly [key: string]: FieldValue };
    for (const key of Object.keys(obj)) {
      const child = obj[key]!;
      if (key === id) out.push(child);
      else visit(child, depth + 1);
    }
  };
  for (const layer of frame.layers) {
    const v = layer.fields[id];
    if (v !== undefined) out.push(v);
    for (const key of Object.keys(layer.fields)) {
      if (key !== id) visit(layer.fields[key]!, 0);
    }
  }
  return out;
}

// ---- typed comparison -------------------------------------------------------------------------

function ipBytes(s: string): number[] | undefined {
  if (isIPv4(s)) return s.split('.').map(Number);
  if (!isIPv6(s)) return undefined;
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').flatMap((w) => {
    if (w.includes('.')) return ipBytes(w) ?? [];
    const n = parseInt(w, 16);
    return [(n >> 8) & 0xff, n & 0xff];
  }));
  const h = parse(head);
  if (tail === undefined) return h;
  const t = parse(tail);
  return [...h, ...new Array<number>(16 - h.length - t.length).fill(0), ...t];
}

/** `ADDR/BITS` against an address's bytes: undefined when `lit` is no prefix of that family. */
function prefixMatch(va: number[], lit: string): boolean | undefined {
  const m = /^(.+)\/(\d{1,3})$/.exec(lit);
  if (!m) return undefined;
  const la = ipBytes(m[1]!);
  const bits = Number(m[2]);
  if (!la || la.length !== va.length || bits > la.length * 8) return undefined;
  for (let b = 0; b < bits; b++) {
    const mask = 0x80 >> (b % 8);
    if ((va[b >> 3]! & mask) !== (la[b >> 3]! & mask)) return false;
  }
  return true;
}

function compareArrays(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function parseNumber(s: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  return undefined;
}

function normalizeHex(s: string): string | undefined {
  const t = s.toLowerCase().replace(/^0x/, '').replace(/[:\-.]/g, '');
  return /^[0-9a-f]*$/.test(t) && t.length % 2 === 0 ? t : undefined;
}

/** Three-way comparison of a field value with a literal, or undefined when they do not compare. */
function compareValue(v: FieldValue, lit: string): number | undefined {
  if (typeof v === 'number') {
    const n = parseNumber(lit) ?? (lit === 'true' ? 1 : lit === 'false' ? 0 : undefined);
    return n === undefined ? undefined : Math.sign(v - n);
  }
  if (typeof v === 'boolean') {
    const b = lit === 'true' || lit === '1' ? true : lit === 'false' || lit === '0' ? false : undefined;
    return b === undefined ? undefined : Number(v) - Number(b);
  }
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v) && /^\d+$/.test(lit)) {
    const a = BigInt(v);
    const b = BigInt(lit);
    return a === b ? 0 : a < b ? -1 : 1;
  }
  const va = ipBytes(v);
  if (va) {
    const la = ipBytes(lit);
    if (la && la.length === va.length) return Math.sign(compareArrays(va, la));
    return undefined;
  }
  if (v === lit) return 0;
  const vh = normalizeHex(v);
  const lh = normalizeHex(lit);
  if (vh !== undefined && lh !== undefined && vh.length > 0) {
    if (vh === lh) return 0;
    if (vh.length === lh.length) return vh < lh ? -1 : 1;
  }
  if (v.toLowerCase() === lit.toLowerCase() && /[a-z]/i.test(lit)) return 0; // names: Good == good
  return v < lit ? -1 : 1;
}

function matchOne(v: FieldValue, op: CompareOp, lit: string): boolean {
  if (Array.isArray(v)) return (v as readonly FieldValue[]).some((e) => matchOne(e, op, lit));
  if (op === 'contains') {
    if (typeof v !== 'string') return false;
    if (v.includes(lit)) return true;
    const vh = normalizeHex(v);
    const lh = normalizeHex(lit);
    return vh !== undefined && lh !== undefined && lh.length > 0 && vh.includes(lh);
  }
  if (op === '==' && typeof v === 'string' && lit.includes('/')) {
    const va = ipBytes(v);
    const p = va ? prefixMatch(va, lit) : undefined;
    if (p !== undefined) return p;
  }
  const c = compareValue(v, lit);
  if (c === undefined) return false;
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

/** A bare protocol name (`carp`, `vrrp`, `ip`) is true when the frame has that layer. */
function hasProtocol(frame: DecodedFrame, name: string): boolean {
  if (name.includes('.')) return false;
  const prefix = `${name}.`;
  return frame.layers.some((l) => l.proto === name || Object.keys(l.fields).some((k) => k.startsWith(prefix)));
}

function inSet(v: FieldValue, items: readonly SetItem[]): boolean {
  return items.some((item) => (typeof item === 'string' ? matchOne(v, '==', item)
    : matchOne(v, '>=', item.lo) && matchOne(v, '<=', item.hi)));
}

export function evaluateFilter(node: FilterNode, frame: AnalyzedFrame, ctx: FilterContext = {}): boolean {
  switch (node.kind) {
    case 'and': return evaluateFilter(node.left, frame, ctx) && evaluateFilter(node.right, frame, ctx);
    case 'or': return evaluateFilter(node.left, frame, ctx) || evaluateFilter(node.right, frame, ctx);
    case 'not': return !evaluateFilter(node.operand, frame, ctx);
    case 'present': return hasProtocol(frame, node.field) || collectFieldValues(frame, node.field, ctx).some((v) => v !== null && v !== undefined);
    case 'in': return collectFieldValues(frame, node.field, ctx).some((v) => (Array.isArray(v) ? (v as readonly FieldValue[]).some((e) => inSet(e, node.items)) : inSet(v, node.items)));
    case 'compare': {
      const values = collectFieldValues(frame, node.field, ctx);
      if (node.op === '!=') return !values.some((v) => matchOne(v, '==', node.value));
      return values.some((v) => matchOne(v, node.op, node.value));
    }
  }
}

/** All field ids a filter mentions (for validation against the registry). */
export function filterFields(node: FilterNode): string[] {
  switch (node.kind) {
    case 'and': case 'or': return [...filterFields(node.left), ...filterFields(node.right)];
    case 'not': return filterFields(node.operand);
    case 'present': case 'compare': case 'in': return [node.field];
  }
}
