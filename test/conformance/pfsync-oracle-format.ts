// Prints carpdump's decoded pfsync fields in the line format of the research-oracle decoder
// (../shared/captures/pfsync-expected-decode.txt), so the conformance test can compare every
// value the oracle shows with ours, line for line. Only reads decoded fields (never bytes).
// The oracle's '!' lines are its own analysis and are not produced here.

import type { DecodedFrame, FieldValue, Fields, Layer } from '../../src/decode/types.js';

type Msg = Readonly<Record<string, FieldValue>>;

const TCP = ['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1',
  'CLOSING', 'LAST_ACK', 'FIN_WAIT_2', 'TIME_WAIT', 'PROXY_SRC', 'PROXY_DST'];
const AF: Record<number, string> = { 2: 'inet', 24: 'inet6(OpenBSD/NetBSD)', 28: 'inet6(FreeBSD)' };

const num = (v: FieldValue | undefined): number => (typeof v === 'number' ? v : Number(v));
const hx = (v: FieldValue | undefined, w: number): string => `0x${num(v).toString(16).padStart(w, '0')}`;

function layerOf(frame: DecodedFrame, proto: string): Layer | undefined {
  return frame.layers.find((l) => l.proto === proto);
}

function hostPort(a: FieldValue | undefined, p: FieldValue | undefined): string {
  const s = String(a);
  return s.includes(':') ? `[${s}]:${num(p)}` : `${s}:${num(p)}`;
}

function keyText(m: Msg, which: 'wire' | 'stack'): string {
  const k = `pfsync.state.${which}`;
  return `${hostPort(m[`${k}.addr0`], m[`${k}.port0`])} <-> ${hostPort(m[`${k}.addr1`], m[`${k}.port1`])}`;
}

function peerState(m: Msg, side: 'src' | 'dst', tcp: boolean): string {
  const s = num(m[`pfsync.state.${side}.state`]);
  return tcp ? (TCP[s] ?? String(s)) : String(s);
}

function stateLines(m: Msg): string[] {
  const format = String(m['pfsync.state.format']);
  const proto = num(m['pfsync.state.proto']);
  const dir = num(m['pfsync.state.direction']) === 1 ? 'in' : 'out';
  const af = num(m['pfsync.state.af']);
  const head = `id ${m['pfsync.state.id']} creatorid ${m['pfsync.state.creatorid']} if ${m['pfsync.state.ifname']} af ${AF[af] ?? af} proto ${proto} dir ${dir}`;
  let keys: string;
  if (format === 'legacy-v2' || format === 'legacy-v3') {
    const h = (n: string) => `${n} ${hostPort(m[`pfsync.state.${n}.addr`], m[`pfsync.state.${n}.port`])}`;
    keys = `${h('lan')} ${h('gwy')} ${h('ext')}`;
  } else {
    const wire = keyText(m, 'wire');
    const stack = keyText(m, 'stack');
    keys = `wire ${wire}${stack !== wire ? `, stack ${stack}` : ''}`;
  }
  const rule = num(m['pfsync.state.rule']);
  let tail = `${peerState(m, 'src', proto === 6)}:${peerState(m, 'dst', proto === 6)}  age ${num(m['pfsync.state.creation'])}s expires-in ${num(m['pfsync.state.expire'])}s`
    + ` pkts ${m['pfsync.state.packets0']}:${m['pfsync.state.packets1']} bytes ${m['pfsync.state.bytes0']}:${m['pfsync.state.bytes1']}`
    + ` rule ${rule === 0xffffffff ? 'none' : rule} timeout ${num(m['pfsync.state.timeout'])}`;
  const prio = (): string => { const p = m['pfsync.state.set_prio'] as readonly number[]; return `${p[0]}/${p[1]}`; };
  if (format === 'openbsd-v6') {
    tail += ` state_flags ${hx(m['pfsync.state.state_flags'], 4)}(byte254=${num(m['pfsync.state.rt'])}) sync_flags ${hx(m['pfsync.state.sync_flags'], 2)}`
      + ` rtableid ${num(m['pfsync.state.rtableid'])}/${num(m['pfsync.state.rtableid_stack'])} max_mss ${num(m['pfsync.state.max_mss'])}`
      + ` min_ttl ${num(m['pfsync.state.min_ttl'])} set_tos ${hx(m['pfsync.state.set_tos'], 2)} prio ${prio()} rt ${num(m['pfsync.state.rt'])}`;
  } else if (format === 'freebsd-1301') {
    tail += ` state_flags ${hx(m['pfsync.state.state_flags'], 2)}`;
  } else if (format === 'freebsd-1400') {
    tail += ` state_flags ${hx(m['pfsync.state.state_flags'], 4)} rtableid ${num(m['pfsync.state.rtableid'])} rt ${num(m['pfsync.state.rt'])} rt_ifname "${m['pfsync.state.rt_ifname']}"`;
  } else if (format === 'freebsd-1500') {
    tail += ` state_flags ${hx(m['pfsync.state.state_flags'], 4)} wire_af ${num(m['pfsync.state.wire_af'])} stack_af ${num(m['pfsync.state.stack_af'])}`
      + ` rt ${num(m['pfsync.state.rt'])} rt_af ${num(m['pfsync.state.rt_af'])} tag '${m['pfsync.state.tagname']}' rt_ifname '${m['pfsync.state.rt_ifname']}' orig_ifname '${m['pfsync.state.orig_ifname']}'`;
  } else {
    tail += ` state_flags ${hx(m['pfsync.state.state_flags'], 2)} sync_flags ${hx(m['pfsync.state.sync_flags'], 2)} updates ${num(m['pfsync.state.updates'])}`;
  }
  return [head, `  ${keys}`, `  ${tail}`];
}

function seq(m: Msg, side: 'src' | 'dst'): string {
  const lo = num(m[`pfsync.state.${side}.seqlo`]);
  const hi = num(m[`pfsync.state.${side}.seqhi`]);
  return `${side} ${TCP[num(m[`pfsync.state.${side}.state`])]} seq ${lo}+${(hi - lo) >>> 0}`;
}

function messageLines(name: string, m: Msg, legacy: boolean): string[] {
  const idc = `id ${m['pfsync.state.id']} creatorid ${m['pfsync.state.creatorid']}`;
  if (m['pfsync.state.format'] !== undefined) return stateLines(m);
  switch (name) {
    case 'UPD_C':
      return [`${idc}  ${seq(m, 'src')}  ${seq(m, 'dst')}  expire ${num(m['pfsync.state.expire'])} timeout ${num(m['pfsync.state.timeout'])} `
        + (legacy ? `updates ${num(m['pfsync.state.updates'])}` : `state_flags ${num(m['pfsync.state.state_flags'])}`)];
    case 'UPD_REQ': case 'UREQ':
      return [m['pfsync.bulk_request'] === true ? `${idc}  (bulk update request)` : idc];
    case 'BUS': {
      const st = num(m['pfsync.bus.status']);
      return [`creatorid ${m['pfsync.state.creatorid']} endtime ${num(m['pfsync.bus.endtime'])}s status ${st === 1 ? 'start' : st === 2 ? 'end' : st}`];
    }
    case 'CLR': {
      const ifn = String(m['pfsync.state.ifname']);
      return [`creatorid ${m['pfsync.state.creatorid']} ifname ${ifn === '' ? '"" (all interfaces)' : ifn}`];
    }
    case 'TDB': case 'OTDB': case 'TDB_UPD':
      return [`spi 0x${m['pfsync.tdb.spi']} dst ${m['pfsync.tdb.dst']} sproto ${num(m['pfsync.tdb.sproto'])} rpl ${m['pfsync.tdb.rpl']} cur_bytes ${m['pfsync.tdb.cur_bytes']} rdomain ${num(m['pfsync.tdb.rdomain'])}`];
    default:
      return [idc];
  }
}

/** The oracle's lines for one frame (without the '!' analysis lines). */
export function oracleLines(frame: DecodedFrame): string[] {
  const raw = frame.raw;
  const out = [`frame ${raw.number} (linktype ${raw.linktype}, ${raw.capturedLength} bytes)`];
  const link = layerOf(frame, 'pfsynclink');
  if (link?.fields['pfsynclink.encap'] === 'ipv4') {
    out.push('  DLT_PFSYNC frame starts with an IPv4 header (OpenBSD >= 7.4 tap)');
  } else {
    const v4 = layerOf(frame, 'ipv4');
    const v6 = layerOf(frame, 'ipv6');
    if (v4) out.push(`  IPv4 ${v4.fields['ip.src']} > ${v4.fields['ip.dst']} ttl ${v4.fields['ip.ttl']} proto ${v4.fields['ip.proto']}`);
    if (v6) out.push(`  IPv6 ${v6.fields['ipv6.src']} > ${v6.fields['ipv6.dst']} hlim ${v6.fields['ipv6.hlim']} nh ${v6.fields['ipv6.nxt']}`);
  }
  const p = layerOf(frame, 'pfsync');
  if (!p) return out;
  const f: Fields = p.fields;
  const version = num(f['pfsync.version']);
  const sections = (f['pfsync.subheaders'] ?? []) as readonly Msg[];
  if (version <= 4) {
    const s = sections[0]!;
    const name = String(s['pfsync.action_name']);
    out.push(`  pfsync v${version} (legacy) action ${name} count ${num(s['pfsync.count'])}${f['pfsync.cksum'] !== undefined ? ` ruleset-md5 ${f['pfsync.cksum']}` : ''}`);
    for (const m of s['pfsync.messages'] as readonly Msg[]) for (const l of messageLines(name, m, true)) out.push(`      ${l}`);
    return out;
  }
  const ck = String(f['pfsync.cksum']);
  out.push(`  pfsync v${version} len ${num(f['pfsync.len'])} cksum ${/^0+$/.test(ck) ? 'zero' : ck}`);
  if (version === 5) {
    const basis = f['pfsync.flavor_basis'];
    const guess = basis === 'trailer' ? 'openbsd45'
      : basis === 'records' ? (f['pfsync.flavor'] === 'freebsd' ? 'freebsd' : 'openbsd46')
        : 'ambiguous (no full-state records; OpenBSD 4.6 and FreeBSD look alike)';
    out.push(`    v5 flavour guess: ${guess}`);
  }
  for (const s of sections) {
    const name = String(s['pfsync.action_name']);
    if (name === 'EOF') {
      out.push(`    EOF count ${num(s['pfsync.count'])}`);
      if (f['pfsync.trailer'] !== undefined) out.push('      20-byte pfsync_eof (hmac) trailer (OpenBSD 4.5)');
      continue;
    }
    out.push(`    ${name} count ${num(s['pfsync.count'])} (msglen ${num(s['pfsync.msglen'])})`);
    for (const m of s['pfsync.messages'] as readonly Msg[]) for (const l of messageLines(name, m, false)) out.push(`      ${l}`);
  }
  return out;
}
