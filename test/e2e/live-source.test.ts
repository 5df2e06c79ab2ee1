// openLiveCapture() itself, on a lab segment with keepalived advertising (about 3 adverts/s):
// frame numbering, microsecond receive times, link type, snap length applied, frames that
// arrived before run() delivered, ticks every ~200 ms interleaved without time going
// backwards, kernel counters, and a process that ends by itself after stop().
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIVE_FILTER, TICK_INTERVAL_MS } from '../../src/capture/live.js';
import { Lab, waitFor } from '../netns/lab.js';
import { skipReason } from '../support/skip.js';
import { captureIsOpen } from './carpdump-run.js';

const PROBE = join(dirname(fileURLToPath(import.meta.url)), 'live-source-probe.js');

const skip = skipReason({ lab: true, commands: ['keepalived'] });

const CONFIG = (iface: string): string => `global_defs {
    router_id carpdump_source
}
vrrp_instance A { state MASTER
    interface ${iface}
    virtual_router_id 61
    priority 150
    advert_int 1
    version 3
    virtual_ipaddress { 10.77.0.61/24 } }
vrrp_instance B { state MASTER
    interface ${iface}
    virtual_router_id 62
    priority 150
    advert_int 1
    version 3
    virtual_ipaddress { fd77::62/64 } }
`;

interface ProbeEvent {
  kind: 'frame' | 'tick';
  micros: number;
  number?: number;
  tsDigits?: number;
  linktype?: number;
  capturedLength?: number;
  originalLength?: number;
  dataLength?: number;
}

interface ProbeResult {
  linktype: number;
  linktypeName: string;
  snaplen: number;
  filter: string;
  runStartedMicros: number;
  events: ProbeEvent[];
  stats: { received: number; dropped: number; ifDropped: number; fromKernel: boolean; queueDropped?: number; stopDropped?: number };
}

const SNAPLEN = 60;
const DELAY_MS = 2500;
const DURATION_MS = 3000;

test('openLiveCapture: frames, times, snap length, early frames, ticks, counters, clean stop', { skip, timeout: 60_000 }, async () => {
  const lab = Lab.create();
  try {
    const ka = lab.startKeepalived(lab.a, CONFIG(lab.a.iface));
    // Both instances advertising before the capture opens, so frames arrive during the delay.
    const masters = (): number => (ka.stdout() + ka.stderr()).split('Entering MASTER STATE').length - 1;
    await waitFor('keepalived to become master of both instances', () => masters() >= 2, 20_000);
    const probe = lab.spawn(lab.monitor.ns, 'probe', [process.execPath, PROBE, lab.monitor.iface, String(SNAPLEN), String(DELAY_MS), String(DURATION_MS)]);
    const pid = probe.child.pid ?? -1;
    await waitFor('the probe to open its capture', () => probe.child.exitCode !== null || captureIsOpen(lab, lab.monitor.ns, pid), 20_000);
    // It must end by itself once stopped: cap's handle no longer holds the event loop.
    await waitFor('the probe to end by itself', () => probe.child.exitCode !== null, DELAY_MS + DURATION_MS + 10_000);
    assert.equal(await probe.exited, 0, probe.stderr());
    const r = JSON.parse(probe.stdout()) as ProbeResult;

    assert.equal(r.linktype, 1);
    assert.equal(r.linktypeName, 'ETHERNET');
    assert.equal(r.snaplen, SNAPLEN);
    assert.equal(r.filter, DEFAULT_LIVE_FILTER);

    const frames = r.events.filter((e) => e.kind === 'frame');
    const ticks = r.events.filter((e) => e.kind === 'tick');
    assert.ok(frames.length >= 6, `frames: ${frames.length}`);
    assert.deepEqual(frames.map((f) => f.number), frames.map((_, i) => i + 1), 'numbered 1..n in order');
    for (const f of frames) {
      assert.equal(f.tsDigits, 6);
      assert.equal(f.linktype, 1);
      assert.equal(f.capturedLength, Math.min(SNAPLEN, f.originalLength ?? 0));
      assert.equal(f.dataLength, f.capturedLength);
    }
    assert.ok(frames.some((f) => (f.originalLength ?? 0) > SNAPLEN), 'some frame was cut at the snap length');

    // Frames that arrived between open and run() were kept and delivered first.
    assert.ok((frames[0]?.micros ?? Infinity) < r.runStartedMicros, 'frames from before run() are delivered');

    // One clock for frames and ticks: never backwards, in delivery order (early frames aside).
    const live = r.events.filter((e) => e.kind === 'tick' || e.micros >= r.runStartedMicros);
    for (let i = 1; i < live.length; i++) {
      assert.ok((live[i]?.micros ?? 0) >= (live[i - 1]?.micros ?? 0), `time goes backwards at event ${i}`);
    }
    // Ticks while running, in order with the frames. How many, and how far apart, depends on
    // the machine's load: a loaded machine only delays ticks, so the count has an upper bound
    // (at most one per interval) and a loose lower one (some tick came); the timing itself is
    // the benchmark's business.
    const expected = DURATION_MS / TICK_INTERVAL_MS;
    const runTicks = ticks.filter((t) => t.micros >= r.runStartedMicros).length;
    assert.ok(runTicks >= 1 && runTicks <= expected + 1, `ticks while running: ${runTicks}, at most ~${expected}`);

    // Kernel counters (PACKET_STATISTICS): everything that passed the filter; drops are
    // possible on a loaded machine, so they are only checked to be a count, not zero.
    assert.equal(r.stats.fromKernel, true);
    assert.ok(r.stats.received >= frames.length, `received ${r.stats.received} >= ${frames.length}`);
    // Counts, not zero drops (a loaded machine may drop): every frame is analysed or counted.
    assert.equal(frames.length + r.stats.dropped + (r.stats.queueDropped ?? NaN) + (r.stats.stopDropped ?? NaN), r.stats.received);
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), []);
});
