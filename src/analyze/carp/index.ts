// CARP analysis: HMAC verification, passphrase audit, election tracking per VHID.

import type { Analyzer, FindingSink, PacketTime } from '../types.js';
import type { DecodedFrame, Fields } from '../../decode/types.js';

export interface CarpPassphrase {
  /** VHID the passphrase belongs to, or '*' for every VHID. */
  readonly vhid: number | '*';
  readonly passphrase: string;
}

export interface CarpAnalyzerOptions {
  readonly passphrases: readonly CarpPassphrase[];
  /** Virtual addresses per VHID from --vip (IPv4 and IPv6 text forms). */
  readonly vips: ReadonlyMap<number, readonly string[]>;
  /** --wordlist lines, already read by the CLI. */
  readonly wordlist?: readonly string[];
  /** --show-secrets: a weak passphrase found by --wordlist may be printed. */
  readonly showSecrets: boolean;
}

export function createCarpAnalyzer(options: CarpAnalyzerOptions): Analyzer {
  void options;
  return {
    name: 'carp',
    onFrame(frame: DecodedFrame, emit: FindingSink): void { void frame; void emit; },
    onTick(now: PacketTime, emit: FindingSink): void { void now; void emit; },
    finish(now: PacketTime, emit: FindingSink): void { void now; void emit; },
    summary(): Fields { return { carp: { vhids: [] } }; },
  };
}
