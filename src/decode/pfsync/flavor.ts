// Telling the two version-5 dialects apart (../shared/reference/pfsync.md section 0, step 3):
// OpenBSD 4.5/4.6 full states are 240 B, FreeBSD's 242/277/360; actions 13-16 exist only on
// FreeBSD; a 20-byte trailer after EOF means OpenBSD 4.5. Without full states the two look
// alike; then a non-zero UPD_C expire or byte 81 (state_flags) hints at OpenBSD (FreeBSD sends
// 0 in both), and otherwise FreeBSD (the v5 sender still in use) is guessed.
// This is a read-only pre-scan over the captured bytes; it never throws.

import { PFSYNC_ACTION_TABLES, type ActionTable } from './actions.js';
import type { FlavorBasis, PfsyncFlavor } from './constants.js';

// The walks take message sizes from the dispatch table; INS_F/DEL_F (never sent) end a walk as 'bad'.
const OPENBSD_V5 = PFSYNC_ACTION_TABLES['openbsd-4.6'];
const FREEBSD = PFSYNC_ACTION_TABLES.freebsd;

interface Walk {
  /** 'eof': stopped at EOF with `after` bytes left; 'end': used the packet up exactly; 'bad': inconsistent; 'cut': ran out of captured bytes. */
  readonly result: 'eof' | 'end' | 'bad' | 'cut';
  readonly after: number;
  readonly fullStates: boolean;
  readonly freebsdOnly: boolean;
  readonly openbsdHint: boolean;
}

function walk(b: Uint8Array, start: number, end: number, table: ActionTable): Walk {
  const cap = Math.min(end, b.length);
  let pos = start + 20;
  let fullStates = false;
  let freebsdOnly = false;
  let openbsdHint = false;
  const done = (result: Walk['result'], after = 0): Walk => ({ result, after, fullStates, freebsdOnly, openbsdHint });
  while (pos + 4 <= end) {
    if (pos + 4 > cap) return done('cut', end - pos);
    const action = b[pos]!;
    const count = (b[pos + 2]! << 8) | b[pos + 3]!;
    pos += 4;
    const def = table[action];
    if (def === undefined || def.kind === 'frag') return done('bad');
    if (def.kind === 'eof') return done('eof', end - pos);
    const size = def.size;
    if (def.format !== undefined) fullStates = true;
    if (OPENBSD_V5[action] === undefined) freebsdOnly = true;
    if (def.kind === 'upd_c') {
      for (let i = 0; i < count; i++) {
        const m = pos + i * 84;
        if (m + 82 > cap) break;
        const expire = (b[m + 76]! | b[m + 77]! | b[m + 78]! | b[m + 79]!) !== 0;
        if (expire || b[m + 81] !== 0) openbsdHint = true;
      }
    }
    pos += count * size;
    if (pos > end) return done('bad');
  }
  return done(pos === end ? 'end' : 'bad');
}

export interface V5Guess {
  readonly flavor: PfsyncFlavor;
  readonly basis: FlavorBasis;
}

/** Decide openbsd-4.5 / openbsd-4.6 / freebsd for a version-5 packet at `start` ending at `end`. */
export function guessV5Flavor(bytes: Uint8Array, start: number, end: number): V5Guess {
  const ob = walk(bytes, start, end, OPENBSD_V5);
  const fbw = walk(bytes, start, end, FREEBSD);
  const obClean = ob.result === 'end' || (ob.result === 'eof' && ob.after === 0);
  const fbClean = fbw.result === 'end' || (fbw.result === 'eof' && fbw.after === 0);
  if (ob.result === 'eof' && ob.after === 20) return { flavor: 'openbsd-4.5', basis: 'trailer' };
  if (fbw.freebsdOnly) return { flavor: 'freebsd', basis: 'records' };
  if (ob.fullStates || fbw.fullStates) {
    // A walk cut short by the capture is still possible; one that went wrong is not.
    const obPossible = obClean || ob.result === 'cut';
    const fbPossible = fbClean || fbw.result === 'cut';
    if (fbPossible && !obPossible) return { flavor: 'freebsd', basis: 'records' };
    if (obPossible && !fbPossible) return { flavor: 'openbsd-4.6', basis: 'records' };
    // Both cut short: prefer the sizes after which an EOF (+ the 4.5 trailer) would end the packet exactly.
    const lands = (w: Walk): boolean => w.result === 'cut' && (w.after === 4 || w.after === 24);
    if (lands(ob) && !lands(fbw)) return { flavor: ob.after === 24 ? 'openbsd-4.5' : 'openbsd-4.6', basis: 'records' };
    if (lands(fbw) && !lands(ob)) return { flavor: 'freebsd', basis: 'records' };
  }
  if (ob.openbsdHint) return { flavor: 'openbsd-4.6', basis: 'hint' };
  return { flavor: 'freebsd', basis: 'guess' };
}
