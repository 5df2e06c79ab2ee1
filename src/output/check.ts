// --check: carpdump as a Nagios / Icinga plugin (Monitoring Plugins development guidelines).
// One status line on stdout, "CARPDUMP STATE - text | perfdata", and the exit status of the
// state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
//   UNKNOWN   the capture failed, carpdump hit an internal error, or nothing was heard (no CARP,
//             VRRP or pfsync packet: the sensor may be on the wrong segment)
//   CRITICAL  a finding of severity error (split brain, HMAC mismatch, ...) or an
//             --expect-master VHID:ADDR not met (another master, or the VHID not heard)
//   WARNING   a finding of severity warn (late advert, master silent, pfsync in clear, ...)
//   OK        otherwise (notes such as carp.master_changed first_seen are not problems)
// The CheckRenderer is the renderer of a --check run: it prints nothing per frame, counts what
// was heard and the findings, and keeps the analyzers' summary for the line.

import type { AnalyzedFrame, Finding } from '../analyze/types.js';
import type { Fields, FieldValue, Severity } from '../decode/types.js';
import type { ExpectMaster } from './options.js';
import type { RunTotals } from './json.js';
import type { Renderer } from './renderer.js';

export const CHECK_STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** The plugin exit status of a state (its index: 0 OK ... 3 UNKNOWN). */
export function checkExitStatus(state: CheckState): number {
  return CHECK_STATES.indexOf(state);
}

/** A finding's message is cut here: the status line stays readable in a dashboard. */
const MAX_MESSAGE = 160;

const STATE_OF_SEVERITY: Readonly<Record<Severity, CheckState>> = { chat: 'OK', note: 'OK', warn: 'WARNING', error: 'CRITICAL' };

export class CheckRenderer implements Renderer {
  readonly heard = { carp: 0, vrrp: 0, pfsync: 0 };
  readonly findings: Record<Severity, number> = { chat: 0, note: 0, warn: 0, error: 0 };
  /** The first finding of each problem severity (the line names it). */
  readonly first: Partial<Record<Severity, Finding>> = {};
  totals: RunTotals | undefined;
  summary: Fields = {};

  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    for (const l of frame.layers) {
      if (l.proto === 'carp' || l.proto === 'vrrp' || l.proto === 'pfsync') this.heard[l.proto]++;
    }
    for (const f of findings) this.finding(f);
  }

  finding(f: Finding): void {
    this.findings[f.severity]++;
    if (this.first[f.severity] === undefined) this.first[f.severity] = f;
  }

  end(totals: RunTotals, summary: Fields): void {
    this.totals = totals;
    this.summary = summary;
  }
}

export interface CheckContext {
  readonly expectMasters: readonly ExpectMaster[];
  readonly utc: boolean;
  /** Where carpdump listened or read (for "nothing heard on eth0"). */
  readonly source: string;
  /** A capture or internal error: UNKNOWN. */
  readonly error?: string;
  /** Kernel drops, when known. */
  readonly dropped?: number;
}

function obj(v: FieldValue | undefined): Fields | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : undefined;
}

function arr(v: FieldValue | undefined): Fields[] {
  return Array.isArray(v) ? v.filter((x): x is Fields => obj(x) !== undefined) : [];
}

/** The status line may hold neither a newline nor '|' (the perfdata separator). */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '/');
}

function timeOfDay(epoch: FieldValue | undefined, utc: boolean): string {
  const t = Number(epoch);
  if (!Number.isFinite(t)) return '?';
  const d = new Date(Math.floor(t) * 1000);
  const parts = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return parts.map((n) => String(n).padStart(2, '0')).join(':');
}

/** The plugin's status line and state from a finished --check run. */
export function checkStatus(r: CheckRenderer, ctx: CheckContext): { state: CheckState; line: string } {
  const carp = obj(r.summary['carp']);
  const pfsync = obj(r.summary['pfsync']);
  const vhids = arr(carp?.['vhids']);
  const peers = arr(pfsync?.['peers']);
  const bulks = arr(pfsync?.['bulk_updates']);

  const perf: string[] = [
    `packets=${r.totals?.frames ?? 0}c`,
    `carp_vhids=${vhids.length}`,
    `carp_adverts=${vhids.reduce((n, v) => n + arr(v['sources']).reduce((m, s) => m + Number(s['adverts'] ?? 0), 0), 0)}c`,
    `carp_master_changes=${vhids.reduce((n, v) => n + Number(v['transitions'] ?? 0), 0)}c`,
    `carp_split_brains=${vhids.reduce((n, v) => n + Number(v['split_brains'] ?? 0), 0)}c`,
    `vrrp_adverts=${r.heard.vrrp}c`,
    `pfsync_peers=${peers.length}`,
    `pfsync_states=${Number(pfsync?.['states'] ?? 0)}`,
    `warnings=${r.findings.warn}`,
    `errors=${r.findings.error}`,
    ...(ctx.dropped !== undefined ? [`dropped=${ctx.dropped}c`] : []),
  ];

  // What was heard, in one phrase per protocol.
  const heard: string[] = [];
  for (const v of vhids) {
    heard.push(v['master'] !== null && v['master'] !== undefined
      ? `vhid ${String(v['vhid'])} master ${String(v['master'])} since ${timeOfDay(v['since'], ctx.utc)}`
      : `vhid ${String(v['vhid'])} no master`);
  }
  if (r.heard.vrrp > 0) heard.push(`vrrp ${r.heard.vrrp} advert${r.heard.vrrp === 1 ? '' : 's'}`);
  if (r.heard.pfsync > 0 || peers.length > 0) {
    const bulk = bulks.length === 0 ? '' : bulks.some((b) => b['ended'] === null) ? ', bulk incomplete' : ', bulk ok';
    heard.push(`pfsync ${peers.length} peer${peers.length === 1 ? '' : 's'}${bulk}`);
  }

  let state: CheckState;
  const problems: string[] = [];
  if (ctx.error !== undefined) {
    state = 'UNKNOWN';
    problems.push(ctx.error);
  } else if (r.heard.carp + r.heard.vrrp + r.heard.pfsync === 0) {
    state = 'UNKNOWN';
    problems.push(`nothing heard on ${ctx.source} (no CARP, VRRP or pfsync packet)`);
  } else {
    state = 'OK';
    for (const e of ctx.expectMasters) {
      const mine = vhids.filter((v) => v['vhid'] === e.vhid);
      const masters = [...new Set(mine.map((v) => v['master']).filter((m): m is string => typeof m === 'string'))];
      if (masters.length === 0) problems.push(`vhid ${e.vhid} not heard (expected master ${e.address})`);
      else if (!masters.every((m) => m === e.address)) problems.push(`vhid ${e.vhid} master is ${masters.join(', ')}, expected ${e.address}`);
    }
    if (problems.length > 0) state = 'CRITICAL';
    for (const severity of ['error', 'warn'] as const) {
      const f = r.first[severity];
      if (!f) continue;
      if (checkExitStatus(STATE_OF_SEVERITY[severity]) > checkExitStatus(state)) state = STATE_OF_SEVERITY[severity];
      const more = r.findings[severity] - 1;
      const message = f.message.length > MAX_MESSAGE ? `${f.message.slice(0, MAX_MESSAGE - 3)}...` : f.message;
      problems.push(`${f.id}: ${message}${more > 0 ? ` (+${more} more ${severity})` : ''}`);
    }
  }
  const text = [...problems, ...heard].join('; ') || 'nothing to report';
  return { state, line: `CARPDUMP ${state} - ${oneLine(text)} | ${perf.join(' ')}` };
}
