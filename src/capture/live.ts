// Live capture through libpcap (the `cap` package): `carpdump -i IFACE`.
//
// Frames are delivered in arrival order with the receive time in microseconds: cap does not
// pass libpcap's kernel timestamp on, so a frame's time is when Node saw it (taken from
// performance.timeOrigin + performance.now(), the same clock as the ticks, so frames and
// ticks never go backwards relative to each other). While running, tick(now) is called about
// every TICK_INTERVAL_MS so analyzers can raise timer findings (a silent master) when they
// happen, not when the next packet arrives.
//
// Limits that come from cap 0.2.x (see cap-binding.ts): snaplen is applied here on top of
// cap's fixed 65535-byte capture (frames longer than 65535 bytes keep originalLength =
// 65535); promiscuous mode cannot be turned off; there is no pcap_stats(), so stats()
// reads the packet socket's PACKET_STATISTICS itself (socket-drops.ts) and the interface
// drops from its rx_dropped counter, as libpcap on Linux does.
//
// cap fixes snaplen at 65535 and uses immediate mode (TPACKET_V2), so every slot of the
// kernel ring is ~64 KiB: tcpdump's 2 MiB default would hold only 32 frames. The default
// buffer here is 32 MiB (512 frames); -B can change it.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CarpdumpError, EXIT } from '../errors.js';
import { loadCap, type CapHandle } from './cap-binding.js';
import { PacketSocketStats, newSocketInode, packetSocketInodes } from './socket-drops.js';
import type { CaptureSource, CaptureStats, ClockTick, FrameSink, RawFrame } from './types.js';

/** Kernel filter when none is given: the protocols carpdump analyzes, so busy links are filtered in the kernel. */
export const DEFAULT_LIVE_FILTER =
  'ip proto 112 or ip6 proto 112 or ip proto 240 or ip6 proto 240 or arp or icmp6';

/** cap's snaplen (fixed in its binding). */
export const CAP_MAX_SNAPLEN = 65535;
/** Kernel ring size when -B is not given: 512 slots of cap's ~64 KiB frames. */
export const DEFAULT_BUFFER_SIZE = 32 * 1024 * 1024;
export const TICK_INTERVAL_MS = 200;
/**
 * Every cap handle and its packet buffer, kept reachable for the life of the process. cap
 * 0.2.x neither keeps the buffer alive (libpcap copies into it: a collected buffer means heap
 * corruption) nor uv_close()s its poll handle (a collected handle leaves libuv a dangling
 * pointer, and one whose open() failed asserts in uv_poll_stop when collected). A CLI opens
 * one or two handles, so keeping them costs nothing.
 */
const retained: { handle: CapHandle; buffer: Buffer }[] = [];

function newHandle(Cap: new () => CapHandle, buffer: Buffer): CapHandle {
  const handle = new Cap();
  retained.push({ handle, buffer });
  return handle;
}

/** Frames kept while nobody called run() yet (between open and run). */
const MAX_EARLY_FRAMES = 10_000;

export interface LiveCaptureOptions {
  readonly iface: string;
  /** BPF expression; empty means DEFAULT_LIVE_FILTER. */
  readonly filter: string;
  /** tcpdump's -s: 0 means the maximum. */
  readonly snaplen: number;
  /** tcpdump's -p inverted. cap always opens in promiscuous mode; false is accepted and noted. */
  readonly promisc: boolean;
  /** Kernel buffer size in bytes (tcpdump -B is KiB). */
  readonly bufferSize?: number;
}

/** A live source, with what a pcap writer needs before the first frame. */
export interface LiveCaptureSource extends CaptureSource {
  /** LINKTYPE_* of the interface (1 Ethernet, 113 Linux SLL for `any`, ...). */
  readonly linktype: number;
  /** The name cap gives the link type (ETHERNET, LINKTYPE_LINUX_SLL, ...). */
  readonly linktypeName: string;
  /** Effective snap length (for the pcap header). */
  readonly snaplen: number;
  /** The filter actually compiled into the kernel. */
  readonly filter: string;
  /** Always 6: receive time in microseconds (cap does not expose kernel timestamps). */
  readonly tsDigits: number;
  stats(): LiveCaptureStats;
}

export interface LiveCaptureStats extends CaptureStats {
  /**
   * True when received/dropped come from the kernel (PACKET_STATISTICS); false when they
   * could not be read, and then received counts the frames this process got and dropped is 0.
   */
  readonly fromKernel: boolean;
}

/** Link-type names returned by cap's open(), as LINKTYPE_* values. */
const LINKTYPE_BY_CAP_NAME: Readonly<Record<string, number>> = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
};

/** DLT_* values that differ from their LINKTYPE_* (cap reports others as "Unknown linktype N"). */
const LINKTYPE_BY_DLT: Readonly<Record<number, number>> = { 12: 101, 14: 101 };

export function linktypeOfCapName(name: string): number | undefined {
  const known = LINKTYPE_BY_CAP_NAME[name];
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d+)$/.exec(name);
  if (!m || m[1] === undefined) return undefined;
  const dlt = Number(m[1]);
  return LINKTYPE_BY_DLT[dlt] ?? dlt;
}

/** Wall-clock microseconds since the epoch, monotonic within the process. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export function effectiveSnaplen(snaplen: number): number {
  if (!Number.isFinite(snaplen) || snaplen <= 0) return CAP_MAX_SNAPLEN;
  return Math.min(Math.floor(snaplen), CAP_MAX_SNAPLEN);
}

/** Turn cap/libpcap open errors into the one-line messages of the SPEC (exit 1). */
export function describeOpenError(iface: string, message: string): CarpdumpError {
  const msg = message.replace(/\s+/g, ' ').trim();
  if (/no such device|doesn't exist|no such interface/i.test(msg)) {
    return new CarpdumpError(`${iface}: no such interface (carpdump -D lists them)`, EXIT.input);
  }
  if (/permission|not permitted|EPERM|EACCES/i.test(msg)) {
    return new CarpdumpError(
      `${iface}: you don't have permission to capture on that device (${msg}); ` +
        'run as root or give node CAP_NET_RAW (setcap cap_net_raw=eip "$(command -v node)")',
      EXIT.input,
    );
  }
  return new CarpdumpError(`${iface}: cannot capture: ${msg}`, EXIT.input);
}

function interfaceExists(iface: string, names: readonly string[]): boolean {
  return names.includes(iface);
}

function readIfDropped(iface: string): number | undefined {
  if (iface === 'any' || !/^[\w.@:-]+$/.test(iface)) return undefined;
  try {
    const n = Number(readFileSync(`/sys/class/net/${iface}/statistics/rx_dropped`, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function tickOf(micros: number): ClockTick {
  const sec = Math.floor(micros / 1e6);
  return { sec, nsec: (micros - sec * 1e6) * 1000 };
}

/**
 * Open IFACE for capture. Throws CarpdumpError (exit 1, one line) when cap is unavailable,
 * the interface does not exist, permission is missing, or the filter does not compile.
 */
export function openLiveCapture(opts: LiveCaptureOptions): LiveCaptureSource {
  const cap = loadCap();
  const filter = opts.filter.trim() === '' ? DEFAULT_LIVE_FILTER : opts.filter.trim();
  const snaplen = effectiveSnaplen(opts.snaplen);
  const bufferSize = opts.bufferSize !== undefined && opts.bufferSize > 0 ? Math.floor(opts.bufferSize) : DEFAULT_BUFFER_SIZE;

  // Checked first: cap prints a libpcap warning to stderr for unknown devices before failing.
  let names: string[];
  try {
    names = cap.Cap.deviceList().map((d) => d.name);
  } catch (err) {
    throw describeOpenError(opts.iface, err instanceof Error ? err.message : String(err));
  }
  if (!interfaceExists(opts.iface, names)) throw describeOpenError(opts.iface, 'No such device exists');

  const buffer = Buffer.alloc(CAP_MAX_SNAPLEN);
  const handle = newHandle(cap.Cap, buffer);
  let linktypeName: string;
  const socketsBefore = packetSocketInodes();
  try {
    linktypeName = handle.open(opts.iface, filter, bufferSize, buffer);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw classifyOpenFailure(cap.Cap, opts.iface, filter, bufferSize, message);
  }
  const linktype = linktypeOfCapName(linktypeName);
  if (linktype === undefined) {
    handle.close();
    throw new CarpdumpError(`${opts.iface}: unsupported link type ${linktypeName}`, EXIT.input);
  }
  const counters = new PacketSocketStats(newSocketInode(socketsBefore, packetSocketInodes()));
  return new LiveCapture(opts.iface, handle, buffer, linktype, linktypeName, snaplen, filter, counters);
}

/**
 * open() failed: tell a bad filter from a device problem by opening the device again
 * without a filter (cap gives no other way to compile a filter alone).
 */
function classifyOpenFailure(
  Cap: new () => CapHandle,
  iface: string,
  filter: string,
  bufferSize: number,
  message: string,
): CarpdumpError {
  const deviceError = describeOpenError(iface, message);
  if (/no such interface|permission/.test(deviceError.message)) return deviceError;
  const probeBuffer = Buffer.alloc(64);
  const probe = newHandle(Cap, probeBuffer);
  try {
    probe.open(iface, '', bufferSize, probeBuffer);
  } catch {
    return deviceError;
  }
  probe.close();
  const msg = message.replace(/\s+/g, ' ').trim();
  return new CarpdumpError(`bad capture filter "${filter}": ${msg}`, EXIT.input);
}

class LiveCapture implements LiveCaptureSource {
  readonly name: string;
  readonly tsDigits = 6;
  private received = 0;
  private stopped = false;
  private sink: FrameSink | undefined;
  private early: RawFrame[] = [];
  private earlyDropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private failure: unknown;
  private readonly ifDroppedAtOpen: number | undefined;
  private finalStats: LiveCaptureStats | undefined;

  constructor(
    readonly iface: string,
    private readonly handle: CapHandle,
    private readonly buffer: Buffer,
    readonly linktype: number,
    readonly linktypeName: string,
    readonly snaplen: number,
    readonly filter: string,
    private readonly counters: PacketSocketStats,
  ) {
    this.name = iface;
    this.ifDroppedAtOpen = readIfDropped(iface);
    handle.on('packet', (nbytes, truncated) => this.onPacket(nbytes, truncated));
  }

  private onPacket(nbytes: number, truncated: boolean): void {
    if (this.stopped) return;
    const micros = nowMicros();
    this.received += 1;
    const captured = Math.min(nbytes, this.snaplen);
    const sec = Math.floor(micros / 1e6);
    const data = this.buffer.subarray(0, captured);
    const frame: RawFrame = {
      number: this.received,
      tsSec: sec,
      tsNsec: (micros - sec * 1e6) * 1000,
      tsDigits: 6,
      linktype: this.linktype,
      interfaceId: 0,
      capturedLength: captured,
      // cap copies at most 65535 bytes and does not pass the wire length on.
      originalLength: truncated ? Math.max(nbytes, CAP_MAX_SNAPLEN) : nbytes,
      data,
    };
    if (!this.sink) {
      if (this.early.length < MAX_EARLY_FRAMES) this.early.push({ ...frame, data: Uint8Array.from(data) });
      else this.earlyDropped += 1;
      return;
    }
    this.deliver(this.sink, frame);
  }

  private deliver(sink: FrameSink, frame: RawFrame): void {
    try {
      sink(frame);
    } catch (err) {
      this.fail(err);
    }
  }

  run(sink: FrameSink, tick?: (now: ClockTick) => void): Promise<void> {
    if (this.sink) return Promise.reject(new Error('live capture: run() called twice'));
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.sink = sink;
      const early = this.early;
      this.early = [];
      for (const frame of early) {
        if (this.stopped) break;
        this.deliver(sink, frame);
      }
      if (this.stopped) {
        this.finish();
        return;
      }
      if (tick) {
        this.timer = setInterval(() => {
          if (this.stopped) return;
          try {
            tick(tickOf(nowMicros()));
          } catch (err) {
            this.fail(err);
          }
        }, TICK_INTERVAL_MS);
      }
    });
  }

  private fail(err: unknown): void {
    if (this.failure === undefined) this.failure = err ?? new Error('live capture failed');
    this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // Read the kernel counters while the socket still exists.
    this.finalStats = this.readStats();
    this.handle.removeAllListeners('packet');
    this.handle.close();
    this.finish();
  }

  private finish(): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    if (this.failure !== undefined) settle.reject(this.failure);
    else settle.resolve();
  }

  private readStats(): LiveCaptureStats {
    this.counters.poll();
    const kernel = this.counters.totals();
    const ifNow = readIfDropped(this.iface);
    const ifDropped =
      ifNow !== undefined && this.ifDroppedAtOpen !== undefined ? Math.max(0, ifNow - this.ifDroppedAtOpen) : 0;
    if (!kernel) return { received: this.received, dropped: this.earlyDropped, ifDropped, fromKernel: false };
    // As tcpdump on Linux: "received by filter" counts the dropped ones too.
    return { received: kernel.packets, dropped: kernel.drops + this.earlyDropped, ifDropped, fromKernel: true };
  }

  stats(): LiveCaptureStats {
    return this.finalStats ?? this.readStats();
  }
}
