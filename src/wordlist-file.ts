// --wordlist read as a stream of blocks: the file is read 1 MiB at a time and handed to the
// audit as blocks of at most BLOCK_WORDS lines, so memory stays flat in the list's size (one
// block of lines at a time; the file is read again for each audit run). Lines end in \n or
// \r\n; empty lines are skipped. The audit reads wordBlocks(): the lines as byte ranges of the
// read buffer, no string per line (see analyze/carp/wordlist-hmac.ts); blocks() gives the same
// lines as strings (UTF-8 split across reads kept whole by StringDecoder), the reference the
// tests compare wordBlocks() with.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { WordlistSource } from './analyze/carp/wordlist.js';
import type { WordBlock } from './analyze/carp/wordlist-hmac.js';
import { CarpdumpError } from './errors.js';

const READ_BYTES = 1 << 20;
export const BLOCK_WORDS = 65_536;

/** `readBytes`: tests only (small reads, so that blocks of lines follow each other in one buffer). */
export function fileWordlist(path: string, readBytes = READ_BYTES): WordlistSource {
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
    wordBlocks: () => wordBlocksOf(path, readBytes),
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

/**
 * The file's non-empty lines (without \n or \r\n) as blocks of byte ranges, BLOCK_WORDS lines at
 * most. One buffer and one bounds array serve the whole file (memory flat in its size): a block
 * is valid until the next one is asked for (what was left of the last line moves to the front
 * before the next read); a line longer than a read grows the buffer.
 */
export function* wordBlocksOf(path: string, readBytes = READ_BYTES): Generator<WordBlock> {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(readBytes);
    const bounds = new Int32Array(2 * BLOCK_WORDS);
    let kept = 0; // bytes of an unfinished line at the front of buf
    for (;;) {
      if (kept === buf.length) { const bigger = Buffer.allocUnsafe(2 * buf.length); buf.copy(bigger, 0, 0, kept); buf = bigger; }
      const n = readSync(fd, buf, kept, buf.length - kept, null);
      const end = kept + n;
      const eof = n === 0;
      let count = 0;
      let start = 0;
      for (;;) {
        let nl = buf.indexOf(0x0a, start);
        if (nl === -1 || nl >= end) {
          if (!eof || start >= end) break;
          nl = end; // the last line, without \n
        }
        const stop = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
        if (stop > start) {
          bounds[2 * count] = start;
          bounds[2 * count + 1] = stop;
          if (++count === BLOCK_WORDS) { yield { bytes: buf, bounds, count }; count = 0; }
        }
        start = nl + 1;
      }
      if (count > 0) yield { bytes: buf, bounds: bounds.subarray(0, 2 * count), count };
      if (eof) return;
      kept = end - start;
      buf.copy(buf, 0, start, end);
    }
  } finally {
    closeSync(fd);
  }
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
