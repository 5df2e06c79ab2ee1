// Kernel counters of the packet socket libpcap opened for us (what pcap_stats() returns on
// Linux), read without pcap_stats(), which the `cap` binding does not expose.
//
// The socket is found by its inode: /proc/net/packet lists the packet sockets of this network
// namespace; the one that appeared while cap.open() ran is ours, and /proc/self/fd/N links to
// "socket:[INODE]". Node has no getsockopt(), so a small perl child (perl-base is part of
// every Debian system) inherits that descriptor as fd 3 for the whole capture and runs, on request,
//   getsockopt(fd, SOL_PACKET, PACKET_STATISTICS) -> struct tpacket_stats { u32 tp_packets; u32 tp_drops; }
// where the kernel has already added tp_drops into tp_packets ("received by filter", as
// tcpdump prints it). The kernel resets the counters on every read, so they are accumulated.
// Because the helper holds the socket too, the counters can still be read after cap has
// aborted the worker (the interface went away).
// Anything missing (not Linux, no perl, socket gone) gives `undefined`: unknown, never 0.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const SOL_PACKET = 263;
const PACKET_STATISTICS = 6;

/** Inodes of the packet sockets in this network namespace (empty when unknown). */
export function packetSocketInodes(procNetPacket = '/proc/net/packet'): Set<number> {
  const inodes = new Set<number>();
  let text: string;
  try {
    text = readFileSync(procNetPacket, 'utf8');
  } catch {
    return inodes;
  }
  for (const line of parsePacketTable(text)) inodes.add(line.inode);
  return inodes;
}

export interface PacketSocketLine {
  readonly ifindex: number;
  readonly inode: number;
}

/** Rows of /proc/net/packet: `sk RefCnt Type Proto Iface R Rmem User Inode`. */
export function parsePacketTable(text: string): PacketSocketLine[] {
  const rows: PacketSocketLine[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 9) continue;
    const ifindex = Number(cols[4]);
    const inode = Number(cols[8]);
    if (Number.isInteger(ifindex) && Number.isInteger(inode)) rows.push({ ifindex, inode });
  }
  return rows;
}

/** The descriptor of this process that refers to socket INODE, if any. */
export function fdOfSocket(inode: number): number | undefined {
  const want = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === want) return Number(fd);
    } catch {
      // closed meanwhile (readdir's own descriptor, for one)
    }
  }
  return undefined;
}

export interface PacketSocketCounters {
  /** Packets that passed the filter, dropped ones included. */
  readonly packets: number;
  readonly drops: number;
}

/**
 * The helper: holds the capture socket as fd 3 and answers each line on its stdin with the
 * cumulative counters ("P D", or "unknown" when getsockopt fails); "r" reads and zeroes them
 * (the capture's start). When its stdin ends (the worker stopped, or died: cap aborts it when
 * the interface vanishes), it reads the counters a last time and writes them to fd 4. The
 * socket stays open until then, so the kernel's counters outlive the worker. It ignores the
 * terminal's signals: Ctrl-C reaches the whole process group, and carpdump decides.
 */
const PERL_COUNTER_HELPER =
  '$SIG{INT} = $SIG{TERM} = $SIG{HUP} = $SIG{PIPE} = "IGNORE"; $| = 1; ' +
  'open(my $s, "+<&=3") or exit 2; my ($P, $D, $k) = (0, 0, 0); ' +
  `sub rd { my $v = getsockopt($s, ${SOL_PACKET}, ${PACKET_STATISTICS}); return unless defined $v; ` +
  'my ($p, $d) = unpack("LL", $v); $P += $p; $D += $d; $k = 1; } ' +
  'sub line { $k ? "$P $D\\n" : "unknown\\n" } ' +
  'while (my $l = <STDIN>) { rd(); ($P, $D) = (0, 0) if $l =~ /^r/; print line(); } ' +
  'rd(); if (open(my $m, ">&=4")) { syswrite($m, line()); }';

/** Parse one answer of the helper: "P D" or "unknown". */
export function parseCounterLine(line: string): PacketSocketCounters | undefined {
  const m = /^(\d+) (\d+)$/.exec(line.trim());
  return m ? { packets: Number(m[1]), drops: Number(m[2]) } : undefined;
}

/**
 * Reads the kernel counters of the capture socket (descriptor FD of this process) through the
 * helper, accumulated since the capture started. The final counters, read after this process
 * has gone, are written to descriptor FINAL_FD (a pipe to carpdump).
 */
export class KernelCounterReader {
  private readonly child: ChildProcess | undefined;
  private readonly waiting: ((c: PacketSocketCounters | undefined) => void)[] = [];
  private pending = '';

  constructor(fd: number | undefined, finalFd: number) {
    if (fd === undefined) return;
    try {
      this.child = spawn('perl', ['-e', PERL_COUNTER_HELPER], { stdio: ['pipe', 'pipe', 'ignore', fd, finalFd] });
    } catch {
      return;
    }
    const fail = (): void => {
      for (const w of this.waiting.splice(0)) w(undefined);
    };
    this.child.on('error', fail);
    this.child.on('exit', fail);
    this.child.stdin?.on('error', () => undefined);
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.pending += d;
      for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.waiting.shift()?.(parseCounterLine(line));
      }
    });
    // Start from zero: what the socket counted before its filter was in place is not ours.
    this.ask('r', () => undefined);
  }

  private ask(command: string, done: (c: PacketSocketCounters | undefined) => void): void {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.child?.exitCode !== null) {
      setImmediate(() => done(undefined));
      return;
    }
    this.waiting.push(done);
    stdin.write(`${command}\n`);
  }

  /** The counters since the capture started (undefined: unknown). */
  read(done: (c: PacketSocketCounters | undefined) => void): void {
    this.ask('s', done);
  }

  /** Let the helper write the final counters and end. */
  close(): void {
    this.child?.stdin?.end();
  }
}

/** The inode that is in `after` and not in `before`, when exactly one appeared. */
export function newSocketInode(before: Set<number>, after: Set<number>): number | undefined {
  const added = [...after].filter((i) => !before.has(i));
  return added.length === 1 ? added[0] : undefined;
}
