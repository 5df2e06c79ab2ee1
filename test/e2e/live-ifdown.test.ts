// The captured interface goes down mid-capture (a pulled cable, `ip link set down`) or is
// deleted (`ip link del`): carpdump must not crash (cap alone aborts its process), but end
// with one error line and exit 1, after a complete -w file and the summary, as for a truncated
// capture file, with the kernel's counters (read through the socket, which outlives the
// capture worker) adding up to what was captured and counted as dropped.
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Lab, waitFor, type SpawnedProcess } from '../netns/lab.js';
import { skipReason } from '../support/skip.js';
import { liveCounters, packets, parseJsonl, startCarpdump, summaryOf, tcpdumpCount, LIVE_BACKENDS } from './carpdump-run.js';

const skip = skipReason({ lab: true, commands: ['keepalived', 'tcpdump'] });

const CONFIG = (iface: string): string => `vrrp_instance A { state MASTER
    interface ${iface}
    virtual_router_id 71
    priority 150
    advert_int 1
    version 3
    virtual_ipaddress { 10.77.0.71/24 } }
`;

/** Capture keepalived's adverts on pa, run ACTION on pa after 3 of them, check the end. */
async function loseInterface(backend: string, action: readonly string[], expectedError: string): Promise<void> {
  const lab = Lab.create();
  try {
    lab.startKeepalived(lab.a, CONFIG(lab.a.iface));
    const pcapFile = join(lab.dir, 'ifdown.pcap');
    // Capture on A's port of the bridge, inside the monitor namespace.
    const cd = await startCarpdump(lab, ['--capture-backend', backend, '-i', 'pa', '-T', 'jsonl', '-l', '-w', pcapFile]);
    await waitFor('3 VRRP adverts', () => packets(parseJsonl(cd.stdout().slice(0, cd.stdout().lastIndexOf('\n') + 1))).filter((p) => p.layers.vrrp).length >= 3, 20_000);
    lab.exec(lab.monitor.ns, ['ip', 'link', ...action]);
    await waitFor('carpdump to end', () => cd.child.exitCode !== null || cd.child.signalCode !== null, 15_000);
    checkEnd(cd, pcapFile, expectedError);
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), []);
}

function checkEnd(cd: SpawnedProcess, pcapFile: string, expectedError: string): void {
  assert.equal(cd.child.signalCode, null, `carpdump must not die of a signal; stderr: ${cd.stderr()}`);
  assert.equal(cd.child.exitCode, 1, cd.stderr());
  const errors = cd.stderr().split('\n').filter((l) => l.startsWith('carpdump: '));
  assert.deepEqual(errors, [expectedError]);
  const objs = parseJsonl(cd.stdout());
  const summary = summaryOf(objs);
  assert.ok(summary, 'the summary is printed');
  const frames = Number(summary.frames);
  assert.ok(frames >= 3);
  assert.equal(tcpdumpCount(pcapFile), frames, 'the -w file is complete');
  // The kernel counters outlive the worker (the counter helper holds the socket): known, and exact.
  assert.doesNotMatch(cd.stderr(), /unknown/);
  const c = liveCounters(cd.stderr());
  assert.equal(c.captured, frames);
  assert.equal(frames + (c.kernel ?? NaN) + (c.queueFull ?? NaN) + (c.stopped ?? NaN), c.received, cd.stderr());
}

for (const backend of LIVE_BACKENDS) test(`interface down during capture (--capture-backend ${backend}): one error line, exit 1, summary, a complete -w file, known counters`, { skip, timeout: 60_000 }, async () => {
  await loseInterface(backend, ['set', 'pa', 'down'], 'carpdump: pa: the interface went down; capture stopped');
});

for (const backend of LIVE_BACKENDS) test(`interface deleted during capture (--capture-backend ${backend}): "interface pa went away", exit 1, frames up to it kept, known counters`, { skip, timeout: 60_000 }, async () => {
  await loseInterface(backend, ['del', 'pa'], 'carpdump: interface pa went away; capture stopped');
});
