// Every harmful action of a stranger is a pfsync.unexpected_sender finding (issue 10 item 4):
// action, states touched, what receivers do; bounded per sender and action; and the peer choice is
// not fooled by a capture that begins with the stranger speaking.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClr, buildIdCreator } from '../../builders/pfsync.js';
import {
  A, B, C, CREATOR_A, busMsg, delC, fullUpd, healthySession, ins, range, run, then, updC, v6, bulkRequest, type Packet,
} from '../../support/pfsync-harness.js';

const stranger = (o: ReturnType<typeof run>) => o.findings.filter((f) => f.id === 'pfsync.unexpected_sender');

test('a stranger\'s every harmful action is its own finding: INS, UPD_C, DEL_C, CLR, BUS, UPD_REQ', () => {
  const o = run(then(healthySession(),
    ins({ src: C }, 0x0bad0bad, 1),
    updC({ src: C }, CREATOR_A, [1, 2], 1),
    delC({ src: C }, CREATOR_A, [5, 6, 7]),
    v6({ src: C }, [{ action: 0, messages: [buildClr('', CREATOR_A)] }]),
    busMsg(C, 0x0bad0bad, 2),
    v6({ src: C }, [{ action: 5, messages: [buildIdCreator(0n, 0)] }]),
    delC({ src: C }, CREATOR_A, [8])));
  const f = stranger(o);
  assert.deepEqual(f.map((x) => x.details['action']), ['INS', 'UPD_C', 'DEL_C', 'CLR', 'BUS', 'UPD_REQ', 'DEL_C']);
  assert.deepEqual(f.map((x) => x.frames[0]), [11, 12, 13, 14, 15, 16, 17]);
  const del = f[2]!;
  assert.deepEqual(del.details['states'], ['67754b8000000005/0a0a0a01', '67754b8000000006/0a0a0a01', '67754b8000000007/0a0a0a01']);
  assert.match(del.message, /delete the state\(s\) \(3 tracked state\(s\) removed\)/);
  assert.deepEqual(del.details['peers'], [B, A]);
  // Why the pair is the pair: B's request was answered by A; A answered and completed the bulk.
  const reasons = del.details['peer_reasons'] as string[];
  assert.match(reasons[0]!, /^192\.0\.2\.2: requested a bulk update \(frame 1\) that 192\.0\.2\.1 answered \(frame 2\)/);
  assert.match(reasons[1]!, /^192\.0\.2\.1: (answered|completed)/);
  assert.match(f[3]!.message, /delete every state of creator 0a0a0a01 \(\d+ tracked state\(s\) removed\)/);
  assert.match(f[5]!.message, /whole state table/);
  // Receivers apply it all: A's states are gone (3 deleted, the rest cleared); B's and C's remain.
  assert.deepEqual(o.pfsync['states_by_creator'], { '0a0a0a02': 1, '0bad0bad': 1 });
});

test('bounded per sender and action: the first N findings, then one summary line with the count', () => {
  const floods = range(1, 30).map((n) => delC({ src: C }, CREATOR_A, [n]));
  const o = run(then(healthySession(), ...floods, ins({ src: C }, 0x0bad0bad, 1)), { strangerCap: 10 });
  const f = stranger(o);
  const del = f.filter((x) => x.details['action'] === 'DEL_C');
  assert.equal(del.length, 11);
  assert.equal(del.filter((x) => x.details['summary'] === true).length, 1);
  const sum = del.find((x) => x.details['summary'] === true)!;
  assert.equal(sum.details['count'], 30);
  assert.equal(sum.details['not_listed'], 20);
  assert.match(sum.message, /^20 more DEL_C section\(s\) from 192\.0\.2\.66/);
  assert.equal(f.filter((x) => x.details['action'] === 'INS').length, 1, 'the cap is per action');
});

test('a capture that begins with the stranger speaking: the pair that does the bulk update is the pair', () => {
  // C speaks first (deletes A's states and requests a copy of the table), then B asks A for a
  // bulk update and A answers: first-come would have made C and B the pair and A the stranger.
  const packets: Packet[] = [
    { bytes: delC({ src: C }, CREATOR_A, [1, 2]), at: 0 },
    { bytes: v6({ src: C }, [{ action: 5, messages: [buildIdCreator(0n, 0)] }]), at: 0.1 },
    ...healthySession().map((p) => ({ ...p, at: p.at + 1 })),
  ];
  const o = run(packets);
  const f = stranger(o);
  assert.deepEqual(f.map((x) => [x.details['src'], x.details['action'], x.frames[0]]), [[C, 'DEL_C', 1], [C, 'UPD_REQ', 2]]);
  assert.match(String(f[0]!.details['sender_reason']), /displaced by 192\.0\.2\.1/);
  const peers = o.pfsync['peers'] as Record<string, unknown>[];
  assert.deepEqual(peers.filter((p) => p['peer'] === true).map((p) => p['src']).sort(), [A, B]);
});

test('without proof the first two senders stand in; a third sender\'s actions are raised at the end', () => {
  const o = run([
    { bytes: updC({ src: A }, CREATOR_A, [1], 100), at: 0 },
    { bytes: updC({ src: B }, CREATOR_A, [1], 200), at: 1 },
    { bytes: delC({ src: C }, CREATOR_A, [1]), at: 2 },
  ]);
  const f = stranger(o);
  assert.deepEqual(f.map((x) => [x.details['src'], x.details['action']]), [[C, 'DEL_C']]);
  assert.match(f[0]!.message, /one of the first two senders/);
});

test('the healthy pair raises no unexpected_sender, and a stand-in that proves itself is not reported', () => {
  assert.deepEqual(stranger(run(healthySession())), []);
  // B speaks first (updates), C never; then B requests and A answers: nothing held is raised.
  const o = run([
    { bytes: updC({ src: B }, CREATOR_A, [1], 100), at: 0 },
    { bytes: bulkRequest(), at: 1 },
    { bytes: busMsg(A, CREATOR_A, 1), at: 2 },
    { bytes: fullUpd(A, CREATOR_A, 1, 3), at: 3 },
    { bytes: busMsg(A, CREATOR_A, 2), at: 4 },
  ]);
  assert.deepEqual(stranger(o), []);
});
