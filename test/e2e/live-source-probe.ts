// Child process for live-source.test.ts, run inside a lab namespace:
//   node live-source-probe.js IFACE SNAPLEN DELAY_MS DURATION_MS
// Opens the capture, waits DELAY_MS before run() (frames arriving meanwhile must still be
// delivered), runs for DURATION_MS, stops, and prints one JSON object with what it saw, in
// the order it saw it. The process must then end by itself (stop() releases the event loop).

import { nowMicros, openLiveCapture } from '../../src/capture/live.js';

interface Event {
  readonly kind: 'frame' | 'tick';
  readonly micros: number;
  readonly number?: number;
  readonly tsDigits?: number;
  readonly linktype?: number;
  readonly capturedLength?: number;
  readonly originalLength?: number;
  readonly dataLength?: number;
}

async function main(): Promise<void> {
  const [iface = '', snaplen = '0', delay = '0', duration = '1000'] = process.argv.slice(2);
  const source = openLiveCapture({ iface, filter: '', snaplen: Number(snaplen), promisc: true });
  await new Promise((r) => setTimeout(r, Number(delay)));
  const runStartedMicros = nowMicros();
  const events: Event[] = [];
  setTimeout(() => source.stop('signal'), Number(duration));
  await source.run(
    (f) => {
      events.push({
        kind: 'frame',
        micros: f.tsSec * 1e6 + f.tsNsec / 1000,
        number: f.number,
        tsDigits: f.tsDigits,
        linktype: f.linktype,
        capturedLength: f.capturedLength,
        originalLength: f.originalLength,
        dataLength: f.data.length,
      });
    },
    (t) => {
      events.push({ kind: 'tick', micros: t.sec * 1e6 + t.nsec / 1000 });
    },
  );
  process.stdout.write(
    JSON.stringify({
      linktype: source.linktype,
      linktypeName: source.linktypeName,
      snaplen: source.snaplen,
      filter: source.filter,
      runStartedMicros,
      events,
      stats: source.stats(),
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
