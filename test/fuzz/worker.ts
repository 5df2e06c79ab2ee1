// Fuzz worker process: receives {index} messages, rebuilds that input from the campaign seed
// and runs it through carpdump in every mode; answers {index, failure, frames, rss}.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputFor } from './mutate.js';
import { runInput } from './run-input.js';

const [seedText, tmp, ...files] = process.argv.slice(2);
const seed = Number(seedText);
const inputs = files.map((f) => new Uint8Array(readFileSync(f)));

if (process.send) {
  process.on('message', (msg: { index: number }) => {
    void (async () => {
      const { bytes } = inputFor(msg.index, inputs, seed);
      const counted = { frames: 0 };
      const failure = await runInput(join(tmp!, `w${process.pid}.bin`), bytes, counted);
      process.send!({ index: msg.index, failure, frames: counted.frames, rss: process.memoryUsage().rss });
    })();
  });
}
