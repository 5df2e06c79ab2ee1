// The `cap` package (libpcap binding, an optionalDependency) loaded at run time, typed.
//
// Loaded with require() from createRequire so that a missing package, or one installed
// without libpcap headers (its native addon then fails to build), only breaks `-i` and `-D`
// with a one-line message, never `-r`.
//
// What cap 0.2.x exposes (src/binding.cc), and so what live capture can and cannot do:
//   open(device, filter, bufSize, buffer) -> linktype name; snaplen fixed at 65535,
//     promiscuous mode always on, immediate mode on, a 1 s read timeout, non-blocking.
//   'packet' event (nbytes, truncated): the bytes are copied into `buffer`; the pcap
//     header's timestamp and wire length are NOT passed on, and there is no pcap_stats().
//   deviceList() -> [{ name, description?, addresses: [{ addr, netmask?, broadaddr?,
//     dstaddr? }], flags?: 'PCAP_IF_LOOPBACK' }]

import { createRequire } from 'node:module';
import { CarpdumpError, EXIT } from '../errors.js';

export interface CapAddress {
  readonly addr?: string;
  readonly netmask?: string;
  readonly broadaddr?: string;
  readonly dstaddr?: string;
}

export interface CapDevice {
  readonly name: string;
  readonly description?: string;
  readonly addresses: readonly CapAddress[];
  readonly flags?: string;
}

export interface CapHandle {
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface CapModule {
  readonly Cap: {
    new (): CapHandle;
    deviceList(): CapDevice[];
  };
}

export const CAP_MISSING_HINT =
  'live capture is not available: the optional package `cap` is not installed or not built ' +
  '(install libpcap-dev, e.g. `apt-get install libpcap-dev`, then run `npm install` again)';

let cached: CapModule | undefined;

/** The cap module, or a CarpdumpError (exit 1) saying how to enable live capture. */
export function loadCap(): CapModule {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let loaded: unknown;
  try {
    loaded = require('cap');
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CarpdumpError(`${CAP_MISSING_HINT} [${why}]`, EXIT.input);
  }
  if (!isCapModule(loaded)) {
    throw new CarpdumpError(`${CAP_MISSING_HINT} [unexpected module shape]`, EXIT.input);
  }
  cached = loaded;
  return loaded;
}

function isCapModule(m: unknown): m is CapModule {
  if (typeof m !== 'object' || m === null || !('Cap' in m)) return false;
  const cap: unknown = (m as { Cap: unknown }).Cap;
  return typeof cap === 'function' && typeof (cap as { deviceList?: unknown }).deviceList === 'function';
}
