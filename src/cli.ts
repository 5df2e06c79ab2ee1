// carpdump's command line: options -> source -> pipeline -> output, and the exit status of
// SPEC.md (0 done, 1 input/capture error or internal error, 2 usage, 3 --fail-on met).
// Every expected problem ends as one line on stderr ("carpdump: ..."); never a stack trace.

import { openSync, readFileSync } from 'node:fs';
import { createCarpAnalyzer } from './analyze/carp/index.js';
import type { WordlistSource } from './analyze/carp/wordlist.js';
import { fileWordlist } from './wordlist-file.js';
import { createPfsyncAnalyzer } from './analyze/pfsync/index.js';
import { createVrrpAnalyzer } from './analyze/vrrp/index.js';
import { createSeriesAnalyzer, type SeriesAnalyzer } from './analyze/series/index.js';
import { createTakeoverAnalyzer, tapFindings } from './analyze/takeover/index.js';
import { createPresenceAnalyzer } from './analyze/carp/presence.js';
import { createPflogAnalyzer } from './analyze/pflog.js';
import { CrossPointDuplicates } from './capture/duplicates.js';
import type { Analyzer } from './analyze/types.js';
import { FileCaptureFilter, filterSource } from './capture/bpf-compile.js';
import { openCaptureFile } from './capture/open.js';
import type { CaptureSource } from './capture/types.js';
import { CaptureWriter } from './capture/capture-writer.js';
import { linktypeText } from './capture/linktype-names.js';
import { MergedCaptureSource } from './capture/merge.js';
import type { FileCaptureSource } from './capture/open.js';
import { isInterestingFrame, isInterestingRecord } from './decode/probe.js';
import { readPfsyncLane } from './decode/pfsync/lane.js';
import { readCarpLane, readCarpLaneRecord } from './decode/carp-lane.js';
import { readArpLane } from './decode/arp-lane.js';
import { REGISTRY } from './decode/protocols.js';
import { checkFieldIds, checkFilterValues } from './filter/field-check.js';
import { severityRank } from './decode/types.js';
import { CarpdumpError, EXIT, UsageError } from './errors.js';
import { MAX_SNAPLEN, parseCarpPassFile, parseOptions, USAGE, type CarpPass, type Options } from './options.js';
import { colorLevel, createPalette, NO_COLOR_PALETTE } from './output/color.js';
import { renderFindingsList } from './output/findings-text.js';
import { createRenderer, type Renderer } from './output/renderer.js';
import { ReportRenderer, teeRenderers } from './output/report/index.js';
import { TimestampFormatter } from './output/timestamp.js';
import { BufferedWriter, type OutputStream } from './output/writer.js';
import { runPipeline, type PipelineConfig, type PipelineResult } from './pipeline.js';
import { CheckRenderer, checkExitStatus, checkStatus } from './output/check.js';
// --metrics only: prom-client and node:http cost ~0.1 s CPU of start-up, loaded when asked for.
import type { CarpdumpMetrics } from './output/metrics.js';
import type { MetricsServer } from './output/metrics-server.js';
import { bashCompletion, renderFieldList } from './listings.js';

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

// Set by the esbuild bundle (bin/bundle.mjs) from package.json at build time; undefined
// under tsc, where the version is read from package.json at run time.
declare const __CARPDUMP_VERSION__: string | undefined;

function version(): string {
  if (typeof __CARPDUMP_VERSION__ === 'string') return __CARPDUMP_VERSION__;
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

function openReport(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code ?? err);
    throw new CarpdumpError(`cannot write --report ${path}: ${why}`);
  }
}

/** --list-interfaces: loaded only when asked for (it needs libpcap through cap). */
async function listInterfaces(io: CliIo): Promise<number> {
  const { listInterfaces: list } = await import('./capture/interfaces.js');
  const text = list();
  io.stdout.write(text === '' || text.endsWith('\n') ? text : `${text}\n`);
  return EXIT.ok;
}

/** The files behind a source (several when -r is repeated), for the "reading from" lines. */
function filesOf(source: CaptureSource): readonly FileCaptureSource[] {
  return source instanceof MergedCaptureSource ? source.files : 'header' in source ? [source as FileCaptureSource] : [];
}

async function openSource(o: Options): Promise<CaptureSource & { linktype?: number; snaplen?: number; tsDigits?: number; notes?: readonly string[] }> {
  if (o.reads.length > 0) {
    const expression = o.captureFilter?.trim() ?? '';
    const input = o.reads.length > 1 ? new MergedCaptureSource(o.reads, undefined, o.limits) : openCaptureFile(o.reads[0]!, o.limits);
    if (expression === '') return input;
    // Compiled by libpcap (through tcpdump), run on each frame: as tcpdump -r FILE EXPR.
    const filter = new FileCaptureFilter(expression);
    filter.precheck();
    return Object.assign(filterSource(input, filter), { files: filesOf(input), ...(input instanceof MergedCaptureSource ? { merged: input } : {}) });
  }
  const live = {
    iface: o.interface ?? '', filter: o.captureFilter ?? '', snaplen: o.snaplen ?? 0, promisc: o.promiscuous,
    // --metrics: the kernel drop counters are read every second, not only at the end.
    ...(o.metrics ? { statsIntervalMs: 1000 } : {}),
    ...(o.bufferSize !== undefined ? { bufferSize: o.bufferSize } : {}),
  };
  // --capture-backend (live-tcpdump.ts): tcpdump -w - as the capture engine, or the cap binding.
  const tcpdump = await import('./capture/live-tcpdump.js');
  if (o.captureBackend === 'tcpdump' || (o.captureBackend === 'auto' && tcpdump.tcpdumpAvailable())) {
    return tcpdump.openTcpdumpCapture({ ...live, ...(o.tsPrecision ? { tsPrecision: o.tsPrecision } : {}) });
  }
  if (o.tsPrecision === 'nano') throw new CarpdumpError('--time-stamp-precision nano needs the tcpdump capture backend (--capture-backend tcpdump)', EXIT.usage);
  if (o.captureBackend === 'dumpcap') return (await import('./capture/live-dumpcap.js')).openDumpcapCapture(live);
  const { openLiveCapture } = await import('./capture/live.js');
  return openLiveCapture(live);
}

/** The passphrases of every source: --carp-pass, CARPDUMP_CARP_PASS, --carp-pass-file. */
function passphrases(o: Options): CarpPass[] {
  const list = [...o.carpPass];
  if (o.carpPassFile !== undefined) list.push(...parseCarpPassFile(readTextFile(o.carpPassFile, '--carp-pass-file')));
  return list;
}

/** --wordlist: streamed from the file in blocks (src/wordlist-file.ts). */
function wordlist(o: Options): WordlistSource | undefined {
  return o.wordlist === undefined ? undefined : fileWordlist(o.wordlist);
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

// A run, step by step (main() has parsed the options):
//   checkRunOptions -> createAnalyzers -> openReport (--report) -> startMetrics -> capture:
//   openRunSource -> openFrameWriter -> createOutput -> pipelineConfig -> runCapture -> finishRun.

async function run(o: Options, io: CliIo): Promise<number> {
  checkRunOptions(o);
  const { analyzers, pfsync, series } = createAnalyzers(o, io);
  // Opened before the capture starts, so that an unwritable path is a one-line error up front.
  const report = o.report !== undefined && series ? { fd: openReport(o.report), series } : undefined;
  const monitor = await startMetrics(o, io, pfsync);
  try {
    return await capture(o, io, analyzers, monitor, report);
  } finally {
    await monitor.stop();
  }
}

/** -Y values and -e field ids, checked against the registry before anything is opened. */
function checkRunOptions(o: Options): void {
  if (o.displayFilter) checkFilterValues(o.displayFilter, REGISTRY);
  checkFieldIds(o.fields, REGISTRY, '-e');
}

interface RunAnalyzers {
  readonly analyzers: Analyzer[];
  /** Read by --metrics (states, peers) and the --report series. */
  readonly pfsync: Analyzer;
  /** --report: the time series it draws. */
  readonly series: SeriesAnalyzer | undefined;
}

function createAnalyzers(o: Options, io: CliIo): RunAnalyzers {
  const carpPass = passphrases(o);
  const words = wordlist(o);
  // The takeover analyzer sees the CARP analyzer's findings (master changes) as they are raised.
  const takeover = createTakeoverAnalyzer();
  const pfsyncAnalyzer = createPfsyncAnalyzer({ stateCap: o.limits.states, creatorCap: o.limits.creators });
  // takeover first: it notes a frame's addresses before the CARP analyzer raises a change on it.
  const analyzers: Analyzer[] = [
    takeover,
    tapFindings(createCarpAnalyzer({ passphrases: carpPass, vips: o.vips, ...(words ? { wordlist: words } : {}), showSecrets: o.showSecrets,
      // a large audit announces its size and estimate on stderr, with -q too (stdout stays clean)
      wordlistProgress: (line: string) => io.stderr.write(`${line}\n`),
      maxGroups: o.limits.vhids, maxSources: o.limits['sources-per-vhid'] }),
      (f, emit) => takeover.onFinding(f, emit)),
    pfsyncAnalyzer,
    createVrrpAnalyzer({ maxGroups: o.limits.vhids, maxSources: o.limits['sources-per-vhid'] }),
    createPflogAnalyzer(),
  ];
  const series = o.report !== undefined ? createSeriesAnalyzer(pfsyncAnalyzer) : undefined;
  if (series) analyzers.push(series);
  return { analyzers, pfsync: pfsyncAnalyzer, series };
}

/** --metrics: the registry, its server, and what the run tells it (source up, live drop counters). */
interface Monitor {
  readonly metrics: CarpdumpMetrics | undefined;
  /** The source as --metrics sees it (counts frames and bytes), or the source itself. */
  observe<S extends CaptureSource>(source: S): S;
  /** The capture has opened: the kernel's counters are read from `stats` from now on. */
  captureOpened(stats: () => { dropped: number; fromKernel?: boolean } | undefined): void;
  /** End of the run: down, linger (--metrics-linger, after a capture only), close the server. */
  stop(): Promise<void>;
}

async function startMetrics(o: Options, io: CliIo, pfsyncAnalyzer: Analyzer): Promise<Monitor> {
  // --metrics listens before the capture opens: a port in use ends the run before it starts.
  let liveStats: (() => { dropped: number; fromKernel?: boolean } | undefined) = () => undefined;
  let metrics: CarpdumpMetrics | undefined;
  let observe = <S extends CaptureSource>(source: S): S => source;
  let server: MetricsServer | undefined;
  let captured = false;
  if (o.metrics) {
    const m = await import('./output/metrics.js');
    const { startMetricsServer } = await import('./output/metrics-server.js');
    const registry = new m.CarpdumpMetrics({
      pfsyncSummary: () => pfsyncAnalyzer.summary(),
      dropped: () => { const s = liveStats(); return s && s.fromKernel !== false ? s.dropped : undefined; },
    });
    metrics = registry;
    observe = (source) => m.observeSource(source, registry);
    server = await startMetricsServer(o.metrics, registry);
    errorLine(io, `serving metrics on ${server.url}`);
  }
  return {
    metrics,
    observe,
    captureOpened: (fn) => { liveStats = fn; captured = true; },
    stop: async () => {
      metrics?.setUp(false);
      if (server) {
        // Linger after a capture, not after a source that could not even be opened.
        if (o.metricsLingerSeconds > 0 && captured) await linger(o.metricsLingerSeconds);
        await server.close();
      }
    },
  };
}

let lateSignalsIgnored = false;
/** Installed once, after a live capture ended: SIGINT/SIGTERM no longer end the process mid-write. */
function ignoreLateSignals(): void {
  if (lateSignalsIgnored) return;
  lateSignalsIgnored = true;
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
}

/** --metrics-linger: keep serving after the end of input, until the time is up or a signal comes. */
function linger(seconds: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

async function capture(o: Options, io: CliIo, analyzers: Analyzer[], monitor: Monitor,
  report: { fd: number; series: SeriesAnalyzer } | undefined): Promise<number> {
  const source = await openRunSource(o, io, analyzers, monitor);
  const files = (source as { files?: readonly FileCaptureSource[] }).files ?? filesOf(source);
  const pcap = openFrameWriter(o, source, files);
  const output = createOutput(o, io, files, report);
  const outcome = await runCapture(o, source, pipelineConfig(o, analyzers, output, pcap, monitor.metrics), output.out);
  return finishRun(o, io, source, output, pcap, outcome);
}

type RunSource = Awaited<ReturnType<typeof openSource>>;

/** Opens the files or the interface; the analyzers and --metrics learn what they need of it. */
async function openRunSource(o: Options, io: CliIo, analyzers: Analyzer[], monitor: Monitor): Promise<RunSource> {
  const opened = await openSource(o);
  const metrics = monitor.metrics;
  const source = monitor.observe(opened);
  const merged = opened instanceof MergedCaptureSource ? opened : (opened as { merged?: MergedCaptureSource }).merged;
  // Several -r: which capture point heard which sender (a finding when one did not).
  if (o.reads.length > 1) analyzers.push(createPresenceAnalyzer(merged ? () => merged.spans : undefined));
  monitor.captureOpened(() => source.stats?.());
  metrics?.setUp(true);
  // Live capture: options the capture cannot honour (e.g. -p with the cap binding), one line each.
  for (const note of source.notes ?? []) errorLine(io, note);
  // Live: tcpdump's "listening on" line once the capture runs (with -q too, as tcpdump; not in --check).
  const started = (opened as { started?: Promise<void> }).started;
  if (started && !o.check) {
    void started.then(() => io.stderr.write(`listening on ${opened.name}, link-type ${linktypeText(opened.linktype ?? 1)}, snapshot length ${opened.snaplen ?? 0} bytes\n`));
  }
  return source;
}

/** -w: every captured frame is written (pcap, or pcapng when the input needs it or -F asks). */
function openFrameWriter(o: Options, source: RunSource, files: readonly FileCaptureSource[]): CaptureWriter | undefined {
  if (o.write === undefined) return undefined;
  return new CaptureWriter(o.write, {
    ...(o.writeFormat !== undefined ? { format: o.writeFormat } : {}),
    inputFormat: () => (files.length > 1 || files.some((f) => f.format === 'pcapng') ? 'pcapng' : files.length === 1 ? 'pcap' : undefined),
    ...(source.linktype !== undefined ? { linktype: source.linktype } : {}),
    ...(source.snaplen !== undefined ? { snaplen: source.snaplen } : {}),
    // --time-stamp-precision nano (tcpdump backend): -w keeps the nanoseconds.
    ...(source.tsDigits === 9 ? { nanosecond: true } : {}),
  });
}

/** Where the decoded output goes and how it is rendered. */
interface RunOutput {
  readonly out: BufferedWriter;
  readonly renderer: Renderer;
  /** --check: the renderer that makes the plugin's status line. */
  readonly check: CheckRenderer | undefined;
  readonly lineBuffered: boolean;
  /** tcpdump's "reading from file" lines, once. */
  printHeader(): void;
}

function createOutput(o: Options, io: CliIo, files: readonly FileCaptureSource[], report: { fd: number; series: SeriesAnalyzer } | undefined): RunOutput {
  // tcpdump's first line, once the file headers are read (at the first frame, or at the end).
  // Neither with -q nor in --check plugin mode (its output is the one status line).
  let headerPrinted = o.quiet || o.check;
  const printHeader = (): void => {
    if (headerPrinted) return;
    headerPrinted = true;
    for (const f of files) {
      const h = f.header;
      // A pcapng snap length of 0 means "no limit": libpcap reports its maximum, 262144.
      if (h) io.stderr.write(`reading from file ${f.name === 'standard input' ? '-' : f.name}, link-type ${linktypeText(h.linktype)}, snapshot length ${h.snaplen === 0 ? MAX_SNAPLEN : h.snaplen}\n`);
    }
  };
  // With -w - the pcap owns standard output; the decoded output goes to stderr.
  const stream = o.write === '-' ? io.stderr : io.stdout;
  const isTTY = stream === io.stdout ? io.stdout.isTTY === true : false;
  // Live capture on a terminal is line-buffered, as tcpdump's; piped, it is flushed every tick.
  const lineBuffered = o.lineBuffered || (o.interface !== undefined && isTTY);
  const out = new BufferedWriter(stream, lineBuffered);
  const palette = o.format === 'text' ? createPalette(colorLevel(o.color, isTTY, io.env)) : NO_COLOR_PALETTE;
  const check = o.check ? new CheckRenderer() : undefined;
  const inner = createRenderer(out, {
    format: o.format, verbose: o.verbose, hex: o.hex, quiet: o.quiet, fields: o.fields,
    summaries: o.summaries, palette, timestamps: new TimestampFormatter(o.timestampStyle, o.utc),
    hexAscii: o.hexAscii, hexLinkHeader: o.hexLinkHeader, ...(o.carpMastersVhids ? { carpMastersVhids: o.carpMastersVhids } : {}),
  });
  const withReport = report ? teeRenderers(inner, new ReportRenderer(report.fd, {
    source: o.reads.length > 0 ? o.reads.map((r) => (r === '-' ? 'standard input' : r)).join(', ') : `live: ${o.interface ?? ''}`,
    timestampStyle: o.timestampStyle, utc: o.utc, version: version(),
  }, () => report.series.series())) : inner;
  // The "reading from" line goes out before the first output (the headers are read by then).
  const renderer: Renderer = check ?? {
    frame: (f, findings) => { printHeader(); withReport.frame(f, findings); },
    finding: (f) => { printHeader(); withReport.finding(f); },
    end: (totals, summary) => { printHeader(); withReport.end(totals, summary); },
  };
  return { out, renderer, check, lineBuffered, printHeader };
}

/** The pipeline: what is decoded (-A, -Y, --decode-as, -q), analysed, shown, written and flushed. */
function pipelineConfig(o: Options, analyzers: Analyzer[], output: RunOutput, pcap: CaptureWriter | undefined,
  metrics: CarpdumpMetrics | undefined): PipelineConfig {
  const { out, lineBuffered } = output;
  // -q decodes pfsync for the analyzers only, unless -Y reads fields or -A decodes the data side
  // (the takeover analyzer then matches flows against the synced states' addresses).
  return {
    decodeOptions: { ...(o.decodeAs ? { decodeAs: o.decodeAs } : {}), ...(o.quiet && !o.displayFilter && !o.all ? { pfsyncAnalysisOnly: true } : {}) },
    all: o.all,
    ...(o.displayFilter ? { displayFilter: o.displayFilter } : {}),
    ...(o.count !== undefined ? { count: o.count } : {}),
    analyzers,
    renderer: output.renderer,
    limits: o.limits,
    ...(pcap ? { frameWriter: pcap } : {}),
    isInteresting: isInterestingFrame,
    ...(o.reads.length > 1 ? { crossPointDuplicates: new CrossPointDuplicates() } : {}),
    isInterestingRecord,
    afterFrame: lineBuffered ? () => { out.endFrame(); if (o.lineBuffered) pcap?.flush(); } : undefined,
    afterTick: () => { out.flush(); if (o.lineBuffered) pcap?.flush(); },
    ...(metrics ? { observer: metrics } : {}),
    // -q prints a frame's findings only: pfsync's steady state, plain CARP adverts and ARP requests skip the frame decode (pipeline.ts).
    ...(o.quiet && !o.check ? { pfsyncLane: readPfsyncLane, carpLane: readCarpLane, carpLaneRecord: readCarpLaneRecord, arpLane: readArpLane } : {}),
  };
}

type RunOutcome = Awaited<ReturnType<typeof runPipeline>> & {
  /** The reader of the output went away (EPIPE), during the run or at the last flush: the run ends quietly with status 0. */
  outputClosed(): boolean;
};

/** Runs the pipeline until the input ends or a stop comes: Ctrl-C / SIGTERM, -a duration, a closed output. */
async function runCapture(o: Options, source: RunSource, config: PipelineConfig, out: BufferedWriter): Promise<RunOutcome> {
  let interrupted = 0;
  const onSignal = (): void => {
    interrupted++;
    // A live capture stops at once on the second signal and still reports its counters;
    // a third one (or a second one on a file) ends the process.
    if (interrupted > (source.stats ? 2 : 1)) process.exit(130);
    source.stop('signal');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let epipe = false;
  out.whenClosed(() => { epipe = true; source.stop('output-closed'); });
  // -a duration:N (tshark's autostop): the capture's own stop, as for Ctrl-C.
  const autostop = o.autostop.durationSeconds !== undefined
    ? setTimeout(() => source.stop('autostop'), o.autostop.durationSeconds * 1000) : undefined;
  try {
    const outcome = await runPipeline(source, config);
    return { ...outcome, outputClosed: () => epipe };
  } finally {
    if (autostop) clearTimeout(autostop);
    // Live: a further Ctrl-C while the counters and summaries are written must not kill the
    // process half-way (the capture has already stopped; tcpdump's backend stops fast).
    if (source.stats) ignoreLateSignals();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The end of a run: flush, the end and counter lines, the exit status (or --check's status line). */
function finishRun(o: Options, io: CliIo, source: RunSource, output: RunOutput, pcap: CaptureWriter | undefined, outcome: RunOutcome): number {
  output.out.flush();
  output.printHeader();
  pcap?.close();
  if (outcome.outputClosed()) return EXIT.ok;
  if (pcap && pcap.skippedOtherLinktype > 0) {
    const n = pcap.skippedOtherLinktype;
    errorLine(io, `warning: ${n} frame${n === 1 ? '' : 's'} not written to ${o.write}: a pcap file holds one link type (use -F pcapng)`);
  }
  // The end line, so that an empty result is explained (-q: none, as the "reading from" line;
  // after an error, the error line says why the run ended).
  if (!o.quiet && !o.check && o.reads.length > 0 && outcome.error === undefined) io.stderr.write(`${outcome.result.frames} frame${outcome.result.frames === 1 ? '' : 's'}, ${outcome.result.shown} shown\n`);

  const stats = source.stats?.();
  if (output.check) return checkOutcome(o, io, output.check, source.name, outcome, stats);
  if (stats) {
    const captured = outcome.result.frames;
    io.stderr.write(`${captured} packet${captured === 1 ? '' : 's'} captured\n`);
    io.stderr.write(`${stats.received} packet${stats.received === 1 ? '' : 's'} received by filter\n`);
    // Without the kernel's counters, a 0 would claim no drops: say that it is not known.
    if (stats.fromKernel === false) io.stderr.write('packets dropped by kernel: unknown (the kernel counters could not be read)\n');
    else io.stderr.write(`${stats.dropped} packet${stats.dropped === 1 ? '' : 's'} dropped by kernel\n`);
    if (stats.ifDropped > 0) io.stderr.write(`${stats.ifDropped} packet${stats.ifDropped === 1 ? '' : 's'} dropped by interface\n`);
    if (stats.queueDropped !== undefined) io.stderr.write(`${stats.queueDropped} packet${stats.queueDropped === 1 ? '' : 's'} dropped by carpdump (queue full)\n`);
    if (stats.stopDropped) io.stderr.write(`${stats.stopDropped} packet${stats.stopDropped === 1 ? '' : 's'} dropped by carpdump (capture stopped before they were analysed)\n`);
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

/** --check: the plugin's status line and exit status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
function checkOutcome(o: Options, io: CliIo, check: CheckRenderer, name: string,
  outcome: { result: PipelineResult; error?: unknown }, stats: { dropped: number; fromKernel?: boolean } | undefined): number {
  let error: string | undefined;
  if (outcome.error !== undefined) {
    const err = outcome.error;
    error = err instanceof CarpdumpError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
  } else {
    const { status, message } = completedStatus(undefined, outcome.result);
    if (status !== EXIT.ok) error = message;
  }
  const { state, line } = checkStatus(check, {
    expectMasters: o.expectMasters, utc: o.utc, source: name,
    ...(error !== undefined ? { error } : {}),
    ...(stats && stats.fromKernel !== false ? { dropped: stats.dropped } : {}),
  });
  io.stdout.write(`${line}\n`);
  return checkExitStatus(state);
}

/** Runs carpdump with argv (without node and the script); resolves with the exit status. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  // --check changes the exit status: every problem, usage errors included, is UNKNOWN (3).
  const checkMode = argv.includes('--check');
  const unknown = (message: string): number => {
    io.stdout.write(`CARPDUMP UNKNOWN - ${message.replace(/[\r\n|]+/g, ' ')}\n`);
    return checkExitStatus('UNKNOWN');
  };
  try {
    const o = parseOptions(argv, io.env);
    switch (o.action) {
      case 'help': io.stdout.write(`${USAGE}\n`); return EXIT.ok;
      case 'version': io.stdout.write(`carpdump ${version()}\n`); return EXIT.ok;
      case 'list-findings': io.stdout.write(renderFindingsList()); return EXIT.ok;
      case 'list-interfaces': return await listInterfaces(io);
      case 'list-fields': io.stdout.write(renderFieldList(REGISTRY)); return EXIT.ok;
      case 'completion': io.stdout.write(bashCompletion()); return EXIT.ok;
      case 'run': return await run(o, io);
    }
  } catch (err) {
    if (checkMode) return unknown(err instanceof CarpdumpError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError) {
      // One line: the problem, then where to look and the exit status (2).
      errorLine(io, `${err.message} (see carpdump --help; exit status 2)`);
      return EXIT.usage;
    }
    if (err instanceof CarpdumpError) { errorLine(io, err.message); return err.exitCode; }
    errorLine(io, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.input;
  }
}
