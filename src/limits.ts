// One place for the limits that keep memory and output bounded on hostile input. Each limit has
// a name, a default and a one-line description; `--limit NAME=N` raises (or lowers) the ones
// marked `option: true` (all of them today), listed here so there is one table to read (README
// "Limits"). Reaching a limit is never silent: a finding says which (carpdump.limit_reached here,
// the analyzers' carp.vhid_cap / vrrp.vrid_cap / pfsync.state_cap / pfsync.creator_cap, or the
// one-line error for a file).

import { UsageError } from './errors.js';

export interface LimitDef {
  readonly default: number;
  readonly description: string;
  /** Settable with --limit NAME=N. */
  readonly option: boolean;
}

export const LIMITS = {
  'interfaces-per-section': {
    default: 65536, option: true,
    description: 'pcapng Interface Description Blocks per section; past it the file is rejected (exit 1) after the frames before it',
  },
  'findings-per-key': {
    default: 100, option: true,
    description: 'findings shown per finding id and key (VHID, creator id or source); further ones are counted, and the count stated',
  },
  'findings-per-id': {
    default: 1000, option: true,
    description: 'findings shown per finding id over all keys; further ones are counted, and the count stated',
  },
  'record-bytes': {
    default: 256 * 1024 * 1024, option: true,
    description: 'captured length of one pcap record / pcapng block; larger is a corrupt file (capture/reader.ts)',
  },
  vhids: { default: 1024, option: true, description: 'CARP VHIDs and VRRP VRIDs tracked, per link and address family (carp.vhid_cap, vrrp.vrid_cap)' },
  'sources-per-vhid': { default: 16, option: true, description: 'senders tracked per CARP VHID / VRRP VRID (carp.vhid_cap, vrrp.vrid_cap)' },
  states: { default: 2_000_000, option: true, description: 'pfsync states tracked (pfsync.state_cap)' },
  creators: { default: 10_000, option: true, description: 'pfsync creator ids with tracked states (pfsync.creator_cap)' },
} as const satisfies Record<string, LimitDef>;

export type LimitName = keyof typeof LIMITS;
export type Limits = { readonly [K in LimitName]: number };

export function defaultLimits(): Limits {
  const out = {} as Record<LimitName, number>;
  for (const k of Object.keys(LIMITS) as LimitName[]) out[k] = LIMITS[k].default;
  return out;
}

const settable = (): string => (Object.keys(LIMITS) as LimitName[]).filter((k) => LIMITS[k].option).join(', ');

/** `--limit NAME=N` (repeatable) over the defaults. Throws UsageError naming what is wrong. */
export function parseLimits(specs: readonly string[]): Limits {
  const out = { ...defaultLimits() } as Record<LimitName, number>;
  for (const spec of specs) {
    const m = /^([a-z-]+)=(\d+)$/.exec(spec.trim());
    if (!m) throw new UsageError(`--limit: expected NAME=N, got "${spec}" (names: ${settable()})`);
    const name = m[1]! as LimitName;
    if (!Object.prototype.hasOwnProperty.call(LIMITS, name) || !LIMITS[name].option) {
      throw new UsageError(`--limit: unknown limit "${m[1]}" (names: ${settable()})`);
    }
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--limit: ${name} must be a positive integer`);
    out[name] = n;
  }
  return out;
}
