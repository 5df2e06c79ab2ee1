// `carpdump -D`: the interfaces libpcap can capture on, numbered as tcpdump -D numbers them,
// with their state and addresses:
//
//   1.eth0 [Up, Running] 192.0.2.2/24 fd00::2/64 fe80::fc:ff:fe00:1/64
//   2.any (Pseudo-device that captures on all interfaces) [Up, Running]
//   3.lo [Up, Running, Loopback] 127.0.0.1/8 ::1/128

import { readFileSync } from 'node:fs';
import { CarpdumpError, EXIT } from '../errors.js';
import { loadCap, type CapAddress, type CapDevice } from './cap-binding.js';

/** IFF_* bits of /sys/class/net/IF/flags (linux/if.h). */
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;

/** Prefix length of a dotted-quad or IPv6 netmask, or undefined when it is not contiguous. */
export function prefixLength(netmask: string): number | undefined {
  let bits: number[];
  if (netmask.includes(':')) {
    const groups = expandIPv6(netmask);
    if (!groups) return undefined;
    bits = groups.flatMap((g) => Array.from({ length: 16 }, (_, i) => (g >> (15 - i)) & 1));
  } else {
    const octets = netmask.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
    bits = octets.flatMap((o) => Array.from({ length: 8 }, (_, i) => (o >> (7 - i)) & 1));
  }
  const ones = bits.indexOf(0) === -1 ? bits.length : bits.indexOf(0);
  return bits.slice(ones).includes(1) ? undefined : ones;
}

function expandIPv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array<number>(fill).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

export function formatAddress(a: CapAddress): string | undefined {
  if (!a.addr) return undefined;
  const len = a.netmask ? prefixLength(a.netmask) : undefined;
  return len === undefined ? a.addr : `${a.addr}/${len}`;
}

/** tcpdump's status words for an interface, from its IFF_* flags (undefined: not a netdev). */
export function statusWords(flags: number | undefined, loopbackFromPcap: boolean): string[] {
  const words: string[] = [];
  if (flags !== undefined) {
    if (flags & IFF_UP) words.push('Up');
    if (flags & IFF_RUNNING) words.push('Running');
  }
  if (loopbackFromPcap || (flags !== undefined && flags & IFF_LOOPBACK)) words.push('Loopback');
  return words;
}

/** IFF_* flags of a netdev; /sys has no IFF_RUNNING, which is its carrier (as SIOCGIFFLAGS computes it). */
function readFlags(name: string): number | undefined {
  if (name === 'any') return IFF_UP | IFF_RUNNING;
  if (!/^[\w.@:-]+$/.test(name)) return undefined;
  let flags: number;
  try {
    flags = parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(flags)) return undefined;
  try {
    if (readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1') flags |= IFF_RUNNING;
  } catch {
    // carrier is unreadable while the interface is down
  }
  return flags;
}

/** One `-D` line for a device (1-based number). */
export function formatInterfaceLine(index: number, dev: CapDevice, flags: number | undefined): string {
  let line = `${index}.${dev.name}`;
  if (dev.description) line += ` (${dev.description})`;
  const words = statusWords(flags, dev.flags === 'PCAP_IF_LOOPBACK');
  line += ` [${words.length > 0 ? words.join(', ') : 'none'}]`;
  const addrs = dev.addresses.map(formatAddress).filter((a): a is string => a !== undefined);
  if (addrs.length > 0) line += ` ${addrs.join(' ')}`;
  return line;
}

/** The text of `carpdump -D`, one interface per line, ending with a newline. */
export function listInterfaces(): string {
  const cap = loadCap();
  let devices: CapDevice[];
  try {
    devices = cap.Cap.deviceList();
  } catch (err) {
    throw new CarpdumpError(
      `cannot list interfaces: ${err instanceof Error ? err.message : String(err)}`,
      EXIT.input,
    );
  }
  if (devices.length === 0) {
    throw new CarpdumpError(
      'no interfaces found to capture on (run as root or give node CAP_NET_RAW)',
      EXIT.input,
    );
  }
  return devices.map((d, i) => formatInterfaceLine(i + 1, d, readFlags(d.name)) + '\n').join('');
}
