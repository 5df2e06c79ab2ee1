// --metrics: the metric updates from scripted frames and findings (the CARP analyzer over
// builder-made adverts; VRRP and pfsync findings written by hand, as the analyzers raise them),
// the caps on label cardinality, and the rule that no label value is ever a passphrase.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCarpAnalyzer } from '../../src/analyze/carp/index.js';
import { FINDINGS } from '../../src/analyze/findings.js';
import type { AnalyzedFrame, Finding } from '../../src/analyze/types.js';
import type { DecodedFrame, Fields, Layer } from '../../src/decode/types.js';
import { CarpdumpMetrics, MAX_METRIC_SOURCES, MAX_PFSYNC_SENDERS } from '../../src/output/metrics.js';
import { advert, T0 } from '../support/carp-frames.js';
import { rawFrame } from '../support/frames.js';
import { analyzed, deriveFor } from '../support/derived.js';

type Labels = Record<string, string | number>;

async function series(m: CarpdumpMetrics, name: string): Promise<{ labels: Labels; value: number; metricName?: string }[]> {
  const metric = m.registry.getSingleMetric(name);
  assert.ok(metric, `metric ${name} is registered`);
  const got = await metric.get();
  return got.values.map((v) => {
    const metricName = (v as { metricName?: string }).metricName;
    return { labels: v.labels as Labels, value: v.value, ...(metricName ? { metricName } : {}) };
  });
}

async function value(m: CarpdumpMetrics, name: string, labels: Labels): Promise<number | undefined> {
  const want = JSON.stringify(Object.entries(labels).map(([k, v]) => [k, String(v)]).sort());
  return (await series(m, name)).find((s) => JSON.stringify(Object.entries(s.labels).map(([k, v]) => [k, String(v)]).sort()) === want)?.value;
}

/** Frames through the CARP analyzer and then the metrics, as the pipeline does. */
function feed(frames: DecodedFrame[], passphrases: { vhid: number; passphrase: string }[] = [], m = new CarpdumpMetrics({ defaultMetrics: false })) {
  const analyzer = createCarpAnalyzer({ passphrases, vips: new Map([[7, ['10.0.0.100']]]), showSecrets: false });
  const all: Finding[] = [];
  const push = (frame: DecodedFrame): void => {
    const findings: Finding[] = [];
    m.packet(frame.raw);
    analyzer.onFrame(frame, (f) => findings.push(f), deriveFor(frame));
    all.push(...findings);
    m.frame(analyzed(frame), findings);
  };
  frames.forEach(push);
  return { m, analyzer, findings: all, push };
}

function finding(id: string, details: Fields, t = 0): Finding {
  const severity = (FINDINGS as Record<string, { severity: Finding['severity'] } | undefined>)[id]?.severity ?? 'note';
  return { id: id as Finding['id'], severity, ts: { sec: T0 + t, nsec: 0, digits: 6 }, frames: [], message: `${id} (scripted)`, details };
}

const A = '10.0.0.1';
const B = '10.0.0.2';

/** Frames 1-12: A master (advskew 0) and B (advskew 50) both advertising for 6 s: a contender, then a split brain. */
function splitBrain(): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  let n = 0;
  for (let t = 0; t < 6; t += 1) {
    frames.push(advert({ n: ++n, t, src: A }));
    frames.push(advert({ n: ++n, t: t + 0.5, src: B, advskew: 50 }));
  }
  return frames;
}
const F = '10.0.0.66';
const PASS = 'metric-test-secret';

test('CARP failover: master_info follows the master (old series gone), changes by cause, adverts by HMAC status, gaps', async () => {
  const frames: DecodedFrame[] = [];
  let n = 0;
  for (let t = 0; t < 5; t++) frames.push(advert({ n: ++n, t, src: A, pass: PASS, vip: ['10.0.0.100'] }));
  const r = feed(frames, [{ vhid: 7, passphrase: PASS }]);
  assert.deepEqual(await series(r.m, 'carpdump_carp_master_info'), [{ labels: { vhid: '7', af: 'ipv4', master: A }, value: 1 }]);
  assert.equal(await value(r.m, 'carpdump_carp_master_changes_total', { vhid: 7, af: 'ipv4', cause: 'first_seen' }), 1);
  assert.equal(await value(r.m, 'carpdump_carp_master_changes_total', { vhid: 7, af: 'ipv4', cause: 'master_timeout' }), 0, 'every cause from 0');

  // A falls silent; B (advskew 100, master-down 3.39 s) takes over at t = 8.5. A forger F signs
  // with a wrong passphrase: counted as bad, and (issue 10) it never becomes master.
  for (let t = 8.5; t < 12; t += 1.39) r.push(advert({ n: ++n, t, src: B, advskew: 100, pass: PASS, vip: ['10.0.0.100'] }));
  r.push(advert({ n: ++n, t: 12.2, src: F, advskew: 0, pass: 'other', vip: ['10.0.0.100'] }));
  assert.deepEqual(r.findings.filter((f) => f.id === 'carp.master_changed').map((f) => f.details['cause']), ['first_seen', 'master_timeout']);
  assert.deepEqual(await series(r.m, 'carpdump_carp_master_info'), [{ labels: { vhid: '7', af: 'ipv4', master: B }, value: 1 }]);
  assert.equal(await value(r.m, 'carpdump_carp_master_changes_total', { vhid: 7, af: 'ipv4', cause: 'master_timeout' }), 1);
  assert.equal(await value(r.m, 'carpdump_carp_adverts_total', { vhid: 7, af: 'ipv4', src: A, hmac: 'ok' }), 5);
  assert.equal(await value(r.m, 'carpdump_carp_adverts_total', { vhid: 7, af: 'ipv4', src: B, hmac: 'ok' }), 3);
  assert.equal(await value(r.m, 'carpdump_carp_adverts_total', { vhid: 7, af: 'ipv4', src: F, hmac: 'bad' }), 1);
  assert.equal(await value(r.m, 'carpdump_carp_last_advert_timestamp_seconds', { vhid: 7, af: 'ipv4', src: A }), T0 + 4);
  assert.equal(await value(r.m, 'carpdump_carp_split_brain', { vhid: 7, af: 'ipv4' }), 0);
  // Gaps of the master only: 4 of A (1 s), 2 of B (1.39 s); not the failover gap A -> B.
  const hist = await series(r.m, 'carpdump_carp_advert_interval_seconds');
  assert.equal(hist.find((s) => s.metricName === 'carpdump_carp_advert_interval_seconds_count')?.value, 6);
  const le11 = hist.find((s) => s.labels['le'] === 1.1)?.value;
  const le15 = hist.find((s) => s.labels['le'] === 1.5)?.value;
  assert.deepEqual([le11, le15], [4, 6]);
  assert.ok(Math.abs((await value(r.m, 'carpdump_carp_max_advert_gap_seconds', { vhid: 7, af: 'ipv4' }))! - 1.39) < 1e-6);
  // Master-down of the backup heard (A, advskew 0): 3 s.
  assert.equal(await value(r.m, 'carpdump_carp_master_down_seconds', { vhid: 7, af: 'ipv4' }), 3);
  assert.equal(await value(r.m, 'carpdump_findings_total', { id: 'carp.master_changed', severity: 'note' }), 2);
  assert.equal(await value(r.m, 'carpdump_findings_total', { id: 'carp.hmac_mismatch', severity: 'error' }), 1);
  assert.equal((await series(r.m, 'carpdump_packets_total'))[0]?.value, 9);
});

test('CARP without a passphrase: adverts unverified', async () => {
  const r = feed([advert({ n: 1, t: 0, src: A }), advert({ n: 2, t: 1, src: A })]);
  assert.equal(await value(r.m, 'carpdump_carp_adverts_total', { vhid: 7, af: 'ipv4', src: A, hmac: 'unverified' }), 2);
});

test('CARP split brain: 1 while both sides advertise, 0 once one of them has been silent past its master-down time', async () => {
  const frames = splitBrain();
  let n = frames.length;
  const r = feed(frames);
  assert.ok(r.findings.some((f) => f.id === 'carp.split_brain'), 'the analyzer raised carp.split_brain');
  assert.equal(await value(r.m, 'carpdump_carp_split_brain', { vhid: 7, af: 'ipv4' }), 1);
  // B stops; A goes on for 5 s (past B's master-down 3.2 s): over.
  for (let t = 6; t < 11; t += 1) {
    const f = advert({ n: ++n, t, src: A });
    r.m.packet(f.raw);
    const found: Finding[] = [];
    r.analyzer.onFrame(f, (x) => found.push(x), deriveFor(f));
    r.m.frame(analyzed(f), found);
  }
  assert.equal(await value(r.m, 'carpdump_carp_split_brain', { vhid: 7, af: 'ipv4' }), 0);
});

test('a tick moves time on: the split brain ends while no packet arrives at all', async () => {
  const m = new CarpdumpMetrics({ defaultMetrics: false });
  feed(splitBrain(), [], m);
  assert.equal(await value(m, 'carpdump_carp_split_brain', { vhid: 7, af: 'ipv4' }), 1);
  m.tick({ sec: T0 + 20, nsec: 0 });
  assert.equal(await value(m, 'carpdump_carp_split_brain', { vhid: 7, af: 'ipv4' }), 0);
});

test('VRRP: master_info and master_changes_total from vrrp.master_changed, split brain until the next change', async () => {
  const m = new CarpdumpMetrics({ defaultMetrics: false });
  const base = { vrid: 51, version: 3, af: 'ipv4' };
  m.finding(finding('vrrp.master_changed', { ...base, src: A, previous: null, cause: 'first_seen' }));
  assert.deepEqual(await series(m, 'carpdump_vrrp_master_info'), [{ labels: { vrid: '51', version: '3', af: 'ipv4', master: A }, value: 1 }]);
  m.finding(finding('vrrp.split_brain', { ...base, src: B, master: A }));
  assert.equal(await value(m, 'carpdump_vrrp_split_brain', { vrid: 51, version: 3, af: 'ipv4' }), 1);
  m.finding(finding('vrrp.master_changed', { ...base, src: B, previous: A, cause: 'master_timeout' }));
  m.finding(finding('vrrp.master_changed', { ...base, src: A, previous: B, cause: 'preempted' }));
  m.finding(finding('vrrp.master_changed', { ...base, src: B, previous: A, cause: 'resign' }));
  m.finding(finding('vrrp.master_changed', { vrid: 52, version: 2, af: 'ipv6', src: 'fd77::2', previous: null, cause: 'first_seen' }));
  assert.deepEqual((await series(m, 'carpdump_vrrp_master_info')).map((s) => s.labels), [
    { vrid: '51', version: '3', af: 'ipv4', master: B },
    { vrid: '52', version: '2', af: 'ipv6', master: 'fd77::2' },
  ]);
  for (const cause of ['first_seen', 'master_timeout', 'preempted', 'resign']) {
    assert.equal(await value(m, 'carpdump_vrrp_master_changes_total', { ...base, cause }), 1, cause);
  }
  assert.equal(await value(m, 'carpdump_vrrp_split_brain', { vrid: 51, version: 3, af: 'ipv4' }), 0);
  // An unknown cause is counted as "other", never as free text.
  m.finding(finding('vrrp.master_changed', { ...base, src: A, previous: B, cause: 'because I said so' }));
  assert.equal(await value(m, 'carpdump_vrrp_master_changes_total', { ...base, cause: 'other' }), 1);
});

function pfsyncFrame(n: number, src: string, sections: Fields[], ignored?: string): AnalyzedFrame {
  const layer: Layer = {
    proto: 'pfsync', offset: 0, length: 0, status: 'ok',
    fields: { 'pfsync.subheaders': sections as unknown as Fields[string], ...(ignored ? { 'pfsync.ignored': ignored } : {}) },
  };
  return {
    raw: rawFrame(new Uint8Array(0), { number: n, tsSec: T0 + n }),
    layers: [layer], annotations: [], derived: {},
    ip: { version: 4, srcBytes: new Uint8Array(4), dstBytes: new Uint8Array(4), src, dst: '224.0.0.240', ttl: 255, payloadLength: 0, fragmented: false },
  };
}

const section = (name: string, messages: Fields[]): Fields => ({ 'pfsync.action_name': name, 'pfsync.messages': messages as unknown as Fields[string] });

test('pfsync: messages by sender and action, bulk updates completed (BUS end) and incomplete (finding), states and peers from the summary', async () => {
  const summary: Fields = { pfsync: { peers: [{ src: A }, { src: B }], states: 5, states_by_creator: { '0a0a0a01': 3, '0a0a0a02': 2 } } };
  const m = new CarpdumpMetrics({ defaultMetrics: false, pfsyncSummary: () => summary });
  m.frame(pfsyncFrame(1, A, [section('BUS', [{ 'pfsync.bus.status': 1 }]), section('UPD', [{}, {}, {}])]), []);
  m.frame(pfsyncFrame(2, A, [section('BUS', [{ 'pfsync.bus.status': 2 }])]), []);
  m.frame(pfsyncFrame(3, B, [section('INS', [{}, {}])]), []);
  // Dropped by receivers (bad TTL): counted as a message, not as a completed bulk.
  m.frame(pfsyncFrame(4, B, [section('BUS', [{ 'pfsync.bus.status': 2 }])], 'badttl'), []);
  m.finding(finding('pfsync.bulk_incomplete', { src: B, creatorid: '0a0a0a02', states: 0 }));
  assert.equal(await value(m, 'carpdump_pfsync_messages_total', { src: A, action: 'UPD' }), 3);
  assert.equal(await value(m, 'carpdump_pfsync_messages_total', { src: A, action: 'BUS' }), 2);
  assert.equal(await value(m, 'carpdump_pfsync_messages_total', { src: B, action: 'INS' }), 2);
  assert.equal(await value(m, 'carpdump_pfsync_messages_total', { src: B, action: 'BUS' }), 1);
  assert.equal(await value(m, 'carpdump_pfsync_bulk_updates_total', { src: A, result: 'completed' }), 1);
  assert.equal(await value(m, 'carpdump_pfsync_bulk_updates_total', { src: B, result: 'completed' }), undefined);
  assert.equal(await value(m, 'carpdump_pfsync_bulk_updates_total', { src: B, result: 'incomplete' }), 1);
  assert.equal(await value(m, 'carpdump_pfsync_states', { creatorid: '0a0a0a01' }), 3);
  assert.equal(await value(m, 'carpdump_pfsync_states', { creatorid: '0a0a0a02' }), 2);
  assert.equal((await series(m, 'carpdump_pfsync_peers'))[0]?.value, 2);
});

test('label cardinality is capped: 16 sources per VHID, 256 pfsync senders', async () => {
  const frames: DecodedFrame[] = [];
  for (let i = 1; i <= 20; i++) frames.push(advert({ n: i, t: i * 0.01, src: `10.0.1.${i}` }));
  const r = feed(frames);
  assert.equal((await series(r.m, 'carpdump_carp_last_advert_timestamp_seconds')).length, MAX_METRIC_SOURCES);
  const m = new CarpdumpMetrics({ defaultMetrics: false });
  for (let i = 0; i < 300; i++) m.frame(pfsyncFrame(i + 1, `10.1.${i >> 8}.${i & 255}`, [section('INS', [{}])]), []);
  assert.equal((await series(m, 'carpdump_pfsync_messages_total')).length, MAX_PFSYNC_SENDERS);
});

test('no label value is ever a passphrase, whatever the findings carry', async () => {
  const secret = 'hunter2-do-not-leak';
  const m = new CarpdumpMetrics({ defaultMetrics: false, pfsyncSummary: () => ({ pfsync: { peers: [], states_by_creator: { [secret]: 1 } } }) });
  const everywhere: Fields = { vhid: 7, vrid: 7, version: 3, af: 'ipv4', src: secret, master: secret, previous: secret, cause: secret, passphrase: secret, creatorid: secret };
  for (const id of ['carp.master_changed', 'carp.split_brain', 'vrrp.master_changed', 'vrrp.split_brain', 'pfsync.bulk_incomplete', 'carp.weak_passphrase']) {
    m.finding(finding(id, everywhere));
  }
  m.finding({ ...finding('carp.weak_passphrase', everywhere), id: secret as Finding['id'] });
  m.frame(analyzed(advert({ n: 1, t: 0, src: secret })), []);
  m.frame(pfsyncFrame(2, secret, [section(secret, [{}])]), []);
  const text = await m.exposition();
  assert.ok(text.includes('carpdump_carp_master_info{vhid="7",af="ipv4",master="unknown"} 1'), text);
  assert.ok(text.includes('creatorid="other"'), text);
  assert.ok(!text.includes(secret), `the exposition holds the secret:\n${text}`);
});
