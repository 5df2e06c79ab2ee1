// VRRP timers and the election order, in seconds of packet time.
//
// RFC 3768 (VRRPv2) 6.1:  Skew_Time = (256 - Priority) / 256                       seconds
//                         Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time
//   Advertisement_Interval is the backup's own (configured; receivers drop adverts whose
//   interval differs), so the new master's advertised interval.
// RFC 5798 (VRRPv3) 6.1:  Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256
//                         Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time
//   Master_Adver_Interval (centiseconds) is learned from the master's adverts.
// keepalived (vrrp.h VRRP_TIMER_SKEW / VRRP_MS_DOWN_TIMER) computes exactly these; a backup
// that hears priority 0 waits Skew_Time only (vrrp.c vrrp_state_backup).
//
// Election (RFC 3768 6.4.3 / RFC 5798 6.4.3): the higher priority wins; at equal priority
// the higher primary address (the advert's IP source) wins.

import { parseIPv4, parseIPv6 } from '../carp/addresses.js';

export function skewTime(version: number | undefined, priority: number, masterIntervalSeconds: number): number {
  return version === 3 ? ((256 - priority) * masterIntervalSeconds) / 256 : (256 - priority) / 256;
}

/**
 * The master-down interval of a backup with `priority`. v2: `intervalSeconds` is the
 * backup's own advertisement interval; v3: the master's.
 */
export function masterDownInterval(version: number | undefined, priority: number, intervalSeconds: number): number {
  return 3 * intervalSeconds + skewTime(version, priority, intervalSeconds);
}

/** Unsigned comparison of two IP addresses of one family in text form (<0: a is lower). */
export function compareAddresses(a: string, b: string): number {
  const x = a.includes(':') ? parseIPv6(a) : parseIPv4(a);
  const y = b.includes(':') ? parseIPv6(b) : parseIPv4(b);
  if (!x || !y || x.length !== y.length) return a.localeCompare(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** Election order: <0 when a wins over b (higher priority, then higher primary address). */
export function compareRouters(a: { priority: number; src: string }, b: { priority: number; src: string }): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return compareAddresses(b.src, a.src);
}
