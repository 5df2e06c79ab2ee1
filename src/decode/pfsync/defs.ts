// The pfsync registry entries: every field id the decoder writes (top level, inside
// pfsync.subheaders[] and inside each message) and every annotation it raises. Annotation ids
// equal finding ids (src/analyze/findings.ts): the pipeline turns them into findings.
// The tables are `as const`, the repeated groups (peers, keys, hosts) built by functions whose
// template-literal ids keep their literal types: PfsyncFieldId (and FieldIdOf<'pfsync'>,
// decode/fields.ts) is the union of every id, so a misspelled pfsync id does not compile.

import type { ModuleAnnotation } from '../module.js';
import type { FieldDef, ProtocolDef } from '../registry.js';
import {
  AF_NAMES, DIRECTION_NAMES, PROTO_NAMES, TCP_STATE_NAMES, TIMEOUT_NAMES,
} from './constants.js';

const names = (list: readonly string[]): Record<number, string> => Object.fromEntries(list.map((n, i) => [i, n]));

function peerFields<S extends 'src' | 'dst'>(side: S) {
  const p = `pfsync.state.${side}` as const;
  const who = side === 'src' ? 'initiator' : 'responder';
  return [
    { id: `${p}.scrub_flags`, label: `${who} scrub flags (PFSS_TIMESTAMP 0x0001)`, kind: 'hex' },
    { id: `${p}.scrub_ttl`, label: `${who} scrub TTL`, kind: 'uint' },
    { id: `${p}.scrub_valid`, label: `${who} scrub_flag (0x01 valid)`, kind: 'hex' },
    { id: `${p}.scrub_ts_mod`, label: `${who} TCP timestamp modulation`, kind: 'uint' },
    { id: `${p}.seqlo`, label: `${who} seqlo (highest sequence number sent)`, kind: 'uint' },
    { id: `${p}.seqhi`, label: `${who} seqhi (top of the window)`, kind: 'uint' },
    { id: `${p}.seqdiff`, label: `${who} seqdiff (modulation offset)`, kind: 'uint' },
    { id: `${p}.max_win`, label: `${who} largest window`, kind: 'uint' },
    { id: `${p}.mss`, label: `${who} MSS`, kind: 'uint' },
    { id: `${p}.state`, label: `${who} state`, kind: 'uint', valueNames: names(TCP_STATE_NAMES) },
    { id: `${p}.wscale`, label: `${who} window scale (0x80 = negotiated)`, kind: 'hex' },
  ] as const satisfies readonly FieldDef[];
}

function keyFields<W extends 'wire' | 'stack'>(which: W) {
  const p = `pfsync.state.${which}` as const;
  const what = which === 'wire' ? 'wire key (PF_SK_WIRE)' : 'stack key (PF_SK_STACK)';
  return [
    { id: `${p}.addr0`, label: `${what} addr[0]`, kind: 'address' },
    { id: `${p}.addr1`, label: `${what} addr[1]`, kind: 'address' },
    { id: `${p}.port0`, label: `${what} port[0]`, kind: 'uint' },
    { id: `${p}.port1`, label: `${what} port[1]`, kind: 'uint' },
    { id: `${p}.rdomain`, label: `${what} rdomain`, kind: 'uint' },
    { id: `${p}.af`, label: `${what} af`, kind: 'uint', valueNames: AF_NAMES },
  ] as const satisfies readonly FieldDef[];
}

function hostFields<W extends 'lan' | 'gwy' | 'ext'>(which: W) {
  const what = which === 'lan' ? 'lan (internal, pre-NAT)' : which === 'gwy' ? 'gwy (translated)' : 'ext (external peer)';
  return [
    { id: `pfsync.state.${which}.addr`, label: `${what} address`, kind: 'address' },
    { id: `pfsync.state.${which}.port`, label: `${what} port`, kind: 'uint' },
  ] as const satisfies readonly FieldDef[];
}

const FIELDS = [
  { id: 'pfsync.version', label: 'Version', kind: 'uint' },
  { id: 'pfsync.flavor', label: 'Flavour', kind: 'string' },
  { id: 'pfsync.flavor_basis', label: 'Flavour decided by', kind: 'string' },
  { id: 'pfsync.len', label: 'Length (header len)', kind: 'uint', unit: 'bytes' },
  { id: 'pfsync.cksum', label: 'Ruleset checksum (pfcksum, MD5)', kind: 'bytes' },
  { id: 'pfsync.af', label: 'Legacy header af (never filled in)', kind: 'uint' },
  { id: 'pfsync.subheaders', label: 'Sections', kind: 'array' },
  { id: 'pfsync.trailer', label: 'pfsync_eof trailer (OpenBSD 4.5)', kind: 'bytes' },
  { id: 'pfsync.eof', label: 'EOF subheader present', kind: 'bool' },
  { id: 'pfsync.trailing_bytes', label: 'Bytes after the last section', kind: 'uint' },
  { id: 'pfsync.ignored', label: 'Receivers drop the whole packet', kind: 'string' },
  // per section
  { id: 'pfsync.action', label: 'Action', kind: 'uint' },
  { id: 'pfsync.action_name', label: 'Action name', kind: 'string' },
  { id: 'pfsync.count', label: 'Message count', kind: 'uint' },
  { id: 'pfsync.msglen', label: 'Message length', kind: 'uint', unit: 'bytes' },
  { id: 'pfsync.messages', label: 'Messages', kind: 'array' },
  // per message: state identity, keys, peers, counters
  { id: 'pfsync.state.format', label: 'State record format', kind: 'string' },
  { id: 'pfsync.state.best_effort', label: 'Decoded best effort with', kind: 'string' },
  { id: 'pfsync.state.id', label: 'State id', kind: 'bytes' },
  { id: 'pfsync.state.creatorid', label: 'Creator id', kind: 'bytes' },
  { id: 'pfsync.state.ifname', label: 'Interface', kind: 'string' },
  ...keyFields('wire'), ...keyFields('stack'),
  ...hostFields('lan'), ...hostFields('gwy'), ...hostFields('ext'),
  ...peerFields('src'), ...peerFields('dst'),
  { id: 'pfsync.state.rt_addr', label: 'Route-to address', kind: 'address' },
  { id: 'pfsync.state.rule', label: 'Rule number (4294967295 = none)', kind: 'uint' },
  { id: 'pfsync.state.anchor', label: 'Anchor number (4294967295 = none)', kind: 'uint' },
  { id: 'pfsync.state.nat_rule', label: 'NAT rule number (4294967295 = none)', kind: 'uint' },
  { id: 'pfsync.state.creation', label: 'Age', kind: 'uint', unit: 's' },
  { id: 'pfsync.state.expire', label: 'Expires in', kind: 'uint', unit: 's' },
  { id: 'pfsync.state.packets0', label: 'Packets in the state direction', kind: 'u64' },
  { id: 'pfsync.state.packets1', label: 'Packets in the reverse direction', kind: 'u64' },
  { id: 'pfsync.state.bytes0', label: 'Bytes in the state direction', kind: 'u64' },
  { id: 'pfsync.state.bytes1', label: 'Bytes in the reverse direction', kind: 'u64' },
  { id: 'pfsync.state.af', label: 'Address family', kind: 'uint', valueNames: AF_NAMES },
  { id: 'pfsync.state.proto', label: 'Protocol', kind: 'uint', valueNames: PROTO_NAMES },
  { id: 'pfsync.state.direction', label: 'Direction', kind: 'uint', valueNames: DIRECTION_NAMES },
  { id: 'pfsync.state.log', label: 'Log flags', kind: 'hex' },
  { id: 'pfsync.state.state_flags', label: 'State flags (PFSTATE_*)', kind: 'hex' },
  { id: 'pfsync.state.timeout', label: 'Timeout slot (PFTM_*)', kind: 'uint', valueNames: names(TIMEOUT_NAMES) },
  { id: 'pfsync.state.sync_flags', label: 'Sync flags', kind: 'hex' },
  { id: 'pfsync.state.updates', label: 'Merged updates', kind: 'uint' },
  { id: 'pfsync.state.rtableid', label: 'Routing table (wire; -1 unset)', kind: 'int' },
  { id: 'pfsync.state.rtableid_stack', label: 'Routing table (stack; -1 unset)', kind: 'int' },
  { id: 'pfsync.state.max_mss', label: 'Scrub max-mss', kind: 'uint' },
  { id: 'pfsync.state.min_ttl', label: 'Scrub min-ttl', kind: 'uint' },
  { id: 'pfsync.state.set_tos', label: 'Set TOS', kind: 'hex' },
  { id: 'pfsync.state.set_prio', label: 'Set priority', kind: 'array' },
  { id: 'pfsync.state.rt', label: 'Route type (OpenBSD >= 6.9 byte 254; FreeBSD rt)', kind: 'uint' },
  { id: 'pfsync.state.rt_ifname', label: 'Route-to interface', kind: 'string' },
  { id: 'pfsync.state.orig_ifname', label: 'Original interface', kind: 'string' },
  { id: 'pfsync.state.tagname', label: 'Tag', kind: 'string' },
  { id: 'pfsync.state.qid', label: 'ALTQ queue id', kind: 'uint' },
  { id: 'pfsync.state.pqid', label: 'ALTQ priority queue id', kind: 'uint' },
  { id: 'pfsync.state.dnpipe', label: 'Dummynet pipe', kind: 'uint' },
  { id: 'pfsync.state.dnrpipe', label: 'Dummynet reverse pipe', kind: 'uint' },
  { id: 'pfsync.state.wire_af', label: 'Wire key af', kind: 'uint', valueNames: AF_NAMES },
  { id: 'pfsync.state.stack_af', label: 'Stack key af', kind: 'uint', valueNames: AF_NAMES },
  { id: 'pfsync.state.rt_af', label: 'Route-to af', kind: 'uint', valueNames: AF_NAMES },
  { id: 'pfsync.state.wire_proto', label: 'Wire protocol', kind: 'uint', valueNames: PROTO_NAMES },
  { id: 'pfsync.state.stack_proto', label: 'Stack protocol', kind: 'uint', valueNames: PROTO_NAMES },
  // other messages
  { id: 'pfsync.bulk_request', label: 'Bulk update request (id 0, creator 0)', kind: 'bool' },
  { id: 'pfsync.bus.endtime', label: 'Bulk update duration', kind: 'uint', unit: 's' },
  { id: 'pfsync.bus.status', label: 'Bulk update status', kind: 'uint', valueNames: { 1: 'start', 2: 'end' } },
  { id: 'pfsync.tdb.spi', label: 'SPI', kind: 'bytes' },
  { id: 'pfsync.tdb.dst', label: 'SA destination', kind: 'address' },
  { id: 'pfsync.tdb.dst_family', label: 'SA destination family', kind: 'uint' },
  { id: 'pfsync.tdb.dst_port', label: 'SA destination port', kind: 'uint' },
  { id: 'pfsync.tdb.rpl', label: 'Replay counter', kind: 'u64' },
  { id: 'pfsync.tdb.cur_bytes', label: 'Bytes processed', kind: 'u64' },
  { id: 'pfsync.tdb.sproto', label: 'Security protocol', kind: 'uint', valueNames: { 4: 'ipip', 50: 'esp', 51: 'ah', 108: 'ipcomp' } },
  { id: 'pfsync.tdb.updates', label: 'TDB updates', kind: 'uint' },
  { id: 'pfsync.tdb.rdomain', label: 'TDB rdomain', kind: 'uint' },
] as const satisfies readonly FieldDef[];

/** Every pfsync field id: the layer's, its sections' and its messages' (a string-literal union). */
export type PfsyncFieldId = (typeof FIELDS)[number]['id'];

const ANNOTATIONS = [
  { id: 'pfsync.bad_ttl', severity: 'warn', summary: 'pfsync packet with TTL/hop limit other than 255: the kernel drops it (pfsyncs_badttl)', group: 'security', finding: true },
  { id: 'pfsync.bad_version', severity: 'warn', summary: 'pfsync version unknown to the receiver (pfsyncs_badver)', group: 'malformed', finding: true },
  { id: 'pfsync.bad_length', severity: 'warn', summary: 'pfsync header or message length inconsistent with the packet (pfsyncs_badlen)', group: 'malformed', finding: true },
  { id: 'pfsync.bad_action', severity: 'warn', summary: 'pfsync action unknown or invalid (pfsyncs_badact)', group: 'malformed', finding: true },
  { id: 'pfsync.truncated', severity: 'warn', summary: 'pfsync packet cut short (hdrops)', group: 'malformed', finding: true },
] as const satisfies readonly ModuleAnnotation[];

export const PFSYNC_DEF = { id: 'pfsync', name: 'pfsync', fields: FIELDS, annotations: ANNOTATIONS } as const satisfies ProtocolDef;

export const PFSYNC_LINK_DEF = {
  id: 'pfsynclink',
  name: 'pfsync interface (DLT_PFSYNC)',
  fields: [
    { id: 'pfsynclink.encap', label: 'Record starts with', kind: 'string', valueNames: {} },
  ],
  annotations: [],
} as const satisfies ProtocolDef;
