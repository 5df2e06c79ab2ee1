// Time stamps of the text output, as tcpdump prints them (packet time only):
//   a  time of day             12:00:01.000123          (default; tcpdump)
//   ad date and time of day    2023-11-14 12:00:01.000123 (tcpdump -tttt)
//   r  since the first frame   00:00:01.000123          (tcpdump -ttttt)
//   d  since the previous one  00:00:01.000123          (tcpdump -ttt)
//   e  epoch seconds           1700000000.000123        (tcpdump -tt)
// The fraction has the source's precision (6 digits for microsecond captures, 9 for nano).
// Local time unless --utc (the TZ environment variable is honoured by the Date API).

import { formatEpoch, fractionText } from '../kernel/time.js';
import type { TimestampStyle } from './options.js';

export interface Instant {
  readonly sec: number;
  readonly nsec: number;
  readonly digits: number;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}


/** HH:MM:SS of a duration in whole seconds (hours may exceed 24). */
function duration(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return `${pad2(h)}:${pad2(m)}:${pad2(sec % 60)}`;
}

export class TimestampFormatter {
  private first: Instant | undefined;
  private prev: Instant | undefined;
  private cachedMinute = Number.NaN;
  private cachedPrefix = '';

  constructor(private readonly style: TimestampStyle, private readonly utc: boolean) {}

  /** Formats a frame's time; r and d styles remember the first / previous frame. */
  frame(t: Instant): string {
    const s = this.format(t);
    if (!this.first) this.first = t;
    this.prev = t;
    return s;
  }

  /** Formats an instant that is not a frame (a timer finding) without moving r/d references. */
  format(t: Instant): string {
    switch (this.style) {
      case 'e': return formatEpoch(t);
      case 'a': return `${this.wallClock(t.sec, false)}${fractionText(t.nsec, t.digits)}`;
      case 'ad': return `${this.wallClock(t.sec, true)}${fractionText(t.nsec, t.digits)}`;
      case 'r': return this.since(this.first ?? t, t);
      case 'd': return this.since(this.prev ?? t, t);
    }
  }

  private since(from: Instant, to: Instant): string {
    let sec = to.sec - from.sec;
    let nsec = to.nsec - from.nsec;
    if (nsec < 0) { nsec += 1e9; sec -= 1; }
    let sign = '';
    if (sec < 0) {
      // Out-of-order frames: show the magnitude with a minus sign.
      sign = '-';
      if (nsec > 0) { sec += 1; nsec = 1e9 - nsec; }
      sec = -sec;
    }
    return `${sign}${duration(sec)}${fractionText(nsec, Math.max(from.digits, to.digits))}`;
  }

  /**
   * HH:MM:SS (with the date for `ad`). Date is consulted once per minute of packet time: zone
   * offsets are whole minutes, so within a minute only the seconds change.
   */
  private wallClock(sec: number, withDate: boolean): string {
    const minute = Math.floor(sec / 60);
    if (minute !== this.cachedMinute) {
      const d = new Date(minute * 60_000);
      const [Y, M, D, h, m] = this.utc
        ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]
        : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
      const hm = `${pad2(h)}:${pad2(m)}:`;
      this.cachedPrefix = withDate ? `${Y}-${pad2(M)}-${pad2(D)} ${hm}` : hm;
      this.cachedMinute = minute;
    }
    return this.cachedPrefix + pad2(sec - minute * 60);
  }
}

/** Parses the SPEC's epoch string ("1700000000.000123") back into an instant; undefined if not one. */
export function parseEpoch(text: string): Instant | undefined {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  return { sec: Number(m[1]), nsec: Number(frac.padEnd(9, '0')), digits: frac.length };
}

/** Renders an epoch string of the summary data in the user's timestamp style (-t, --utc). */
export type EpochText = (epoch: string) => string;

export function epochTextOf(formatter: TimestampFormatter): EpochText {
  return (epoch) => {
    const t = parseEpoch(epoch);
    return t ? formatter.format(t) : epoch;
  };
}
