// Live capture with tcpdump as the capture engine (`--capture-backend tcpdump`), the way
// tshark runs dumpcap: carpdump runs
//
//   tcpdump -i IFACE -w - -U -n -Z root -s SNAPLEN -B KiB [-p] [--time-stamp-precision=nano]
//           [-y LINUX_SLL2 on -i any] FILTER
//
// and parses its pcap stream with the same streaming reader as `-r -` (parser.ts).
//
// Why: the cap binding always uses immediate mode with a 65535-byte snaplen, so libpcap gets
// one frame per 128 KiB ring block, and it cannot do -p, a kernel snaplen, kernel (nanosecond)
// timestamps, or SLL2 on `any`. tcpdump's libpcap uses TPACKET_V3 blocks of many frames.
//
// Backpressure: frames are analysed synchronously as each chunk of the pipe is read, so
// nothing accumulates in carpdump: when the analysis is slower than the link, the pipe fills,
// tcpdump blocks in write(), libpcap's ring fills and the kernel drops and counts. The queue
// between the kernel and the analysis is the ring (-B) plus the pipe (64 KiB on Linux).
//
// Stop, backpressure and ticks: live-stream.ts (shared with dumpcap).

import type { LiveCaptureOptions, LiveCaptureSource } from './live.js';
import { openStreamCapture, programBinary, programRuns, programSettings } from './live-stream.js';

/** tcpdump's maximum snap length (-s 0). */
export const TCPDUMP_MAX_SNAPLEN = 262144;

export interface TcpdumpCaptureOptions extends LiveCaptureOptions {
  /** 'nano': kernel timestamps in nanoseconds (tcpdump --time-stamp-precision=nano). */
  readonly tsPrecision?: 'micro' | 'nano';
  /** The tcpdump binary (default: tcpdump on PATH). */
  readonly tcpdumpPath?: string;
}

/** The tcpdump binary: CARPDUMP_TCPDUMP, else tcpdump on PATH (as for file filters). */
export function tcpdumpBinary(): string {
  return programBinary('CARPDUMP_TCPDUMP', 'tcpdump');
}

/** True when tcpdump can be run (for --capture-backend auto). */
export function tcpdumpAvailable(path = tcpdumpBinary()): boolean {
  return programRuns(path, ['--version']);
}

/** tcpdump's argument list for these options (exported for tests and the README). */
export function tcpdumpArgs(opts: TcpdumpCaptureOptions): string[] {
  const { filter, bufferSize, snaplen } = programSettings(opts, TCPDUMP_MAX_SNAPLEN);
  return [
    '-i', opts.iface, '-w', '-', '-U', '-n',
    // Debian's tcpdump drops to user "tcpdump" after opening the device when run as root; it
    // writes to an inherited pipe, so that would work, but staying root keeps the behaviour
    // the same everywhere. Ignored when not root (tcpdump then runs with its file capabilities).
    ...(process.getuid?.() === 0 ? ['-Z', 'root'] : []),
    '-s', String(snaplen), '-B', String(Math.max(1, Math.ceil(bufferSize / 1024))),
    ...(opts.promisc ? [] : ['-p']),
    ...(opts.tsPrecision === 'nano' ? ['--time-stamp-precision=nano'] : []),
    ...(opts.iface === 'any' ? ['-y', 'LINUX_SLL2'] : []),
    filter,
  ];
}

/** The counters tcpdump prints on stderr when it ends; undefined for those it did not print. */
export function parseTcpdumpCounters(stderr: string): { captured?: number; received?: number; dropped?: number } {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(stderr);
    return m?.[1] !== undefined ? Number(m[1]) : undefined;
  };
  const captured = num(/^(\d+) packets? captured$/m);
  const received = num(/^(\d+) packets? received by filter$/m);
  const dropped = num(/^(\d+) packets? dropped by kernel$/m);
  return {
    ...(captured !== undefined ? { captured } : {}),
    ...(received !== undefined ? { received } : {}),
    ...(dropped !== undefined ? { dropped } : {}),
  };
}

/** The latest interim counters tcpdump printed on SIGUSR1 ("tcpdump: N packets captured, N ... , N ..."). */
export function parseInterimCounters(stderr: string): { captured: number; received: number; dropped: number } | undefined {
  const all = [...stderr.matchAll(/(\d+) packets? captured, (\d+) packets? received by filter, (\d+) packets? dropped by kernel/g)];
  const m = all[all.length - 1];
  return m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined ? { captured: Number(m[1]), received: Number(m[2]), dropped: Number(m[3]) } : undefined;
}

/** tcpdump's own error lines ("tcpdump: ..."), without the counters and the "listening on" line. */
export function tcpdumpErrors(stderr: string): string[] {
  return stderr.split('\n').map((l) => l.trim())
    .filter((l) => l !== '' && !/^tcpdump: (listening on|data link type|verbose output suppressed|\d+ packets? captured, )/.test(l) && !/^\d+ packets? /.test(l) && !/^\(.*\)$/.test(l))
    .map((l) => l.replace(/^tcpdump: /, ''));
}

/** libpcap's timeout tcpdump opens with (ms). */
export const TCPDUMP_BLOCK_TIMEOUT_MS = 1000;

/**
 * Start tcpdump on IFACE; resolves once its pcap header arrived (the link type is then known),
 * rejects with a one-line CarpdumpError (exit 1) when tcpdump is missing or fails to start.
 */
export function openTcpdumpCapture(opts: TcpdumpCaptureOptions): Promise<LiveCaptureSource> {
  const args = tcpdumpArgs(opts);
  return openStreamCapture(opts, {
    program: 'tcpdump',
    binary: opts.tcpdumpPath ?? tcpdumpBinary(),
    args,
    filter: args[args.length - 1] ?? '',
    blockTimeoutMs: TCPDUMP_BLOCK_TIMEOUT_MS,
    // While tcpdump runs: its latest SIGUSR1 counters (--metrics).
    counters: (stderr, exited) => (exited ? parseTcpdumpCounters(stderr) : (parseInterimCounters(stderr) ?? {})),
    interimSignal: 'SIGUSR1',
    // Every frame the kernel counted (received, drops included) was written or dropped.
    drained: (stderr) => {
      const c = parseInterimCounters(stderr);
      return c !== undefined && c.captured === c.received - c.dropped;
    },
    errors: tcpdumpErrors,
  }, '--capture-backend cap uses libpcap directly');
}
