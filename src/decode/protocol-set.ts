// Builds everything the decoder needs from one list of protocol modules (decode/module.ts):
// the registry of fields and annotations, the dissector table, the link type / ethertype /
// IP protocol / heuristic dispatch tables, and the record prefilter that follows the same
// rows through the modules' probes. decode/protocols.ts builds the real set; tests build sets
// with extra, test-only modules.

import type { Dissector } from './dissector.js';
import type { DispatchTables, HeuristicInput } from './dispatch-tables.js';
import { ALWAYS, type KeyRow, type LinktypeRow, type Probe, type ProbeNext, type ProtocolModule } from './module.js';
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

  const isInterestingRecord = compilePrefilter(linktypes, ethertypeRows, ipRows, heuristics, probes);

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
    isInterestingRecord,
  };
}

/**
 * A key's verdict in the prefilter's flat tables: NO (no row, or a row whose dissector has no
 * probe), YES (the row accepts without looking: `prefilter: 'accept'`, or its probe is ALWAYS),
 * or FIRST_PROBE + i: call probes[i]. Resolved once here, so the hot path (every record of a
 * file) reads one byte per key and calls only the probes that look at bytes.
 */
const NO = 0;
const YES = 1;
const FIRST_PROBE = 2;

/** The flat tables of one key space (ethertypes, IP protocols). */
class KeyTable {
  readonly verdicts: Uint8Array;
  readonly probes: Probe[] = [];
  private readonly slots = new Map<Probe, number>();

  constructor(size: number) {
    this.verdicts = new Uint8Array(size);
  }

  /** Key `k` answers with `probe` (undefined: NO; 'accept' or ALWAYS: YES). */
  set(k: number, probe: Probe | 'accept' | undefined): void {
    if (probe === undefined) return;
    if (probe === 'accept' || probe === ALWAYS) {
      this.verdicts[k] = YES;
      return;
    }
    let slot = this.slots.get(probe);
    if (slot === undefined) {
      slot = this.probes.push(probe) - 1;
      if (FIRST_PROBE + slot > 0xff) throw new Error('too many distinct prefilter probes');
      this.slots.set(probe, slot);
    }
    this.verdicts[k] = FIRST_PROBE + slot;
  }
}

/**
 * The record prefilter, compiled from the dispatch rows and the modules' probes: link type ->
 * first probe in an array indexed by link type, ethertype and IP protocol -> a verdict byte
 * (KeyTable), heuristic protocols -> YES when any candidate's probe is ALWAYS. Same answers as
 * following the rows through the probes one by one (test/decode/probe.test.ts and
 * test/capture/prefilter.test.ts hold it to the full decode); a third less time per record
 * than looking each key's probe up and calling it (README, Performance).
 */
function compilePrefilter(
  linktypes: ReadonlyMap<number, LinktypeRow>,
  ethertypeRows: ReadonlyMap<number, KeyRow>,
  ipRows: ReadonlyMap<number, KeyRow>,
  heuristics: ReadonlyMap<number, readonly { dissector: string }[]>,
  probes: ReadonlyMap<string, Probe>,
): ProtocolSet['isInterestingRecord'] {
  const probeOfRow = (r: KeyRow): Probe | 'accept' | undefined => (r.prefilter === 'accept' ? 'accept' : probes.get(r.dissector));
  const eth = new KeyTable(0x10000);
  const ip = new KeyTable(0x100);
  for (const [k, r] of ethertypeRows) eth.set(k & 0xffff, probeOfRow(r));
  for (const [k, r] of ipRows) ip.set(k & 0xff, probeOfRow(r));
  for (const [k, rows] of heuristics) {
    // Any candidate of a shared protocol may be chosen: interesting when one of them would be.
    const candidates = [...new Set(rows.map((r) => r.dissector))].map((n) => probes.get(n)).filter((p): p is Probe => p !== undefined);
    if (candidates.length === 0) continue;
    ip.set(k & 0xff, candidates.includes(ALWAYS) ? ALWAYS
      : candidates.length === 1 ? candidates[0] : (b, at, end, nx) => candidates.some((p) => p(b, at, end, nx)));
  }
  const ethVerdicts = eth.verdicts;
  const ethProbes = eth.probes;
  const ipVerdicts = ip.verdicts;
  const ipProbes = ip.probes;

  let ethertypesSeen = 0;
  const next: ProbeNext = {
    ethertype(type, b, at, end) {
      if (++ethertypesSeen > MAX_PROBE_ETHERTYPES) return true;
      const v = ethVerdicts[type & 0xffff]!;
      return v === YES || (v !== NO && ethProbes[v - FIRST_PROBE]!(b, at, end, next));
    },
    ipProtocol(protocol, b, at, end) {
      const v = ipVerdicts[protocol & 0xff]!;
      return v === YES || (v !== NO && ipProbes[v - FIRST_PROBE]!(b, at, end, next));
    },
    dissector(name, b, at, end) {
      const p = name === undefined ? undefined : probes.get(name);
      return p !== undefined && p(b, at, end, next);
    },
  };

  // Link type -> its row's first probe and `when`, in arrays indexed by link type (a file has
  // one link type, so these reads stay monomorphic); link types past the arrays have no row.
  const maxLinktype = Math.max(-1, ...[...linktypes.keys()].filter((k) => k >= 0 && k < 0x10000));
  const linkProbe: (Probe | undefined)[] = new Array<Probe | undefined>(maxLinktype + 1).fill(undefined);
  const linkWhen: (LinktypeRow['when'] | undefined)[] = new Array<LinktypeRow['when'] | undefined>(maxLinktype + 1).fill(undefined);
  for (const [k, r] of linktypes) {
    const probe = probes.get(r.dissector);
    if (probe === undefined || k < 0 || k > maxLinktype) continue;
    linkProbe[k] = probe;
    linkWhen[k] = r.when;
  }
  return (b, s, end, linktype) => {
    const probe = linktype <= maxLinktype ? linkProbe[linktype] : undefined;
    if (probe === undefined) return false;
    const when = linkWhen[linktype];
    if (when !== undefined && !when(b, s, end)) return false;
    ethertypesSeen = 0;
    return probe === ALWAYS || probe(b, s, end, next);
  };
}
