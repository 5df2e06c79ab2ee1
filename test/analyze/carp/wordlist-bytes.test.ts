// The --wordlist file read as byte ranges (wordBlocksOf, what the audit uses) gives the lines the
// string reader (blocks(): StringDecoder, split on \n, \r stripped, empty lines skipped) gives,
// at the same indexes, with the same HMAC key: over random files of ASCII, CR/LF, empty lines,
// multi-byte and invalid UTF-8 and a BOM, read a few bytes at a time so that lines straddle reads
// and outgrow the buffer. And the audit of a file on 1, 2 and 3 threads (chunks moved to the
// workers as bytes, their buffers sent back and reused, the file's read buffer reused under the
// chunks out) answers as the string list does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { fileWordlist, wordBlocksOf } from '../../../src/wordlist-file.js';
import { auditBlock, prepareTarget, wordAt, type WordBlock } from '../../../src/analyze/carp/wordlist-hmac.js';
import { auditWordlistBlocks } from '../../../src/analyze/carp/wordlist.js';
import { wordlistChunksSent } from '../../../src/analyze/carp/wordlist-pool.js';
import { checkProperty } from '../../support/fc-seed.js';

const key = (w: string): Buffer => Buffer.from(w, 'utf8').subarray(0, 19);
const mac = (w: string, m: Uint8Array): Buffer => createHmac('sha1', key(w)).update(m).digest();
const MESSAGE = Buffer.from('0201070a4d00640aaad807d3b6bb6e', 'hex');

// pieces a line is made of: ASCII, line ends, 2-4 byte UTF-8, stray continuation / lead bytes, a BOM
const piece = fc.oneof(
  fc.constantFrom('a', 'pass', 'x9', ' ', '\t', '\n', '\r\n', '\r', '\n\n', 'é', '€', '😀', '\ufeff').map((s) => Buffer.from(s, 'utf8')),
  fc.constantFrom([0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xff], [0xed, 0xa0, 0x80]).map((b) => Buffer.from(b)),
  fc.string({ minLength: 1, maxLength: 25, unit: 'binary-ascii' }).map((s) => Buffer.from(s.replace(/[\r\n]/g, 'z'), 'latin1')),
);

test('wordBlocksOf = the string reader: the same lines, indexes and keys (property over random files, small reads)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carpdump-wlbytes-'));
  try {
    let n = 0;
    checkProperty(fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (pieces, readBytes) => {
      const file = join(dir, `w${n++}.txt`);
      writeFileSync(file, Buffer.concat(pieces));
      const strings = [...fileWordlist(file).blocks()].flat();
      const lines: string[] = [];
      for (const b of wordBlocksOf(file, readBytes)) for (let i = 0; i < b.count; i++) lines.push(wordAt(b, i));
      assert.deepEqual(lines, strings);
      // the key the audit derives from each line's bytes is the key of the string: each line is
      // found by its own HMAC, or by an earlier line with the same key
      // (a block is valid until the next is read: copied as they come)
      const blocks: WordBlock[] = [];
      for (const b of wordBlocksOf(file, readBytes)) blocks.push({ count: b.count, bounds: b.bounds.slice(), bytes: Buffer.from(b.bytes) });
      strings.forEach((w, idx) => {
        const target = prepareTarget({ message: MESSAGE, md: mac(w, MESSAGE) });
        let base = 0;
        let found: number | undefined;
        for (const b of blocks) {
          const h = auditBlock(b, [target]);
          if (h) { found = base + h.index; break; }
          base += b.count;
        }
        assert.ok(found !== undefined && found <= idx, `line ${idx} found`);
        assert.deepEqual(key(strings[found]!), key(w));
      });
    }), { seed: 20261210, numRuns: 200 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wordlist from a file on 1, 2 and 3 threads = the same list as strings: hit, word (non-ASCII too), words tried', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carpdump-wlbytes-'));
  try {
    const words = Array.from({ length: 6000 }, (_, i) => (i % 7 === 0 ? `mot-${i}-été` : `w${i}`));
    const file = join(dir, 'list.txt');
    writeFileSync(file, `${words.join('\r\n')}\r\n`);
    const cases = [undefined, 0, 300, 2801, 4200, 5999].map((secret) => {
      const targets = [0, 1, 2].map((t) => {
        const m = Buffer.concat([MESSAGE, Buffer.of(t)]);
        return { message: m, md: mac(secret !== undefined && t === 1 ? words[secret]! : 'absent', m) };
      });
      const strings = auditWordlistBlocks(words, targets, { threads: 1 });
      assert.equal(strings.hit?.index, secret);
      assert.equal(strings.hit?.word, secret === undefined ? undefined : words[secret]);
      assert.equal(strings.words, secret === undefined ? words.length : secret + 1);
      return { secret, targets, strings };
    });
    for (const threads of [1, 2, 3]) {
      for (const { secret, targets, strings } of cases) {
        const before = wordlistChunksSent();
        // reads of 4 KiB: the reader reuses its buffer many times while chunks are out
        const r = auditWordlistBlocks(fileWordlist(file, 4096), targets, { threads, chunkHmacs: 3 * 256, parallelMin: 0, waitForWorkers: true });
        assert.deepEqual(r, strings, `${threads} threads, secret at ${String(secret)}`);
        if (threads > 1) assert.ok(wordlistChunksSent() > before, 'the workers were used');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
