// Child process for live-queue.test.ts, run inside a lab namespace:
//   node live-queue-probe.js IFACE QUEUE_BYTES SINK_MS
// Opens the capture with a queue of QUEUE_BYTES between libpcap and the sink, and a sink that
// spends SINK_MS per frame (a slow analysis); stops on SIGINT and prints one JSON object:
// the frames the sink got, in order, and the counters.

import { openLiveCapture } from '../../src/capture/live.js';

async function main(): Promise<void> {
  const [iface = '', queueBytes = '32768', sinkMs = '2'] = process.argv.slice(2);
  const source = openLiveCapture({ iface, filter: 'ip proto 112', snaplen: 0, promisc: true, queueBytes: Number(queueBytes) });
  process.on('SIGINT', () => source.stop('signal'));
  const numbers: number[] = [];
  await source.run((f) => {
    numbers.push(f.number);
    const until = performance.now() + Number(sinkMs);
    while (performance.now() < until) {
      // a slow analysis
    }
  });
  process.stdout.write(`${JSON.stringify({ numbers, stats: source.stats() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
