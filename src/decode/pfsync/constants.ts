// pfsync constants: flavours, action codes and names, record sizes, value names.
// Source: ../shared/reference/pfsync.md sections 0, 3.2, 5, 7.7 and 8 (OpenBSD if_pfsync.h
// revs 1.2-1.66, FreeBSD sys/net/if_pfsync.h and pfvar.h, tcpdump print-pfsync.c).

/** The wire dialects carpdump tells apart (SPEC.md `pfsync.flavor`). */
export const PFSYNC_FLAVORS = [
  'legacy-v1', 'legacy-v2', 'legacy-v3', 'legacy-v4',
  'openbsd-4.5', 'openbsd-4.6', 'openbsd-v6', 'freebsd',
] as const;
export type PfsyncFlavor = (typeof PFSYNC_FLAVORS)[number];

/** How the flavour was decided: by the version byte alone, by record sizes, by the 4.5 EOF
 *  trailer, by UPD_C hints (expire / state_flags set: OpenBSD), or guessed (v5, nothing to go on). */
export type FlavorBasis = 'version' | 'records' | 'trailer' | 'hint' | 'guess';

// IPPROTO_PFSYNC, LINKTYPE_PFSYNC and DLT_PFSYNC (OpenBSD/NetBSD/DragonFly) are declared once, in
// dispatch-tables.ts with every number carpdump dispatches on.
export { IPPROTO_PFSYNC, LINKTYPE_PFSYNC, LINKTYPE_PFSYNC_OPENBSD18 as DLT_PFSYNC_OPENBSD } from '../dispatch-tables.js';
/** The TTL every pfsync sender uses. */
export const PFSYNC_DFLTTL = 255;

/** What the analyzer needs to know about an action, independent of its number. */
export type ActionKind =
  | 'clr' | 'ins' | 'ins_ack' | 'upd' | 'upd_c' | 'upd_req' | 'del' | 'del_c'
  | 'bus' | 'tdb' | 'eof' | 'frag' | 'unknown';

/** Address families on the wire (section 8.6): OpenBSD/NetBSD INET6 24, FreeBSD/DragonFly 28. */
export const AF_INET = 2;
export const AF_INET6_OPENBSD = 24;
export const AF_INET6_FREEBSD = 28;
export const AF_NAMES: Readonly<Record<number, string>> = {
  2: 'inet', 24: 'inet6 (OpenBSD/NetBSD)', 28: 'inet6 (FreeBSD)',
};
export function isInet6(af: number): boolean {
  return af === AF_INET6_OPENBSD || af === AF_INET6_FREEBSD || af === 30;
}

/** TCP peer states (TCPS_* plus pf's synproxy states, section 8.8). */
export const TCP_STATE_NAMES: readonly string[] = [
  'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1',
  'CLOSING', 'LAST_ACK', 'FIN_WAIT_2', 'TIME_WAIT', 'PROXY_SRC', 'PROXY_DST',
];
export const PF_TCPS_PROXY_SRC = 11;
export const TCPS_SYN_SENT = 2;

/** UDP (PFUDPS_*) and other protocols (PFOTHERS_*). */
export const UDP_STATE_NAMES: readonly string[] = ['NO_TRAFFIC', 'SINGLE', 'MULTIPLE'];

/** PFTM_* timeout slots (section 8.9). */
export const TIMEOUT_NAMES: readonly string[] = [
  'tcp.first', 'tcp.opening', 'tcp.established', 'tcp.closing', 'tcp.finwait', 'tcp.closed',
  'udp.first', 'udp.single', 'udp.multiple', 'icmp.first', 'icmp.error',
  'other.first', 'other.single', 'other.multiple', 'frag', 'interval',
  'adaptive.start', 'adaptive.end', 'src.track', 'ts.diff',
  'sctp.first', 'sctp.opening', 'sctp.established', 'sctp.closing', 'sctp.closed',
];

export const PROTO_NAMES: Readonly<Record<number, string>> = {
  1: 'icmp', 6: 'tcp', 17: 'udp', 50: 'esp', 51: 'ah', 58: 'icmp6', 132: 'sctp',
};

export const DIRECTION_NAMES: Readonly<Record<number, string>> = { 0: 'inout', 1: 'in', 2: 'out' };

/** 0xffffffff in rule/anchor/nat_rule means "none". */
export const PF_RULE_NONE = 0xffffffff;
