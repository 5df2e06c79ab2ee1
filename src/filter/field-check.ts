// Catches typos in -Y and -e field ids before a run silently matches nothing: the first part of
// a field id must name a protocol of the registry (or `frame`). Ids the analyzers derive
// (`carp.hmac.status`) are allowed under their protocol's prefix.

import { UsageError } from '../errors.js';
import type { Registry } from '../decode/registry.js';

export function checkFieldIds(ids: readonly string[], registry: Registry, option: string): void {
  const prefixes = new Set<string>(['frame']);
  for (const f of registry.allFields()) prefixes.add(f.id.slice(0, f.id.indexOf('.') >>> 0));
  for (const p of registry.allProtocols()) prefixes.add(p.id);
  for (const id of ids) {
    const dot = id.indexOf('.');
    const prefix = dot < 0 ? id : id.slice(0, dot);
    if (!prefixes.has(prefix)) {
      const known = [...prefixes].filter((p) => p !== '').sort().join(', ');
      throw new UsageError(`${option}: unknown protocol "${prefix}" in field "${id}" (known: ${known})`);
    }
  }
}
