// Several capture points (several -r merged): which capture points heard which CARP senders
// (user-needs.md Q9), and `carp.not_heard_at` when a sender's adverts reach one point and not
// another that is capturing at the time (multicast not forwarded: IGMP snooping, VLAN mismatch,
// a switch port dropping multicast).
//
// A point is "capturing" between its file's first and last frame (`spans`, from the merged
// source; without it, from the frames seen so far); a sender is "missing" at a point when its last
// advert there is older than the window while another point heard it now.
// The window is 3 advert intervals (advbase + advskew/256), at least 3 s. One finding per gap
// (sender, VHID, point); hearing the sender there again ends the gap. Packet time only; the
// tracked senders are capped (MAX_SENDERS), as the election analyzer's.

import { type DecodedFrame, type Fields } from '../../decode/types.js';
import { findAnyLayer, findLayer, fieldNum } from '../../decode/fields.js';
import { FINDINGS } from '../findings.js';
import { timeOf, toSeconds, type Analyzer, type FindingSink, type PacketTime } from '../types.js';

const MIN_WINDOW_SECONDS = 3;
const MAX_SENDERS = 4096;

interface Sender {
  readonly vhid: number;
  readonly af: string;
  readonly src: string;
  /** When it was first heard at any point (seconds). */
  readonly first: number;
  /** Adverts heard per capture point. */
  readonly heard: Map<string, number>;
  /** Last time heard per capture point (seconds). */
  readonly last: Map<string, number>;
  /** Points where a gap was reported and not yet closed. */
  readonly gaps: Set<string>;
}

export function createPresenceAnalyzer(spans?: () => ReadonlyMap<string, { readonly first: number; readonly last: number }>): Analyzer {
  const senders = new Map<string, Sender>();
  /** Per capture point: first and last frame time seen so far. */
  const points = new Map<string, { first: number; last: number }>();

  return {
    name: 'presence',
    seesDuplicates: true,
    onFrame(frame: DecodedFrame, emit: FindingSink): void {
      const point = frame.raw.capturePoint;
      if (point === undefined) return;
      const t = timeOf(frame);
      const now = toSeconds(t);
      const p = points.get(point);
      if (p) p.last = now;
      else points.set(point, { first: now, last: now });

      const carp = findLayer(frame, 'carp');
      const ip = findAnyLayer(frame, ['ipv4', 'ipv6']);
      if (!carp || !ip) return;
      const vhid = fieldNum(carp, 'carp.vhid');
      const src = ip.proto === 'ipv4' ? ip.fields['ip.src'] : ip.fields['ipv6.src'];
      if (vhid === undefined || typeof src !== 'string') return;
      const af = ip.proto;
      const key = `${vhid}/${af}/${src}`;
      let s = senders.get(key);
      if (!s) {
        if (senders.size >= MAX_SENDERS) return;
        s = { vhid, af, src, first: now, heard: new Map(), last: new Map(), gaps: new Set() };
        senders.set(key, s);
      }
      s.heard.set(point, (s.heard.get(point) ?? 0) + 1);
      s.last.set(point, now);
      s.gaps.delete(point);
      const interval = (fieldNum(carp, 'carp.adver_int') ?? 1) + (fieldNum(carp, 'carp.advskew') ?? 0) / 256;
      const window = Math.max(MIN_WINDOW_SECONDS, 3 * interval);
      for (const [other, span] of spans?.() ?? points) {
        if (other === point || s.gaps.has(other)) continue;
        // The other point is capturing now, and has been for long enough to have heard an advert.
        if (now > span.last || now - span.first < window) continue;
        // A sender heard for less than the window may simply not have reached the other point yet.
        if (now - s.first <= window) continue;
        const lastThere = s.last.get(other);
        if (lastThere !== undefined && now - lastThere <= window) continue;
        s.gaps.add(other);
        const since = lastThere === undefined ? 'never heard there' : `not heard there for ${(now - lastThere).toFixed(3)} s`;
        emit({
          id: 'carp.not_heard_at', severity: FINDINGS['carp.not_heard_at'].severity, ts: t, frames: [frame.raw.number],
          message: `VHID ${vhid} (${af}): adverts of ${src} reach ${point} but not ${other} (${since}): multicast not forwarded to ${other}?`,
          details: { vhid, af, src, heard_at: point, missing_at: other },
        });
      }
    },
    onTick(): void {
      // Only files are merged: nothing runs on time alone.
    },
    finish(): void {
      // Gaps are reported when they are seen.
    },
    summary(): Fields {
      if (points.size < 2) return {};
      const names = [...points.keys()];
      const presence: Fields[] = [...senders.values()].map((s) => ({
        vhid: s.vhid, af: s.af, src: s.src,
        heard: Object.fromEntries(names.map((n) => [n, s.heard.get(n) ?? 0])),
      }));
      return { carp_presence: { points: names, senders: presence } };
    },
  };
}
