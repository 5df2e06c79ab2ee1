// pfsync text rendering: the one-line summary (like the BSD tcpdumps) and the -V tree (like
// pfctl -vv for each state). Reads decoded fields only. Formats follow
// ../shared/reference/pfsync.md 13.2-13.5 and 8.3 (pfctl's key order and NAT parentheses).

import type { FieldValue, Layer } from '../decode/types.js';
import {
  PF_RULE_NONE, PROTO_NAMES, TCP_STATE_NAMES, TIMEOUT_NAMES, UDP_STATE_NAMES,
} from '../decode/pfsync/constants.js';
import { asLayerOf, numOf, recordsIn, type PfsyncRecord } from '../decode/fields.js';
import { textOf } from './lines/common.js';

type Msg = PfsyncRecord;

const hex = (v: FieldValue | undefined, w: number): string => `0x${(numOf(v) ?? 0).toString(16).padStart(w, '0')}`;

function sections(f: Msg): readonly Msg[] {
  return recordsIn(f, 'pfsync.subheaders');
}
function messages(s: Msg): readonly Msg[] {
  return recordsIn(s, 'pfsync.messages');
}

function sectionSummary(s: Msg): string {
  const name = textOf(s['pfsync.action_name']) ?? '';
  const list = messages(s);
  const ignored = s['pfsync.ignored'] !== undefined ? ` [${textOf(s['pfsync.ignored']) ?? ''}]` : '';
  if (name === 'EOF') return `EOF${ignored}`;
  const first = list[0];
  if (name === 'BUS' && first) {
    const st = numOf(first['pfsync.bus.status']) ?? 0;
    const status = st === 1 ? 'start' : st === 2 ? `end ${numOf(first['pfsync.bus.endtime']) ?? 0}s` : `status ${st}`;
    return `BUS ${status} creator ${textOf(first['pfsync.state.creatorid']) ?? ''}${ignored}`;
  }
  if ((name === 'UPD_REQ' || name === 'UREQ') && list.length === 1 && first?.['pfsync.bulk_request'] === true) return `${name} bulk${ignored}`;
  if (name === 'CLR' && first) return `CLR creator ${textOf(first['pfsync.state.creatorid']) ?? ''}${ignored}`;
  return `${name} x${numOf(s['pfsync.count']) ?? 0}${ignored}`;
}

/** `pfsync v6 len 612: UPD_C x3, DEL_C x1` (v5 adds the flavour, legacy says so). */
export function renderPfsyncLine(layer: Layer): string {
  const f = asLayerOf(layer, 'pfsync')?.fields ?? {};
  const version = f['pfsync.version'];
  if (version === undefined) return 'pfsync';
  const flavor = textOf(f['pfsync.flavor']) ?? '';
  const basis = textOf(f['pfsync.flavor_basis']) ?? '';
  let head = `pfsync v${String(version)}`;
  if (typeof version === 'number' && version <= 4) head += ' (legacy)';
  else if (version === 5 && flavor) head += ` (${flavor}${basis === 'guess' || basis === 'hint' ? '?' : ''})`;
  if (f['pfsync.len'] !== undefined) head += ` len ${numOf(f['pfsync.len']) ?? 0}`;
  if (flavor === '') return `${head} [bad version]`;
  const parts = sections(f).map(sectionSummary);
  if (f['pfsync.ignored'] !== undefined) parts.push(`[dropped: ${textOf(f['pfsync.ignored']) ?? ''}]`);
  return parts.length > 0 ? `${head}: ${parts.join(', ')}` : head;
}

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function hostPort(addr: FieldValue | undefined, port: FieldValue | undefined): string {
  const a = textOf(addr) ?? '';
  return a.includes(':') ? `[${a}]:${numOf(port) ?? 0}` : `${a}:${numOf(port) ?? 0}`;
}

function peerStateName(proto: number, state: number): string {
  const names = proto === 6 ? TCP_STATE_NAMES : UDP_STATE_NAMES;
  return names[state] ?? String(state);
}

/** pfctl's address line: OUT `wire1 (stack1) -> wire0 (stack0)`, IN `stack1 (wire1) <- stack0 (wire0)`. */
function addressLine(m: Msg): string {
  const out = (numOf(m['pfsync.state.direction']) ?? 0) !== 1;
  if (m['pfsync.state.lan.addr'] !== undefined) {
    const lan = hostPort(m['pfsync.state.lan.addr'], m['pfsync.state.lan.port']);
    const gwy = hostPort(m['pfsync.state.gwy.addr'], m['pfsync.state.gwy.port']);
    const ext = hostPort(m['pfsync.state.ext.addr'], m['pfsync.state.ext.port']);
    return `${lan}${gwy !== lan ? ` (${gwy})` : ''} ${out ? '->' : '<-'} ${ext}`;
  }
  const k = (which: 'wire' | 'stack', i: 0 | 1) => hostPort(m[`pfsync.state.${which}.addr${i}`], m[`pfsync.state.${which}.port${i}`]);
  const [a, b] = out ? (['wire', 'stack'] as const) : (['stack', 'wire'] as const);
  const near = k(a, 1); const nearAlt = k(b, 1);
  const far = k(a, 0); const farAlt = k(b, 0);
  return `${near}${nearAlt !== near ? ` (${nearAlt})` : ''} ${out ? '->' : '<-'} ${far}${farAlt !== far ? ` (${farAlt})` : ''}`;
}

function window(m: Msg, side: 'src' | 'dst', bothScale: boolean): string {
  const lo = numOf(m[`pfsync.state.${side}.seqlo`]) ?? 0;
  const hi = numOf(m[`pfsync.state.${side}.seqhi`]) ?? 0;
  const diff = numOf(m[`pfsync.state.${side}.seqdiff`]) ?? 0;
  const ws = numOf(m[`pfsync.state.${side}.wscale`]) ?? 0;
  return `[${lo} + ${(hi - lo) >>> 0}]${diff ? `(+${diff})` : ''}${bothScale ? ` wscale ${ws & 0x0f}` : ''}`;
}

function stateLines(m: Msg): string[] {
  const proto = numOf(m['pfsync.state.proto']) ?? 0;
  const protoName = PROTO_NAMES[proto] ?? `proto ${proto}`;
  const ifname = (textOf(m['pfsync.state.ifname']) ?? '') || 'all';
  const states = `${peerStateName(proto, numOf(m['pfsync.state.src.state']) ?? 0)}:${peerStateName(proto, numOf(m['pfsync.state.dst.state']) ?? 0)}`;
  const lines = [`id ${textOf(m['pfsync.state.id']) ?? ''}/${textOf(m['pfsync.state.creatorid']) ?? ''} ${ifname} ${protoName} ${addressLine(m)}    ${states}`];
  if (proto === 6 && m['pfsync.state.src.seqlo'] !== undefined) {
    const both = ((numOf(m['pfsync.state.src.wscale']) ?? 0) & 0x80) !== 0 && ((numOf(m['pfsync.state.dst.wscale']) ?? 0) & 0x80) !== 0;
    lines.push(`   ${window(m, 'src', both)}  ${window(m, 'dst', both)}`);
  }
  const rule = numOf(m['pfsync.state.rule']) ?? 0;
  lines.push(`   age ${hms(numOf(m['pfsync.state.creation']) ?? 0)}, expires in ${hms(numOf(m['pfsync.state.expire']) ?? 0)}, `
    + `${textOf(m['pfsync.state.packets0']) ?? ''}:${textOf(m['pfsync.state.packets1'] ?? '0') ?? ''} pkts, `
    + `${textOf(m['pfsync.state.bytes0']) ?? ''}:${textOf(m['pfsync.state.bytes1'] ?? '0') ?? ''} bytes${rule !== PF_RULE_NONE ? `, rule ${rule}` : ''}`);
  const timeout = numOf(m['pfsync.state.timeout']) ?? 0;
  const extra = [`timeout ${TIMEOUT_NAMES[timeout] ?? timeout}`, `state flags ${hex(m['pfsync.state.state_flags'], 4)}`];
  if (m['pfsync.state.sync_flags'] !== undefined) extra.push(`sync flags ${hex(m['pfsync.state.sync_flags'], 2)}`);
  if (m['pfsync.state.rt'] !== undefined) extra.push(`rt ${numOf(m['pfsync.state.rt']) ?? 0}`);
  if (m['pfsync.state.rtableid'] !== undefined) extra.push(`rtable ${numOf(m['pfsync.state.rtableid']) ?? 0}`);
  if (textOf(m['pfsync.state.tagname']) ?? '') extra.push(`tag ${textOf(m['pfsync.state.tagname']) ?? ''}`);
  if (textOf(m['pfsync.state.rt_ifname']) ?? '') extra.push(`route-to if ${textOf(m['pfsync.state.rt_ifname']) ?? ''}`);
  extra.push(`format ${textOf(m['pfsync.state.format']) ?? ''}`);
  if (m['pfsync.state.best_effort'] !== undefined) extra.push(`best effort (${textOf(m['pfsync.state.best_effort']) ?? ''})`);
  lines.push(`   ${extra.join(', ')}`);
  return lines;
}

function peerCompact(m: Msg, side: 'src' | 'dst'): string {
  const state = numOf(m[`pfsync.state.${side}.state`]) ?? 0;
  return `${side} ${TCP_STATE_NAMES[state] ?? state} ${window(m, side, false)}`;
}

function messageLines(name: string, m: Msg): string[] {
  const idc = `id ${textOf(m['pfsync.state.id']) ?? ''}/${textOf(m['pfsync.state.creatorid']) ?? ''}`;
  if (m['pfsync.state.format'] !== undefined) return stateLines(m);
  switch (name) {
    case 'UPD_C': {
      const tail = m['pfsync.state.updates'] !== undefined ? `updates ${numOf(m['pfsync.state.updates']) ?? 0}` : `state flags ${hex(m['pfsync.state.state_flags'], 2)}`;
      const t = numOf(m['pfsync.state.timeout']) ?? 0;
      return [`${idc} ${peerCompact(m, 'src')} ${peerCompact(m, 'dst')} expire ${numOf(m['pfsync.state.expire']) ?? 0}s timeout ${TIMEOUT_NAMES[t] ?? t} ${tail}`];
    }
    case 'UPD_REQ': case 'UREQ':
      return [m['pfsync.bulk_request'] === true ? 'bulk update request (id 0, creator 0)' : idc];
    case 'BUS': {
      const st = numOf(m['pfsync.bus.status']) ?? 0;
      return [`creator ${textOf(m['pfsync.state.creatorid']) ?? ''} age ${hms(numOf(m['pfsync.bus.endtime']) ?? 0)} status ${st === 1 ? 'start' : st === 2 ? 'end' : 'UNKNOWN'}`];
    }
    case 'CLR':
      return [`creator ${textOf(m['pfsync.state.creatorid']) ?? ''} interface ${(textOf(m['pfsync.state.ifname']) ?? '') || 'all'}`];
    case 'TDB': case 'OTDB': case 'TDB_UPD':
      return [`spi 0x${textOf(m['pfsync.tdb.spi']) ?? ''} dst ${textOf(m['pfsync.tdb.dst']) ?? ''} sproto ${numOf(m['pfsync.tdb.sproto']) ?? 0} rpl ${textOf(m['pfsync.tdb.rpl']) ?? ''} cur_bytes ${textOf(m['pfsync.tdb.cur_bytes']) ?? ''} rdomain ${numOf(m['pfsync.tdb.rdomain']) ?? 0}`];
    default:
      return [idc];
  }
}

/** Indented lines for -V (without the leading indentation of the layer itself). */
export function renderPfsyncTree(layer: Layer): string[] {
  const f = asLayerOf(layer, 'pfsync')?.fields;
  if (f?.['pfsync.version'] === undefined) return [];
  const lines: string[] = [];
  lines.push(`Version: ${String(f['pfsync.version'])} (${(textOf(f['pfsync.flavor']) ?? '') || 'unknown'}${f['pfsync.flavor_basis'] ? `, by ${textOf(f['pfsync.flavor_basis']) ?? ''}` : ''})`);
  if (f['pfsync.len'] !== undefined) lines.push(`Length: ${numOf(f['pfsync.len']) ?? 0}`);
  if (f['pfsync.cksum'] !== undefined) {
    const ck = textOf(f['pfsync.cksum']) ?? '';
    lines.push(`Ruleset checksum: ${/^0+$/.test(ck) ? 'zero (OpenBSD >= 7.4 sends none)' : ck}`);
  }
  if (f['pfsync.ignored'] !== undefined) lines.push(`Dropped by receivers: ${textOf(f['pfsync.ignored']) ?? ''}`);
  for (const s of sections(f)) {
    const ignored = s['pfsync.ignored'] !== undefined ? ` [${textOf(s['pfsync.ignored']) ?? ''}]` : '';
    lines.push(`${textOf(s['pfsync.action_name']) ?? ''} count ${numOf(s['pfsync.count']) ?? 0} (action ${numOf(s['pfsync.action']) ?? 0}, ${numOf(s['pfsync.msglen']) ?? 0} bytes each)${ignored}`);
    for (const m of messages(s)) for (const l of messageLines(textOf(s['pfsync.action_name']) ?? '', m)) lines.push(`    ${l}`);
  }
  if (f['pfsync.trailer'] !== undefined) lines.push('pfsync_eof trailer: 20 bytes (OpenBSD 4.5)');
  if (f['pfsync.trailing_bytes'] !== undefined) lines.push(`Trailing bytes after the sections: ${numOf(f['pfsync.trailing_bytes']) ?? 0}`);
  return lines;
}
