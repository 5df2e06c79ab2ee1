// Child process for live-queue.test.ts, run inside a lab namespace:
//   node live-queue-probe.js IFACE QUEUE_BYTES SINK_MS
// Opens the capture with a queue of QUEUE_BYTES between libpcap and the sink, and a sink that
// spends SINK_MS per frame (a slow analysis); stops on SIGINT and prints one JSON object:
// the frames the sink got, in order, the counters, and the peak resident memory of the capture
// worker (this process's child), sampled every 50 frames.

import { readdirSync, readFileSync } from 'node:fs';
import { openLiveCapture } from '../../src/capture/live.js';

/** Resident bytes of this process's children (the capture worker). */
function childrenRss(): number {
  let kb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)$/m.exec(status)?.[1]) !== process.pid) continue;
      kb += Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}

async function main(): Promise<void> {
  const [iface = '', queueBytes = '32768', sinkMs = '2'] = process.argv.slice(2);
  const source = openLiveCapture({ iface, filter: 'ip proto 112', snaplen: 0, promisc: true, queueBytes: Number(queueBytes) });
  process.on('SIGINT', () => source.stop('signal'));
  const numbers: number[] = [];
  let workerPeakRss = 0;
  await source.run((f) => {
    numbers.push(f.number);
    if (f.number % 50 === 1) workerPeakRss = Math.max(workerPeakRss, childrenRss());
    const until = performance.now() + Number(sinkMs);
    while (performance.now() < until) {
      // a slow analysis
    }
  });
  process.stdout.write(`${JSON.stringify({ numbers, stats: source.stats(), workerPeakRss })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
