// argv -> Options: every option of SPEC.md's table, validated, with no I/O (files named by
// --carp-pass-file and --wordlist are read by the CLI). Usage problems throw UsageError (exit 2)
// with a message that never echoes a passphrase.

import { isIPv4, isIPv6 } from 'node:net';
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';

// yargs 17's CommonJS bundle: one file, loads in ~20 ms, where yargs 18's ESM build (dozens of
// modules) took ~120 ms: a third of the run time on a typical capture.
// In the CommonJS bundle (bin/bundle.mjs) `require` exists and esbuild bundles yargs, so that it
// is compiled with the bundle's code cache; the tsc build (an ES module) creates a require.
const yargs = (typeof require === 'function' ? require('yargs/yargs') : createRequire(import.meta.url)('yargs/yargs')) as (args: readonly string[]) => Argv;
import { UsageError } from './errors.js';
import type { Severity } from './decode/types.js';
import { parseDisplayFilter, type FilterNode } from './filter/display-filter.js';
import {
  parseAutostop, parseExpectMaster, parseLinger, parseMetricsAddress, type Autostop, type ExpectMaster, type MetricsAddress,
} from './monitor-options.js';
import { parseLimits, type Limits } from './limits.js';

import {
  COLOR_MODES, FORMATS, SUMMARIES, TIMESTAMP_STYLES, type ColorMode, type OutputFormat, type SummaryName, type TimestampStyle,
} from './output/options.js';
// The output's option lists and types are output/'s (output/options.ts); re-exported for the CLI and listings.
export { COLOR_MODES, FORMATS, SUMMARIES, TIMESTAMP_STYLES, type ColorMode, type OutputFormat, type SummaryName, type TimestampStyle };
export const FAIL_ON = ['chat', 'note', 'warn', 'error'] as const;
export const WRITE_FORMATS = ['pcap', 'pcapng'] as const;
export type WriteFormat = (typeof WRITE_FORMATS)[number];
/** -s 0 means the largest snap length, as tcpdump's (262144). */
export const MAX_SNAPLEN = 262144;
/** tcpdump's -tt .. -ttttt: the value -t receives once `-tt` is split as `-t t`. */
const TCPDUMP_TIME_FLAGS: Readonly<Record<string, TimestampStyle>> = { t: 'e', tt: 'd', ttt: 'ad', tttt: 'r' };

export interface CarpPass {
  readonly vhid: number | '*';
  readonly passphrase: string;
}

export interface Options {
  /** What to do: run a capture, or one of the listing actions. */
  readonly action: 'run' | 'help' | 'version' | 'list-interfaces' | 'list-findings' | 'list-fields' | 'completion';
  readonly read?: string;
  /** Every -r, in the order given (several are merged by packet time). */
  readonly reads: readonly string[];
  readonly interface?: string;
  /** BPF capture filter (-f or the trailing words). */
  readonly captureFilter?: string;
  readonly write?: string;
  readonly count?: number;
  readonly all: boolean;
  readonly verbose: boolean;
  readonly hex: boolean;
  readonly format: OutputFormat;
  /** -e columns of -T fields. */
  readonly fields: readonly string[];
  readonly displayFilterText?: string;
  readonly displayFilter?: FilterNode;
  readonly quiet: boolean;
  readonly summaries: readonly SummaryName[];
  readonly decodeAs?: 'carp' | 'vrrp';
  /** From --carp-pass and CARPDUMP_CARP_PASS (the file is read later). */
  readonly carpPass: readonly CarpPass[];
  readonly carpPassFile?: string;
  readonly vips: ReadonlyMap<number, readonly string[]>;
  readonly wordlist?: string;
  readonly showSecrets: boolean;
  readonly failOn?: Severity;
  readonly color: ColorMode;
  readonly timestampStyle: TimestampStyle;
  readonly utc: boolean;
  readonly lineBuffered: boolean;
  readonly snaplen?: number;
  readonly promiscuous: boolean;
  /** --metrics [ADDR:]PORT: serve Prometheus metrics while capturing. */
  readonly metrics?: MetricsAddress;
  /** --metrics-linger: keep serving this many seconds after the input ended. */
  readonly metricsLingerSeconds: number;
  /** -a duration:N / packets:N (packets:N is folded into count). */
  readonly autostop: Autostop;
  /** --check: a Nagios/Icinga plugin run (one status line, exit 0/1/2/3). */
  readonly check: boolean;
  readonly expectMasters: readonly ExpectMaster[];
  /** --report FILE.html: the HTML report written at the end. */
  readonly report?: string;
  /** -B: live capture kernel buffer (and carpdump's queue) in bytes; given in KiB as tcpdump's. */
  readonly bufferSize?: number;
  /** -X: hex and ASCII dump (tcpdump -X). */
  readonly hexAscii: boolean;
  /** -xx / -XX: the -x / -X dump starts at the link-layer header; -x / -X start after it (tcpdump). */
  readonly hexLinkHeader: boolean;
  /** -F: the -w file format; undefined = pcapng when the input is pcapng, else pcap. */
  readonly writeFormat?: WriteFormat;
  /** -z carp,masters,VHID[,VHID...]: only these VHIDs in the table. */
  readonly carpMastersVhids?: readonly number[];
  /** `completion bash`: the shell asked for. */
  readonly completionShell?: string;
  /** --limit NAME=N over the defaults of limits.ts. */
  readonly limits: Limits;
  /** --capture-backend: what captures live (cap: libpcap in-process binding; tcpdump: tcpdump -w -; dumpcap: dumpcap -w -). */
  readonly captureBackend: CaptureBackend;
  /** --time-stamp-precision: kernel timestamps in micro- or nanoseconds (tcpdump backend). */
  readonly tsPrecision?: 'micro' | 'nano';
}

export const CAPTURE_BACKENDS = ['auto', 'cap', 'tcpdump', 'dumpcap'] as const;
export type CaptureBackend = (typeof CAPTURE_BACKENDS)[number];

export const USAGE = `Usage: carpdump [options] [-r FILE | -i IFACE] [capture-filter expression ...]

Decode and analyse CARP, VRRP and pfsync from a capture file or a live interface.

Input:
  -r, --read FILE            read a pcap / pcapng file (gzip too); "-" reads standard input;
                             repeatable: several files merged by packet time, one capture point each
  -i, --interface IFACE      capture live (libpcap); -D, --list-interfaces lists them
  -f, --filter EXPR          BPF capture filter (or trailing words); files too (needs tcpdump)
  -w, --write FILE           also write the captured packets ("-" = stdout)
  -F pcap|pcapng             format of -w (default: pcapng if the input is pcapng, else pcap)
  -c, --count N              stop after N packets
  -s, --snaplen N            live capture snap length (bytes; 0 = 262144, as tcpdump)
  -p, --no-promiscuous-mode  live capture without promiscuous mode
  -B, --buffer-size KiB      live capture kernel buffer, and the bound of carpdump's queue (32768)
  --capture-backend auto|cap|tcpdump|dumpcap  live capture engine (auto: tcpdump when on PATH, else cap)
  --time-stamp-precision micro|nano    live kernel timestamps (nano: tcpdump backend only)
Decoding and analysis:
  --decode-as carp|vrrp      force the meaning of IP protocol 112
  --carp-pass VHID:PASS      CARP passphrase (VHID may be *); repeatable
  --carp-pass-file FILE      one "VHID PASS" per line; env CARPDUMP_CARP_PASS = VHID:PASS
  --vip VHID:ADDR[,ADDR...]  virtual addresses of a VHID; repeatable
  --wordlist FILE            passphrase audit: try every line
  --show-secrets             print a weak passphrase found by --wordlist
Output:
  -A, --all                  show every frame (default: CARP, VRRP, pfsync)
  -V, --verbose              full tree of every layer and field (-v, -vv: the same, as tcpdump)
  -x, --hex                  hex dump of every shown frame after its link-layer header (tcpdump -x);
                             -xx from the link-layer header on (tcpdump -xx)
  -X                         hex and ASCII dump, as tcpdump -X; -XX with the link-layer header
  -n, -nn, -S                accepted for tcpdump habits (carpdump never resolves names and
                             prints no TCP sequence numbers)
  -T, --format FMT           text (default), jsonl, json (one array of the jsonl objects),
                             fields, ek (Elasticsearch bulk, as tshark -T ek)
  -e, --field FIELD          a column of -T fields; repeatable
  -Y, --display-filter EXPR  show only matching frames (carp.vhid == 7 && carp.advskew > 0);
                             repeated -Y are joined with &&
  -q, --quiet                no per-frame output; findings and summaries only
  -z carp,masters[,VHID...]|vrrp,masters|pfsync,states|findings   summary tables at the end; repeatable
  -t a|ad|r|d|e              timestamp: time of day, date and time, since first, delta, epoch
  -tt, -ttt, -tttt, -ttttt   as tcpdump: epoch, delta, date and time, since first
  --utc                      time stamps in UTC
  -l                         flush output after every frame
  --report FILE.html         also write a self-contained HTML report at the end
  --color auto|always|never  colour (auto: on a terminal; NO_COLOR / FORCE_COLOR honoured)
  --fail-on note|warn|error  exit 3 when a finding of that severity or worse was raised
  --limit NAME=N             raise or lower a limit: findings-per-key (100), findings-per-id (1000),
                             interfaces-per-section (65536), record-bytes (268435456), vhids (1024),
                             sources-per-vhid (16), states (2000000), creators (10000); repeatable
  --list-findings            list every finding id with its severity and description
  -G fields                  list every field id with its protocol, type and label (tshark -G)
  completion bash            print a bash completion script
  -h, --help                 this text;  --version  the version
Monitoring:
  -a, --autostop duration:N|packets:N  stop a live capture after N seconds / N packets (tshark's autostop)
  --metrics [ADDR:]PORT      serve Prometheus metrics on http://ADDR:PORT/metrics (ADDR 127.0.0.1;
                             0.0.0.0:PORT or [::]:PORT listen on all)
  --metrics-linger SECONDS   keep serving the metrics this long after the input ended
  --check                    Nagios/Icinga plugin: one status line with perfdata; CHANGES THE EXIT
                             STATUS to 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (nothing heard,
                             capture or usage error); use with -a duration:N
  --expect-master VHID:ADDR  with --check: CRITICAL when ADDR is not the master of VHID; repeatable

On standard error: "reading from file F, link-type ..." first and "N frames, M shown" at the
end (not with -q).

Exit status: 0 done, 1 input or capture error, 2 usage error, 3 --fail-on met
(--check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).`;

/** -t STYLE, or tcpdump's -tt/-ttt/-tttt/-ttttt (seen here as -t t, -t tt, ...). */
function timestampStyle(value: string | undefined): TimestampStyle {
  if (value === undefined) return 'a';
  return TCPDUMP_TIME_FLAGS[value] ?? oneOf('-t', value, TIMESTAMP_STYLES)!;
}

/** Raw yargs result for the options below (strings, so that validation is ours). */
interface RawArgs {
  readonly [key: string]: unknown;
  readonly _: readonly (string | number)[];
}

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => list(x));
  return [String(v)];
}

/** The last value of an option given once or several times (tcpdump habit: last one wins). */
function last(v: unknown): string | undefined {
  const l = list(v);
  return l.length ? l[l.length - 1] : undefined;
}

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option}: "${value}" is not one of ${allowed.join(', ')}`);
}

function positiveInt(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${option}: expected a positive integer, got "${value}"`);
  }
  return Number(value);
}

function parseVhid(text: string, option: string, allowStar: boolean): number | '*' {
  if (allowStar && text === '*') return '*';
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 255) return n;
  }
  throw new UsageError(`${option}: VHID must be 1..255${allowStar ? ' or *' : ''}`);
}

/** `VHID:PASS` (the passphrase may itself contain ':'). Error messages never show the passphrase. */
export function parseCarpPass(text: string, option = '--carp-pass'): CarpPass {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`${option}: expected VHID:PASS (VHID 1..255 or *)`);
  const vhid = parseVhid(text.slice(0, colon), option, true);
  return { vhid, passphrase: text.slice(colon + 1) };
}

/** --carp-pass-file contents: one `VHID PASS` (or `VHID:PASS`) per line; # comments, blank lines. */
export function parseCarpPassFile(text: string): CarpPass[] {
  const out: CarpPass[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const t = line.replace(/^\s+/, '');
    if (t === '' || t.startsWith('#')) return;
    const m = /^(\S+?)(?:\s+|:)(.*)$/.exec(t);
    const option = `--carp-pass-file line ${i + 1}`;
    if (!m) throw new UsageError(`${option}: expected "VHID PASS"`);
    out.push({ vhid: parseVhid(m[1]!, option, true), passphrase: m[2]! });
  });
  return out;
}

/** `VHID:ADDR[,ADDR...]` with IPv4 or IPv6 addresses. */
export function parseVip(text: string): { vhid: number; addresses: string[] } {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`--vip: expected VHID:ADDR[,ADDR...], got "${text}"`);
  const vhid = parseVhid(text.slice(0, colon), '--vip', false) as number;
  const addresses = text.slice(colon + 1).split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (addresses.length === 0) throw new UsageError(`--vip: no address given for VHID ${vhid}`);
  for (const a of addresses) {
    if (!isIPv4(a) && !isIPv6(a)) throw new UsageError(`--vip: "${a}" is not an IPv4 or IPv6 address`);
  }
  return { vhid, addresses: addresses.map((a) => a.toLowerCase()) };
}

const STRING_OPTIONS = [
  'read', 'interface', 'filter', 'write', 'count', 'format', 'field', 'display-filter', 'z',
  'decode-as', 'carp-pass', 'carp-pass-file', 'vip', 'wordlist', 'fail-on', 'color', 't',
  'snaplen', 'metrics', 'metrics-linger', 'autostop', 'expect-master', 'report', 'buffer-size', 'F', 'G', 'limit',
  'capture-backend', 'time-stamp-precision',
] as const;
const BOOLEAN_OPTIONS = [
  'all', 'verbose', 'hex', 'quiet', 'show-secrets', 'utc', 'l', 'list-interfaces',
  'list-findings', 'no-promiscuous-mode', 'help', 'version', 'check', 'n', 'v', 'X', 'S',
] as const;
const ALIASES: Readonly<Record<string, string>> = {
  read: 'r', interface: 'i', filter: 'f', write: 'w', count: 'c', all: 'A', verbose: 'V',
  hex: 'x', format: 'T', field: 'e', 'display-filter': 'Y', quiet: 'q', 'list-interfaces': 'D',
  'no-promiscuous-mode': 'p', snaplen: 's', help: 'h', autostop: 'a', 'buffer-size': 'B',
};

/** Short options that take a value: `-tad`, `-Tjsonl`, `-rfile` mean `-t ad`, `-T jsonl`, `-r file` (getopt). */
const SHORT_WITH_VALUE = new Set(['r', 'i', 'f', 'w', 'c', 'T', 'e', 'Y', 'z', 't', 's', 'a', 'B', 'F', 'G']);

function splitAttachedValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const a of argv) {
    if (rest || a === '--') { rest = true; out.push(a); continue; }
    const m = /^-([A-Za-z])(.+)$/.exec(a);
    if (m && SHORT_WITH_VALUE.has(m[1]!) && !m[2]!.startsWith('=')) out.push(`-${m[1]!}`, m[2]!);
    else out.push(a);
  }
  return out;
}

/** How often the short flag `flag` is given, in clusters too (`-xx`, `-nXX`): yargs keeps a boolean once. */
function shortFlagCount(argv: readonly string[], flag: string): number {
  let n = 0;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--') break;
    if (!/^-[A-Za-z]/.test(w)) continue;
    for (let j = 1; j < w.length; j++) {
      const c = w[j]!;
      if (SHORT_WITH_VALUE.has(c)) { if (j === w.length - 1) i++; break; } // its value follows: not flags
      if (c === flag) n++;
    }
  }
  return n;
}

function runYargs(argv: readonly string[]): RawArgs {
  let failure: string | undefined;
  const parser = yargs(splitAttachedValues(argv))
    .parserConfiguration({
      'camel-case-expansion': false,
      'boolean-negation': false,
      'duplicate-arguments-array': true,
      'strip-aliased': true,
      'unknown-options-as-args': false,
      'halt-at-non-option': false,
    })
    // English as the rest of carpdump (yargs would follow LANG, and its "Unknown argument"
    // message would not be recognised and rewritten below)
    .locale('en')
    .help(false)
    .version(false)
    .string([...STRING_OPTIONS])
    .boolean([...BOOLEAN_OPTIONS])
    .alias(ALIASES)
    .strictOptions()
    .exitProcess(false)
    .fail((msg: string | null, err: Error | null) => {
      failure = msg ?? err?.message ?? 'bad arguments';
    });
  let parsed: RawArgs;
  try {
    parsed = parser.parseSync() as unknown as RawArgs;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (failure !== undefined) {
    const m = /^Unknown arguments?: (.*)$/.exec(failure);
    if (m) {
      const names = m[1]!.split(', ').map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
      throw new UsageError(`unknown option ${names.join(', ')} (see --help)`);
    }
    throw new UsageError(failure);
  }
  return parsed;
}

/**
 * Parses argv (without node and script) into Options. `env` supplies CARPDUMP_CARP_PASS.
 * Throws UsageError for anything wrong.
 */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Options {
  const a = runYargs(argv);
  const bool = (k: string): boolean => a[k] === true || (Array.isArray(a[k]) && (a[k] as unknown[]).includes(true));
  for (const k of STRING_OPTIONS) {
    const v = a[k];
    if (v === '' && !['filter', 'display-filter'].includes(k)) throw new UsageError(`option ${k.length === 1 ? '-' : '--'}${k} needs a value`);
  }

  const reads = list(a['read']);
  const read = reads.length === 1 ? reads[0] : undefined;
  const iface = last(a['interface']);
  let trailing = a._.map(String);
  // `carpdump completion bash`: a subcommand only when nothing is read (else capture-filter words).
  const completion = trailing[0] === 'completion' && reads.length === 0 && iface === undefined;
  const listFields = last(a['G']);
  if (listFields !== undefined && listFields !== 'fields') throw new UsageError(`-G: "${listFields}" is not a report carpdump has (only: fields)`);

  const action: Options['action'] = bool('help') ? 'help'
    : bool('version') ? 'version'
      : bool('list-findings') ? 'list-findings'
        : listFields !== undefined ? 'list-fields'
          : completion ? 'completion'
            : bool('list-interfaces') ? 'list-interfaces' : 'run';
  let completionShell: string | undefined;
  if (completion) {
    completionShell = trailing[1] ?? 'bash';
    if (completionShell !== 'bash' || trailing.length > 2) throw new UsageError(`completion: only "completion bash" is supported`);
    trailing = [];
  }

  if (reads.length > 0 && iface !== undefined) throw new UsageError('give either -r FILE or -i IFACE, not both');
  if (reads.includes('-') && reads.length > 1) throw new UsageError('-r -: standard input cannot be merged with other files');
  if (action === 'run' && reads.length === 0 && iface === undefined) {
    throw new UsageError('nothing to read: give -r FILE (or -r - for standard input) or -i IFACE (see --help)');
  }

  const flagFilter = last(a['filter']);
  if (flagFilter !== undefined && trailing.length > 0) {
    throw new UsageError(`capture filter given twice: -f "${flagFilter}" and trailing words "${trailing.join(' ')}"`);
  }
  const captureFilter = flagFilter ?? (trailing.length ? trailing.join(' ') : undefined);

  const fields = list(a['field']);
  const formatGiven = oneOf('-T', last(a['format']), FORMATS);
  const format: OutputFormat = formatGiven ?? (fields.length ? 'fields' : 'text');
  if (format === 'fields' && fields.length === 0) throw new UsageError('-T fields needs at least one -e FIELD');
  if (format !== 'fields' && fields.length > 0) throw new UsageError(`-e FIELD applies to -T fields, not -T ${format}`);
  for (const f of fields) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(f)) throw new UsageError(`-e: "${f}" is not a field id (like carp.vhid)`);
  }

  // Several -Y: all must match (the same as one -Y "(A) && (B)").
  const filterTexts = list(a['display-filter']).filter((t) => t.trim() !== '');
  const displayFilterText = filterTexts.length === 0 ? (last(a['display-filter']) ?? undefined)
    : filterTexts.length === 1 ? filterTexts[0] : filterTexts.map((t) => `(${t})`).join(' && ');
  const displayFilter = displayFilterText !== undefined ? parseDisplayFilter(displayFilterText) : undefined;

  let carpMastersVhids: number[] | undefined;
  const summaries = list(a['z']).map((z) => {
    // tshark's `-z name,filter`: `-z carp,masters,7` or `-z carp,masters,7,8` keeps those VHIDs.
    const m = /^carp,masters,(.+)$/.exec(z);
    if (!m) return oneOf('-z', z, SUMMARIES)!;
    const vhids = m[1]!.split(',').map((v) => parseVhid(v.trim(), `-z carp,masters`, false) as number);
    carpMastersVhids = [...new Set([...(carpMastersVhids ?? []), ...vhids])];
    return 'carp,masters' as const;
  });

  const carpPass = list(a['carp-pass']).map((p) => parseCarpPass(p));
  const envPass = env['CARPDUMP_CARP_PASS'];
  if (envPass !== undefined && envPass.trim() !== '') {
    for (const entry of envPass.split(/\r?\n/)) {
      if (entry.trim() !== '') carpPass.push(parseCarpPass(entry.trim(), 'CARPDUMP_CARP_PASS'));
    }
  }

  const vips = new Map<number, string[]>();
  for (const v of list(a['vip'])) {
    const { vhid, addresses } = parseVip(v);
    const known = vips.get(vhid) ?? [];
    for (const addr of addresses) if (!known.includes(addr)) known.push(addr);
    vips.set(vhid, known);
  }

  const failOnText = last(a['fail-on']);
  const failOn = oneOf('--fail-on', failOnText, FAIL_ON);

  const metricsText = last(a['metrics']);
  const metrics = metricsText !== undefined ? parseMetricsAddress(metricsText) : undefined;
  const lingerText = last(a['metrics-linger']);
  if (lingerText !== undefined && metrics === undefined) throw new UsageError('--metrics-linger needs --metrics');
  const autostop = parseAutostop(list(a['autostop']));
  if (autostop.durationSeconds !== undefined && read !== undefined) {
    throw new UsageError('-a duration:N applies to live capture (-i); a file ends by itself (-a packets:N and -c work on files)');
  }
  const check = bool('check');
  if (check && last(a['write']) === '-') throw new UsageError('--check prints its status line on standard output: -w - cannot share it');
  const expectMasters = list(a['expect-master']).map((e) => parseExpectMaster(e));
  if (expectMasters.length > 0 && !check) throw new UsageError('--expect-master applies to --check');
  const countGiven = a['count'] !== undefined ? positiveInt('-c', last(a['count']))! : undefined;
  // -a packets:N is tshark's, and the same stop as -c N: the smaller one wins.
  const count = countGiven !== undefined && autostop.packets !== undefined ? Math.min(countGiven, autostop.packets)
    : countGiven ?? autostop.packets;

  const opts: Options = {
    action,
    ...(read !== undefined ? { read } : {}),
    reads,
    ...(iface !== undefined ? { interface: iface } : {}),
    ...(captureFilter !== undefined ? { captureFilter } : {}),
    ...(last(a['write']) !== undefined ? { write: last(a['write'])! } : {}),
    ...(count !== undefined ? { count } : {}),
    all: bool('all'),
    verbose: bool('verbose') || bool('v'),
    hex: bool('hex'),
    format,
    fields,
    ...(displayFilterText !== undefined && displayFilter ? { displayFilterText, displayFilter } : {}),
    quiet: bool('quiet'),
    summaries: [...new Set(summaries)],
    ...(a['decode-as'] !== undefined ? { decodeAs: oneOf('--decode-as', last(a['decode-as']), ['carp', 'vrrp'] as const)! } : {}),
    carpPass,
    ...(last(a['carp-pass-file']) !== undefined ? { carpPassFile: last(a['carp-pass-file'])! } : {}),
    vips,
    ...(last(a['wordlist']) !== undefined ? { wordlist: last(a['wordlist'])! } : {}),
    showSecrets: bool('show-secrets'),
    ...(failOn !== undefined ? { failOn } : {}),
    color: oneOf('--color', last(a['color']), COLOR_MODES) ?? 'auto',
    timestampStyle: timestampStyle(last(a['t'])),
    utc: bool('utc'),
    lineBuffered: bool('l'),
    ...(a['snaplen'] !== undefined ? { snaplen: last(a['snaplen']) === '0' ? MAX_SNAPLEN : positiveInt('-s', last(a['snaplen']))! } : {}),
    promiscuous: !bool('no-promiscuous-mode'),
    ...(metrics !== undefined ? { metrics } : {}),
    metricsLingerSeconds: lingerText !== undefined ? parseLinger(lingerText) : 0,
    autostop,
    check,
    expectMasters,
    ...(last(a['report']) !== undefined ? { report: last(a['report'])! } : {}),
    ...(a['buffer-size'] !== undefined ? { bufferSize: positiveInt('-B', last(a['buffer-size']))! * 1024 } : {}),
    hexAscii: bool('X'),
    // tcpdump: -X beats -x, and the letter given twice (-xx, -XX, -x -x) includes the link header.
    hexLinkHeader: (bool('X') ? shortFlagCount(argv, 'X') : shortFlagCount(argv, 'x') + argv.filter((w) => w === '--hex').length) >= 2,
    ...(a['F'] !== undefined ? { writeFormat: oneOf('-F', last(a['F']), WRITE_FORMATS)! } : {}),
    ...(carpMastersVhids !== undefined ? { carpMastersVhids } : {}),
    ...(completionShell !== undefined ? { completionShell } : {}),
    limits: parseLimits(list(a['limit'])),
    captureBackend: oneOf('--capture-backend', last(a['capture-backend']), CAPTURE_BACKENDS) ?? 'auto',
    ...(a['time-stamp-precision'] !== undefined ? { tsPrecision: oneOf('--time-stamp-precision', last(a['time-stamp-precision']), ['micro', 'nano'] as const)! } : {}),
  };
  if (opts.writeFormat !== undefined && opts.write === undefined) throw new UsageError('-F applies to -w FILE');
  return opts;
}

/** Every option the parser accepts, as typed (`--read`, `-r`, `-n`): --help, README and man page name them all. */
export function optionSpellings(): string[] {
  const out = new Set<string>();
  for (const name of [...STRING_OPTIONS, ...BOOLEAN_OPTIONS]) {
    out.add(name.length === 1 ? `-${name}` : `--${name}`);
    const short = ALIASES[name];
    if (short !== undefined) out.add(`-${short}`);
  }
  return [...out].sort();
}
