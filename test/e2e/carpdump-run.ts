// Helpers for the live end-to-end tests: run bin/carpdump.js inside a lab namespace, wait
// until its capture socket exists, and read its jsonl output.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { waitFor, type Lab, type SpawnedProcess } from '../netns/lab.js';
import { CARPDUMP_BIN, REPO_ROOT } from '../support/paths.js';

export function tsOf(text: string): number {
  return Number(text);
}

export interface JsonObject {
  readonly [key: string]: unknown;
}

/** Every JSON object on stdout (one per line); a line that is not JSON fails the test. */
export function parseJsonl(stdout: string): JsonObject[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as JsonObject;
      } catch {
        throw new Error(`line ${i + 1} of carpdump's jsonl is not JSON: ${l.slice(0, 200)}`);
      }
    });
}

/** A decoded packet object of the jsonl output. */
export interface PacketObject {
  readonly number: number;
  readonly ts: number;
  readonly layers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly findings: readonly string[];
}

export function packets(objs: readonly JsonObject[]): PacketObject[] {
  return objs
    .filter((o) => o.type === 'packet')
    .map((o) => {
      const frame = o.frame as { number: number; ts: string };
      return {
        number: frame.number,
        ts: tsOf(frame.ts),
        layers: o.layers as PacketObject['layers'],
        findings: (o.findings as string[] | undefined) ?? [],
      };
    });
}

export function findings(objs: readonly JsonObject[], id?: string): JsonObject[] {
  return objs.filter((o) => o.type === 'finding' && (id === undefined || o.id === id));
}

export function summaryOf(objs: readonly JsonObject[]): JsonObject | undefined {
  return objs.find((o) => o.type === 'summary');
}

/** CARP adverts (with their IPv4 source) among the packets. */
export function carpAdverts(pkts: readonly PacketObject[]): { src: string; ts: number; carp: Readonly<Record<string, unknown>> }[] {
  const out: { src: string; ts: number; carp: Readonly<Record<string, unknown>> }[] = [];
  for (const p of pkts) {
    const carp = p.layers.carp;
    const ip = p.layers.ipv4;
    if (carp && ip) out.push({ src: String(ip['ip.src']), ts: p.ts, carp });
  }
  return out;
}

/** Number of packet sockets open in a namespace (each running capture holds one). */
export function packetSockets(lab: Lab, ns: string): number {
  const text = lab.exec(ns, ['cat', '/proc/net/packet']);
  return text.split('\n').slice(1).filter((l) => l.trim() !== '').length;
}

/** Inodes of the packet sockets of a namespace. */
function packetSocketInodes(lab: Lab, ns: string): Set<string> {
  const text = lab.exec(ns, ['cat', '/proc/net/packet']);
  return new Set(text.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[8] ?? '').filter((s) => s !== ''));
}

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

function socketInodesOf(pid: number): string[] {
  const out: string[] = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1]) out.push(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // gone
  }
  return out;
}

/**
 * True once the process PID (or its capture worker) holds a packet socket of NS: its capture
 * is open, so no packet sent afterwards can be missed.
 */
export function captureIsOpen(lab: Lab, ns: string, pid: number): boolean {
  const packet = packetSocketInodes(lab, ns);
  return [pid, ...childrenOf(pid)].some((p) => socketInodesOf(p).some((i) => packet.has(i)));
}

/** The live capture backends (--capture-backend) the main live tests run with, each. */
export const LIVE_BACKENDS = ['cap', 'tcpdump'] as const;

/** Start carpdump in the monitor namespace and wait until its capture is open. */
export async function startCarpdump(lab: Lab, args: readonly string[], name = 'carpdump'): Promise<SpawnedProcess> {
  const p = lab.spawn(lab.monitor.ns, name, [process.execPath, CARPDUMP_BIN, ...args], { cwd: REPO_ROOT });
  const pid = p.child.pid;
  if (pid === undefined) throw new Error(`${name} did not start: ${p.stderr()}`);
  await waitFor(
    `${name} to open its capture`,
    () => {
      if (p.child.exitCode !== null) throw new Error(`${name} exited early (${p.child.exitCode}): ${p.stderr()}`);
      // The capture runs once carpdump says "listening on" (not printed in --check mode).
      return captureIsOpen(lab, lab.monitor.ns, pid) && (args.includes('--check') || /^listening on /m.test(p.stderr()));
    },
    20_000,
  );
  return p;
}

/** Packets in a pcap file as tcpdump counts them (tcpdump -r FILE; throws when tcpdump fails). */
export function tcpdumpCount(file: string): number {
  const out = execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

export function builtCli(): boolean {
  return existsSync(resolve(REPO_ROOT, 'dist/src/cli.js'));
}

/** The counters a live capture prints at the end (stderr), undefined where a line is missing. */
export interface LiveCounters {
  readonly captured?: number;
  readonly received?: number;
  readonly kernel?: number;
  readonly queueFull?: number;
  readonly stopped?: number;
}

export function liveCounters(stderr: string): LiveCounters {
  const n = (re: RegExp): number | undefined => {
    const m = re.exec(stderr);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const stopped = n(/^(\d+) packets? dropped by carpdump \(capture stopped/m);
  return {
    captured: n(/^(\d+) packets? captured$/m),
    received: n(/^(\d+) packets? received by filter$/m),
    kernel: n(/^(\d+) packets? dropped by kernel$/m),
    queueFull: n(/^(\d+) packets? dropped by carpdump \(queue full\)$/m),
    // Printed only when not 0.
    stopped: stopped ?? 0,
  };
}
