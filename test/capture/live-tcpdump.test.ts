// The tcpdump capture backend's pure parts: the command line it runs (checked against the flags
// of tcpdump 4.99 by the lab tests, which run it) and the counters it reads from tcpdump's stderr.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInterimCounters, parseTcpdumpCounters, tcpdumpArgs, TCPDUMP_MAX_SNAPLEN } from '../../src/capture/live-tcpdump.js';
import { DEFAULT_LIVE_FILTER } from '../../src/capture/live.js';

test('tcpdumpArgs: -s 0 is the maximum, -B in KiB, -p and nano only when asked, SLL2 only on any', () => {
  const base = tcpdumpArgs({ iface: 'eth0', filter: '', snaplen: 0, promisc: true });
  assert.deepEqual(base.slice(0, 6), ['-i', 'eth0', '-w', '-', '-U', '-n']);
  assert.equal(base[base.indexOf('-s') + 1], String(TCPDUMP_MAX_SNAPLEN));
  assert.equal(base[base.indexOf('-B') + 1], '32768');
  assert.equal(base[base.length - 1], DEFAULT_LIVE_FILTER);
  for (const flag of ['-p', '--time-stamp-precision=nano', '-y']) assert.ok(!base.includes(flag), flag);

  const all = tcpdumpArgs({ iface: 'any', filter: ' arp ', snaplen: 96, promisc: false, bufferSize: 4096 * 1024, tsPrecision: 'nano' });
  assert.equal(all[all.indexOf('-s') + 1], '96');
  assert.equal(all[all.indexOf('-B') + 1], '4096');
  assert.ok(all.includes('-p'));
  assert.ok(all.includes('--time-stamp-precision=nano'));
  assert.equal(all[all.indexOf('-y') + 1], 'LINUX_SLL2');
  assert.equal(all[all.length - 1], 'arp');
});

test('tcpdump counters: the end-of-run lines, and the latest SIGUSR1 line', () => {
  const stderr = 'tcpdump: listening on br0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n' +
    'tcpdump: 10 packets captured, 12 packets received by filter, 1 packet dropped by kernel\n' +
    'tcpdump: 20 packets captured, 25 packets received by filter, 3 packets dropped by kernel\n';
  assert.deepEqual(parseInterimCounters(stderr), { captured: 20, received: 25, dropped: 3 });
  assert.deepEqual(parseTcpdumpCounters(stderr), {});
  const end = `${stderr}30 packets captured\n41 packets received by filter\n1 packet dropped by kernel\n`;
  assert.deepEqual(parseTcpdumpCounters(end), { captured: 30, received: 41, dropped: 1 });
  assert.equal(parseInterimCounters('tcpdump: listening on x'), undefined);
});
