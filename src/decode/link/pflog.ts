// pflog(4) (LINKTYPE_PFLOG = 117): packets logged by pf, behind a struct pfloghdr
// (OpenBSD sys/net/if_pflog.h, FreeBSD sys/net/if_pflog.h). The payload starts at the header's
// own length rounded up to 4 (BPF_WORDALIGN), so OpenBSD's 100-byte and FreeBSD's 69-byte
// (padded to 72) headers both decode; the fields below are common to both. Rule numbers are in
// network order (tcpdump reads them so); uid/pid as well. af is the logging host's value
// (2 = IPv4; 24 OpenBSD, 28 FreeBSD = IPv6).
//
//   0      1    2       3       4                20               36       40          44   48   52        56        60
//   +------+----+-------+-------+----------------+----------------+--------+-----------+----+----+---------+---------+-----+---
//   |length| af |action |reason | ifname[16]     | ruleset[16]    | rulenr | subrulenr | uid| pid|rule_uid |rule_pid | dir | ...
//   +------+----+-------+-------+----------------+----------------+--------+-----------+----+----+---------+---------+-----+---

import type { Dissector } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';
import { dissectorForFamily } from './null.js';
import { rawIpDissector } from './raw.js';
import { LINKTYPE_PFLOG } from '../dispatch-tables.js';
import type { Probe, ProtocolModule } from '../module.js';

/** Bytes every pfloghdr has (up to and including dir). */
export const PFLOG_MIN_HDRLEN = 61;

export const PF_ACTIONS: Readonly<Record<number, string>> = {
  0: 'pass', 1: 'block', 2: 'scrub', 3: 'noscrub', 4: 'nat', 5: 'nonat', 6: 'binat', 7: 'nobinat',
  8: 'rdr', 9: 'nordr', 10: 'synproxy-drop', 11: 'defer', 12: 'match',
};
export const PF_REASONS: Readonly<Record<number, string>> = {
  0: 'match', 1: 'bad-offset', 2: 'fragment', 3: 'short', 4: 'normalize', 5: 'memory', 6: 'bad-timestamp',
  7: 'congestion', 8: 'ip-option', 9: 'proto-cksum', 10: 'state-mismatch', 11: 'state-insert',
  12: 'state-limit', 13: 'src-limit', 14: 'synproxy',
};
export const PF_DIRECTIONS: Readonly<Record<number, string>> = { 0: 'in/out', 1: 'in', 2: 'out', 3: 'fwd' };

export const PFLOG_PROTOCOL = {
  id: 'pflog',
  name: 'OpenBSD Packet Filter log',
  fields: [
    { id: 'pflog.length', label: 'Header Length', kind: 'uint' },
    { id: 'pflog.af', label: 'Address Family', kind: 'uint', valueNames: { 2: 'IPv4', 24: 'IPv6', 28: 'IPv6' } },
    { id: 'pflog.action', label: 'Action', kind: 'uint', valueNames: PF_ACTIONS },
    { id: 'pflog.reason', label: 'Reason', kind: 'uint', valueNames: PF_REASONS },
    { id: 'pflog.ifname', label: 'Interface', kind: 'string' },
    { id: 'pflog.ruleset', label: 'Ruleset', kind: 'string' },
    { id: 'pflog.rulenr', label: 'Rule Number', kind: 'int' },
    { id: 'pflog.subrulenr', label: 'Sub Rule Number', kind: 'int' },
    { id: 'pflog.uid', label: 'UID', kind: 'int' },
    { id: 'pflog.pid', label: 'PID', kind: 'int' },
    { id: 'pflog.rule_uid', label: 'Rule UID', kind: 'int' },
    { id: 'pflog.rule_pid', label: 'Rule PID', kind: 'int' },
    { id: 'pflog.dir', label: 'Direction', kind: 'uint', valueNames: PF_DIRECTIONS },
  ],
  annotations: [
    { id: 'pflog.bad_length', severity: 'warn', summary: 'pflog header length shorter than the fields every pfloghdr has', group: 'malformed' },
  ],
} as const satisfies ProtocolDef;

export const PFLOG_DISSECTOR: Dissector = {
  proto: 'pflog',
  decode(c, out) {
    const fields = out.layer.fields;
    const start = c.pos;
    c.need(PFLOG_MIN_HDRLEN, 'pflog header');
    const length = c.u8('length');
    fields['pflog.length'] = length;
    const af = c.u8('af');
    fields['pflog.af'] = af;
    fields['pflog.action'] = c.u8('action');
    fields['pflog.reason'] = c.u8('reason');
    fields['pflog.ifname'] = c.fixedString(16, 'ifname');
    fields['pflog.ruleset'] = c.fixedString(16, 'ruleset');
    fields['pflog.rulenr'] = c.i32be('rulenr');
    fields['pflog.subrulenr'] = c.i32be('subrulenr');
    fields['pflog.uid'] = c.i32be('uid');
    fields['pflog.pid'] = c.i32be('pid');
    fields['pflog.rule_uid'] = c.i32be('rule_uid');
    fields['pflog.rule_pid'] = c.i32be('rule_pid');
    fields['pflog.dir'] = c.u8('dir');
    if (length < PFLOG_MIN_HDRLEN) {
      out.annotate('pflog.bad_length', `pflog header length ${length} < ${PFLOG_MIN_HDRLEN}`);
      return undefined;
    }
    const payload = start + ((length + 3) & ~3);
    c.need(payload - c.pos, 'pflog header padding');
    c.pos = payload;
    const next = dissectorForFamily(af) ?? rawIpDissector(c.bytes, c.pos);
    return next ? { next, start: c.pos, declaredEnd: c.declaredEnd } : undefined;
  },
};

/** The payload after BPF_WORDALIGN(length), IPv4 or IPv6 by the af byte or the version nibble. */
const probePflog: Probe = (b, s, end, next) => {
  const n = end - s;
  const hdr = n >= 2 ? (b[s]! + 3) & ~3 : 0;
  if (n < PFLOG_MIN_HDRLEN || n <= hdr) return false;
  return next.dissector(dissectorForFamily(b[s + 1]!) ?? rawIpDissector(b, s + hdr), b, s + hdr, end);
};

export const PFLOG_MODULE = {
  ...PFLOG_PROTOCOL,
  dissectors: { pflog: PFLOG_DISSECTOR },
  probes: { pflog: probePflog },
  dispatch: { linktypes: [{ linktype: LINKTYPE_PFLOG, dissector: 'pflog' }] },
} as const satisfies ProtocolModule;
