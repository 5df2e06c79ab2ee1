// Unit tests of the live-capture helpers that need no interface: link-type mapping, snap
// length, error classification, -D formatting, /proc/net/packet parsing. The capture itself
// is tested end to end in test/e2e/.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatInterfaceLine, prefixLength, statusWords } from '../../src/capture/interfaces.js';
import {
  CAP_MAX_SNAPLEN,
  DEFAULT_LIVE_FILTER,
  describeOpenError,
  effectiveSnaplen,
  linktypeOfCapName,
  nowMicros,
} from '../../src/capture/live.js';
import { decodeJson, encodeHeader, encodeJsonRecord, RECORD, WireParser, type WireRecord } from '../../src/capture/live-wire.js';
import { newSocketInode, parsePacketTable } from '../../src/capture/socket-drops.js';
import { EXIT } from '../../src/errors.js';

test('link-type names from cap map to LINKTYPE_* values', () => {
  const cases: [string, number | undefined][] = [
    ['ETHERNET', 1],
    ['LINKTYPE_LINUX_SLL', 113],
    ['NULL', 0],
    ['RAW', 101],
    ['IEEE802_11_RADIO', 127],
    ['Unknown linktype 276', 276], // LINUX_SLL2: DLT == LINKTYPE
    ['Unknown linktype 12', 101], // DLT_RAW on Linux is LINKTYPE_RAW
    ['Unknown linktype 14', 101],
    ['something else', undefined],
  ];
  for (const [name, want] of cases) assert.equal(linktypeOfCapName(name), want, name);
});

test('snap length: 0 and out-of-range mean the maximum cap can capture', () => {
  assert.equal(effectiveSnaplen(0), CAP_MAX_SNAPLEN);
  assert.equal(effectiveSnaplen(262144), CAP_MAX_SNAPLEN);
  assert.equal(effectiveSnaplen(-1), CAP_MAX_SNAPLEN);
  assert.equal(effectiveSnaplen(96), 96);
  assert.equal(effectiveSnaplen(1500.7), 1500);
});

test('the default kernel filter names every protocol carpdump analyzes', () => {
  for (const term of ['ip proto 112', 'ip6 proto 112', 'ip proto 240', 'ip6 proto 240', 'arp', 'icmp6']) {
    assert.ok(DEFAULT_LIVE_FILTER.split(' or ').includes(term), term);
  }
});

test('open errors become one-line messages with exit status 1', () => {
  const cases: [string, RegExp][] = [
    ['No such device exists', /^eth9: no such interface \(carpdump -D lists them\)$/],
    ['SIOCGIFINDEX: No such device', /^eth9: no such interface/],
    ['socket: Operation not permitted', /^eth9: you don't have permission to capture.*root.*CAP_NET_RAW/],
    ["You don't have permission to capture on that device", /permission.*CAP_NET_RAW/],
    ['That device is not up', /^eth9: cannot capture: That device is not up$/],
  ];
  for (const [message, want] of cases) {
    const err = describeOpenError('eth9', `${message}\n`);
    assert.equal(err.exitCode, EXIT.input);
    assert.match(err.message, want);
    assert.ok(!err.message.includes('\n'), 'one line');
  }
});

test('receive clock: microseconds, non-decreasing, near Date.now()', () => {
  const a = nowMicros();
  const b = nowMicros();
  assert.ok(Number.isInteger(a) && b >= a);
  assert.ok(Math.abs(a / 1000 - Date.now()) < 1000);
});

test('netmask prefix lengths (IPv4 and IPv6; non-contiguous masks have none)', () => {
  const cases: [string, number | undefined][] = [
    ['255.255.255.0', 24],
    ['255.0.0.0', 8],
    ['255.255.255.255', 32],
    ['0.0.0.0', 0],
    ['255.0.255.0', undefined],
    ['ffff:ffff:ffff:ffff::', 64],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 128],
    ['ffff:ff00::', 24],
    ['::', 0],
    ['ffff::ffff', undefined],
    ['1.2.3', undefined],
  ];
  for (const [mask, want] of cases) assert.equal(prefixLength(mask), want, mask);
});

test('-D lines: number, name, description, status words, addresses', () => {
  assert.equal(
    formatInterfaceLine(1, { name: 'eth0', addresses: [{ addr: '192.0.2.2', netmask: '255.255.255.0' }, { addr: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::' }] }, 0x1 | 0x40),
    '1.eth0 [Up, Running] 192.0.2.2/24 fe80::1/64',
  );
  assert.equal(
    formatInterfaceLine(3, { name: 'lo', addresses: [{ addr: '127.0.0.1', netmask: '255.0.0.0' }], flags: 'PCAP_IF_LOOPBACK' }, 0x1 | 0x8 | 0x40),
    '3.lo [Up, Running, Loopback] 127.0.0.1/8',
  );
  assert.equal(formatInterfaceLine(7, { name: 'nflog', description: 'Linux netfilter log (NFLOG) interface', addresses: [] }, undefined), '7.nflog (Linux netfilter log (NFLOG) interface) [none]');
  assert.equal(formatInterfaceLine(2, { name: 'ppp0', addresses: [{ addr: '10.0.0.1' }] }, 0x1), '2.ppp0 [Up] 10.0.0.1');
  assert.deepEqual(statusWords(0, true), ['Loopback']);
});

test('/proc/net/packet rows and the socket that appeared while opening', () => {
  const text =
    'sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n' +
    '00000000a6bdc7e8 3      3    0003   6     1 0      0      12746 \n' +
    '00000000b6bdc7e8 3      3    0003   0     1 0      0      12800 \n' +
    'garbage line\n';
  assert.deepEqual(parsePacketTable(text), [
    { ifindex: 6, inode: 12746 },
    { ifindex: 0, inode: 12800 },
  ]);
  assert.equal(newSocketInode(new Set([12746]), new Set([12746, 12800])), 12800);
  assert.equal(newSocketInode(new Set(), new Set([1, 2])), undefined, 'ambiguous: unknown, not a guess');
  assert.equal(newSocketInode(new Set([1]), new Set([1])), undefined);
});

test('worker stream: records survive any chunking, one byte at a time included', () => {
  const frame = Buffer.from([1, 2, 3, 4, 5, 6, 7]);
  const stream = Buffer.concat([
    encodeJsonRecord(RECORD.ready, { linktypeName: 'ETHERNET' }),
    encodeHeader(RECORD.frame, 1_700_000_000, 123_456, 1514, frame.length),
    frame,
    encodeHeader(RECORD.tick, 1_700_000_001, 5, 0, 0),
    encodeJsonRecord(RECORD.stats, { known: true, packets: 3, drops: 1 }),
  ]);
  const describe = (r: WireRecord): string => `${r.type}:${r.sec}.${r.usec}:${r.originalLength}:${Buffer.from(r.payload).toString('hex')}`;
  const whole: string[] = [];
  new WireParser((r) => whole.push(describe(r))).push(stream);
  assert.equal(whole.length, 4);
  assert.equal(whole[1], `${RECORD.frame}:1700000000.123456:1514:01020304050607`);
  assert.equal(whole[2], `${RECORD.tick}:1700000001.5:0:`);
  for (const size of [1, 3, 19, 20, 21, 64]) {
    const got: string[] = [];
    const parser = new WireParser((r) => got.push(describe(r)));
    for (let i = 0; i < stream.length; i += size) parser.push(stream.subarray(i, i + size));
    assert.deepEqual(got, whole, `chunks of ${size}`);
    assert.equal(parser.leftover, 0);
  }
  const cut = new WireParser(() => undefined);
  cut.push(stream.subarray(0, stream.length - 2));
  assert.ok(cut.leftover > 0, 'an incomplete record is reported as leftover');
  assert.throws(() => new WireParser(() => undefined).push(Buffer.alloc(20, 0x7f)), /bad record type/);
  assert.deepEqual(decodeJson(Buffer.from('{"a":1}')), { a: 1 });
});
