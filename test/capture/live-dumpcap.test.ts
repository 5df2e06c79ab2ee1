// The dumpcap capture backend's pure parts: the command line it runs (run for real by
// test/e2e/live-dumpcap.test.ts), the counters read from the Interface Statistics Blocks at
// the end of its pcapng stream (blocks built here field by field, both byte orders), and its
// error lines.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dumpcapArgs, dumpcapErrors, DUMPCAP_MAX_SNAPLEN, isbCounters } from '../../src/capture/live-dumpcap.js';
import { DEFAULT_LIVE_FILTER } from '../../src/capture/live.js';
import { carpdump } from '../support/cli.js';

test('dumpcapArgs: -s 0 is the maximum, -B in MiB (rounded up), -p only when asked, the filter with -f', () => {
  const base = dumpcapArgs({ iface: 'eth0', filter: '', snaplen: 0, promisc: true });
  assert.deepEqual(base.slice(0, 5), ['-i', 'eth0', '-w', '-', '-q']);
  assert.equal(base[base.indexOf('-s') + 1], String(DUMPCAP_MAX_SNAPLEN));
  assert.equal(base[base.indexOf('-B') + 1], '32');
  assert.deepEqual(base.slice(-2), ['-f', DEFAULT_LIVE_FILTER]);
  assert.ok(!base.includes('-p'));
  const all = dumpcapArgs({ iface: 'any', filter: ' arp ', snaplen: 96, promisc: false, bufferSize: 4097 * 1024 });
  assert.equal(all[all.indexOf('-s') + 1], '96');
  assert.equal(all[all.indexOf('-B') + 1], '5');
  assert.ok(all.includes('-p'));
  assert.deepEqual(all.slice(-2), ['-f', 'arp']);
  const tiny = dumpcapArgs({ iface: 'x', filter: '', snaplen: 0, promisc: true, bufferSize: 1 });
  assert.equal(tiny[tiny.indexOf('-B') + 1], '1', 'at least 1 MiB');
});

/** An Interface Statistics Block: type 5, length, interface id, timestamp, options, length. */
function isb(le: boolean, ifId: number, options: [code: number, value: bigint | string][]): Buffer {
  const opts: Buffer[] = [];
  for (const [code, value] of options) {
    const body = typeof value === 'bigint' ? Buffer.alloc(8) : Buffer.from(value, 'utf8');
    if (typeof value === 'bigint') (le ? body.writeBigUInt64LE(value) : body.writeBigUInt64BE(value));
    const head = Buffer.alloc(4);
    if (le) { head.writeUInt16LE(code, 0); head.writeUInt16LE(body.length, 2); } else { head.writeUInt16BE(code, 0); head.writeUInt16BE(body.length, 2); }
    opts.push(head, body, Buffer.alloc((4 - (body.length % 4)) % 4)); // padded to 32 bits
  }
  opts.push(Buffer.alloc(4)); // opt_endofopt
  const body = Buffer.concat(opts);
  const length = 20 + body.length + 4;
  const b = Buffer.alloc(length);
  const w = (v: number, off: number): number => (le ? b.writeUInt32LE(v, off) : b.writeUInt32BE(v, off));
  w(5, 0); // block type: ISB
  w(length, 4); // block total length
  w(ifId, 8); // interface id
  w(0x0005f000, 12); // timestamp (high)
  w(0x12345678, 16); // timestamp (low)
  body.copy(b, 20);
  w(length, length - 4); // block total length again
  return b;
}

/** An Enhanced Packet Block of 4 data bytes (what precedes the ISBs in a stream). */
function epb(le: boolean): Buffer {
  const b = Buffer.alloc(36);
  const w = (v: number, off: number): number => (le ? b.writeUInt32LE(v, off) : b.writeUInt32BE(v, off));
  w(6, 0); w(36, 4); w(0, 8); w(0, 12); w(0, 16); w(4, 20); w(4, 24); w(36, 32);
  return b;
}

for (const le of [true, false]) {
  test(`isbCounters (${le ? 'little' : 'big'}-endian): ifrecv and ifdrop of the closing statistics blocks, summed over interfaces`, () => {
    const one = Buffer.concat([epb(le), isb(le, 0, [[1, 'Counters provided by dumpcap'], [2, 1n], [3, 2n], [4, 110n], [5, 3n]])]);
    assert.deepEqual(isbCounters(one, le), { received: 110, dropped: 3 });
    const two = Buffer.concat([epb(le), isb(le, 0, [[4, 10n], [5, 1n]]), isb(le, 1, [[4, 5n], [5, 0n]])]);
    assert.deepEqual(isbCounters(two, le), { received: 15, dropped: 1 });
    // Not (yet) ended by an ISB, a cut tail, nothing: no counters, never zeros.
    assert.deepEqual(isbCounters(epb(le), le), {});
    assert.deepEqual(isbCounters(one.subarray(0, one.length - 1), le), {});
    assert.deepEqual(isbCounters(Buffer.alloc(0), le), {});
    // Only the tail of the stream was kept: the ISB is complete, what is before it is not.
    assert.deepEqual(isbCounters(one.subarray(10), le), { received: 110, dropped: 3 });
  });
}

test('dumpcapErrors: its banners and counters are not errors', () => {
  const stderr = "Capturing on 'br0'\nFile: -\n\rPackets: 11 \rPackets captured: 11\nPackets received/dropped on interface 'br0': 11/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)\n";
  assert.deepEqual(dumpcapErrors(stderr), []);
  assert.deepEqual(dumpcapErrors('dumpcap: There is no device named "nope".\n'), ['There is no device named "nope".']);
});

test('--capture-backend dumpcap without dumpcap: one line naming it, exit 1; nano timestamps need tcpdump (exit 2)', () => {
  const r = carpdump(['-i', 'lo', '--capture-backend', 'dumpcap'], { CARPDUMP_DUMPCAP: '/nonexistent/dumpcap' });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^carpdump: lo: cannot run \/nonexistent\/dumpcap: .*ENOENT.*\n$/);
  const nano = carpdump(['-i', 'lo', '--capture-backend', 'dumpcap', '--time-stamp-precision', 'nano']);
  assert.equal(nano.status, 2, nano.stderr);
  assert.match(nano.stderr, /needs the tcpdump capture backend/);
});
