// Test harness: an isolated Ethernet segment made of Linux network namespaces, for live
// end-to-end tests with real peers (ucarp, keepalived) and the load test.
//
//            ns <p>-a                 ns <p>-m (monitor)                 ns <p>-b
//   +--------------------+     +---------------------------+     +--------------------+
//   | va 10.77.0.1/24    |-----| pa  --+                   |     | vb 10.77.0.2/24    |
//   | fd77::1/64         |     |       +-- br0 (capture)   |-----| fd77::2/64         |
//   +--------------------+     | pb  --+                   |     +--------------------+
//                              +---------------------------+
//
// Names are unique per run (`cd-<pid>-<random>-a|b|m`), so parallel runs never collide, and
// nothing is routed: the namespaces have no default route and no link to the host's
// namespace, so no traffic can leave them. Every process started here is killed and every
// namespace deleted by close(), which tests call from `finally`; a process 'exit' hook does
// the same if a test dies first, and sweepStaleLabs() removes namespaces left by runs whose
// process no longer exists (a killed CI job).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LAB_PREFIX = 'cd-';
const LAB_NAME = /^cd-(\d+)-[0-9a-f]+-[a-z]$/;

export interface LabNode {
  /** Namespace name. */
  readonly ns: string;
  /** The node's interface on the segment. */
  readonly iface: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface SpawnedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** True when this process can create namespaces (root on Linux with `ip`). */
export function canCreateLabs(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'network namespaces need root' };
  }
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: 'iproute2 (`ip`) is not installed' };
  }
  return { ok: true };
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryIp(args: string[]): void {
  try {
    ip(args);
  } catch {
    // already gone
  }
}

function listNamespaces(): string[] {
  try {
    return ip(['netns', 'list'])
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((n) => n !== '');
  } catch {
    return [];
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kill every process inside NS (by pid, SIGKILL). */
function killNamespaceProcesses(ns: string): void {
  let pids: number[] = [];
  try {
    pids = ip(['netns', 'pids', ns])
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    // no such namespace
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Kill every process inside NS (by pid, SIGKILL) and delete it. */
function destroyNamespace(ns: string): void {
  killNamespaceProcesses(ns);
  tryIp(['netns', 'del', ns]);
}

/** Delete namespaces left by earlier runs whose process is gone. Returns their names. */
export function sweepStaleLabs(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = LAB_NAME.exec(ns);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    destroyNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

const openLabs = new Set<Lab>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lab of openLabs) lab.closeSync();
  });
}

export class Lab {
  readonly a: LabNode;
  readonly b: LabNode;
  /** The monitor namespace holding the bridge; capture on `br0` there. */
  readonly monitor: { readonly ns: string; readonly iface: string };
  /** A private temporary directory, removed by close(). */
  readonly dir: string;
  private readonly namespaces: string[];
  private readonly processes: SpawnedProcess[] = [];
  private closed = false;

  private constructor(id: string) {
    const name = (role: string): string => `${LAB_PREFIX}${process.pid}-${id}-${role}`;
    this.a = { ns: name('a'), iface: 'va', ipv4: '10.77.0.1', ipv6: 'fd77::1' };
    this.b = { ns: name('b'), iface: 'vb', ipv4: '10.77.0.2', ipv6: 'fd77::2' };
    this.monitor = { ns: name('m'), iface: 'br0' };
    this.namespaces = [this.a.ns, this.b.ns, this.monitor.ns];
    this.dir = mkdtempSync(join(tmpdir(), `carpdump-lab-${id}-`));
  }

  /** Create the three namespaces, the bridge and both links; all up, with addresses. */
  static create(): Lab {
    sweepStaleLabs();
    installExitHook();
    const lab = new Lab(randomBytes(3).toString('hex'));
    openLabs.add(lab);
    try {
      lab.build();
    } catch (err) {
      lab.closeSync();
      throw err;
    }
    return lab;
  }

  private build(): void {
    const m = this.monitor.ns;
    for (const ns of this.namespaces) {
      ip(['netns', 'add', ns]);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    ip(['-n', m, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0', 'forward_delay', '0']);
    // No IPv6 of its own on the bridge: the monitor only listens.
    execFileSync('ip', ['netns', 'exec', m, 'sysctl', '-q', '-w', 'net.ipv6.conf.br0.disable_ipv6=1'], { stdio: 'ignore' });
    for (const [node, port, mac] of [
      [this.a, 'pa', '02:00:00:77:00:0a'],
      [this.b, 'pb', '02:00:00:77:00:0b'],
    ] as const) {
      // Created inside the monitor namespace, then one end moved: nothing touches the host's.
      ip(['-n', m, 'link', 'add', port, 'type', 'veth', 'peer', 'name', node.iface]);
      ip(['-n', m, 'link', 'set', node.iface, 'netns', node.ns]);
      ip(['-n', m, 'link', 'set', port, 'master', 'br0']);
      ip(['-n', m, 'link', 'set', port, 'up']);
      ip(['-n', node.ns, 'link', 'set', node.iface, 'address', mac]);
      ip(['-n', node.ns, 'addr', 'add', `${node.ipv4}/24`, 'dev', node.iface]);
      ip(['-n', node.ns, 'addr', 'add', `${node.ipv6}/64`, 'dev', node.iface, 'nodad']);
      ip(['-n', node.ns, 'link', 'set', node.iface, 'up']);
    }
    ip(['-n', m, 'link', 'set', 'br0', 'up']);
  }

  /** Run a command inside a namespace of this lab, collecting its output. */
  spawn(ns: string, name: string, argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnedProcess {
    if (this.closed) throw new Error('lab is closed');
    if (!this.namespaces.includes(ns)) throw new Error(`${ns} is not a namespace of this lab`);
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | string>((resolve) => {
      child.on('error', (e) => {
        err += `spawn error: ${e.message}\n`;
        resolve('spawn-error');
      });
      child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
    const p: SpawnedProcess = { name, child, stdout: () => out, stderr: () => err, exited };
    this.processes.push(p);
    return p;
  }

  /** Run a command inside a namespace and wait for it (throws on failure). */
  exec(ns: string, argv: readonly string[]): string {
    return execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** ucarp on a node: vhid, passphrase, VIP, advbase 1, the given advskew. */
  startUcarp(node: LabNode, o: { vhid: number; pass: string; vip: string; advskew: number; advbase?: number; preempt?: boolean }): SpawnedProcess {
    const argv = [
      'ucarp',
      '-i', node.iface,
      '-s', node.ipv4,
      '-v', String(o.vhid),
      '-p', o.pass,
      '-a', o.vip,
      '-b', String(o.advbase ?? 1),
      '-k', String(o.advskew),
      '-u', '/bin/true',
      '-d', '/bin/true',
      ...(o.preempt ? ['-P'] : []),
    ];
    return this.spawn(node.ns, `ucarp@${node.ns}`, argv);
  }

  /** keepalived (VRRP) on a node with the given configuration text (written to the lab dir). */
  startKeepalived(node: LabNode, config: string): SpawnedProcess {
    const base = join(this.dir, `keepalived-${node.iface}`);
    writeFileSync(`${base}.conf`, config);
    const argv = [
      'keepalived', '-n', '-l', '-D', '-P',
      '-f', `${base}.conf`,
      '-p', `${base}.pid`,
      '-r', `${base}.vrrp.pid`,
      // keepalived's own namespace support would create more state; we are already inside one.
    ];
    return this.spawn(node.ns, `keepalived@${node.ns}`, argv);
  }

  /** Send SIG to a process started here and wait for it to end (SIGKILL after timeoutMs). */
  async stop(p: SpawnedProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<number | string> {
    if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined) {
      try {
        p.child.kill(signal);
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      try {
        p.child.kill('SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    try {
      return await p.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kill everything still running, delete the namespaces and the temporary directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Everything inside the namespaces first, not only the processes spawned here: a process's
    // children hold its output pipes, so it never 'close's while one lives (keepalived's VRRP
    // child once outlived its SIGKILLed parent, reparented to init, and the close hung).
    for (const ns of this.namespaces) killNamespaceProcesses(ns);
    await Promise.all(this.processes.map((p) => this.stop(p, 'SIGKILL', 2000)));
    this.closeSync();
  }

  /** Synchronous cleanup (process exit hook, failed build). */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        try {
          p.child.kill('SIGKILL');
        } catch {
          // gone
        }
      }
    }
    for (const ns of this.namespaces) destroyNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
    openLabs.delete(this);
  }

  /** Namespaces of this lab that still exist (for the cleanup test). */
  existingNamespaces(): string[] {
    const all = new Set(listNamespaces());
    return this.namespaces.filter((n) => all.has(n));
  }

  get namespaceNames(): readonly string[] {
    return this.namespaces;
  }
}

/** Resolve when `predicate` holds (polled every 50 ms), or reject after timeoutMs. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The kernel's promiscuity count of the lab's capture interface (`ip -d link`): how many hold it promiscuous. */
export function monitorPromiscuity(lab: Lab): number {
  const m = /promiscuity (\d+)/.exec(lab.exec(lab.monitor.ns, ['ip', '-d', '-o', 'link', 'show', 'dev', lab.monitor.iface]));
  if (m?.[1] === undefined) throw new Error('ip -d link shows no promiscuity count');
  return Number(m[1]);
}
