// carpdump's command line: options -> source -> pipeline -> output, and the exit status of
// SPEC.md (0 done, 1 input/capture error or internal error, 2 usage, 3 --fail-on met).
// Every expected problem ends as one line on stderr ("carpdump: ..."); never a stack trace.

import { readFileSync } from 'node:fs';
import { createCarpAnalyzer } from './analyze/carp/index.js';
import { createPfsyncAnalyzer } from './analyze/pfsync/index.js';
import type { Analyzer } from './analyze/types.js';
import { FileCaptureFilter, filterSource } from './capture/bpf-compile.js';
import { openCaptureFile } from './capture/open.js';
import type { CaptureSource } from './capture/types.js';
import { PcapWriter } from './capture/writer.js';
import { isInterestingFrame, isInterestingRecord } from './decode/probe.js';
import { REGISTRY } from './decode/protocols.js';
import { filterFields } from './filter/display-filter.js';
import { checkFieldIds } from './filter/field-check.js';
import { severityRank } from './decode/types.js';
import { CarpdumpError, EXIT, UsageError } from './errors.js';
import { parseCarpPassFile, parseOptions, USAGE, type CarpPass, type Options } from './options.js';
import { colorLevel, createPalette, NO_COLOR_PALETTE } from './output/color.js';
import { renderFindingsList } from './output/findings-text.js';
import { createRenderer } from './output/renderer.js';
import { TimestampFormatter } from './output/timestamp.js';
import { BufferedWriter, type OutputStream } from './output/writer.js';
import { runPipeline, type PipelineResult } from './pipeline.js';

/** Where the CLI writes; replaceable in tests. */
export interface CliIo {
  readonly stdout: OutputStream & { isTTY?: boolean };
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

function errorLine(io: CliIo, message: string): void {
  io.stderr.write(`carpdump: ${message}\n`);
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function readTextFile(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code ?? err);
    throw new CarpdumpError(`cannot read ${option} ${path}: ${why}`);
  }
}

/** --list-interfaces: loaded only when asked for (it needs libpcap through cap). */
async function listInterfaces(io: CliIo): Promise<number> {
  const { listInterfaces: list } = await import('./capture/interfaces.js');
  const text = list();
  io.stdout.write(text === '' || text.endsWith('\n') ? text : `${text}\n`);
  return EXIT.ok;
}

async function openSource(o: Options): Promise<CaptureSource & { linktype?: number; snaplen?: number; notes?: readonly string[] }> {
  if (o.read !== undefined) {
    const expression = o.captureFilter?.trim() ?? '';
    if (expression === '') return openCaptureFile(o.read, o.limits);
    // Compiled by libpcap (through tcpdump), run on each frame: as tcpdump -r FILE EXPR.
    const filter = new FileCaptureFilter(expression);
    filter.precheck();
    return filterSource(openCaptureFile(o.read, o.limits), filter);
  }
  const { openLiveCapture } = await import('./capture/live.js');
  return openLiveCapture({ iface: o.interface ?? '', filter: o.captureFilter ?? '', snaplen: o.snaplen ?? 0, promisc: o.promiscuous });
}

/** The passphrases of every source: --carp-pass, CARPDUMP_CARP_PASS, --carp-pass-file. */
function passphrases(o: Options): CarpPass[] {
  const list = [...o.carpPass];
  if (o.carpPassFile !== undefined) list.push(...parseCarpPassFile(readTextFile(o.carpPassFile, '--carp-pass-file')));
  return list;
}

function wordlist(o: Options): string[] | undefined {
  if (o.wordlist === undefined) return undefined;
  const lines = readTextFile(o.wordlist, '--wordlist').split('\n');
  const out: string[] = [];
  for (const l of lines) {
    const w = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (w !== '') out.push(w);
  }
  return out;
}

/**
 * The exit status of a completed run and the message to print for it, if any: internal errors
 * (carpdump bugs) give 1 with a one-line summary; else --fail-on gives 3 when met.
 */
export function completedStatus(failOn: Options['failOn'], result: PipelineResult): { status: number; message?: string } {
  if (result.internalErrorCount > 0) {
    const n = result.internalErrorCount;
    const first = result.internalErrors[0];
    const where = first && first.frame > 0 ? `frame ${first.frame}: ` : '';
    return {
      status: EXIT.input,
      message: `${n} internal error${n > 1 ? 's' : ''} (first: ${where}${first?.message ?? '?'}); this is a carpdump bug, please report it with the capture`,
    };
  }
  if (failOn !== undefined && result.worstSeverity !== undefined && severityRank(result.worstSeverity) >= severityRank(failOn)) {
    return { status: EXIT.failOn };
  }
  return { status: EXIT.ok };
}

async function run(o: Options, io: CliIo): Promise<number> {
  if (o.displayFilter) checkFieldIds(filterFields(o.displayFilter), REGISTRY, '-Y');
  checkFieldIds(o.fields, REGISTRY, '-e');
  const carpPass = passphrases(o);
  const words = wordlist(o);
  const analyzers: Analyzer[] = [
    createCarpAnalyzer({ passphrases: carpPass, vips: o.vips, ...(words ? { wordlist: words } : {}), showSecrets: o.showSecrets }),
    createPfsyncAnalyzer(),
  ];
  const source = await openSource(o);
  // Live capture: options the capture cannot honour (e.g. -p with the cap binding), one line each.
  for (const note of source.notes ?? []) errorLine(io, note);
  let pcap: PcapWriter | undefined;
  if (o.write !== undefined) {
    pcap = new PcapWriter(o.write, {
      ...(source.linktype !== undefined ? { linktype: source.linktype } : {}),
      ...(source.snaplen !== undefined ? { snaplen: source.snaplen } : {}),
    });
  }
  // With -w - the pcap owns standard output; the decoded output goes to stderr.
  const stream = o.write === '-' ? io.stderr : io.stdout;
  const isTTY = stream === io.stdout ? io.stdout.isTTY === true : false;
  // Live capture on a terminal is line-buffered, as tcpdump's; piped, it is flushed every tick.
  const lineBuffered = o.lineBuffered || (o.interface !== undefined && isTTY);
  const out = new BufferedWriter(stream, lineBuffered);
  const palette = o.format === 'text' ? createPalette(colorLevel(o.color, isTTY, io.env)) : NO_COLOR_PALETTE;
  const renderer = createRenderer(out, {
    format: o.format, verbose: o.verbose, hex: o.hex, quiet: o.quiet, fields: o.fields,
    summaries: o.summaries, palette, timestamps: new TimestampFormatter(o.timestampStyle, o.utc),
  });

  let interrupted = 0;
  const onSignal = (): void => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    source.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let epipe = false;
  out.whenClosed(() => { epipe = true; source.stop(); });

  let outcome: Awaited<ReturnType<typeof runPipeline>>;
  try {
    outcome = await runPipeline(source, {
      decodeOptions: o.decodeAs ? { decodeAs: o.decodeAs } : {},
      all: o.all,
      ...(o.displayFilter ? { displayFilter: o.displayFilter } : {}),
      ...(o.count !== undefined ? { count: o.count } : {}),
      analyzers,
      renderer,
      limits: o.limits,
      ...(pcap ? { frameWriter: pcap } : {}),
      isInteresting: isInterestingFrame,
      isInterestingRecord,
      afterFrame: lineBuffered ? () => { out.endFrame(); if (o.lineBuffered) pcap?.flush(); } : undefined,
      afterTick: () => { out.flush(); if (o.lineBuffered) pcap?.flush(); },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  out.flush();
  pcap?.close();
  if (epipe) return EXIT.ok;

  const stats = source.stats?.();
  if (stats) {
    const captured = outcome.result.frames;
    io.stderr.write(`${captured} packet${captured === 1 ? '' : 's'} captured\n`);
    io.stderr.write(`${stats.received} packet${stats.received === 1 ? '' : 's'} received by filter\n`);
    // Without the kernel's counters, a 0 would claim no drops: say that it is not known.
    if (stats.fromKernel === false) io.stderr.write('packets dropped by kernel: unknown (the kernel counters could not be read)\n');
    else io.stderr.write(`${stats.dropped} packet${stats.dropped === 1 ? '' : 's'} dropped by kernel\n`);
    if (stats.ifDropped > 0) io.stderr.write(`${stats.ifDropped} packet${stats.ifDropped === 1 ? '' : 's'} dropped by interface\n`);
  }
  const { status, message } = completedStatus(o.failOn, outcome.result);
  if (message !== undefined) errorLine(io, message);
  if (outcome.error !== undefined) {
    const err = outcome.error;
    // `-w - | head`: the reader of the pcap went away; end quietly, as for the text output.
    if (o.write === '-' && err instanceof CarpdumpError && /standard output: broken pipe$/.test(err.message)) return EXIT.ok;
    if (err instanceof CarpdumpError) { errorLine(io, err.message); return err.exitCode; }
    errorLine(io, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.input;
  }
  return status;
}

/** Runs carpdump with argv (without node and the script); resolves with the exit status. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    const o = parseOptions(argv, io.env);
    switch (o.action) {
      case 'help': io.stdout.write(`${USAGE}\n`); return EXIT.ok;
      case 'version': io.stdout.write(`carpdump ${version()}\n`); return EXIT.ok;
      case 'list-findings': io.stdout.write(renderFindingsList()); return EXIT.ok;
      case 'list-interfaces': return await listInterfaces(io);
      case 'run': return await run(o, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      errorLine(io, err.message);
      io.stderr.write("Try 'carpdump --help' for more information.\n");
      return EXIT.usage;
    }
    if (err instanceof CarpdumpError) { errorLine(io, err.message); return err.exitCode; }
    errorLine(io, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.input;
  }
}
