// The monitoring options (issue 13): --metrics [ADDR:]PORT, --metrics-linger SECONDS,
// -a duration:N / -a packets:N (tshark's autostop), --check, --expect-master VHID:ADDR.
// Pure parsing, no I/O; problems are UsageErrors (exit 2, or UNKNOWN 3 under --check).

import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from './errors.js';

// The parsed values' types belong to output/, which uses them (output/options.ts).
import type { ExpectMaster, MetricsAddress } from './output/options.js';
export type { ExpectMaster, MetricsAddress };

/** tshark's -a: the capture ends by itself once a condition is met. */
export interface Autostop {
  readonly durationSeconds?: number;
  readonly packets?: number;
}

export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** `9720`, `127.0.0.1:9720`, `0.0.0.0:9720`, `[::]:9720`, `[::1]:9720`. */
export function parseMetricsAddress(text: string): MetricsAddress {
  const bad = (why: string): UsageError => new UsageError(`--metrics: ${why} (expected [ADDR:]PORT, e.g. 9720, 0.0.0.0:9720 or [::]:9720)`);
  let host = DEFAULT_METRICS_HOST;
  let portText = text;
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2]!;
    if (!isIPv6(host)) throw bad(`"${host}" is not an IPv6 address`);
  } else if (text.includes(':')) {
    const colon = text.lastIndexOf(':');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw bad('write an IPv6 address in brackets');
    if (!isIPv4(host)) throw bad(`"${host}" is not an IPv4 address`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad(`"${portText}" is not a port number`);
  return { host, port: Number(portText) };
}

function positiveNumber(option: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) {
    throw new UsageError(`${option}: expected a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  }
  return n;
}

/** --metrics-linger SECONDS (0 allowed: no linger). */
export function parseLinger(text: string): number {
  if (text === '0') return 0;
  return positiveNumber('--metrics-linger', text, false);
}

/** Every -a given: `duration:N` (seconds, may be fractional) and `packets:N`; the last of each wins. */
export function parseAutostop(values: readonly string[]): Autostop {
  let durationSeconds: number | undefined;
  let packets: number | undefined;
  for (const v of values) {
    const m = /^([a-z]+):(.*)$/.exec(v);
    if (m?.[1] === 'duration') durationSeconds = positiveNumber('-a duration', m[2]!, false);
    else if (m?.[1] === 'packets') packets = positiveNumber('-a packets', m[2]!, true);
    else throw new UsageError(`-a: "${v}" is not duration:SECONDS or packets:N`);
  }
  return { ...(durationSeconds !== undefined ? { durationSeconds } : {}), ...(packets !== undefined ? { packets } : {}) };
}

export function parseExpectMaster(text: string): ExpectMaster {
  const colon = text.indexOf(':');
  const vhidText = colon > 0 ? text.slice(0, colon) : '';
  const address = colon > 0 ? text.slice(colon + 1).toLowerCase() : '';
  const vhid = Number(vhidText);
  if (!/^\d+$/.test(vhidText) || vhid < 1 || vhid > 255) throw new UsageError('--expect-master: expected VHID:ADDR with VHID 1..255');
  if (!isIPv4(address) && !isIPv6(address)) throw new UsageError(`--expect-master: "${address}" is not an IPv4 or IPv6 address`);
  return { vhid, address };
}
