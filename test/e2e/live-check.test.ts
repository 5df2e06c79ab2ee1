// Live end-to-end for --check (Nagios/Icinga plugin mode) with -a duration:5 (autostop): on a
// quiet segment carpdump ends by itself after 5 s and says UNKNOWN (exit 3); against a healthy
// ucarp pair OK (exit 0), and CRITICAL (exit 2) when --expect-master names the backup; against
// a split brain (two ucarp nodes with different passphrases: each drops the other's adverts and
// both advertise as master) CRITICAL naming the VHID (exit 2).
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lab, sleep, type SpawnedProcess } from '../netns/lab.js';
import { CARPDUMP_BIN, REPO_ROOT } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const VHID = 7;
const VIP = '10.77.0.100';

async function check(lab: Lab, extra: string[] = []): Promise<{ status: number | string; line: string; stderr: string; seconds: number }> {
  const start = Date.now();
  const p: SpawnedProcess = lab.spawn(lab.monitor.ns, 'carpdump-check',
    [process.execPath, CARPDUMP_BIN, '-i', lab.monitor.iface, '--check', '-a', 'duration:5', ...extra], { cwd: REPO_ROOT });
  const status = await p.exited;
  return { status, line: p.stdout(), stderr: p.stderr(), seconds: (Date.now() - start) / 1000 };
}

const skip = skipReason({ lab: true, commands: ['ucarp'] });

test('--check -a duration:5 live: UNKNOWN on a quiet segment, OK on a healthy pair, CRITICAL on a split brain', { skip, timeout: 120_000 }, async () => {
  const lab = Lab.create();
  try {
    // Nothing on the segment: the capture stops by itself (autostop) and nothing was heard.
    const quiet = await check(lab);
    assert.equal(quiet.status, 3, `${quiet.line}${quiet.stderr}`);
    assert.match(quiet.line, /^CARPDUMP UNKNOWN - nothing heard on br0 \(no CARP, VRRP or pfsync packet\) \| packets=\d+c /);
    assert.ok(quiet.seconds >= 5 && quiet.seconds < 60, `stopped by -a duration:5 after ${quiet.seconds} s`);

    // A healthy pair: A (advskew 0) master, B (advskew 100) backup and silent.
    const a = lab.startUcarp(lab.a, { vhid: VHID, pass: 'same-secret', vip: VIP, advskew: 0 });
    const b = lab.startUcarp(lab.b, { vhid: VHID, pass: 'same-secret', vip: VIP, advskew: 100 });
    await sleep(5000);
    const [healthy, wrongMaster] = await Promise.all([check(lab, ['--expect-master', `${VHID}:${lab.a.ipv4}`]), check(lab, ['--expect-master', `${VHID}:${lab.b.ipv4}`])]);
    assert.equal(healthy.status, 0, `${healthy.line}${healthy.stderr}`);
    assert.match(healthy.line, new RegExp(`^CARPDUMP OK - vhid ${VHID} master ${lab.a.ipv4.replace(/\./g, '\\.')} since \\d\\d:\\d\\d:\\d\\d \\| .*carp_split_brains=0c `));
    assert.equal(healthy.line.split('\n').length, 2, 'one line');
    assert.equal(wrongMaster.status, 2, wrongMaster.line);
    assert.match(wrongMaster.line, new RegExp(`^CARPDUMP CRITICAL - vhid ${VHID} master is ${lab.a.ipv4.replace(/\./g, '\\.')}, expected ${lab.b.ipv4.replace(/\./g, '\\.')}`));

    // Split brain: different passphrases, so each node drops the other's adverts.
    await lab.stop(a, 'SIGKILL');
    await lab.stop(b, 'SIGKILL');
    lab.startUcarp(lab.a, { vhid: VHID, pass: 'secret-one', vip: VIP, advskew: 0 });
    lab.startUcarp(lab.b, { vhid: VHID, pass: 'secret-two', vip: VIP, advskew: 100 });
    await sleep(5000);
    const split = await check(lab);
    assert.equal(split.status, 2, `${split.line}${split.stderr}`);
    assert.match(split.line, new RegExp(`^CARPDUMP CRITICAL - carp\\.split_brain: VHID ${VHID} \\(ipv4\\): `));
    assert.match(split.line, / carp_split_brains=1c /);
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), [], 'every namespace of the lab is gone');
});
