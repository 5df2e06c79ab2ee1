// `npm run fuzz -- --frames N --seed S [--workers W] [--budget-ms T] [--budget-mb M] [--no-save]`
// The fuzz campaign: mutations of every sample (bit flips, truncation, length-field lies, pcapng
// block-type swaps, gzip damage, spliced records) through the whole CLI in every output mode,
// in worker processes (old space capped at --budget-mb, default 300; an input running longer
// than --budget-ms, default 20000, is a hang). It runs inputs until N frames were processed.
// Each crash, internal error, hang or memory blow-up is minimised (shortest failing prefix,
// for in-process failures) and kept as test/fuzz-regressions/<id>.bin with a .txt saying what
// it did; test/fuzz-regressions.test.ts replays them in the normal test run. Exit 1 if any.

import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputFor } from './mutate.js';
import { runInput } from './run-input.js';
import { readFileSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const FRAMES = arg('--frames', 100_000);
const SEED = arg('--seed', 1);
const WORKERS = arg('--workers', Math.max(1, cpus().length));
const BUDGET_MS = arg('--budget-ms', 20_000);
const BUDGET_MB = arg('--budget-mb', 300);
const SAVE = !process.argv.includes('--no-save');
const regressions = join(root, 'test/fuzz-regressions');

const samples = readdirSync(join(root, 'samples')).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f)).map((f) => join(root, 'samples', f));
const pool = samples.map((f) => new Uint8Array(readFileSync(f)));
const tmp = mkdtempSync(join(tmpdir(), 'carpdump-fuzz-'));

let next = 0;
let frames = 0;
let inputs = 0;
let peakRss = 0;
const failures: { index: number; why: string }[] = [];
const t0 = Date.now();

async function keep(index: number, why: string): Promise<void> {
  failures.push({ index, why });
  console.log(`input ${index}: ${why.split('\n')[0]}`);
  if (!SAVE) return;
  let { bytes } = inputFor(index, pool, SEED);
  if (!/^(hang|crash|memory)/.test(why)) {
    // Shortest failing prefix (binary search; in-process failures reproduce here).
    let lo = 0;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((await runInput(join(tmp, 'min.bin'), bytes.subarray(0, mid))) !== undefined) hi = mid;
      else lo = mid + 1;
    }
    if ((await runInput(join(tmp, 'min.bin'), bytes.subarray(0, hi))) !== undefined) bytes = bytes.subarray(0, hi);
  }
  mkdirSync(regressions, { recursive: true });
  const id = createHash('sha1').update(bytes).digest('hex').slice(0, 12);
  writeFileSync(join(regressions, `${id}.bin`), bytes);
  writeFileSync(join(regressions, `${id}.txt`), `fuzz --seed ${SEED}, input ${index}: ${why}\n`);
}

function startWorker(): Promise<void> {
  return new Promise((resolveWorker) => {
    const w: ChildProcess = fork(join(here, 'worker.js'), [String(SEED), tmp, ...samples], {
      execArgv: [`--max-old-space-size=${BUDGET_MB}`], stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    let current = -1;
    let timer: NodeJS.Timeout | undefined;
    const send = (): void => {
      if (frames >= FRAMES) { w.kill(); return; }
      current = next++;
      inputs++;
      timer = setTimeout(() => { void keep(current, `hang: more than ${BUDGET_MS} ms`); current = -1; w.kill('SIGKILL'); }, BUDGET_MS);
      w.send({ index: current });
    };
    w.on('message', (m: { index: number; failure?: string; frames: number; rss: number }) => {
      clearTimeout(timer);
      frames += m.frames;
      peakRss = Math.max(peakRss, m.rss);
      current = -1;
      const done = m.failure !== undefined ? keep(m.index, m.failure) : Promise.resolve();
      if (m.rss > BUDGET_MB * 2 * 1024 * 1024) void keep(m.index, `memory: worker RSS ${Math.round(m.rss / 1048576)} MB`);
      void done.then(send);
    });
    w.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (current >= 0) void keep(current, `crash: worker exit ${code ?? signal} (memory budget ${BUDGET_MB} MB?)`);
      if (frames < FRAMES && current >= 0) void startWorker().then(resolveWorker);
      else if (frames < FRAMES && signal === 'SIGKILL') void startWorker().then(resolveWorker);
      else resolveWorker();
    });
    send();
  });
}

await Promise.all(Array.from({ length: WORKERS }, () => startWorker()));
rmSync(tmp, { recursive: true, force: true });
const secs = (Date.now() - t0) / 1000;
console.log(`fuzz --seed ${SEED}: ${inputs} inputs, ${frames} frames in ${secs.toFixed(1)} s with ${WORKERS} workers, ` +
  `${failures.length} failures, peak worker RSS ${Math.round(peakRss / 1048576)} MB`);
process.exit(failures.length > 0 ? 1 : 0);
