// What only the tcpdump capture backend can do (--capture-backend tcpdump, live-tcpdump.ts):
// -p really leaves the interface out of promiscuous mode (the kernel's promiscuity count of the
// capture interface, read with `ip -d link`, is unchanged; without -p it goes up by one), and
// --time-stamp-precision nano gives kernel timestamps in nanoseconds, in the output and in the
// -w file (nanosecond pcap magic, read back by tcpdump --nano). Real ucarp adverts in the lab.
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Lab, monitorPromiscuity, sleep, waitFor } from '../netns/lab.js';
import { skipReason } from '../support/skip.js';
import { carpAdverts, packets, parseJsonl, startCarpdump, summaryOf } from './carpdump-run.js';

const VHID = 9;
const PASS = 'e2e-tcpdump-backend';

const skip = skipReason({ lab: true, commands: ['ucarp', 'tcpdump'] });

test('tcpdump backend: -p leaves promiscuous mode off, without -p it is on', { skip, timeout: 90_000 }, async () => {
  const lab = Lab.create();
  try {
    const base = monitorPromiscuity(lab);
    for (const [args, expected] of [[['-p'], base], [[], base + 1]] as const) {
      const cd = await startCarpdump(lab, ['--capture-backend', 'tcpdump', '-i', lab.monitor.iface, '-q', ...args], `carpdump${args.join('')}`);
      // libpcap sets promiscuous mode just after creating the socket startCarpdump waits for.
      await sleep(1000);
      const during = monitorPromiscuity(lab);
      const status = await lab.stop(cd, 'SIGINT');
      assert.equal(status, 0, cd.stderr());
      assert.equal(during, expected, `promiscuity while capturing with [${args.join(' ')}]: ${during}, before: ${base}`);
      assert.doesNotMatch(cd.stderr(), /-p ignored/);
    }
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), []);
});

test('tcpdump backend: --time-stamp-precision nano gives nanosecond kernel timestamps, kept by -w', { skip, timeout: 90_000 }, async () => {
  const lab = Lab.create();
  try {
    const file = join(lab.dir, 'nano.pcap');
    const cd = await startCarpdump(lab, ['--capture-backend', 'tcpdump', '--time-stamp-precision', 'nano', '-i', lab.monitor.iface, '-T', 'jsonl', '-l', '--carp-pass', `${VHID}:${PASS}`, '-w', file], 'carpdump-nano');
    lab.startUcarp(lab.a, { vhid: VHID, pass: PASS, vip: '10.77.0.109', advskew: 0 });
    await waitFor('3 adverts', () => carpAdverts(packets(parseJsonl(cd.stdout().slice(0, cd.stdout().lastIndexOf('\n') + 1)))).length >= 3, 20_000);
    assert.equal(await lab.stop(cd, 'SIGINT'), 0, cd.stderr());
    const objs = parseJsonl(cd.stdout());
    // The jsonl text itself: a JSON number with nine decimals does not survive JSON.parse.
    const stamps = cd.stdout().split('\n').filter((l) => l.includes('"layers"'))
      .map((l) => /"ts":\s*"?(\d+\.\d+)/.exec(l)?.[1] ?? `no ts in ${l}`);
    assert.ok(stamps.length >= 3);
    // Nine digits after the point; kernel nanoseconds are not all whole microseconds.
    for (const ts of stamps) assert.match(ts, /^\d+\.\d{9}$/, `nanosecond timestamp: ${ts}`);
    assert.ok(stamps.some((ts) => !ts.endsWith('000')), `some timestamp below the microsecond: ${stamps.join(' ')}`);
    // The -w file: nanosecond magic, and tcpdump reads the same instants back.
    assert.equal(readFileSync(file).readUInt32LE(0), 0xa1b23c4d, 'nanosecond pcap magic');
    const back = execFileSync('tcpdump', ['-n', '-tt', '--nano', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n').filter((l) => l.trim() !== '').map((l) => l.split(' ')[0]);
    assert.equal(back.length, Number(summaryOf(objs)?.frames));
    // Only CARP/VRRP/pfsync frames are shown (no -A); each one is in the file at the same instant.
    for (const ts of stamps) assert.ok(back.includes(ts), `${ts} in the -w file: ${back.join(' ')}`);
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), []);
});
