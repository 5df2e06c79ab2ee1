// Build a Finding with the severity its id has in the one registry (analyze/findings.ts).
// Shared by every analyzer (CARP, VRRP, pfsync).

import type { Fields } from '../decode/types.js';
import { FINDINGS, type FindingId } from './findings.js';
import type { Finding, PacketTime } from './types.js';

export function makeFinding(id: FindingId, ts: PacketTime, frames: readonly number[], message: string, details: Fields): Finding {
  return { id, severity: FINDINGS[id].severity, ts, frames, message, details };
}
