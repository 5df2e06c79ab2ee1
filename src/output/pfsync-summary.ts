// `-z pfsync,states`: peers, creator ids, flavour, bulk updates, messages, states, findings.
// Input: the whole JSON summary object ({frames, findings: {id: count}, pfsync: {...}}), so the
// text and the jsonl summary always show the same data.

import type { FieldValue, Fields } from '../decode/types.js';

type Obj = Readonly<Record<string, FieldValue>>;

/** Creator lines in the -z pfsync,states table; the rest are one "N more" line. */
export const CREATORS_SHOWN = 20;

const isObj = (v: FieldValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: FieldValue | undefined): readonly Obj[] => (Array.isArray(v) ? (v as readonly FieldValue[]).filter(isObj) : []);
const text = (v: FieldValue | undefined, none = '-'): string => (v === undefined || v === null || v === '' ? none : String(v));

/** `time` renders the summary's epoch strings in the user's -t style (default: as they are). */
export function renderPfsyncStates(summary: Fields, time: (epoch: string) => string = (e) => e): string {
  const at = (v: FieldValue | undefined): string => (typeof v === 'string' ? time(v) : text(v));
  const p = summary['pfsync'];
  if (!isObj(p)) return '';
  const out: string[] = ['pfsync states'];
  const peers = list(p['peers']);
  out.push(`  peers: ${peers.length}`);
  for (const peer of peers) {
    const rate = peer['messages_per_second'];
    out.push(`    ${text(peer['src']).padEnd(16)} creator ${text(peer['creatorid']).padEnd(8)}  ${text(peer['flavour']).padEnd(12)} `
      + `${text(peer['packets'], '0')} packets, ${text(peer['messages'], '0')} messages${typeof rate === 'number' ? ` (${rate}/s)` : ''}`);
  }
  const bulks = list(p['bulk_updates']);
  out.push(`  bulk updates: ${bulks.length}`);
  for (const b of bulks) {
    const duration = typeof b['duration'] === 'number' ? `, ${b['duration']} s` : b['ended'] === null ? ', did not end' : '';
    out.push(`    from ${text(b['responder'])} (creator ${text(b['creatorid'])}): requested ${at(b['requested'])}, started ${at(b['started'])}, `
      + `ended ${at(b['ended'])}${duration}, ${text(b['states'], '0')} states`);
  }
  const actions = isObj(p['messages_by_action']) ? p['messages_by_action'] : {};
  const names = Object.keys(actions);
  out.push(`  messages by action: ${names.length === 0 ? 'none' : names.map((n) => `${n} ${text(actions[n], '0')}`).join(', ')}`);
  out.push(`  states known at the end: ${text(p['states'], '0')}`);
  // The summary lists creators with the most states first; the table shows the top CREATORS_SHOWN.
  const byCreator = isObj(p['states_by_creator']) ? p['states_by_creator'] : {};
  const creators = Object.keys(byCreator);
  for (const c of creators.slice(0, CREATORS_SHOWN)) out.push(`    creator ${c}: ${text(byCreator[c], '0')}`);
  const total = typeof p['creators'] === 'number' ? p['creators'] : creators.length;
  const more = total - Math.min(creators.length, CREATORS_SHOWN);
  if (more > 0) {
    let hidden = typeof p['states_not_listed'] === 'number' ? p['states_not_listed'] : 0;
    for (const c of creators.slice(CREATORS_SHOWN)) hidden += typeof byCreator[c] === 'number' ? byCreator[c] : 0;
    out.push(`    ${more} more creator(s) with ${hidden} state(s)`);
  }
  const findings = isObj(summary['findings']) ? summary['findings'] : {};
  const ids = Object.keys(findings).filter((id) => id.startsWith('pfsync.')).sort();
  out.push(`  findings: ${ids.length === 0 ? 'none' : ids.map((id) => `${id} ${text(findings[id], '0')}`).join(', ')}`);
  return `${out.join('\n')}\n`;
}
