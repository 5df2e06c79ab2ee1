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
 * Perl subroutines on a packet socket handle, shared by the helpers below:
 *   gate($s)      attach a classic BPF program of one instruction, `ret #0`, so the socket
 *                 takes (and the kernel counts) no more frames;
 *   filter($s)    the program attached now (SO_GET_FILTER, through syscall(): perl's own
 *                 getsockopt() passes a 256-byte buffer, too small for a long filter);
 *   restore($s, $prog)  attach it again (or detach when there was none);
 *   drained($s, $minMs, $maxMs)  wait until the ring holds no frame the capturing process has
 *                 not consumed (poll: not readable), at least $minMs: a TPACKET_V3 block that
 *                 is not full is handed over only when the kernel's block timer retires it.
 * No Time::HiRes (not in perl-base): time is counted in 10 ms sleeps, which only errs long.
 */
export const PERL_SOCKET_SUBS =
  'use Config; my $SYS_getsockopt = $Config{archname} =~ /^x86_64/ ? 55 : $Config{archname} =~ /^aarch64/ ? 209 : -1; ' +
  'sub gate { my ($s) = @_; my $i = pack("SCCL", 6, 0, 0, 0); setsockopt($s, 1, 26, pack("S x6 P", 1, $i)) } ' +
  'sub filter { my ($s) = @_; return undef if $SYS_getsockopt < 0; my $n = pack("L", 0); ' +
  'return undef if syscall($SYS_getsockopt, fileno($s), 1, 26, 0, $n) < 0; my $c = unpack("L", $n); return "" if $c == 0; ' +
  'my $b = "\\0" x (8 * $c); $n = pack("L", $c); return undef if syscall($SYS_getsockopt, fileno($s), 1, 26, $b, $n) < 0; ' +
  'return pack("S", $c) . $b; } ' +
  'sub restore { my ($s, $p) = @_; return setsockopt($s, 1, 27, pack("L", 0)) || 1 if $p eq ""; ' +
  'my ($c) = unpack("S", $p); my $b = substr($p, 2); setsockopt($s, 1, 26, pack("S x6 P", $c, $b)) } ' +
  'sub readable { my ($s) = @_; my $v = ""; vec($v, fileno($s), 1) = 1; select($v, undef, undef, 0) > 0 } ' +
  'sub drained { my ($s, $min, $max) = @_; for (my $t = 0; $t <= $max; $t += 10) { ' +
  'return 1 if $t >= $min && !readable($s); select(undef, undef, undef, 0.01); } return 0 } ';

/**
 * The helper: holds the capture socket as fd 3 and answers each line on its stdin with the
 * cumulative counters ("P D", or "unknown" when getsockopt fails). The capture starts with
 * "b" (keep libpcap's filter aside, attach reject-all, wait until the worker has consumed the
 * ring), "r" (read and zero the counters) and, once the worker counts from there, "u" (attach
 * libpcap's filter again): so every frame the counters count is one the worker reads after its
 * start, and every frame it reads after its start is counted. When its stdin ends (the worker
 * stopped, or died: cap aborts it when the interface vanishes), it reads the counters a last
 * time and writes them to fd 4. The socket stays open until then, so the kernel's counters
 * outlive the worker. It ignores the terminal's signals: Ctrl-C reaches the whole process
 * group, and carpdump decides.
 */
const PERL_COUNTER_HELPER =
  '$SIG{INT} = $SIG{TERM} = $SIG{HUP} = $SIG{PIPE} = "IGNORE"; $| = 1; ' + PERL_SOCKET_SUBS +
  'open(my $s, "+<&=3") or exit 2; my ($P, $D, $k, $F) = (0, 0, 0, undef); ' +
  `sub rd { my $v = getsockopt($s, ${SOL_PACKET}, ${PACKET_STATISTICS}); return unless defined $v; ` +
  'my ($p, $d) = unpack("LL", $v); $P += $p; $D += $d; $k = 1; } ' +
  'sub line { $k ? "$P $D\\n" : "unknown\\n" } ' +
  'while (my $l = <STDIN>) { ' +
  'if ($l =~ /^b/) { $F = filter($s); if (defined $F && gate($s)) { drained($s, 0, 2000) } else { $F = undef } } ' +
  'if ($l =~ /^u/) { restore($s, $F) if defined $F; $F = undef; } ' +
  'rd(); ($P, $D) = (0, 0) if $l =~ /^r/; print line(); } ' +
  'restore($s, $F) if defined $F; rd(); if (open(my $m, ">&=4")) { syswrite($m, line()); }';

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
  }

  /**
   * Start counting from zero, exactly: the helper shuts the socket ("b"), waits until the worker
   * has consumed the ring, zeroes the counters ("r"); then BEGIN runs (from here on the worker
   * delivers what it reads) and the socket opens again ("u"). DONE once it is open. Frames the
   * worker reads before BEGIN arrived before the capture's start and are not counted.
   */
  start(begin: () => void, done: () => void): void {
    this.ask('b', () => undefined);
    this.ask('r', () => {
      begin();
      this.ask('u', () => done());
    });
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

/**
 * Shut the capture socket of another process (tcpdump, dumpcap: its child) and wait until that
 * process has consumed every frame its ring holds: perl takes a copy of the socket with
 * pidfd_getfd(2) (the same syscall numbers on x86_64 and aarch64; root, or the same
 * credentials), attaches reject-all (so the kernel counts no more frames) and waits as
 * PERL_SOCKET_SUBS' drained(). Exit 0 drained, 1 still busy after $max ms, 3 not possible.
 */
const PERL_CHILD_GATE =
  '$SIG{INT} = $SIG{TERM} = $SIG{HUP} = "IGNORE"; $| = 1; ' + PERL_SOCKET_SUBS +
  'exit 3 unless $Config{archname} =~ /^(x86_64|aarch64)/; my ($pid, $fd, $min, $max) = @ARGV; ' +
  'my $pidfd = syscall(434, $pid + 0, 0); exit 3 if $pidfd < 0; my $n = syscall(438, $pidfd, $fd + 0, 0); exit 3 if $n < 0; ' +
  'open(my $s, "+<&=", $n) or exit 3; exit 3 unless gate($s); print "gated\\n"; exit(drained($s, $min, $max) ? 0 : 1);';

/** The descriptor of process PID that is a packet socket of its network namespace, if exactly one. */
export function packetSocketFdOf(pid: number): number | undefined {
  let inodes: Set<number>;
  let fds: string[];
  try {
    inodes = new Set(parsePacketTable(readFileSync(`/proc/${pid}/net/packet`, 'utf8')).map((l) => l.inode));
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const found: number[] = [];
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined && inodes.has(Number(m[1]))) found.push(Number(fd));
    } catch {
      // closed meanwhile
    }
  }
  return found.length === 1 ? found[0] : undefined;
}

export type GateOutcome = 'drained' | 'busy' | 'unavailable';

/** A running gate (see PERL_CHILD_GATE): its outcome, and a way to give up on it. */
export interface ChildGate {
  readonly outcome: Promise<GateOutcome>;
  cancel(): void;
}

/**
 * Shut the capture socket of process PID and resolve once it has consumed its ring (at least
 * MIN_MS: the kernel's block timer), or after MAX_MS, or at once when that is not possible
 * (no perl, no permission, not Linux): then the caller stops the process as before. ONGATED
 * runs once the socket is shut (the caller may know sooner that the ring is empty, and cancel).
 */
export function gateChildCapture(pid: number, minMs: number, maxMs: number, onGated?: () => void): ChildGate {
  const fd = packetSocketFdOf(pid);
  if (fd === undefined) return { outcome: Promise.resolve('unavailable'), cancel: () => undefined };
  let child: ChildProcess;
  try {
    child = spawn('perl', ['-e', PERL_CHILD_GATE, String(pid), String(fd), String(minMs), String(maxMs)], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return { outcome: Promise.resolve('unavailable'), cancel: () => undefined };
  }
  // "gated": the socket is shut (the kernel counts no more), the ring may still hold frames.
  child.stdout?.setEncoding('utf8').once('data', () => onGated?.());
  const outcome = new Promise<GateOutcome>((resolve) => {
    child.on('error', () => resolve('unavailable'));
    child.on('exit', (code) => resolve(code === 0 ? 'drained' : code === 1 ? 'busy' : 'unavailable'));
  });
  return { outcome, cancel: () => { if (child.exitCode === null) child.kill('SIGKILL'); } };
}
