// The dumpcap capture backend (--capture-backend dumpcap, live-dumpcap.ts) with a real ucarp
// node in the lab: dumpcap's pcapng stream goes through carpdump's pcapng reader, every advert
// is decoded and its HMAC verified, -p leaves promiscuous mode off (the kernel's promiscuity
// count is unchanged), -f filters, and the counters come from dumpcap's interface statistics
// block and add up exactly with nothing dropped. Beside it, `-i any -s 64`: Linux cooked
// frames, cut at 64 bytes by dumpcap.
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { Lab, monitorPromiscuity, sleep, waitFor } from '../netns/lab.js';
import { skipReason } from '../support/skip.js';
import { carpAdverts, liveCounters, packets, parseJsonl, startCarpdump, summaryOf, tcpdumpCount } from './carpdump-run.js';

const VHID = 11;
const PASS = 'e2e-dumpcap-backend';
const SNAPLEN = 200;
const SHORT = 64;

const skip = skipReason({ lab: true, commands: ['ucarp', 'dumpcap', 'tcpdump'] });

test('dumpcap backend: real ucarp adverts decoded and verified, -p, -f, -i any -s, exact counters from the statistics block', { skip, timeout: 90_000 }, async () => {
  const lab = Lab.create();
  try {
    const base = monitorPromiscuity(lab);
    const file = join(lab.dir, 'dumpcap.pcap');
    lab.startUcarp(lab.a, { vhid: VHID, pass: PASS, vip: '10.77.0.111', advskew: 0 });
    const cd = await startCarpdump(lab, [
      '--capture-backend', 'dumpcap', '-i', lab.monitor.iface, '-T', 'jsonl', '-l', '-p', '-s', String(SNAPLEN), '-B', '4096',
      '-f', 'ip proto 112', '--carp-pass', `${VHID}:${PASS}`, '-w', file,
    ], 'carpdump-dumpcap');
    const anyFile = join(lab.dir, 'any.pcap');
    const any = await startCarpdump(lab, ['--capture-backend', 'dumpcap', '-i', 'any', '-T', 'jsonl', '-l', '-s', String(SHORT), '-f', 'ip proto 112', '-w', anyFile], 'carpdump-dumpcap-any');
    await waitFor('4 adverts', () => carpAdverts(packets(parseJsonl(cd.stdout().slice(0, cd.stdout().lastIndexOf('\n') + 1)))).length >= 4, 30_000);
    const during = monitorPromiscuity(lab);
    // Ctrl-C right after an advert: it is still analysed (the socket is shut and dumpcap drains).
    await sleep(100);
    assert.equal(await lab.stop(cd, 'SIGINT'), 0, cd.stderr());
    assert.equal(await lab.stop(any, 'SIGINT'), 0, any.stderr());
    assert.equal(during, base, 'with -p dumpcap leaves promiscuous mode off');

    const objs = parseJsonl(cd.stdout());
    const adverts = carpAdverts(packets(objs));
    assert.ok(adverts.length >= 4);
    for (const x of adverts) {
      assert.equal(x.src, lab.a.ipv4);
      assert.equal(x.carp['carp.vhid'], VHID);
    }
    assert.deepEqual([...new Set(adverts.map((x) => x.carp['carp.hmac.status']))], ['good']);
    assert.match(cd.stderr(), new RegExp(`^listening on ${lab.monitor.iface}, link-type EN10MB \\(Ethernet\\), snapshot length ${SNAPLEN} bytes$`, 'm'));
    // The -w file: every analysed frame, each cut at the snap length, as tcpdump reads it.
    const frames = Number(summaryOf(objs)?.frames);
    assert.equal(tcpdumpCount(file), frames);
    const lengths = execFileSync('tcpdump', ['-n', '-e', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.ok(lengths.split('\n').filter((l) => l.trim() !== '').every((l) => /ip-proto-112|CARP|VRRP/i.test(l)), `only IP protocol 112 (-f): ${lengths}`);
    // -i any -s 64: Linux cooked frames (16-byte header), each cut at 64 bytes by dumpcap.
    const anyObjs = parseJsonl(any.stdout());
    assert.ok(carpAdverts(packets(anyObjs)).length >= 4, any.stdout());
    assert.match(any.stderr(), new RegExp(`^listening on any, link-type LINUX_SLL \\(Linux cooked v1\\), snapshot length ${SHORT} bytes$`, 'm'));
    const caplens = execFileSync('tshark', ['-r', anyFile, '-T', 'fields', '-e', 'frame.cap_len', '-e', 'frame.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n').filter((l) => l.trim() !== '');
    assert.equal(caplens.length, Number(summaryOf(anyObjs)?.frames));
    assert.ok(caplens.every((l) => l === `${SHORT}\t72`), `every 72-byte cooked frame (16 + IPv4 20 + CARP 36) cut at ${SHORT}: ${caplens.join(' ')}`);
    // Counters from dumpcap's ISB: known, exact, nothing dropped at one advert per second.
    const c = liveCounters(cd.stderr());
    assert.equal(c.captured, frames);
    assert.equal(c.received, frames, cd.stderr());
    assert.deepEqual([c.kernel, c.queueFull, c.stopped], [0, 0, 0], cd.stderr());
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), []);
});
