// Catches typos in -Y and -e before a run silently matches nothing, as tshark does: every field
// id must be a field of the registry, a protocol name, a frame pseudo-field (frame.number ...) or
// one of Wireshark's either-side address fields (ip.addr ...); and every value a -Y filter
// compares a field with must be one that field can hold (`carp.vhid == seven` is an error).

import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.js';
import type { FieldKind, Registry } from '../decode/registry.js';
import { ADDRESS_ALIASES, FRAME_FIELDS, type FilterNode, type SetItem } from './display-filter.js';

/** The kind of a field id, or undefined when carpdump has no such field. */
export function fieldKind(id: string, registry: Registry): FieldKind | 'protocol' | undefined {
  const f = registry.field(id);
  if (f) return f.kind;
  const frame = FRAME_FIELDS.find((x) => x.id === id);
  if (frame) return frame.kind;
  const alias = ADDRESS_ALIASES[id];
  if (alias) return registry.field(alias[0]!)?.kind ?? 'address';
  if (!id.includes('.') && protocolPrefixes(registry).has(id)) return 'protocol';
  return undefined;
}

function protocolPrefixes(registry: Registry): Set<string> {
  const prefixes = new Set<string>(['frame']);
  for (const f of registry.allFields()) prefixes.add(f.id.slice(0, f.id.indexOf('.') >>> 0));
  for (const p of registry.allProtocols()) prefixes.add(p.id);
  return prefixes;
}

/** Throws a UsageError naming the first id that is no field or protocol of carpdump. */
export function checkFieldIds(ids: readonly string[], registry: Registry, option: string): void {
  const prefixes = protocolPrefixes(registry);
  for (const id of ids) {
    if (fieldKind(id, registry) !== undefined) continue;
    const dot = id.indexOf('.');
    const prefix = dot < 0 ? id : id.slice(0, dot);
    if (!prefixes.has(prefix)) {
      const known = [...prefixes].filter((p) => p !== '').sort().join(', ');
      throw new UsageError(`${option}: unknown protocol "${prefix}" in field "${id}" (known: ${known})`);
    }
    throw new UsageError(`${option}: "${id}" is not a valid field (carpdump -G fields lists them)`);
  }
}

const NUMBER = /^(-?\d+(\.\d+)?|0x[0-9a-f]+)$/i;
const MAC = /^[0-9a-f]{2}([:\-.]?[0-9a-f]{2}){5}$/i;

function isAddressPrefix(text: string, isAddr: (s: string) => boolean, maxBits: number): boolean {
  const m = /^(.+)\/(\d{1,3})$/.exec(text);
  return m !== null && isAddr(m[1]!) && Number(m[2]) <= maxBits;
}

/** Whether `value` is something a field of `kind` can be compared with; the reason when not. */
function valueProblem(kind: FieldKind | 'protocol', value: string): string | undefined {
  switch (kind) {
    case 'uint': case 'int': case 'hex': case 'u64': case 'float': {
      if (NUMBER.test(value)) return undefined;
      return kind === 'float' ? 'is not a number' : 'is not a valid integer';
    }
    case 'ipv4': return isIPv4(value) || isAddressPrefix(value, isIPv4, 32) ? undefined : 'is not an IPv4 address or prefix';
    case 'ipv6': return isIPv6(value) || isAddressPrefix(value, isIPv6, 128) ? undefined : 'is not an IPv6 address or prefix';
    case 'mac': return MAC.test(value) ? undefined : 'is not an Ethernet address';
    case 'bool': return ['true', 'false', '1', '0'].includes(value.toLowerCase()) ? undefined : 'is not true, false, 1 or 0';
    case 'status': return ['good', 'bad', 'unverified'].includes(value.toLowerCase()) ? undefined : 'is not good, bad or unverified';
    case 'protocol': return 'cannot be compared: a protocol name only tests presence';
    default: return undefined;
  }
}

/**
 * Checks every comparison of a parsed -Y filter: known field, and a value of the field's type.
 */
export function checkFilterValues(node: FilterNode, registry: Registry, option = '-Y'): void {
  switch (node.kind) {
    case 'and': case 'or': checkFilterValues(node.left, registry, option); checkFilterValues(node.right, registry, option); return;
    case 'not': checkFilterValues(node.operand, registry, option); return;
    case 'present': checkFieldIds([node.field], registry, option); return;
    case 'compare': case 'in': {
      checkFieldIds([node.field], registry, option);
      const kind = fieldKind(node.field, registry)!;
      const values = node.kind === 'in' ? node.items.flatMap((i: SetItem) => (typeof i === 'string' ? [i] : [i.lo, i.hi])) : [node.value];
      if (node.kind === 'compare' && node.op === 'contains') return;
      for (const v of values) {
        const problem = valueProblem(kind, v);
        if (problem !== undefined) throw new UsageError(`${option}: "${v}" ${problem} (field ${node.field})`);
      }
    }
  }
}
