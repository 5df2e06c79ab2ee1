// Live capture with Wireshark's dumpcap as the capture engine (`--capture-backend dumpcap`),
// as tshark itself captures: carpdump runs
//
//   dumpcap -i IFACE -w - -q -s SNAPLEN -B MiB [-p] -f FILTER
//
// and reads the pcapng stream it writes with the project's pcapng reader (parser.ts), as
// `-r -` would. Stop, backpressure and ticks are live-stream.ts' (shared with tcpdump).
//
// Counters: dumpcap ends its stream with an Interface Statistics Block per interface
// (pcapng, type 5): isb_ifrecv (option 4: the frames dumpcap read from libpcap, not the
// kernel's count) and isb_ifdrop (option 5: libpcap's ps_drop plus dumpcap's own drops). They
// are read from the stream's last blocks, walking back from its end by the blocks' trailing
// lengths. Because isb_ifrecv misses what the ring still held when dumpcap stopped, dumpcap
// always drains its ring first (its socket shut, live-stream.ts), -c and a second Ctrl-C too:
// then everything the kernel counted was read by dumpcap and is in isb_ifrecv.
//
//   0          4             8         12        16        20
//   +----------+-------------+---------+---------+---------+----------------------+--------+
//   | type = 5 | totalLength | ifId    | tsHigh  | tsLow   | options (code, len…) | length |
//   +----------+-------------+---------+---------+---------+----------------------+--------+

import type { LiveCaptureOptions, LiveCaptureSource } from './live.js';
import { openStreamCapture, programBinary, programRuns, programSettings, type ProgramCounters } from './live-stream.js';

/** dumpcap's maximum snap length (libpcap's 262144), for -s 0. */
export const DUMPCAP_MAX_SNAPLEN = 262144;
/** libpcap's timeout dumpcap opens with (ms; CAP_READ_TIMEOUT in Wireshark's capture code). */
export const DUMPCAP_BLOCK_TIMEOUT_MS = 250;

const PCAPNG_ISB = 5;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;
/** The stream's tail kept for the statistics blocks (each is well below 1 KiB). */
const TAIL_BYTES = 16 * 1024;

/** The dumpcap binary: CARPDUMP_DUMPCAP, else dumpcap on PATH. */
export function dumpcapBinary(): string {
  return programBinary('CARPDUMP_DUMPCAP', 'dumpcap');
}

/** True when dumpcap can be run. */
export function dumpcapAvailable(path = dumpcapBinary()): boolean {
  return programRuns(path, ['-v']);
}

/** dumpcap's argument list for these options (exported for tests and the README). */
export function dumpcapArgs(opts: LiveCaptureOptions): string[] {
  const { filter, bufferSize, snaplen } = programSettings(opts, DUMPCAP_MAX_SNAPLEN);
  return [
    '-i', opts.iface, '-w', '-', '-q',
    '-s', String(snaplen),
    // -B is in MiB for dumpcap (KiB for tcpdump).
    '-B', String(Math.max(1, Math.ceil(bufferSize / (1024 * 1024)))),
    ...(opts.promisc ? [] : ['-p']),
    '-f', filter,
  ];
}

/**
 * The counters of the Interface Statistics Blocks at the end of a pcapng stream (TAIL: its
 * last bytes), summed over interfaces; {} when the stream does not end with one.
 */
export function isbCounters(tail: Buffer, littleEndian: boolean): ProgramCounters {
  const u32 = (off: number): number => (littleEndian ? tail.readUInt32LE(off) : tail.readUInt32BE(off));
  const u64 = (off: number): number => Number(littleEndian ? tail.readBigUInt64LE(off) : tail.readBigUInt64BE(off));
  let end = tail.length;
  let received: number | undefined;
  let dropped: number | undefined;
  while (end >= 32) {
    const length = u32(end - 4);
    const start = end - length;
    if (length < 32 || length % 4 !== 0 || start < 0 || u32(start) !== PCAPNG_ISB || u32(start + 4) !== length) break;
    for (let off = start + 20; off + 4 <= end - 4;) {
      const code = littleEndian ? tail.readUInt16LE(off) : tail.readUInt16BE(off);
      const len = littleEndian ? tail.readUInt16LE(off + 2) : tail.readUInt16BE(off + 2);
      if (code === 0 || off + 4 + len > end - 4) break;
      if (len === 8 && code === ISB_IFRECV) received = (received ?? 0) + u64(off + 4);
      if (len === 8 && code === ISB_IFDROP) dropped = (dropped ?? 0) + u64(off + 4);
      off += 4 + Math.ceil(len / 4) * 4;
    }
    end = start;
  }
  return { ...(received !== undefined ? { received } : {}), ...(dropped !== undefined ? { dropped } : {}) };
}

/** dumpcap's own error lines, without its banners and counters. */
export function dumpcapErrors(stderr: string): string[] {
  return stderr.split(/[\r\n]+/).map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Capturing on |File: |Packets( captured)?: |Packets received\/dropped |Running as user )/.test(l))
    .map((l) => l.replace(/^dumpcap: /, ''));
}

/** Keeps the last TAIL_BYTES of the stream and the section's byte order. */
class StreamTail {
  private tail = Buffer.alloc(0);
  littleEndian = true;
  private seenHeader = false;

  push(chunk: Buffer): void {
    if (!this.seenHeader && chunk.length >= 12) {
      this.seenHeader = true;
      this.littleEndian = chunk.readUInt32LE(8) === 0x1a2b3c4d;
    }
    this.tail = chunk.length >= TAIL_BYTES ? Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES)) : Buffer.concat([this.tail, chunk]).subarray(-TAIL_BYTES);
  }

  counters(): ProgramCounters {
    return isbCounters(this.tail, this.littleEndian);
  }
}

/**
 * Start dumpcap on IFACE; resolves once its section header and interface block arrived,
 * rejects with a one-line CarpdumpError (exit 1) when dumpcap is missing or fails to start.
 */
export function openDumpcapCapture(opts: LiveCaptureOptions & { readonly dumpcapPath?: string }): Promise<LiveCaptureSource> {
  const args = dumpcapArgs(opts);
  const tail = new StreamTail();
  return openStreamCapture(opts, {
    program: 'dumpcap',
    binary: opts.dumpcapPath ?? dumpcapBinary(),
    args,
    filter: args[args.length - 1] ?? '',
    blockTimeoutMs: DUMPCAP_BLOCK_TIMEOUT_MS,
    observe: (chunk) => tail.push(chunk),
    // isb_ifrecv is what dumpcap read from libpcap (Wireshark's dumpcap.c), not ps_recv.
    countsWhatItReads: true,
    // Known at the end only (no interim counters: --metrics shows kernel drops as absent).
    counters: (_stderr, exited) => (exited ? tail.counters() : {}),
    errors: dumpcapErrors,
  }, 'dumpcap comes with tshark/wireshark-common; --capture-backend tcpdump or cap need no dumpcap');
}
