// --wordlist read as a stream of blocks: the file is read 1 MiB at a time and handed to the
// audit as arrays of at most BLOCK_WORDS lines, so memory stays flat in the list's size (one
// block of lines at a time; the file is read again for each audit run). Lines end in \n or
// \r\n; empty lines are skipped; UTF-8 split across reads is kept whole (StringDecoder).

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { WordlistSource } from './analyze/carp/wordlist.js';
import { CarpdumpError } from './errors.js';

const READ_BYTES = 1 << 20;
export const BLOCK_WORDS = 65_536;

export function fileWordlist(path: string): WordlistSource {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('dir'), { code: 'EISDIR' });
    closeSync(openSync(path, 'r'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code ?? err);
    throw new CarpdumpError(`cannot read --wordlist ${path}: ${why}`);
  }
  return {
    count: () => countLines(path),
    *blocks(): Iterable<readonly string[]> {
      const fd = openSync(path, 'r');
      try {
        const buf = Buffer.allocUnsafe(READ_BYTES);
        const dec = new StringDecoder('utf8');
        let rest = '';
        let block: string[] = [];
        const push = (line: string): void => {
          const w = line.endsWith('\r') ? line.slice(0, -1) : line;
          if (w !== '') block.push(w);
        };
        for (;;) {
          const n = readSync(fd, buf, 0, READ_BYTES, null);
          const text = n > 0 ? rest + dec.write(buf.subarray(0, n)) : rest + dec.end();
          const lines = text.split('\n');
          rest = n > 0 ? lines.pop()! : '';
          for (const l of lines) push(l);
          if (n === 0 && rest !== '') push(rest);
          while (block.length >= BLOCK_WORDS) { yield block.slice(0, BLOCK_WORDS); block = block.slice(BLOCK_WORDS); }
          if (n === 0) break;
        }
        if (block.length > 0) yield block;
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Lines in the file (a last line without \n counts; empty lines too: an estimate for the start line). */
function countLines(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let lines = 0;
    let last = 0x0a;
    for (let n = readSync(fd, buf, 0, READ_BYTES, null); n > 0; n = readSync(fd, buf, 0, READ_BYTES, null)) {
      for (let i = buf.indexOf(0x0a, 0); i !== -1 && i < n; i = buf.indexOf(0x0a, i + 1)) lines++;
      last = buf[n - 1]!;
    }
    return lines + (last === 0x0a ? 0 : 1);
  } finally {
    closeSync(fd);
  }
}
