// Colour for the text output (chalk). `auto` colours only a terminal and honours NO_COLOR
// (any non-empty value disables) and FORCE_COLOR (0/false disables, anything else enables);
// `always` and `never` override both. Only the basic 16 colours are used.

import { Chalk } from 'chalk';
import type { ColorMode } from './options.js';
import type { Severity } from '../decode/types.js';

export function colorLevel(mode: ColorMode, isTTY: boolean, env: Readonly<Record<string, string | undefined>>): 0 | 1 {
  if (mode === 'never') return 0;
  if (mode === 'always') return 1;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force === '0' || force === 'false' ? 0 : 1;
  const no = env['NO_COLOR'];
  if (no !== undefined && no !== '') return 0;
  return isTTY ? 1 : 0;
}

/** The few styles the renderers use; identity functions when colour is off. */
export interface Palette {
  readonly enabled: boolean;
  good(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  proto(s: string): string;
  severity(sev: Severity, s: string): string;
}

const plain = (s: string): string => s;

export const NO_COLOR_PALETTE: Palette = {
  enabled: false, good: plain, bad: plain, warn: plain, dim: plain, proto: plain, severity: (_sev, s) => s,
};

export function createPalette(level: 0 | 1): Palette {
  if (level === 0) return NO_COLOR_PALETTE;
  const c = new Chalk({ level });
  return {
    enabled: true,
    good: (s) => c.green(s),
    bad: (s) => c.red.bold(s),
    warn: (s) => c.yellow(s),
    dim: (s) => c.gray(s),
    proto: (s) => c.cyan(s),
    severity: (sev, s) => (sev === 'error' ? c.red.bold(s) : sev === 'warn' ? c.yellow(s) : sev === 'note' ? c.cyan(s) : c.gray(s)),
  };
}
