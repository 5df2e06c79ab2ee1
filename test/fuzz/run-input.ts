// One fuzz input through the whole CLI in every output mode, in this process. A failure is an
// internal error, a stack trace or an exit status carpdump does not document.

import { writeFileSync } from 'node:fs';
import { main } from '../../src/cli.js';
import { MemoryStream } from '../../src/output/writer.js';

export const MODES: readonly (readonly string[])[] = [
  ['-A'],
  ['-A', '-V', '-x', '-t', 'ad'],
  ['-A', '-T', 'jsonl', '-z', 'carp,masters', '-z', 'pfsync,states', '-z', 'findings'],
  ['-A', '-T', 'json'],
  ['-A', '-T', 'fields', '-e', 'frame.number', '-e', 'carp.vhid', '-e', 'pfsync.subheaders'],
  ['-q', '-z', 'carp,masters', '-z', 'pfsync,states', '--fail-on', 'error'],
];

/** Runs `bytes` (written to `path`) in every mode; returns why it failed, or undefined. */
export async function runInput(path: string, bytes: Uint8Array, counted?: { frames: number }): Promise<string | undefined> {
  writeFileSync(path, bytes);
  for (const mode of MODES) {
    const out = new MemoryStream();
    const err = new MemoryStream();
    let status: number;
    try {
      status = await main(['-r', path, '--carp-pass', '*:carpsecret', ...mode], { stdout: out, stderr: err, env: { TZ: 'UTC' } });
    } catch (e) {
      return `${mode.join(' ')}: threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
    }
    if (![0, 1, 3].includes(status)) return `${mode.join(' ')}: exit ${status}`;
    if (/internal error|\n\s+at /.test(err.text + out.text)) return `${mode.join(' ')}: ${(err.text + out.text).match(/.*(internal error|\n\s+at ).*/)?.[0]}`;
    // tcpdump's "reading from file" header may come first; the error is then one line.
    if (status === 1 && err.text.trimEnd().split('\n').filter((l) => !l.startsWith('reading from file ')).length !== 1) return `${mode.join(' ')}: exit 1 without one line: ${err.text.slice(0, 200)}`;
    if (/NaN/.test(out.text)) return `${mode.join(' ')}: NaN in the output`;
    const summary = mode.includes('jsonl') ? /"type":"summary","frames":(\d+)/.exec(out.text) : null;
    if (summary && counted) counted.frames += Number(summary[1]);
  }
  return undefined;
}
