// The --wordlist audit across worker threads (src/analyze/carp/wordlist-pool.ts) gives exactly
// the single-threaded answer: the lowest-index hit, the same target, the same count of words
// tried, and the same "no match" count, whatever the thread count and wherever the hits fall
// (first chunk, middle, last, two chunks at once). Small chunks make many of them cheaply.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { auditWordlistBlocks, type WordlistSource } from '../../../src/analyze/carp/wordlist.js';
import { wordlistChunksSent } from '../../../src/analyze/carp/wordlist-pool.js';

const mac = (word: string, m: Uint8Array): Uint8Array => createHmac('sha1', Buffer.from(word, 'utf8').subarray(0, 19)).update(m).digest();

const messages = Array.from({ length: 8 }, (_, i) => Buffer.from(`0201070a4d00640aaad807d3b6bb6e${i.toString(16).padStart(2, '0')}`, 'hex'));
const words = Array.from({ length: 5000 }, (_, i) => `w${i}`);
// a source streamed in uneven blocks, as the file reader does
const source = (list: readonly string[]): WordlistSource => ({
  *blocks() { for (let o = 0; o < list.length; o += 1500) yield list.slice(o, o + 1500); },
  count: () => list.length,
});
// 8 targets x 512 words = 4096 HMACs per chunk: ~10 chunks over 5000 words
const opts = (threads: number) => ({ threads, chunkHmacs: 4096, parallelMin: 0, waitForWorkers: true });

const cases: Array<{ name: string; secrets: Array<[number, number]> }> = [
  { name: 'no match', secrets: [] },
  { name: 'first word', secrets: [[0, 3]] },
  { name: 'in the first chunk', secrets: [[100, 5]] },
  { name: 'middle chunk', secrets: [[2600, 2]] },
  { name: 'last word', secrets: [[4999, 7]] },
  { name: 'two chunks hit: the lower wins', secrets: [[4100, 1], [1700, 6]] },
  { name: 'two targets in one chunk: the lower word wins', secrets: [[3300, 0], [3290, 4]] },
];

for (const c of cases) {
  test(`wordlist across threads = one thread: ${c.name}`, () => {
    const targets = messages.map((m, t) => {
      const s = c.secrets.find(([, tt]) => tt === t);
      return { message: m, md: mac(s ? words[s[0]]! : 'not-in-list', m) };
    });
    const one = auditWordlistBlocks(source(words), targets, opts(1));
    const expected = c.secrets.length === 0 ? undefined : Math.min(...c.secrets.map(([w]) => w));
    assert.equal(one.hit?.index, expected);
    assert.equal(one.words, expected === undefined ? words.length : expected + 1);
    for (const threads of [2, 3]) {
      const before = wordlistChunksSent();
      const many = auditWordlistBlocks(source(words), targets, opts(threads));
      assert.deepEqual(many, one, `${threads} threads`);
      if (expected === undefined || expected >= 512) assert.ok(wordlistChunksSent() > before, 'the workers were used');
    }
  });
}

test('wordlist: several runs in a row reuse the workers and each answers for itself', () => {
  for (const w of [4500, 10, 2222]) {
    const targets = [{ message: messages[0]!, md: mac(words[w]!, messages[0]!) }];
    const r = auditWordlistBlocks(source(words), targets, { threads: 2, chunkHmacs: 512, parallelMin: 0, waitForWorkers: true });
    assert.equal(r.hit?.index, w);
    assert.equal(r.hit?.word, words[w]);
    assert.equal(r.words, w + 1);
  }
});
