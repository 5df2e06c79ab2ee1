// Live capture load test (a measurement, not a timed test): replays a project capture
// (samples/ucarp-failover.pcap: real ucarp CARP adverts, so every frame takes the full
// decode + CARP analysis path) with tcpreplay on an isolated namespace segment at several
// rates, up to full speed, while `carpdump -i br0 -q -T jsonl` captures it, and prints per
// rate: packets offered, frames processed, kernel drops (PACKET_STATISTICS, as tcpdump's
// "dropped by kernel"), processed frames per second and per CPU second of carpdump (with its
// capture worker process). A second
// row per rate does the same with a capture-only consumer (openLiveCapture with a sink that
// only counts), to tell the capture layer's limit (cap, libpcap, the kernel ring) from the
// decode + analysis pipeline's.
//
//   npx tsc -p . && node dist/test/bench/live-load.js [--rates 10000,50000,max] [--seconds 2] [--max-packets 200000]
//
// Needs root (namespaces) and tcpreplay; prints why and exits 0 without them. Traffic never
// leaves the lab's namespaces (see test/netns/lab.ts).

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_BUFFER_SIZE } from '../../src/capture/live.js';
import { fileURLToPath } from 'node:url';
import { openLiveCapture } from '../../src/capture/live.js';
import { captureIsOpen, parseJsonl, REPO_ROOT, startCarpdump, summaryOf } from '../e2e/carpdump-run.js';
import { canCreateLabs, haveCommand, Lab, sleep, waitFor, type SpawnedProcess } from '../netns/lab.js';

interface Args {
  readonly rates: readonly (number | 'max')[];
  readonly seconds: number;
  readonly maxPackets: number;
  readonly capture: string;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rates = (get('--rates') ?? '10000,50000,max')
    .split(',')
    .map((r) => (r === 'max' ? ('max' as const) : Number(r)))
    .filter((r) => r === 'max' || (Number.isFinite(r) && r > 0));
  return {
    rates,
    seconds: Number(get('--seconds') ?? 2),
    maxPackets: Number(get('--max-packets') ?? 200_000),
    capture: resolve(REPO_ROOT, get('--capture') ?? 'samples/ucarp-failover.pcap'),
  };
}

const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Fields of /proc/PID/stat after the command name: [0] is field 3 (state). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process and its children (carpdump and its capture worker), in seconds. */
function cpuSeconds(pid: number): number {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && Number(statFields(Number(entry))?.[1]) === pid) pids.push(Number(entry));
  }
  let ticks = 0;
  for (const p of pids) {
    const f = statFields(p);
    // utime is field 14, stime field 15.
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / HZ;
}

interface Row {
  readonly rate: string;
  readonly consumer: Consumer;
  readonly sent: number;
  readonly sentPps: number;
  readonly sendSeconds: number;
  readonly processed: number;
  readonly received: number;
  readonly dropped: number;
  readonly cpu: number;
}

function parseTcpreplay(out: string): { sent: number; seconds: number; pps: number } {
  const actual = /Actual: (\d+) packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(out);
  const rated = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(out);
  if (!actual) throw new Error(`cannot read tcpreplay's output: ${out}`);
  return { sent: Number(actual[1]), seconds: Number(actual[2]), pps: rated ? Number(rated[1]) : NaN };
}

type Consumer = 'carpdump' | 'carpdump + 1 s scrape' | 'capture only';

/** Scrape carpdump's --metrics URL every second from inside the lab (as Prometheus would). */
function startScraper(lab: Lab, carpdump: SpawnedProcess): SpawnedProcess {
  const url = /serving metrics on (http:\/\/\S+)/.exec(carpdump.stderr())?.[1];
  if (!url) throw new Error(`carpdump did not say where it serves metrics: ${carpdump.stderr()}`);
  const script = 'let n=0;const u=process.argv[1];setInterval(()=>fetch(u).then((r)=>r.text()).then(()=>{n++}),1000);' +
    "process.on('SIGTERM',()=>{console.log(n);process.exit(0)})";
  return lab.spawn(lab.monitor.ns, 'scraper', [process.execPath, '-e', script, url]);
}

/** The capture-only consumer: `live-load.js --count-only IFACE` prints {frames, stats} on SIGINT. */
async function startCounter(lab: Lab, name: string): Promise<SpawnedProcess> {
  const self = fileURLToPath(import.meta.url);
  const p = lab.spawn(lab.monitor.ns, name, [process.execPath, self, '--count-only', lab.monitor.iface]);
  const pid = p.child.pid ?? -1;
  await waitFor(`${name} to open its capture`, () => captureIsOpen(lab, lab.monitor.ns, pid), 20_000);
  return p;
}

async function countOnly(iface: string): Promise<void> {
  const source = openLiveCapture({ iface, filter: '', snaplen: 0, promisc: true });
  let frames = 0;
  process.on('SIGINT', () => source.stop());
  await source.run(() => {
    frames++;
  });
  console.log(JSON.stringify({ frames, stats: source.stats() }));
}

async function runRate(lab: Lab, args: Args, rate: number | 'max', consumer: Consumer): Promise<Row> {
  const scrape = consumer === 'carpdump + 1 s scrape';
  const carpdump =
    consumer !== 'capture only'
      ? await startCarpdump(lab, ['-i', lab.monitor.iface, '-q', '-T', 'jsonl', ...(scrape ? ['--metrics', '127.0.0.1:0'] : [])], `carpdump@${rate}`)
      : await startCounter(lab, `counter@${rate}`);
  const scraper = scrape ? startScraper(lab, carpdump) : undefined;
  const pid = carpdump.child.pid;
  if (pid === undefined) throw new Error('carpdump has no pid');
  await sleep(300);
  const cpuBefore = cpuSeconds(pid);
  const limit = rate === 'max' ? args.maxPackets : Math.min(args.maxPackets, Math.round(rate * args.seconds));
  const speed = rate === 'max' ? ['--topspeed'] : [`--pps=${rate}`];
  const replay = lab.exec(lab.a.ns, ['tcpreplay', '-q', '-i', lab.a.iface, ...speed, '--loop=0', `--limit=${limit}`, args.capture]);
  const sent = parseTcpreplay(replay);
  // Let carpdump drain what the kernel ring still holds, then stop it as a user would.
  await waitIdle(carpdump, pid);
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (scraper) {
    await lab.stop(scraper, 'SIGTERM');
    console.error(`live-load: ${rate} pps: ${scraper.stdout().trim()} scrapes of carpdump's /metrics during the run`);
  }
  const status = await lab.stop(carpdump, 'SIGINT', 20_000);
  if (status !== 0) throw new Error(`carpdump ended with ${status}: ${carpdump.stderr()}`);
  const base = { rate: rate === 'max' ? 'max' : String(rate), consumer, sent: sent.sent, sentPps: sent.pps, sendSeconds: sent.seconds, cpu };
  if (consumer === 'capture only') {
    const r = JSON.parse(carpdump.stdout()) as { frames: number; stats: { received: number; dropped: number } };
    return { ...base, processed: r.frames, received: r.stats.received, dropped: r.stats.dropped };
  }
  const summary = summaryOf(parseJsonl(carpdump.stdout()));
  const received = /^(\d+) packets? received by filter$/m.exec(carpdump.stderr());
  const dropped = /^(\d+) packets? dropped by kernel$/m.exec(carpdump.stderr());
  return {
    ...base,
    processed: Number(summary?.frames ?? NaN),
    received: Number(received?.[1] ?? NaN),
    dropped: Number(dropped?.[1] ?? NaN),
  };
}

/** Wait until carpdump's CPU time stops growing (it has processed everything queued). */
async function waitIdle(p: SpawnedProcess, pid: number): Promise<void> {
  let last = cpuSeconds(pid);
  for (let i = 0; i < 100; i++) {
    await sleep(200);
    if (p.child.exitCode !== null) return;
    const now = cpuSeconds(pid);
    if (now - last < 0.02) return;
    last = now;
  }
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '?';
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const can = canCreateLabs();
  if (!can.ok) {
    console.log(`live-load: skipped: ${can.reason}`);
    return;
  }
  if (!haveCommand('tcpreplay')) {
    console.log('live-load: skipped: tcpreplay is not installed (apt-get install tcpreplay)');
    return;
  }
  const lab = Lab.create();
  const rows: Row[] = [];
  try {
    for (const rate of args.rates) {
      rows.push(await runRate(lab, args, rate, 'carpdump'));
      rows.push(await runRate(lab, args, rate, 'carpdump + 1 s scrape'));
      rows.push(await runRate(lab, args, rate, 'capture only'));
    }
  } finally {
    await lab.close();
  }
  console.log(`live-load: carpdump -i br0 -q -T jsonl (cap/libpcap, ${DEFAULT_BUFFER_SIZE / 1048576} MiB ring) on a namespace bridge; tcpreplay of ${args.capture.slice(REPO_ROOT.length + 1)} (CARP adverts, full decode + analysis)`);
  console.log(['rate', 'consumer', 'sent', 'sent pps', 'processed', 'recv by filter', 'kernel drops', 'drop %', 'processed/s', 'cpu s', 'frames/cpu s'].join('\t'));
  for (const r of rows) {
    const dropPct = (100 * r.dropped) / r.received;
    console.log(
      [
        r.rate,
        r.consumer,
        r.sent,
        fmt(r.sentPps),
        r.processed,
        r.received,
        r.dropped,
        fmt(dropPct, 1),
        fmt(r.processed / r.sendSeconds),
        fmt(r.cpu, 2),
        fmt(r.processed / r.cpu),
      ].join('\t'),
    );
  }
}

const countOnlyAt = process.argv.indexOf('--count-only');
const run = countOnlyAt >= 0 ? countOnly(process.argv[countOnlyAt + 1] ?? '') : main();
run.catch((err: unknown) => {
  console.error(`live-load: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
