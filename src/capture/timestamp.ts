// Exact conversion of capture timestamps to (seconds, nanoseconds) without float rounding.
//
// pcapng (draft-ietf-opsawg-pcapng, section 4.6, "if_tsresol") stores a 64-bit count of
// time units as two 32-bit halves; the unit is 10^-n s (MSB of if_tsresol clear) or 2^-n s
// (MSB set), default 10^-6. Nanosecond counts exceed 2^53, so the 64-bit value is never
// formed as a double: the common resolutions use exact integer steps that stay below 2^53;
// unusual ones (10^-n with n > 9, 2^-n with n > 32) take a BigInt path.
//
//   ts = tsHigh * 2^32 + tsLow   (units)
//   sec = floor(ts / unitsPerSecond) + if_tsoffset,  nsec = floor(frac * 10^9 / unitsPerSecond)
//
// nsec is always exact; sec is exact up to 2^53 s (beyond any real capture: only a 1 s or
// coarser resolution with an absurd count gets there, and then sec is rounded).

/** How an interface's timestamps are scaled, precomputed once per IDB. */
export interface TimeScale {
  /** 'dec': unit 10^-exp s; 'bin': unit 2^-exp s. */
  readonly kind: 'dec' | 'bin';
  readonly exp: number;
  /** Seconds added to every timestamp (pcapng if_tsoffset). */
  readonly offsetSec: number;
  /** Decimal digits shown for this precision (capped at 9). */
  readonly digits: number;
}

export const MICROSECONDS: TimeScale = { kind: 'dec', exp: 6, offsetSec: 0, digits: 6 };

/** Builds the scale of an if_tsresol byte (undefined = option absent = 10^-6). */
export function timeScaleOf(tsresol: number | undefined, offsetSec = 0): TimeScale {
  if (tsresol === undefined) return { ...MICROSECONDS, offsetSec };
  const exp = tsresol & 0x7f;
  if ((tsresol & 0x80) === 0) return { kind: 'dec', exp, offsetSec, digits: Math.min(exp, 9) };
  // Smallest d with 10^d >= 2^exp: enough digits to tell two consecutive ticks apart.
  let digits = 0;
  let pow = 1;
  while (digits < 9 && pow < 2 ** exp) {
    digits++;
    pow *= 10;
  }
  return { kind: 'bin', exp, offsetSec, digits };
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
const TWO32 = 4294967296;

/** Mutable result holder, so the per-packet path allocates nothing. */
export interface TimeOut {
  sec: number;
  nsec: number;
}

/**
 * Converts a 64-bit unit count (two unsigned 32-bit halves) to seconds and nanoseconds,
 * writing into `out`.
 */
export function unitsToTime(scale: TimeScale, high: number, low: number, out: TimeOut): void {
  const exp = scale.exp;
  if (scale.kind === 'dec' && exp <= 9) {
    const d = POW10[exp] as number;
    // Long division of (high, low>>>16, low&0xffff) by d: every intermediate is < d * 2^16 < 2^46.
    const q1 = Math.floor(high / d);
    let r = high - q1 * d;
    let x = r * 65536 + (low >>> 16);
    const q2 = Math.floor(x / d);
    r = x - q2 * d;
    x = r * 65536 + (low & 0xffff);
    const q3 = Math.floor(x / d);
    r = x - q3 * d;
    out.sec = q1 * TWO32 + q2 * 65536 + q3 + scale.offsetSec;
    out.nsec = r * (POW10[9 - exp] as number);
    return;
  }
  if (scale.kind === 'bin' && exp <= 32) {
    let frac: number;
    if (exp === 32) {
      out.sec = high + scale.offsetSec;
      frac = low;
    } else {
      out.sec = high * 2 ** (32 - exp) + Math.floor(low / 2 ** exp) + scale.offsetSec;
      frac = low % 2 ** exp;
    }
    // frac * 10^9 / 2^exp = frac * 5^9 / 2^(exp-9); frac * 5^9 < 2^53 and dividing by a power
    // of two is exact, so the floor is exact.
    out.nsec = exp >= 9 ? Math.floor((frac * 1953125) / 2 ** (exp - 9)) : Math.floor((frac * 1e9) / 2 ** exp);
    return;
  }
  unitsToTimeBig(scale, high, low, out);
}

function unitsToTimeBig(scale: TimeScale, high: number, low: number, out: TimeOut): void {
  const ts = (BigInt(high) << 32n) | BigInt(low);
  const perSecond = scale.kind === 'dec' ? 10n ** BigInt(scale.exp) : 1n << BigInt(scale.exp);
  const sec = ts / perSecond;
  const frac = ts % perSecond;
  out.sec = Number(sec) + scale.offsetSec;
  out.nsec = Number((frac * 1_000_000_000n) / perSecond);
}

/**
 * Classic pcap: (seconds, sub-second field) with the sub-second unit 10^-digits (6 or 9).
 * A sub-second field out of range (seen in damaged or hand-made files) carries into seconds.
 */
export function subsecondToTime(sec: number, frac: number, digits: 6 | 9, out: TimeOut): void {
  const perSecond = digits === 6 ? 1_000_000 : 1_000_000_000;
  if (frac < perSecond) {
    out.sec = sec;
    out.nsec = digits === 6 ? frac * 1000 : frac;
    return;
  }
  const carry = Math.floor(frac / perSecond);
  const rest = frac - carry * perSecond;
  out.sec = sec + carry;
  out.nsec = digits === 6 ? rest * 1000 : rest;
}
