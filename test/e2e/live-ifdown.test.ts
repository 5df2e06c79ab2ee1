// The captured interface goes down mid-capture (a pulled cable, `ip link set down`): carpdump
// must not crash (cap alone aborts its process), but end with one error line and exit 1,
// after a complete -w file and the summary, as for a truncated capture file.
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { haveCommand, Lab, labSkipReason, waitFor } from '../netns/lab.js';
import { packets, parseJsonl, startCarpdump, summaryOf, tcpdumpCount } from './carpdump-run.js';

function skipReason(): string | undefined {
  const lab = labSkipReason();
  if (lab) return lab;
  for (const cmd of ['keepalived', 'tcpdump']) {
    if (!haveCommand(cmd)) {
      if (process.env.CI === 'true') throw new Error(`${cmd} is not installed (.ci/run installs it)`);
      return `${cmd} is not installed`;
    }
  }
  return undefined;
}

const CONFIG = (iface: string): string => `vrrp_instance A { state MASTER
    interface ${iface}
    virtual_router_id 71
    priority 150
    advert_int 1
    version 3
    virtual_ipaddress { 10.77.0.71/24 } }
`;

test('interface down during capture: one error line, exit 1, summary and a complete -w file', { skip: skipReason(), timeout: 60_000 }, async () => {
  const lab = Lab.create();
  try {
    lab.startKeepalived(lab.a, CONFIG(lab.a.iface));
    const pcapFile = join(lab.dir, 'ifdown.pcap');
    // Capture on A's port of the bridge, inside the monitor namespace.
    const cd = await startCarpdump(lab, ['-i', 'pa', '-T', 'jsonl', '-l', '-w', pcapFile]);
    await waitFor('3 VRRP adverts', () => packets(parseJsonl(cd.stdout().slice(0, cd.stdout().lastIndexOf('\n') + 1))).filter((p) => p.layers.vrrp).length >= 3, 20_000);
    lab.exec(lab.monitor.ns, ['ip', 'link', 'set', 'pa', 'down']);
    await waitFor('carpdump to end', () => cd.child.exitCode !== null || cd.child.signalCode !== null, 15_000);

    assert.equal(cd.child.signalCode, null, `carpdump must not die of a signal; stderr: ${cd.stderr()}`);
    assert.equal(cd.child.exitCode, 1, cd.stderr());
    const errors = cd.stderr().split('\n').filter((l) => l.startsWith('carpdump: '));
    assert.deepEqual(errors, ['carpdump: pa: the interface went down; capture stopped']);
    // The kernel counters went with the interface: no made-up "0 dropped".
    assert.match(cd.stderr(), /^packets dropped by kernel: unknown/m);

    const objs = parseJsonl(cd.stdout());
    const summary = summaryOf(objs);
    assert.ok(summary, 'the summary is printed');
    const frames = Number(summary.frames);
    assert.ok(frames >= 3);
    assert.equal(tcpdumpCount(pcapFile), frames, 'the -w file is complete');
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), []);
});
