// Kernel counters of the packet socket libpcap opened for us (what pcap_stats() returns on
// Linux), read without pcap_stats(), which the `cap` binding does not expose.
//
// The socket is found by its inode: /proc/net/packet lists the packet sockets of this network
// namespace; the one that appeared while cap.open() ran is ours, and /proc/self/fd/N links to
// "socket:[INODE]". Node has no getsockopt(), so a one-line perl child (perl-base is part of
// every Debian system) inherits that descriptor as fd 3 and runs
//   getsockopt(fd, SOL_PACKET, PACKET_STATISTICS) -> struct tpacket_stats { u32 tp_packets; u32 tp_drops; }
// where the kernel has already added tp_drops into tp_packets ("received by filter", as
// tcpdump prints it). The kernel resets the counters on every read, so they are accumulated.
// Anything missing (not Linux, no perl, socket gone) gives `undefined`: unknown, never 0.

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const SOL_PACKET = 263;
const PACKET_STATISTICS = 6;

const PERL_GETSOCKOPT =
  'open(my $s, "+<&=3") or exit 2; my $v = getsockopt($s, ' +
  `${SOL_PACKET}, ${PACKET_STATISTICS}); defined $v or exit 3; ` +
  'my ($p, $d) = unpack("LL", $v); print "$p $d\\n";';

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

function parseCounters(status: number | null, stdout: string): PacketSocketCounters | undefined {
  if (status !== 0) return undefined;
  const m = /^(\d+) (\d+)$/.exec(stdout.trim());
  if (!m) return undefined;
  return { packets: Number(m[1]), drops: Number(m[2]) };
}

/** Read (and reset, as the kernel does) the counters of socket INODE. */
export function readPacketStatistics(inode: number): PacketSocketCounters | undefined {
  const fd = fdOfSocket(inode);
  if (fd === undefined) return undefined;
  const r = spawnSync('perl', ['-e', PERL_GETSOCKOPT], {
    stdio: ['ignore', 'pipe', 'ignore', fd],
    encoding: 'utf8',
    timeout: 5000,
  });
  return typeof r.stdout === 'string' ? parseCounters(r.status, r.stdout) : undefined;
}

/** The same without blocking the caller (a capture must not stall while the child runs). */
export function readPacketStatisticsAsync(inode: number): Promise<PacketSocketCounters | undefined> {
  const fd = fdOfSocket(inode);
  if (fd === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn('perl', ['-e', PERL_GETSOCKOPT], { stdio: ['ignore', 'pipe', 'ignore', fd], timeout: 5000 });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(parseCounters(code, out)));
  });
}

/** Accumulates the reset-on-read kernel counters of one packet socket. */
export class PacketSocketStats {
  private packets = 0;
  private drops = 0;
  private known = false;

  constructor(private readonly inode: number | undefined) {}

  /** Read the kernel counters now (call before the socket is closed). */
  poll(): void {
    if (this.inode === undefined) return;
    this.add(readPacketStatistics(this.inode));
  }

  /** poll() without blocking; call stop-time poll() only after this has settled. */
  async pollAsync(): Promise<void> {
    if (this.inode === undefined) return;
    this.add(await readPacketStatisticsAsync(this.inode));
  }

  private add(c: PacketSocketCounters | undefined): void {
    if (!c) return;
    this.known = true;
    this.packets += c.packets;
    this.drops += c.drops;
  }

  /** Totals so far, or undefined when they could never be read. */
  totals(): PacketSocketCounters | undefined {
    return this.known ? { packets: this.packets, drops: this.drops } : undefined;
  }
}

/** The inode that is in `after` and not in `before`, when exactly one appeared. */
export function newSocketInode(before: Set<number>, after: Set<number>): number | undefined {
  const added = [...after].filter((i) => !before.has(i));
  return added.length === 1 ? added[0] : undefined;
}
