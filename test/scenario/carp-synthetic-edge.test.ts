// The synthetic edge-case sample (samples/synthetic-carp-edge.pcap, written by
// test/builders/make-samples.ts; its header lists the frames). Expectations written from that
// list before running: HMAC good where the header says so (the VIP inferred from frame 1's ARP
// reply from the virtual MAC, and carried to the VLAN segments once the HMAC confirmed it),
// never bad; frame 7's demote 128 raises carp.demoted; frame 22 (10.77.0.2 repeating frame 2's
// counter and HMAC, nothing of its own) is a replayed advert; tagged frames are other segments.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SAMPLES } from '../support/paths.js';
import { runScenario } from './carp-helpers.js';
import type { Fields } from '../../src/decode/types.js';
import { derivedOf } from '../support/derived.js';

test('synthetic-carp-edge: HMAC, demotion, replay and VLAN segments', () => {
  const s = runScenario(path.join(SAMPLES, 'synthetic-carp-edge.pcap'), { pass: [{ vhid: 10, passphrase: 'edge-pass' }] });
  const statusOf = (n: number): unknown => derivedOf(s.frames[n - 1]!)['carp.hmac.status'];
  for (const n of [2, 3, 4, 5, 6, 7, 12, 14, 15, 16, 17, 22]) assert.equal(statusOf(n), 'good', `frame ${n}`);
  assert.equal(s.status()['bad'] ?? 0, 0);
  assert.equal(s.byId('carp.hmac_mismatch').length, 0);
  const dem = s.byId('carp.demoted');
  assert.ok(dem.some((f) => f.frames.includes(7) && f.details['demote'] === 128));
  const rep = s.byId('carp.replayed_advert');
  assert.equal(rep.length, 1);
  assert.equal(rep[0]!.details['src'], '10.77.0.2');
  assert.ok(rep[0]!.frames.includes(2) && rep[0]!.frames.includes(22));
  const links = ((s.summary['carp'] as Fields)['vhids'] as Fields[]).filter((v) => v['vhid'] === 10).map((v) => `${String(v['link'])} ${String(v['af'])}`);
  assert.ok(links.includes('0/1 ipv4') && links.includes('0/1 ipv6'));
  assert.ok(links.includes('0/1/vlan77 ipv4'));
  assert.ok(links.includes('0/1/vlan100.77 ipv4'));
});
