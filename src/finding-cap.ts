// Floods of one finding (200k carp.hmac_mismatch from random sources, 50k carp.vhid_conflict
// from VRRP routers) are shown up to a cap per finding id and key, and per id over all keys;
// the rest are counted. Reaching a cap raises carpdump.limit_reached once for that id and key,
// and the end of the run states how many were raised in all for each capped id and key.
// Every finding still counts in the summary totals and for --fail-on.

import { FINDINGS } from './analyze/findings.js';
import type { Finding, PacketTime } from './analyze/types.js';
import type { Limits } from './limits.js';

/** What a finding is about, for the cap: its VHID, else its pfsync creator, else its source. */
export function findingKey(f: Finding): string {
  const d = f.details;
  for (const k of ['vhid', 'creatorid', 'src'] as const) {
    const v = d[k];
    if (v !== undefined && v !== null) return `${k} ${String(v)}`;
  }
  return '';
}

interface Tally {
  shown: number;
  raised: number;
}

export class FindingCap {
  private readonly perKey = new Map<string, Tally>();
  private readonly perId = new Map<string, Tally>();
  /** Keys whose tally is not kept (too many distinct keys for one id): counted per id only. */
  constructor(private readonly limits: Pick<Limits, 'findings-per-key' | 'findings-per-id'>) {}

  /** True when `f` is to be shown; otherwise it is counted. `emit` receives limit_reached findings. */
  admit(f: Finding, emit: (f: Finding) => void): boolean {
    if (f.id === 'carpdump.limit_reached' || f.id === 'carpdump.internal_error') return true;
    const id = this.perId.get(f.id) ?? { shown: 0, raised: 0 };
    this.perId.set(f.id, id);
    id.raised++;
    const keyName = findingKey(f);
    const key = `${f.id}\u0000${keyName}`;
    let k = this.perKey.get(key);
    if (k === undefined && id.shown < this.limits['findings-per-id']) {
      k = { shown: 0, raised: 0 };
      this.perKey.set(key, k);
    }
    if (k !== undefined) k.raised++;
    if (k !== undefined && k.shown < this.limits['findings-per-key'] && id.shown < this.limits['findings-per-id']) {
      k.shown++;
      id.shown++;
      return true;
    }
    if (k !== undefined && k.raised === k.shown + 1 && k.shown === this.limits['findings-per-key']) {
      emit(limitFinding(f.ts, 'findings-per-key', this.limits['findings-per-key'],
        `${f.id}${keyName ? ` for ${keyName}` : ''}: first ${k.shown} shown, further ones counted (--limit findings-per-key=N)`,
        { finding: f.id, key: keyName }));
    } else if (id.raised === id.shown + 1 && id.shown === this.limits['findings-per-id']) {
      emit(limitFinding(f.ts, 'findings-per-id', this.limits['findings-per-id'],
        `${f.id}: first ${id.shown} shown, further ones counted (--limit findings-per-id=N)`, { finding: f.id }));
    }
    return false;
  }

  /** One finding per capped id and key with the totals, for the end of the run. */
  totals(now: PacketTime): Finding[] {
    const out: Finding[] = [];
    for (const [key, t] of this.perKey) {
      if (t.raised === t.shown) continue;
      const [id, keyName] = key.split('\u0000') as [string, string];
      out.push(limitFinding(now, 'findings-per-key', this.limits['findings-per-key'],
        `${id}${keyName ? ` for ${keyName}` : ''}: ${t.raised} raised, ${t.shown} shown`, { finding: id, key: keyName, raised: t.raised, shown: t.shown }));
    }
    for (const [id, t] of this.perId) {
      const keyed = [...this.perKey.entries()].filter(([k]) => k.startsWith(`${id}\u0000`)).reduce((n, [, v]) => n + v.raised, 0);
      if (t.raised === keyed) continue; // every one of them was under a tracked key
      out.push(limitFinding(now, 'findings-per-id', this.limits['findings-per-id'],
        `${id}: ${t.raised} raised in all, ${t.shown} shown`, { finding: id, raised: t.raised, shown: t.shown }));
    }
    return out;
  }
}

export function limitFinding(ts: PacketTime, limit: string, value: number, message: string, details: Finding['details']): Finding {
  return {
    id: 'carpdump.limit_reached', severity: FINDINGS['carpdump.limit_reached'].severity, ts, frames: [],
    message: `limit ${limit} (${value}) reached: ${message}`, details: { limit, value, ...details },
  };
}
