// Scenario tests from builder-made captures: a healthy session gives the right final state
// table and no warnings; each attack or fault raises exactly its finding (the link audit,
// raised for every clear-text session, is tested on its own).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildClr, buildIdCreator, buildModernPfsync, buildState, buildUpdC, ethernet, ipv6, MD5_EMPTY, pfsyncEthFrame, arpRequest,
} from '../../builders/pfsync.js';
import {
  A, B, BASE_ID, C, CREATOR_A, CREATOR_B, busMsg, delC, fullUpd, healthySession, ids, ins, run, tcpState, then, updC, v6,
} from '../../support/pfsync-harness.js';

test('healthy bulk + insert + update + delete session: 35 states, bulk tracked, no warnings', () => {
  const o = run(healthySession());
  assert.deepEqual(ids(o), []);
  assert.equal(o.pfsync['states'], 35);
  assert.deepEqual(o.pfsync['states_by_creator'], { '0a0a0a01': 34, '0a0a0a02': 1 });
  const bulks = o.pfsync['bulk_updates'] as Record<string, unknown>[];
  assert.equal(bulks.length, 1);
  assert.equal(bulks[0]!['requested'], '1735689600.000000');
  assert.equal(bulks[0]!['started'], '1735689600.010000');
  assert.equal(bulks[0]!['ended'], '1735689602.010000');
  assert.equal(bulks[0]!['states'], 35);
  assert.equal(bulks[0]!['duration'], 2.01);
  const peers = o.pfsync['peers'] as Record<string, unknown>[];
  assert.deepEqual(peers.map((p) => [p['src'], p['creatorid'], p['flavour'], p['packets']]), [
    [B, '0a0a0a02', 'openbsd-v6', 3], [A, '0a0a0a01', 'openbsd-v6', 7],
  ]);
  assert.deepEqual(o.pfsync['messages_by_action'], { UPD_REQ: 1, BUS: 2, UPD: 35, INS: 2, UPD_C: 11, DEL_C: 2 });
});

test('the same session inside IPsec (AH) raises no finding at all', () => {
  const o = run(healthySession(true));
  assert.deepEqual(ids(o, true), []);
  assert.equal(o.pfsync['states'], 35);
});

test('clear text: pfsync.unauthenticated_link once per link, naming speakers and other hosts', () => {
  const session = then(healthySession(), arpRequest('192.0.2.50', '02:00:00:00:00:50', A));
  const o = run([{ bytes: arpRequest('192.0.2.51', '02:00:00:00:00:51', A), at: 0 }, ...session.map((p) => ({ ...p, at: p.at + 0.001 }))]);
  const link = o.findings.filter((f) => f.id === 'pfsync.unauthenticated_link');
  assert.equal(link.length, 1);
  assert.deepEqual(link[0]!.details['speakers'], [A, B]);
  assert.deepEqual(link[0]!.details['other_hosts'], ['192.0.2.50', '192.0.2.51']);
  assert.equal(link[0]!.details['transport'], 'multicast');
  assert.match(link[0]!.message, /IPsec/);
  assert.equal(link[0]!.frames[0], 2);
});

test('attack: a state injected from a third host raises pfsync.unexpected_sender (and the kernel takes it)', () => {
  const o = run(then(healthySession(), ins({ src: C }, 0x0bad0bad, 1)));
  assert.deepEqual(ids(o), ['pfsync.unexpected_sender']);
  assert.equal(o.findings.find((f) => f.id === 'pfsync.unexpected_sender')!.details['src'], C);
  assert.equal(o.pfsync['states'], 36);
});

test('attack: deletion by a stranger raises pfsync.unexpected_sender and the state is gone', () => {
  const o = run(then(healthySession(), delC({ src: C }, CREATOR_A, [5])));
  assert.deepEqual(ids(o), ['pfsync.unexpected_sender']);
  assert.equal(o.pfsync['states'], 34);
});

test('attack: CLR raises pfsync.state_clear and removes every state of the creator', () => {
  const o = run(then(healthySession(), v6({ src: A }, [{ action: 0, messages: [buildClr('', CREATOR_A)] }])));
  assert.deepEqual(ids(o), ['pfsync.state_clear']);
  assert.equal(o.pfsync['states'], 1);
  assert.equal(o.findings.find((f) => f.id === 'pfsync.state_clear')!.details['removed'], 34);
});

test('attack: a TCP window moving backwards raises pfsync.stale_update (and the older side is kept)', () => {
  const o = run(then(healthySession(), updC({ src: A }, CREATOR_A, [3], 4000), updC({ src: A }, CREATOR_A, [3], 4500)));
  assert.deepEqual(ids(o), ['pfsync.stale_update', 'pfsync.stale_update']);
  const f = o.findings.find((x) => x.id === 'pfsync.stale_update')!;
  assert.equal(f.details['state_id'], '67754b8000000003');
  assert.equal(f.details['creatorid'], '0a0a0a01');
  assert.equal(f.details['side'], 'src+dst');
});

test('attack: an update for an unknown id after a complete bulk raises pfsync.unknown_state', () => {
  const o = run(then(healthySession(), updC({ src: A }, CREATOR_A, [999], 9000)));
  assert.deepEqual(ids(o), ['pfsync.unknown_state']);
  assert.equal(o.findings[0]!.details['state_id'], '67754b80000003e7');
});

test('an update for an unknown id without a bulk update seen is normal (capture started mid-stream)', () => {
  const o = run([{ bytes: updC({ src: A }, CREATOR_A, [999], 9000), at: 0 }]);
  assert.deepEqual(ids(o), []);
});

test('attack: TTL 64 raises pfsync.bad_ttl only, and the packet is not applied', () => {
  const o = run(then(healthySession(), delC({ src: A, ttl: 64 }, CREATOR_A, [5])));
  assert.deepEqual(ids(o), ['pfsync.bad_ttl']);
  assert.equal(o.pfsync['states'], 35);
});

test('fault: differing non-zero ruleset checksums raise pfsync.ruleset_mismatch', () => {
  const other = 'ffeeddccbbaa99887766554433221100';
  const o = run(then(healthySession(),
    v6({ src: A }, [{ action: 4, messages: [] , count: 0, lenWords: 21 }], { cksum: MD5_EMPTY }),
    v6({ src: B }, [{ action: 4, messages: [], count: 0, lenWords: 21 }], { cksum: other })));
  assert.deepEqual(ids(o), ['pfsync.ruleset_mismatch']);
});

test('fault: a FreeBSD 1301 peer beside a 1400 peer raises pfsync.format_mismatch', () => {
  const fb = (src: string, action: number, layout: 'freebsd-1301' | 'freebsd-1400', creator: number, n: number) =>
    pfsyncEthFrame(buildModernPfsync({ version: 5, sections: [{ action, messages: [buildState(layout, tcpState(creator, n))] }] }), { src });
  const o = run([
    { bytes: fb(A, 1, 'freebsd-1301', CREATOR_A, 1), at: 0 },
    { bytes: fb(B, 13, 'freebsd-1400', CREATOR_B, 1), at: 1 },
    { bytes: fb(A, 1, 'freebsd-1301', CREATOR_A, 2), at: 2 },
  ]);
  assert.deepEqual(ids(o), ['pfsync.format_mismatch']);
  assert.equal(o.pfsync['states'], 3);
});

test('fault: OpenBSD v6 beside FreeBSD v5 raises pfsync.format_mismatch', () => {
  const fbsd = pfsyncEthFrame(buildModernPfsync({ version: 5, sections: [{ action: 13, messages: [buildState('freebsd-1400', tcpState(CREATOR_B, 1))] }] }), { src: B });
  const o = run([{ bytes: ins({ src: A }, CREATOR_A, 1), at: 0 }, { bytes: fbsd, at: 1 }]);
  assert.deepEqual(ids(o), ['pfsync.format_mismatch']);
});

test('fault: a sender changing its creator id, or two senders sharing one, raise pfsync.creatorid_conflict', () => {
  const changed = run(then(healthySession(), busMsg(A, 0x0a0a0a99, 1), busMsg(A, 0x0a0a0a99, 2)));
  assert.deepEqual(ids(changed), ['pfsync.creatorid_conflict']);
  const shared = run(then(healthySession(), ins({ src: B }, CREATOR_A, 77)));
  assert.deepEqual(ids(shared), ['pfsync.creatorid_conflict']);
});

test('fault: a bulk update that starts and does not end raises pfsync.bulk_incomplete at the end', () => {
  const o = run(healthySession().slice(0, 4));
  assert.deepEqual(ids(o), ['pfsync.bulk_incomplete']);
  const b = (o.pfsync['bulk_updates'] as Record<string, unknown>[])[0]!;
  assert.equal(b['ended'], null);
  assert.equal(b['states'], 35);
});

test('the state cap: pfsync.state_cap once, the table stays at the cap', () => {
  const o = run(healthySession(), { stateCap: 10 });
  assert.deepEqual(ids(o), ['pfsync.state_cap']);
  assert.equal(o.pfsync['states'], 10);
});

test('bulk request from a stranger is counted, not applied to the table', () => {
  const o = run(then(healthySession(), v6({ src: C }, [{ action: 5, messages: [buildIdCreator(0n, 0)] }])));
  assert.deepEqual(ids(o), ['pfsync.unexpected_sender']);
  assert.equal(o.pfsync['states'], 35);
});

test('an IPv6 sender counts apart from the IPv4 pair (FreeBSD 14+ IPv6 transport): no unexpected sender', () => {
  const payload = buildModernPfsync({ version: 6, sections: [{ action: 4, messages: [buildUpdC({ id: BASE_ID + 1n, creatorid: CREATOR_A, src: { state: 4, seqlo: 6000 }, dst: { state: 4, seqlo: 6000 } })] }] });
  const o = run(then(healthySession(), ethernet(ipv6(payload, { src: 'fe80::1' }), 0x86dd)));
  assert.deepEqual(ids(o), []);
  assert.equal((o.pfsync['peers'] as unknown[]).length, 3);
});

test('a full UPD older than what the receiver holds is stale too (bulk replay)', () => {
  const o = run(then(healthySession(), fullUpd(A, CREATOR_A, 1, 1)));
  assert.deepEqual(ids(o), ['pfsync.stale_update']);
});

test('a bulk update still open 60 s later (the requester gives up) raises pfsync.bulk_incomplete there, once', () => {
  const session = healthySession().slice(0, 3);
  const o = run([...session, { bytes: updC({ src: A }, CREATOR_A, [1], 9000), at: 70 }, { bytes: updC({ src: A }, CREATOR_A, [1], 9100), at: 80 }]);
  const f = o.findings.filter((x) => x.id === 'pfsync.bulk_incomplete');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.ts.sec, 1735689600 + 70);
  assert.match(f[0]!.message, /did not end within 60 s/);
});
