// CARP timing (../shared/reference/carp.md section 6), in seconds of packet time.
//
//   interval    = advbase + advskew/256            (OpenBSD: 1/256 s when both are 0)
//   master-down = 3*advbase + advskew/256          (FreeBSD, ucarp default deadratio 3, OpenBSD <= 1.270;
//                                                  OpenBSD 1.370 waits 3*interval: we take the earlier one,
//                                                  so "how close" figures are upper bounds)
//   bow-out     = advbase 255 and advskew 255      (OpenBSD's last advert of a master going down)

export function advertInterval(advbase: number, advskew: number): number {
  if (advbase === 0 && advskew === 0) return 1 / 256;
  return advbase + advskew / 256;
}

export function masterDownInterval(advbase: number, advskew: number): number {
  if (advbase === 0 && advskew === 0) return 3 / 256;
  if (advbase === 0) return (3 * advskew) / 256;
  return 3 * advbase + advskew / 256;
}

export function isBowOut(advbase: number, advskew: number): boolean {
  return advbase === 255 && advskew === 255;
}

// An advert is late when it comes more than a quarter interval after it was due (shared with VRRP).
export { lateThreshold } from '../election.js';

/** Compare two senders as a receiver would (OpenBSD: demote first, then interval). <0: a is better. */
export function compareAdverts(a: { demote: number; interval: number }, b: { demote: number; interval: number }): number {
  if (a.demote !== b.demote) return a.demote - b.demote;
  return a.interval - b.interval;
}
