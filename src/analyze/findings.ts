// The one registry of finding ids: severity and a one-line description each.
// `carpdump --list-findings` prints it; ids are stable (SPEC.md).

import { decoderFindingsOf, type FindingDef } from './policy.js';

export type { FindingDef } from './policy.js';

export const FINDINGS = {
  // The CARP advert itself: decoder annotations that are findings (analyze/policy.ts)
  ...decoderFindingsOf('carp'),
  // Authentication
  'carp.hmac_mismatch': { severity: 'error', description: 'the advert HMAC does not verify with the known passphrase and virtual addresses' },
  'carp.no_passphrase': { severity: 'warn', description: 'the advert HMAC verifies with an empty passphrase: the VHID is unauthenticated' },
  'carp.weak_passphrase': { severity: 'error', description: 'a --wordlist entry verifies the advert HMAC: the passphrase is guessable' },
  'carp.hmac_unverifiable': { severity: 'warn', description: 'a passphrase is known but no virtual address set is: the adverts of a VHID cannot be verified (give --vip)' },
  'carp.passphrase_mismatch': { severity: 'warn', description: "a sender's adverts do not verify with the known passphrase, with the likely cause: passphrase, addresses or variant" },
  'carp.vip_discovered': { severity: 'note', description: 'the virtual addresses of a VHID were found by hashing candidates with the known passphrase' },
  // Election
  'carp.master_changed': { severity: 'note', description: 'a new source became master of a VHID (cause: master_timeout, preempted, demoted, bow_out, first_seen)' },
  'carp.split_brain': { severity: 'error', description: 'two sources advertise as master of the same VHID at the same time' },
  'carp.vhid_conflict': { severity: 'error', description: 'one VHID is used by two groups (passphrase, addresses or advbase differ) or by a VRRP router' },
  'carp.late_advert': { severity: 'warn', description: 'a master advert arrived later than its interval allows (how close the backup came to taking over)' },
  'carp.demoted': { severity: 'note', description: 'a sender advertises a demotion (demote counter > 0 or advskew >= 240)' },
  'carp.replayed_advert': { severity: 'error', description: 'an advert repeats the counter and HMAC of another source that is not a member originating its own adverts' },
  'carp.master_silent': { severity: 'warn', description: 'live: the master of a VHID has been silent for the master-down interval; a backup should take over now' },
  'carp.not_heard_at': { severity: 'warn', description: 'several capture points: a sender\'s adverts reach one point and not another that is capturing (multicast not forwarded: IGMP snooping, VLAN, switch port)' },
  'pflog.blocked_carp': { severity: 'error', description: 'pf blocked a CARP advert (IP protocol 112): the ruleset lacks "pass proto carp", so peers never hear the master' },
  'pflog.blocked_pfsync': { severity: 'error', description: 'pf blocked pfsync (IP protocol 240): the ruleset lacks "pass on <syncdev> proto pfsync", so states do not sync' },
  'carp.vhid_cap': { severity: 'warn', description: 'more VHIDs/sources than carpdump tracks: the rest are not analysed' },
  'carp.takeover_unsynced': { severity: 'warn', description: 'a new CARP master took over without the states: its bulk update was incomplete or flows opened before went unsynced by pfsync' },
  // pfsync packets: decoder annotations that are findings (analyze/policy.ts)
  ...decoderFindingsOf('pfsync'),
  // pfsync analysis
  'pfsync.unauthenticated_link': { severity: 'warn', description: 'pfsync in clear text: anyone on the link can insert, update and delete firewall states' },
  'pfsync.unexpected_sender': { severity: 'error', description: 'a sync message from a host that is not one of the established sync peers' },
  'pfsync.creatorid_conflict': { severity: 'error', description: 'two senders use one creator id, or one sender changed its creator id' },
  'pfsync.stale_update': { severity: 'warn', description: 'an update moves a state backwards (TCP sequence window, state, updates): the kernel would reject it' },
  'pfsync.unknown_state': { severity: 'note', description: 'an update or delete for a state id never inserted (after a complete bulk update)' },
  'pfsync.state_clear': { severity: 'warn', description: 'a CLR message: every state of a creator removed' },
  'pfsync.ruleset_mismatch': { severity: 'warn', description: 'peers send different non-zero ruleset checksums' },
  'pfsync.format_mismatch': { severity: 'error', description: 'peers speak different pfsync formats and cannot understand each other' },
  'pfsync.bulk_incomplete': { severity: 'warn', description: 'a bulk update started and did not end' },
  'pfsync.state_cap': { severity: 'warn', description: 'the state tracker reached its cap: further states are not tracked' },
  // VRRP elections (RFC 3768 / RFC 5798)
  'vrrp.master_changed': { severity: 'note', description: 'a new source became master of a VRID (cause: first_seen, master_timeout, preempted, resign)' },
  'vrrp.split_brain': { severity: 'error', description: 'two sources advertise as master of the same VRID at the same time' },
  'vrrp.late_advert': { severity: 'warn', description: 'a VRRP master advert arrived later than its interval allows (how close the backup came to taking over)' },
  'vrrp.master_silent': { severity: 'warn', description: 'live: the master of a VRID has been silent for the master-down interval; a backup should take over now' },
  'vrrp.vrid_cap': { severity: 'warn', description: 'more VRIDs/sources than carpdump tracks: the rest are not analysed' },
  'pfsync.creator_cap': { severity: 'warn', description: 'the state tracker reached its cap on creator ids: states of further creators are not tracked' },
  // carpdump itself (the first two: frame decoder annotations, analyze/policy.ts)
  ...decoderFindingsOf('carpdump'),
  ...decoderFindingsOf('frame'),
  'carpdump.limit_reached': { severity: 'note', description: 'a limit of limits.ts was reached (findings per id and key, ...): the picture is partial; --limit raises it' },
} as const satisfies Record<string, FindingDef>;

export type FindingId = keyof typeof FINDINGS;

export function isFindingId(id: string): id is FindingId {
  return Object.prototype.hasOwnProperty.call(FINDINGS, id);
}
