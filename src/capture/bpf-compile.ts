// Capture filters for capture files: the expression is compiled by libpcap itself, then run
// by the interpreter of bpf.ts on every frame, so `carpdump -r FILE EXPR` keeps exactly the
// frames `tcpdump -r FILE EXPR` prints.
//
// The cap package compiles filters only inside open() on a live device, so the compiler used
// here is tcpdump (which links libpcap): `tcpdump -r - -ddd EXPR` with a bare 24-byte pcap
// file header on its standard input. Going through a file header (rather than `-y NAME`) makes
// libpcap map the LINKTYPE_* number to its DLT exactly as when tcpdump reads the capture
// itself, for every link type libpcap knows. `-ddd` prints the program in decimal: the
// instruction count, then one "code jt jf k" line per instruction.
//
// A pcapng file may have interfaces of several link types: each link type is compiled on
// its first frame and cached. The tcpdump binary is `tcpdump` on PATH, or CARPDUMP_TCPDUMP.

import { createRequire } from 'node:module';

/** node:child_process (with net and dgram) costs start-up: loaded on the first compile only. */
const lazyRequire = createRequire(import.meta.url);
import { CarpdumpError, EXIT } from '../errors.js';
import { bpfProgram, runBpf, validateBpf, type BpfInsn, type BpfProgram } from './bpf.js';
import type { CaptureSource, ClockTick, FrameSink, RawFrame } from './types.js';

const LINKTYPE_ETHERNET = 1;
/** libpcap messages that mean "not on this link type" rather than "not a filter". */
const LINK_DEPENDENT = /supported only|not supported|not implemented|link-layer|link layer|DLT/i;

/** Compiles EXPR for a LINKTYPE_* value; throws CarpdumpError (one line) when it cannot. */
export type BpfCompiler = (expression: string, linktype: number) => BpfProgram;

/** Parses `tcpdump -ddd` output (count, then "code jt jf k" lines) into instructions. */
export function parseBpfDecimal(text: string): BpfInsn[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const count = Number(lines[0]);
  if (!Number.isInteger(count) || count < 1 || lines.length !== count + 1) {
    throw new Error(`unexpected compiler output: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const out: BpfInsn[] = [];
  for (let i = 1; i <= count; i++) {
    const parts = lines[i]!.split(/\s+/).map(Number);
    if (parts.length !== 4 || parts.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new Error(`unexpected compiler output line ${i + 1}: ${JSON.stringify(lines[i])}`);
    }
    out.push({ code: parts[0]!, jt: parts[1]!, jf: parts[2]!, k: parts[3]! });
  }
  return out;
}

/** A pcap file header with no records: what tcpdump -r - needs to know the link type. */
function pcapHeader(linktype: number, snaplen: number): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true); // magic (microseconds, little-endian)
  v.setUint16(4, 2, true); // version major
  v.setUint16(6, 4, true); // version minor
  v.setUint32(16, snaplen, true); // snap length
  v.setUint32(20, linktype, true); // LINKTYPE_*
  return b;
}

/** libpcap's message from tcpdump's stderr: no "reading from file" line, no "tcpdump: " prefix. */
function compilerMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('reading from file'));
  return lines.map((l) => l.replace(/^tcpdump: /, '')).join('; ');
}

/** The default compiler: libpcap through `tcpdump -r - -ddd`. */
export function compileWithTcpdump(expression: string, linktype: number, tcpdump = process.env['CARPDUMP_TCPDUMP'] || 'tcpdump'): BpfProgram {
  const { spawnSync } = lazyRequire('node:child_process') as typeof import('node:child_process');
  const r = spawnSync(tcpdump, ['-r', '-', '-ddd', '--', expression], {
    input: pcapHeader(linktype, 262144), encoding: 'utf8', timeout: 30_000,
  });
  if (r.error) {
    const why = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${tcpdump} not found` : r.error.message;
    throw new CarpdumpError(`filtering a file needs libpcap's compiler (install tcpdump): ${why}`, EXIT.input);
  }
  if (r.status !== 0) {
    const msg = compilerMessage(r.stderr) || `${tcpdump} exited with status ${String(r.status ?? r.signal)}`;
    throw new CarpdumpError(`bad capture filter "${expression}": ${msg} (link type ${linktype})`, EXIT.input);
  }
  let program: BpfProgram;
  try {
    program = bpfProgram(parseBpfDecimal(r.stdout));
  } catch (err) {
    throw new CarpdumpError(`filtering a file needs libpcap's compiler (install tcpdump): ${(err as Error).message}`, EXIT.input);
  }
  const invalid = validateBpf(program);
  if (invalid !== undefined) throw new CarpdumpError(`capture filter "${expression}": compiled program rejected: ${invalid}`, EXIT.input);
  return program;
}

/** A capture filter for files: one compiled program per link type, compiled on first use. */
export class FileCaptureFilter {
  private readonly programs = new Map<number, BpfProgram>();
  private lastLinktype = -1;
  private lastProgram: BpfProgram | undefined;

  constructor(readonly expression: string, private readonly compile: BpfCompiler = compileWithTcpdump) {}

  /** The program for a link type (compiled now if new); throws CarpdumpError if it does not compile. */
  programFor(linktype: number): BpfProgram {
    if (linktype === this.lastLinktype && this.lastProgram) return this.lastProgram;
    let p = this.programs.get(linktype);
    if (!p) {
      p = this.compile(this.expression, linktype);
      this.programs.set(linktype, p);
    }
    this.lastLinktype = linktype;
    this.lastProgram = p;
    return p;
  }

  /**
   * Checks the expression before any frame is read, on Ethernet (the link type of most
   * captures): a missing compiler or a syntax error is reported now, before any output. Errors
   * that depend on the link type (`ether host` on raw IP) wait for a frame of that link type.
   */
  precheck(): void {
    try {
      this.programFor(LINKTYPE_ETHERNET);
    } catch (err) {
      if (err instanceof CarpdumpError && /bad capture filter/.test(err.message) && LINK_DEPENDENT.test(err.message)) return;
      throw err;
    }
  }

  /** True when the frame passes (the program returns non-zero; snap length is not applied). */
  matches(frame: RawFrame): boolean {
    return runBpf(this.programFor(frame.linktype), frame.data, frame.originalLength) !== 0;
  }
}

/**
 * A source that delivers only the frames that pass the filter; the others are never seen
 * downstream (not counted, not written, not decoded), as with tcpdump -r FILE EXPR. Frames
 * keep their number in the file. A link type that does not compile ends the run with that
 * CarpdumpError (after the frames before it).
 */
export function filterSource(source: CaptureSource, filter: FileCaptureFilter): CaptureSource {
  let failure: unknown;
  const filtered: CaptureSource = {
    name: source.name,
    async run(sink: FrameSink, tick?: (now: ClockTick) => void): Promise<void> {
      const pass = (frame: RawFrame): void => {
        if (failure !== undefined) return;
        let keep: boolean;
        try {
          keep = filter.matches(frame);
        } catch (err) {
          failure = err;
          source.stop();
          return;
        }
        if (keep) sink(frame);
      };
      try {
        await source.run(pass, tick);
      } catch (err) {
        if (failure === undefined) throw err;
      }
      if (failure !== undefined) throw failure;
    },
    stop: (reason) => source.stop(reason),
  };
  return filtered;
}
