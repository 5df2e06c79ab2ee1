// pfsync text rendering: the one-line summary (like the BSD tcpdumps) and the -V tree (like
// pfctl -vv for each state). Reads decoded fields only. Formats follow
// ../shared/reference/pfsync.md 13.2-13.5 and 8.3 (pfctl's key order and NAT parentheses).

import type { FieldValue, Layer } from '../decode/types.js';
import {
  PF_RULE_NONE, PROTO_NAMES, TCP_STATE_NAMES, TIMEOUT_NAMES, UDP_STATE_NAMES,
} from '../decode/pfsync/constants.js';

type Msg = Readonly<Record<string, FieldValue>>;

const num = (v: FieldValue | undefined): number => (typeof v === 'number' ? v : 0);
const str = (v: FieldValue | undefined): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const hex = (v: FieldValue | undefined, w: number): string => `0x${num(v).toString(16).padStart(w, '0')}`;

function sections(layer: Layer): readonly Msg[] {
  return (layer.fields['pfsync.subheaders'] ?? []) as readonly Msg[];
}
function messages(s: Msg): readonly Msg[] {
  return (s['pfsync.messages'] ?? []) as readonly Msg[];
}

function sectionSummary(s: Msg): string {
  const name = str(s['pfsync.action_name']);
  const list = messages(s);
  const ignored = s['pfsync.ignored'] !== undefined ? ` [${str(s['pfsync.ignored'])}]` : '';
  if (name === 'EOF') return `EOF${ignored}`;
  const first = list[0];
  if (name === 'BUS' && first) {
    const st = num(first['pfsync.bus.status']);
    const status = st === 1 ? 'start' : st === 2 ? `end ${num(first['pfsync.bus.endtime'])}s` : `status ${st}`;
    return `BUS ${status} creator ${str(first['pfsync.state.creatorid'])}${ignored}`;
  }
  if ((name === 'UPD_REQ' || name === 'UREQ') && list.length === 1 && first?.['pfsync.bulk_request'] === true) return `${name} bulk${ignored}`;
  if (name === 'CLR' && first) return `CLR creator ${str(first['pfsync.state.creatorid'])}${ignored}`;
  return `${name} x${num(s['pfsync.count'])}${ignored}`;
}

/** `pfsync v6 len 612: UPD_C x3, DEL_C x1` (v5 adds the flavour, legacy says so). */
export function renderPfsyncLine(layer: Layer): string {
  const f = layer.fields;
  const version = f['pfsync.version'];
  if (version === undefined) return 'pfsync';
  const flavor = str(f['pfsync.flavor']);
  const basis = str(f['pfsync.flavor_basis']);
  let head = `pfsync v${String(version)}`;
  if (typeof version === 'number' && version <= 4) head += ' (legacy)';
  else if (version === 5 && flavor) head += ` (${flavor}${basis === 'guess' || basis === 'hint' ? '?' : ''})`;
  if (f['pfsync.len'] !== undefined) head += ` len ${num(f['pfsync.len'])}`;
  if (flavor === '') return `${head} [bad version]`;
  const parts = sections(layer).map(sectionSummary);
  if (f['pfsync.ignored'] !== undefined) parts.push(`[dropped: ${str(f['pfsync.ignored'])}]`);
  return parts.length > 0 ? `${head}: ${parts.join(', ')}` : head;
}

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function hostPort(addr: FieldValue | undefined, port: FieldValue | undefined): string {
  const a = str(addr);
  return a.includes(':') ? `[${a}]:${num(port)}` : `${a}:${num(port)}`;
}

function peerStateName(proto: number, state: number): string {
  const names = proto === 6 ? TCP_STATE_NAMES : UDP_STATE_NAMES;
  return names[state] ?? String(state);
}

/** pfctl's address line: OUT `wire1 (stack1) -> wire0 (stack0)`, IN `stack1 (wire1) <- stack0 (wire0)`. */
function addressLine(m: Msg): string {
  const out = num(m['pfsync.state.direction']) !== 1;
  if (m['pfsync.state.lan.addr'] !== undefined) {
    const lan = hostPort(m['pfsync.state.lan.addr'], m['pfsync.state.lan.port']);
    const gwy = hostPort(m['pfsync.state.gwy.addr'], m['pfsync.state.gwy.port']);
    const ext = hostPort(m['pfsync.state.ext.addr'], m['pfsync.state.ext.port']);
    return `${lan}${gwy !== lan ? ` (${gwy})` : ''} ${out ? '->' : '<-'} ${ext}`;
  }
  const k = (which: string, i: number) => hostPort(m[`pfsync.state.${which}.addr${i}`], m[`pfsync.state.${which}.port${i}`]);
  const [a, b] = out ? ['wire', 'stack'] : ['stack', 'wire'];
  const near = k(a, 1); const nearAlt = k(b, 1);
  const far = k(a, 0); const farAlt = k(b, 0);
  return `${near}${nearAlt !== near ? ` (${nearAlt})` : ''} ${out ? '->' : '<-'} ${far}${farAlt !== far ? ` (${farAlt})` : ''}`;
}

function window(m: Msg, side: 'src' | 'dst', bothScale: boolean): string {
  const p = `pfsync.state.${side}`;
  const lo = num(m[`${p}.seqlo`]);
  const hi = num(m[`${p}.seqhi`]);
  const diff = num(m[`${p}.seqdiff`]);
  const ws = num(m[`${p}.wscale`]);
  return `[${lo} + ${(hi - lo) >>> 0}]${diff ? `(+${diff})` : ''}${bothScale ? ` wscale ${ws & 0x0f}` : ''}`;
}

function stateLines(m: Msg): string[] {
  const proto = num(m['pfsync.state.proto']);
  const protoName = PROTO_NAMES[proto] ?? `proto ${proto}`;
  const ifname = str(m['pfsync.state.ifname']) || 'all';
  const states = `${peerStateName(proto, num(m['pfsync.state.src.state']))}:${peerStateName(proto, num(m['pfsync.state.dst.state']))}`;
  const lines = [`id ${str(m['pfsync.state.id'])}/${str(m['pfsync.state.creatorid'])} ${ifname} ${protoName} ${addressLine(m)}    ${states}`];
  if (proto === 6 && m['pfsync.state.src.seqlo'] !== undefined) {
    const both = (num(m['pfsync.state.src.wscale']) & 0x80) !== 0 && (num(m['pfsync.state.dst.wscale']) & 0x80) !== 0;
    lines.push(`   ${window(m, 'src', both)}  ${window(m, 'dst', both)}`);
  }
  const rule = num(m['pfsync.state.rule']);
  lines.push(`   age ${hms(num(m['pfsync.state.creation']))}, expires in ${hms(num(m['pfsync.state.expire']))}, `
    + `${str(m['pfsync.state.packets0'])}:${str(m['pfsync.state.packets1'] ?? '0')} pkts, `
    + `${str(m['pfsync.state.bytes0'])}:${str(m['pfsync.state.bytes1'] ?? '0')} bytes${rule !== PF_RULE_NONE ? `, rule ${rule}` : ''}`);
  const timeout = num(m['pfsync.state.timeout']);
  const extra = [`timeout ${TIMEOUT_NAMES[timeout] ?? timeout}`, `state flags ${hex(m['pfsync.state.state_flags'], 4)}`];
  if (m['pfsync.state.sync_flags'] !== undefined) extra.push(`sync flags ${hex(m['pfsync.state.sync_flags'], 2)}`);
  if (m['pfsync.state.rt'] !== undefined) extra.push(`rt ${num(m['pfsync.state.rt'])}`);
  if (m['pfsync.state.rtableid'] !== undefined) extra.push(`rtable ${num(m['pfsync.state.rtableid'])}`);
  if (str(m['pfsync.state.tagname'])) extra.push(`tag ${str(m['pfsync.state.tagname'])}`);
  if (str(m['pfsync.state.rt_ifname'])) extra.push(`route-to if ${str(m['pfsync.state.rt_ifname'])}`);
  extra.push(`format ${str(m['pfsync.state.format'])}`);
  if (m['pfsync.state.best_effort'] !== undefined) extra.push(`best effort (${str(m['pfsync.state.best_effort'])})`);
  lines.push(`   ${extra.join(', ')}`);
  return lines;
}

function peerCompact(m: Msg, side: 'src' | 'dst'): string {
  const p = `pfsync.state.${side}`;
  return `${side} ${TCP_STATE_NAMES[num(m[`${p}.state`])] ?? num(m[`${p}.state`])} ${window(m, side, false)}`;
}

function messageLines(name: string, m: Msg): string[] {
  const idc = `id ${str(m['pfsync.state.id'])}/${str(m['pfsync.state.creatorid'])}`;
  if (m['pfsync.state.format'] !== undefined) return stateLines(m);
  switch (name) {
    case 'UPD_C': {
      const tail = m['pfsync.state.updates'] !== undefined ? `updates ${num(m['pfsync.state.updates'])}` : `state flags ${hex(m['pfsync.state.state_flags'], 2)}`;
      const t = num(m['pfsync.state.timeout']);
      return [`${idc} ${peerCompact(m, 'src')} ${peerCompact(m, 'dst')} expire ${num(m['pfsync.state.expire'])}s timeout ${TIMEOUT_NAMES[t] ?? t} ${tail}`];
    }
    case 'UPD_REQ': case 'UREQ':
      return [m['pfsync.bulk_request'] === true ? 'bulk update request (id 0, creator 0)' : idc];
    case 'BUS': {
      const st = num(m['pfsync.bus.status']);
      return [`creator ${str(m['pfsync.state.creatorid'])} age ${hms(num(m['pfsync.bus.endtime']))} status ${st === 1 ? 'start' : st === 2 ? 'end' : 'UNKNOWN'}`];
    }
    case 'CLR':
      return [`creator ${str(m['pfsync.state.creatorid'])} interface ${str(m['pfsync.state.ifname']) || 'all'}`];
    case 'TDB': case 'OTDB': case 'TDB_UPD':
      return [`spi 0x${str(m['pfsync.tdb.spi'])} dst ${str(m['pfsync.tdb.dst'])} sproto ${num(m['pfsync.tdb.sproto'])} rpl ${str(m['pfsync.tdb.rpl'])} cur_bytes ${str(m['pfsync.tdb.cur_bytes'])} rdomain ${num(m['pfsync.tdb.rdomain'])}`];
    default:
      return [idc];
  }
}

/** Indented lines for -V (without the leading indentation of the layer itself). */
export function renderPfsyncTree(layer: Layer): string[] {
  const f = layer.fields;
  if (f['pfsync.version'] === undefined) return [];
  const lines: string[] = [];
  lines.push(`Version: ${String(f['pfsync.version'])} (${str(f['pfsync.flavor']) || 'unknown'}${f['pfsync.flavor_basis'] ? `, by ${str(f['pfsync.flavor_basis'])}` : ''})`);
  if (f['pfsync.len'] !== undefined) lines.push(`Length: ${num(f['pfsync.len'])}`);
  if (f['pfsync.cksum'] !== undefined) {
    const ck = str(f['pfsync.cksum']);
    lines.push(`Ruleset checksum: ${/^0+$/.test(ck) ? 'zero (OpenBSD >= 7.4 sends none)' : ck}`);
  }
  if (f['pfsync.ignored'] !== undefined) lines.push(`Dropped by receivers: ${str(f['pfsync.ignored'])}`);
  for (const s of sections(layer)) {
    const ignored = s['pfsync.ignored'] !== undefined ? ` [${str(s['pfsync.ignored'])}]` : '';
    lines.push(`${str(s['pfsync.action_name'])} count ${num(s['pfsync.count'])} (action ${num(s['pfsync.action'])}, ${num(s['pfsync.msglen'])} bytes each)${ignored}`);
    for (const m of messages(s)) for (const l of messageLines(str(s['pfsync.action_name']), m)) lines.push(`    ${l}`);
  }
  if (f['pfsync.trailer'] !== undefined) lines.push('pfsync_eof trailer: 20 bytes (OpenBSD 4.5)');
  if (f['pfsync.trailing_bytes'] !== undefined) lines.push(`Trailing bytes after the sections: ${num(f['pfsync.trailing_bytes'])}`);
  return lines;
}
