// Builds everything the decoder needs from one list of protocol modules (decode/module.ts):
// the registry of fields and annotations, the dissector table, the link type / ethertype /
// IP protocol / heuristic dispatch tables, and the record prefilter that follows the same
// rows through the modules' probes. decode/protocols.ts builds the real set; tests build sets
// with extra, test-only modules.

import type { Dissector } from './dissector.js';
import type { DispatchTables, HeuristicInput } from './dispatch-tables.js';
import type { KeyRow, LinktypeRow, Probe, ProbeNext, ProtocolModule } from './module.js';
import { Registry, type AnnotationDef } from './registry.js';

/** More ethertypes than this in one record (a deep VLAN tag stack): the prefilter says yes. */
const MAX_PROBE_ETHERTYPES = 16;

export interface ProtocolSet {
  readonly modules: readonly ProtocolModule[];
  readonly registry: Registry;
  /** Every dissector by name; Handoff.next names one of these. */
  readonly dissectors: Readonly<Record<string, Dissector>>;
  /** Link type rows by link type. */
  readonly linktypes: ReadonlyMap<number, LinktypeRow>;
  readonly tables: DispatchTables;
  /** LINKTYPE_* -> dissector name for the record at bytes[0, bytes.length), or undefined. */
  dissectorForLinktype(linktype: number, bytes: Uint8Array): string | undefined;
  /**
   * The prefilter: may the record bytes[s, end) of this link type carry anything a module's
   * probe accepts? False means decodeFrame() would yield no layer of such a protocol.
   */
  isInterestingRecord(b: Uint8Array, s: number, end: number, linktype: number): boolean;
}

function addKeyRows(into: Map<number, KeyRow>, rows: readonly KeyRow[] | undefined, what: string): void {
  for (const r of rows ?? []) {
    if (into.has(r.value)) throw new Error(`${what} ${r.value} claimed twice`);
    into.set(r.value, r);
  }
}

/** The protocol set of `modules`; `frameAnnotations` belong to no protocol (frame.*, internal errors). */
export function buildProtocolSet(modules: readonly ProtocolModule[], frameAnnotations: readonly AnnotationDef[]): ProtocolSet {
  const registry = new Registry().addAnnotations(frameAnnotations);
  const dissectors: Record<string, Dissector> = {};
  const probes = new Map<string, Probe>();
  const linktypes = new Map<number, LinktypeRow>();
  const ethertypeRows = new Map<number, KeyRow>();
  const ipRows = new Map<number, KeyRow>();
  const heuristicRows: { ipProtocol: number; order: number; dissector: string; test: (h: HeuristicInput) => boolean }[] = [];
  for (const m of modules) {
    registry.add(m);
    for (const [name, d] of Object.entries(m.dissectors)) {
      if (dissectors[name]) throw new Error(`dissector ${name} declared twice`);
      dissectors[name] = d;
    }
    for (const [name, p] of Object.entries(m.probes ?? {})) probes.set(name, p);
    for (const r of m.dispatch?.linktypes ?? []) {
      if (linktypes.has(r.linktype)) throw new Error(`link type ${r.linktype} claimed twice`);
      linktypes.set(r.linktype, r);
    }
    addKeyRows(ethertypeRows, m.dispatch?.ethertypes, 'ethertype');
    addKeyRows(ipRows, m.dispatch?.ipProtocols, 'IP protocol');
    heuristicRows.push(...(m.dispatch?.heuristics ?? []));
  }
  const named = [...linktypes.values(), ...ethertypeRows.values(), ...ipRows.values(), ...heuristicRows];
  for (const r of named) if (!dissectors[r.dissector]) throw new Error(`dispatch row names no dissector: ${r.dissector}`);
  for (const name of probes.keys()) if (!dissectors[name]) throw new Error(`probe for no dissector: ${name}`);

  heuristicRows.sort((a, b) => a.order - b.order);
  const heuristics = new Map<number, { dissector: string; test: (h: HeuristicInput) => boolean }[]>();
  for (const r of heuristicRows) {
    if (ipRows.has(r.ipProtocol)) throw new Error(`IP protocol ${r.ipProtocol} has both a row and heuristics`);
    let list = heuristics.get(r.ipProtocol);
    if (!list) heuristics.set(r.ipProtocol, (list = []));
    list.push({ dissector: r.dissector, test: r.test });
  }
  const tables: DispatchTables = {
    ethertypes: new Map([...ethertypeRows].map(([k, r]) => [k, r.dissector])),
    ipProtocols: new Map([...ipRows].map(([k, r]) => [k, r.dissector])),
    heuristics,
  };

  // The prefilter: arrays indexed by key for the hot path (every record of a file).
  const ethertypeProbe: (Probe | 'accept' | undefined)[] = new Array(0x10000).fill(undefined);
  const ipProbe: (Probe | 'accept' | undefined)[] = new Array(256).fill(undefined);
  const probeOfRow = (r: KeyRow): Probe | 'accept' | undefined => (r.prefilter === 'accept' ? 'accept' : probes.get(r.dissector));
  for (const [k, r] of ethertypeRows) ethertypeProbe[k & 0xffff] = probeOfRow(r);
  for (const [k, r] of ipRows) ipProbe[k & 0xff] = probeOfRow(r);
  for (const [k, rows] of heuristics) {
    // Any candidate of a shared protocol may be chosen: interesting when one of them would be.
    const candidates = [...new Set(rows.map((r) => r.dissector))].map((n) => probes.get(n)).filter((p): p is Probe => p !== undefined);
    if (candidates.length > 0) ipProbe[k & 0xff] = (b, at, end, nx) => candidates.some((p) => p(b, at, end, nx));
  }
  // Link type -> the first probe, resolved once (the prefilter runs for every record of a file).
  const linktypeProbe = new Map<number, { readonly when: LinktypeRow['when']; readonly probe: Probe }>();
  for (const [k, r] of linktypes) {
    const probe = probes.get(r.dissector);
    if (probe) linktypeProbe.set(k, { when: r.when, probe });
  }
  let ethertypesSeen = 0;
  const next: ProbeNext = {
    ethertype(type, b, at, end) {
      if (++ethertypesSeen > MAX_PROBE_ETHERTYPES) return true;
      const p = ethertypeProbe[type];
      return p === 'accept' || (p !== undefined && p(b, at, end, next));
    },
    ipProtocol(protocol, b, at, end) {
      const p = ipProbe[protocol];
      return p === 'accept' || (p !== undefined && p(b, at, end, next));
    },
    dissector(name, b, at, end) {
      const p = name === undefined ? undefined : probes.get(name);
      return p !== undefined && p(b, at, end, next);
    },
  };

  return {
    modules,
    registry,
    dissectors,
    linktypes,
    tables,
    dissectorForLinktype(linktype, bytes) {
      const row = linktypes.get(linktype);
      if (!row || (row.when && !row.when(bytes, 0, bytes.length))) return undefined;
      return row.dissector;
    },
    isInterestingRecord(b, s, end, linktype) {
      const row = linktypeProbe.get(linktype);
      if (!row || (row.when && !row.when(b, s, end))) return false;
      ethertypesSeen = 0;
      return row.probe(b, s, end, next);
    },
  };
}
