// `npm run bench:wordlist`: the --wordlist passphrase audit through the CLI (issue 11's goal:
// >= 1 M candidates/s per core, memory flat in the list's size).
//
//   node dist/test/bench/wordlist-bench.js [--words N] [--runs N] [--big N] [--bin CARPDUMP_JS] [--keep]
//
// A capture with one CARP advert (VHID 7 from 10.0.0.2, virtual MAC as Ethernet source, the
// virtual address 10.0.0.100 given with --vip: one known address set, so every candidate costs
// the HMACs of that set's variants) whose passphrase is the LAST line of a generated list of
// --words (default 1M) words, and the same list without it (every word tried, no match); the
// no-match list at --big words (default 4M) shows whether peak RSS grows with the list.
// (Below PARALLEL_MIN_HMACS, 2 M HMACs, the audit stays on one thread whatever the setting: the
// 1M rows with "2 threads" measure that it is not slowed by the setting; the 4M rows measure
// the threads.) Each case runs `carpdump -r F -q --wordlist L --vip 7:10.0.0.100` under GNU time with
// CARPDUMP_WORDLIST_THREADS=1 and =2, interleaved (1, 2, 1, 2, ...) --runs times (default 3);
// the median of each is printed: wall, CPU (user + sys), candidates/s by wall and by CPU per
// core (candidates / CPU seconds; and without start-up: minus the CPU of a one-word list), peak
// RSS. A jsonl run checks the answer first (the hit on the last line, `covered` counting every
// word). --bin runs another build's bin/carpdump.js (a copy of bin/ and dist/ of an older commit).

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPcap, mulberry32 } from '../builders/capture.js';
import { carp, ethernet, ipv4 } from '../builders/packets.js';
import { ucarpHmac } from '../builders/make-samples.js';

const GNU_TIME = '/usr/bin/time';
const defaultBin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/carpdump.js');
export const WORDLIST_BENCH_VHID = 7;
export const WORDLIST_BENCH_VIP = '10.0.0.100';
const PASSPHRASE = 'bench-wordlist-pw'; // at most 19 bytes: the CARP key is the first 19
const COUNTER = 0x1234_5678_9abc_def0n;

export interface WordlistRow {
  /** e.g. "1M words, hit on the last line, 1 thread" */
  name: string;
  words: number;
  threads: number;
  /** Medians over the runs. */
  wallSeconds: number;
  cpuSeconds: number;
  /** Candidates (lines) per wall second, and per CPU second (= per core fully used). */
  perWallSecond: number;
  perCpuSecond: number;
  /** The largest peak RSS of the runs (KiB). */
  peakRssKb: number;
  runs: number;
  /** Candidates per CPU second of the audit alone: CPU minus that of a one-word run (start-up, the capture). */
  perAuditCpuSecond: number | undefined;
}

/** A capture holding one advert of VHID 7 signed with PASSPHRASE over WORDLIST_BENCH_VIP (ucarp's form). */
export function writeAdvertCapture(path: string): void {
  const hmac = ucarpHmac(PASSPHRASE, WORDLIST_BENCH_VHID, WORDLIST_BENCH_VIP, COUNTER);
  const frame = ethernet({ type: 0x0800, src: '00:00:5e:00:01:07' },
    ipv4({ proto: 112, src: '10.0.0.2', dst: '224.0.0.18' }, carp({ vhid: WORDLIST_BENCH_VHID, advbase: 1, advskew: 0, counter: COUNTER, hmac })));
  writeFileSync(path, buildPcap({ endian: 'le', records: [{ tsSec: 1_700_000_000, tsFrac: 0, data: frame }] }));
}

/** `words` lines of 6-14 printable ASCII characters (deterministic), the passphrase last when `hit`. */
export function writeWordlist(path: string, words: number, hit: boolean): void {
  const rand = mulberry32(words);
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(1 << 20);
  let o = 0;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!_-.';
  for (let i = 0; i < words; i++) {
    if (o > buf.length - 64) { writeSync(fd, buf, 0, o); o = 0; }
    if (i === words - 1 && hit) { o += buf.write(`${PASSPHRASE}\n`, o, 'latin1'); continue; }
    const len = 6 + Math.floor(rand() * 9);
    for (let j = 0; j < len; j++) buf[o++] = alphabet.charCodeAt(Math.floor(rand() * alphabet.length));
    buf[o++] = 0x0a;
  }
  writeSync(fd, buf, 0, o);
  closeSync(fd);
}

interface Run { wall: number; cpu: number; rssKb: number }

function runCli(bin: string, pcap: string, list: string, threads: number, extra: string[] = []): Run & { stdout: string } {
  const out = join(dirname(list), `time-${process.pid}`);
  const env = { ...process.env, CARPDUMP_WORDLIST_THREADS: String(threads), NO_COLOR: '1', TZ: 'UTC' };
  const args = ['-r', pcap, '-q', '--wordlist', list, '--vip', `${WORDLIST_BENCH_VHID}:${WORDLIST_BENCH_VIP}`, ...extra];
  const r = spawnSync(GNU_TIME, ['-f', '%e %U %S %M', '-o', out, process.execPath, bin, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && r.status !== 3) throw new Error(`carpdump ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  const [wall, user, sys, rss] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(out, { force: true });
  return { wall: wall!, cpu: user! + sys!, rssKb: rss!, stdout: r.stdout };
}

/** The audit's answer from a jsonl run: the finding's line and the summary's `covered` text. */
function checkAnswer(bin: string, pcap: string, list: string, words: number, hit: boolean): void {
  const r = runCli(bin, pcap, list, 1, ['-T', 'jsonl']);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const weak = lines.find((l) => l['id'] === 'carp.weak_passphrase');
  const audit = ((lines.find((l) => l['type'] === 'summary')?.['carp'] as { audit?: Array<{ covered: string }> } | undefined)?.audit ?? [])[0];
  const covered = audit?.covered;
  if (hit ? weak?.['wordlist_line'] !== words : weak !== undefined) {
    throw new Error(`wordlist bench: expected ${hit ? `a hit on line ${words}` : 'no hit'}, got ${JSON.stringify(weak ?? null)}`);
  }
  const want = `${words} passphrases x 1 address sets`;
  if (!covered?.startsWith(want)) throw new Error(`wordlist bench: covered "${String(covered)}" should start "${want}"`);
  console.log(`  check ${words} words ${hit ? 'hit' : 'no hit'}: ${covered}`);
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

/**
 * The rows of the benchmark, measured in `dir` (which it fills with the capture and the lists):
 * `words` with the hit last and without it, and `big` without it, each on 1 and 2 threads,
 * interleaved, `runs` times. `log` receives one line per run.
 */
export function wordlistRows(dir: string, opts: { words?: number; big?: number; runs?: number; bin?: string; log?: (line: string) => void } = {}): WordlistRow[] {
  if (!existsSync(GNU_TIME)) throw new Error('wordlist bench needs GNU time at /usr/bin/time');
  const words = opts.words ?? 1_000_000;
  const big = opts.big ?? 4 * words;
  const runs = opts.runs ?? 3;
  const bin = opts.bin ?? defaultBin;
  const log = opts.log ?? ((): void => undefined);
  const pcap = join(dir, 'one-advert.pcap');
  writeAdvertCapture(pcap);
  const cases = [
    { words: 1, hit: false },
    { words, hit: true },
    { words, hit: false },
    ...(big > 0 ? [{ words: big, hit: false }] : []),
  ].map((c) => {
    const list = join(dir, `words-${c.words}-${c.hit ? 'hit' : 'miss'}.txt`);
    writeWordlist(list, c.words, c.hit);
    checkAnswer(bin, pcap, list, c.words, c.hit);
    return { ...c, list, by: new Map<number, Run[]>() };
  });
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      for (const threads of [1, 2]) {
        const r = runCli(bin, pcap, c.list, threads);
        log(`  run ${i + 1}: ${c.words} words ${c.hit ? 'hit' : 'miss'}, ${threads} thread${threads > 1 ? 's' : ''}: ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, ${(r.rssKb / 1024).toFixed(0)} MB`);
        c.by.set(threads, [...(c.by.get(threads) ?? []), r]);
      }
    }
  }
  const base = cases[0]!;
  return cases.filter((c) => c !== base).flatMap((c) => [...c.by].map(([threads, rs]) => {
    const wall = median(rs.map((r) => r.wall));
    const cpu = median(rs.map((r) => r.cpu));
    const baseCpu = median(base.by.get(threads)!.map((r) => r.cpu));
    return {
      name: `${fmtWords(c.words)} words, ${c.hit ? 'hit on the last line' : 'no match'}, ${threads} thread${threads > 1 ? 's' : ''}`,
      words: c.words, threads, wallSeconds: wall, cpuSeconds: cpu,
      perWallSecond: c.words / wall, perCpuSecond: c.words / cpu,
      peakRssKb: Math.max(...rs.map((r) => r.rssKb)), runs: rs.length,
      perAuditCpuSecond: cpu > baseCpu ? c.words / (cpu - baseCpu) : undefined,
    };
  }));
}

const fmtWords = (n: number): string => n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n);
const fmtRate = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;

export function formatWordlistRows(rows: readonly WordlistRow[]): string[] {
  const out = rows.map((r) => `  ${r.name.padEnd(44)} ${r.wallSeconds.toFixed(2).padStart(6)} s wall ${r.cpuSeconds.toFixed(2).padStart(6)} s CPU` +
    `  ${fmtRate(r.perWallSecond).padStart(10)} by wall ${fmtRate(r.perCpuSecond).padStart(10)} by CPU` +
    ` (${r.perAuditCpuSecond ? fmtRate(r.perAuditCpuSecond) : 'n/a'} without start-up)  peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB`);
  for (const one of rows.filter((r) => r.threads === 1)) {
    const two = rows.find((r) => r.threads === 2 && r.words === one.words && r.name.startsWith(one.name.replace(/, 1 thread$/, '')));
    if (two) out.push(`  ${one.name.replace(/, 1 thread$/, '')}: 2 threads ${(one.wallSeconds / two.wallSeconds).toFixed(2)}x the wall speed of 1, ${(two.cpuSeconds / one.cpuSeconds).toFixed(2)}x its CPU`);
  }
  return out;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const dir = mkdtempSync(join(tmpdir(), 'carpdump-wordlist-bench-'));
  try {
    const words = arg('--words');
    const big = arg('--big');
    const runs = arg('--runs');
    const binAt = process.argv.indexOf('--bin');
    const bin = binAt > 0 ? resolve(process.argv[binAt + 1]!) : undefined;
    console.log(`wordlist audit through the CLI (carpdump -r F -q --wordlist L --vip ${WORDLIST_BENCH_VHID}:${WORDLIST_BENCH_VIP}), load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const rows = wordlistRows(dir, { ...(words ? { words } : {}), ...(big !== undefined ? { big } : {}), ...(runs ? { runs } : {}), ...(bin ? { bin } : {}), log: (l) => console.log(l) });
    console.log('medians:');
    for (const l of formatWordlistRows(rows)) console.log(l);
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
