// Text output: the one-line summaries, inline marks, -V tree, -x hex dump, time stamps, colour.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFrameSummary } from '../../src/output/text-line.js';
import { placeDerived, renderTree } from '../../src/output/tree.js';
import { renderHexDump } from '../../src/output/hexdump.js';
import { TimestampFormatter, epochTextOf, parseEpoch } from '../../src/output/timestamp.js';
import { colorLevel, createPalette, NO_COLOR_PALETTE } from '../../src/output/color.js';
import { renderFindingsTable, renderFindingsList } from '../../src/output/findings-text.js';
import { FINDINGS } from '../../src/analyze/findings.js';
import { carpFrame, layer, raw, vrrpFrame } from '../support/decoded-frames.js';

const P = NO_COLOR_PALETTE;

test('CARP line: every field in SPEC order, hmac status from the analyzers', () => {
  const f = carpFrame({ derived: { 'carp.hmac.status': 'good' } });
  assert.equal(renderFrameSummary(f, P),
    '10.77.0.1 > 224.0.0.18: CARPv2 advertise vhid 7 advbase 1 advskew 0 demote 0 counter 768664214548429678 [hmac ok]');
  const bad = carpFrame({ derived: { 'carp.hmac.status': 'bad' } });
  assert.match(renderFrameSummary(bad, P), /\[hmac bad\]$/);
  const unverified = carpFrame({ derived: { 'carp.hmac.status': 'unverified' } });
  assert.doesNotMatch(renderFrameSummary(unverified, P), /hmac/);
});

test('CARP marks: bad checksum with the expected value, TTL, truncation, other warnings', () => {
  const f = carpFrame({
    ttl: 64,
    annotations: [
      { id: 'carp.bad_checksum', severity: 'error', message: 'x', proto: 'carp', details: { checksum: 0x1cc1, expected: 0x469b } },
      { id: 'carp.bad_ttl', severity: 'warn', message: 'x', proto: 'carp', details: { ttl: 64 } },
      { id: 'carp.bad_authlen', severity: 'warn', message: 'x', proto: 'carp' },
      { id: 'carp.demotion', severity: 'note', message: 'x', proto: 'carp' }, // notes are not marked
    ],
  });
  f.layers[2]!.fields['carp.checksum'] = 0x1cc1;
  const line = renderFrameSummary(f, P);
  assert.ok(line.includes(' [bad cksum 0x1cc1, should be 0x469b]'), line);
  assert.ok(line.includes(' [ttl 64!]'), line);
  assert.ok(line.includes(' [bad authlen]'), line);
  assert.ok(!line.includes('demotion'), line);

  const cut = carpFrame({ carpStatus: 'truncated' });
  delete cut.layers[2]!.fields['carp.counter'];
  delete cut.layers[2]!.fields['carp.hmac'];
  assert.equal(renderFrameSummary(cut, P), '10.77.0.1 > 224.0.0.18: CARPv2 advertise vhid 7 advbase 1 advskew 0 demote 0 [|carp]');
});

test('CARP bow-out and unknown type', () => {
  assert.match(renderFrameSummary(carpFrame({ advbase: 255, advskew: 255 }), P), /advbase 255 advskew 255 demote 0 counter \d+ \[bow-out\]/);
  const t2 = carpFrame();
  t2.layers[2]!.fields['carp.type'] = 2;
  assert.match(renderFrameSummary(t2, P), /: CARPv2 type 2 vhid 7/);
});

test('VRRP line reads like tcpdump', () => {
  assert.equal(renderFrameSummary(vrrpFrame(), P),
    '10.77.0.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 150, authtype simple, intvl 1s, length 24, addrs(2): 10.77.0.51,10.77.0.61');
  const v3 = vrrpFrame();
  const f = v3.layers[2]!.fields;
  f['vrrp.version'] = 3;
  delete f['vrrp.auth_type'];
  delete f['vrrp.adver_int'];
  f['vrrp.short_adver_int'] = 100;
  f['vrrp.ip_addr'] = ['10.77.0.52'];
  f['vrrp.addr_count'] = 1;
  assert.equal(renderFrameSummary(v3, P),
    '10.77.0.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 150, intvl 100cs, length 24, addrs: 10.77.0.52');
});

test('ARP lines and the generic fallbacks', () => {
  const arp = {
    raw: raw(1, { data: new Uint8Array(42) }),
    layers: [
      layer('eth', { 'eth.src': '02:00:00:00:00:0a', 'eth.dst': 'ff:ff:ff:ff:ff:ff', 'eth.type': 0x0806 }),
      layer('arp', { 'arp.opcode': 1, 'arp.src.hw_mac': '02:00:00:00:00:0a', 'arp.src.proto_ipv4': '10.77.0.1', 'arp.dst.proto_ipv4': '10.77.0.100' }, 14),
    ],
    annotations: [],
    derived: {},
  };
  assert.equal(renderFrameSummary(arp, P), 'ARP, Request who-has 10.77.0.100 tell 10.77.0.1, length 28');
  arp.layers[1]!.fields['arp.opcode'] = 2;
  assert.equal(renderFrameSummary(arp, P), 'ARP, Reply 10.77.0.1 is-at 02:00:00:00:00:0a, length 28');

  const udp = { raw: raw(1), layers: [layer('eth', {}), layer('ipv4', { 'ip.src': '10.0.0.1', 'ip.dst': '10.0.0.2', 'ip.proto': 17 }, 14)], annotations: [], derived: {} };
  assert.equal(renderFrameSummary(udp, P), '10.0.0.1 > 10.0.0.2: ip-proto-17, length 70');
  const other = { raw: raw(1), layers: [layer('eth', { 'eth.src': 'a', 'eth.dst': 'b', 'eth.type': 0x88cc })], annotations: [], derived: {} };
  assert.equal(renderFrameSummary(other, P), 'a > b, ethertype 0x88cc, length 70');
  const none = { raw: raw(1, { linktype: 147 }), layers: [], annotations: [], derived: {} };
  assert.equal(renderFrameSummary(none, P), 'link type 147, length 70');
});

test('-V tree: registry labels when known, ids otherwise, generated fields in brackets, expert infos', () => {
  const f = carpFrame({
    derived: { 'carp.hmac.status': 'good' },
    annotations: [{ id: 'carp.bad_ttl', severity: 'warn', message: 'ttl 64, should be 255', proto: 'carp' }],
  });
  const lines = renderTree(f);
  assert.equal(lines[0], '    Frame 1: 70 bytes on wire, 70 bytes captured, interface 0, link type 1');
  assert.equal(lines[1], '        Epoch Time: 1700000001.000123 seconds');
  const carpAt = lines.findIndex((l) => /^ {4}\S/.test(l) && l.includes('C') && lines.indexOf(l) > 1 && /carp|CARP|Common/.test(l));
  assert.ok(carpAt > 0, lines.join('\n'));
  assert.ok(lines.some((l) => /^ {12}\[.*: good\]$/.test(l)), 'derived field shown as generated, under carp.hmac');
  // carp.checksum.status is nested under carp.checksum.
  const sum = lines.findIndex((l) => /^ {8}\S.*: 0x915d$/.test(l));
  assert.ok(sum > 0 && /^ {12}\S.*: good$/.test(lines[sum + 1]!), lines.slice(sum, sum + 2).join('\n'));
  assert.ok(lines.includes('        [Expert Info (warn): ttl 64, should be 255 (carp.bad_ttl)]'));
  assert.ok(lines.some((l) => l.endsWith(': 768664214548429678')));
  assert.ok(lines.some((l) => l.endsWith(': 10.77.0.1')));
});

test('-x hex dump: tcpdump offsets and 2-byte groups', () => {
  const bytes = Uint8Array.from({ length: 18 }, (_, i) => i);
  assert.equal(renderHexDump(bytes),
    '\t0x0000:  0001 0203 0405 0607 0809 0a0b 0c0d 0e0f\n' +
    '\t0x0010:  1011\n');
  assert.equal(renderHexDump(new Uint8Array([0xab])), '\t0x0000:  ab\n');
  assert.equal(renderHexDump(new Uint8Array(0)), '');
});

test('time stamps: every -t style, UTC, precision from the capture', () => {
  const t0 = { sec: 1700000000, nsec: 123456789, digits: 6 };
  const t1 = { sec: 1700000061, nsec: 23456789, digits: 6 };
  const t2 = { sec: 1700000061, nsec: 23456789, digits: 9 };
  const a = new TimestampFormatter('a', true);
  assert.equal(a.frame(t0), '22:13:20.123456');
  assert.equal(a.frame(t2), '22:14:21.023456789');
  assert.equal(new TimestampFormatter('ad', true).frame(t0), '2023-11-14 22:13:20.123456');
  assert.equal(new TimestampFormatter('e', true).frame(t0), '1700000000.123456');
  const r = new TimestampFormatter('r', true);
  assert.equal(r.frame(t0), '00:00:00.000000');
  assert.equal(r.frame(t1), '00:01:00.900000');
  assert.equal(r.frame(t1), '00:01:00.900000');
  const d = new TimestampFormatter('d', true);
  assert.equal(d.frame(t1), '00:00:00.000000');
  assert.equal(d.frame(t0), '-00:01:00.900000'); // out of order
  assert.equal(d.frame({ sec: 1700003661, nsec: 0, digits: 6 }), '01:01:00.876543');
  assert.equal(new TimestampFormatter('e', true).frame({ sec: 5, nsec: 0, digits: 0 }), '5');
});

test('local time follows TZ (no --utc)', () => {
  const saved = process.env['TZ'];
  // Node reads TZ when a Date is formatted, so the zone can change inside the process.
  process.env['TZ'] = 'Etc/GMT-2';
  try {
    assert.equal(new TimestampFormatter('a', false).frame({ sec: 1700000000, nsec: 0, digits: 6 }), '00:13:20.000000');
    // A zone 5:45 ahead: the per-minute cache still gives the right seconds across minutes.
    process.env['TZ'] = 'Asia/Kathmandu';
    const f = new TimestampFormatter('ad', false);
    assert.equal(f.frame({ sec: 1700000039, nsec: 0, digits: 6 }), '2023-11-15 03:58:59.000000');
    assert.equal(f.frame({ sec: 1700000040, nsec: 0, digits: 6 }), '2023-11-15 03:59:00.000000');
    assert.equal(f.frame({ sec: 1700000099, nsec: 0, digits: 6 }), '2023-11-15 03:59:59.000000');
    assert.equal(f.frame({ sec: 1700000100, nsec: 0, digits: 6 }), '2023-11-15 04:00:00.000000');
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
});

test('colour: auto only on a terminal; NO_COLOR and FORCE_COLOR; explicit modes win', () => {
  assert.equal(colorLevel('auto', false, {}), 0);
  assert.equal(colorLevel('auto', true, {}), 1);
  assert.equal(colorLevel('auto', true, { NO_COLOR: '1' }), 0);
  assert.equal(colorLevel('auto', true, { NO_COLOR: '' }), 1);
  assert.equal(colorLevel('auto', false, { FORCE_COLOR: '1' }), 1);
  assert.equal(colorLevel('auto', true, { FORCE_COLOR: '0' }), 0);
  assert.equal(colorLevel('always', false, { NO_COLOR: '1' }), 1);
  assert.equal(colorLevel('never', true, { FORCE_COLOR: '3' }), 0);
  const line = renderFrameSummary(carpFrame({ derived: { 'carp.hmac.status': 'good' } }), createPalette(1));
  assert.ok(line.includes('\u001b[32m[hmac ok]\u001b[39m'), JSON.stringify(line));
});

test('-z findings table: most severe first, counts aligned', () => {
  const t = renderFindingsTable({ 'carp.master_changed': 2, 'carp.bad_checksum': 1, 'carp.bad_ttl': 12 });
  assert.equal(t,
    'Findings:\n' +
    '  severity    count  id\n' +
    '  error           1  carp.bad_checksum\n' +
    '  warn           12  carp.bad_ttl\n' +
    '  note            2  carp.master_changed\n');
  assert.equal(renderFindingsTable({}), 'Findings:\n  none\n');
});

test('--list-findings lists every registered id with severity and description', () => {
  const lines = renderFindingsList().trimEnd().split('\n');
  assert.equal(lines.length, Object.keys(FINDINGS).length);
  for (const [id, def] of Object.entries(FINDINGS)) {
    const line = lines.find((l) => l.startsWith(`${id} `));
    assert.ok(line, id);
    assert.ok(line.includes(` ${def.severity} `) && line.endsWith(def.description), line);
  }
});

test('IPsec: ESP line, and AH as a prefix of the protected protocol', () => {
  const ip = layer('ipv4', { 'ip.src': '10.0.0.1', 'ip.dst': '10.0.0.2', 'ip.proto': 50 }, 14);
  const esp = { raw: raw(1, { data: new Uint8Array(150) }), layers: [layer('eth', {}), ip, layer('esp', { 'esp.spi': 0x1000, 'esp.sequence': 26 }, 34)], annotations: [], derived: {} };
  assert.equal(renderFrameSummary(esp, P), '10.0.0.1 > 10.0.0.2: ESP(spi=0x00001000,seq=0x1a), length 116');
  const c = carpFrame();
  const ah = { ...c, layers: [...c.layers.slice(0, 2), layer('ah', { 'ah.spi': 0x2000, 'ah.sequence': 1 }, 34), ...c.layers.slice(2)] };
  assert.match(renderFrameSummary(ah, P), /^10\.77\.0\.1 > 224\.0\.0\.18: AH\(spi=0x00002000,seq=0x1\): CARPv2 advertise vhid 7 /);
});

test('summary epoch strings are rendered in the -t style (parseEpoch / epochTextOf)', () => {
  assert.deepEqual(parseEpoch('1700000000.000123'), { sec: 1700000000, nsec: 123000, digits: 6 });
  assert.deepEqual(parseEpoch('1700000000'), { sec: 1700000000, nsec: 0, digits: 0 });
  assert.equal(parseEpoch('end'), undefined);
  const utc = epochTextOf(new TimestampFormatter('ad', true));
  assert.equal(utc('1700000000.000123'), '2023-11-14 22:13:20.000123');
  assert.equal(epochTextOf(new TimestampFormatter('e', true))('1700000000.000123'), '1700000000.000123');
  assert.equal(utc('not a time'), 'not a time');
});

test('-V places a derived field under its parent field (placeDerived)', () => {
  const keys = ['carp.vhid', 'carp.hmac', 'carp.interval', 'carp.hmac.status', 'carp.hmac.variant', 'carp.vip'];
  const derived = new Set(['carp.hmac.status', 'carp.hmac.variant', 'carp.vip']);
  assert.deepEqual(placeDerived(keys, derived),
    ['carp.vhid', 'carp.hmac', 'carp.hmac.status', 'carp.hmac.variant', 'carp.interval', 'carp.vip']);
});
