// A --wordlist audit worker (see wordlist-pool.ts): runs auditBlock on the chunks it is sent,
// giving up when a lower chunk has a hit, and bumps the shared reply counter after each reply.

import { workerData, type MessagePort } from 'node:worker_threads';
import type { AuditTarget } from './audit-types.js';
import { auditBlock, prepareTarget, wordAt, type PreparedTarget } from './wordlist-hmac.js';
import { DONE, lowerStop, RUN, STOP, type ChunkReply } from './wordlist-pool.js';

const { port, ctrl } = workerData as { port: MessagePort; ctrl: SharedArrayBuffer };
const c = new Int32Array(ctrl);
let targets: PreparedTarget[] = [];

const reply = (r: ChunkReply | { ready: true }, transfer: ArrayBuffer[] = []): void => {
  port.postMessage(r, transfer);
  Atomics.add(c, DONE, 1);
  Atomics.notify(c, DONE);
};

port.on('message', (m: { run: number; targets?: AuditTarget[]; chunk?: number; bytes?: Uint8Array; bounds?: Int32Array; count?: number }) => {
  if (m.targets) { targets = m.targets.map(prepareTarget); return; }
  const chunk = m.chunk!;
  const stop = (): boolean => Atomics.load(c, RUN) !== m.run || Atomics.load(c, STOP) < chunk;
  const block = { bytes: m.bytes!, bounds: m.bounds!, count: m.count! };
  try {
    const hit = stop() ? undefined : auditBlock(block, targets, stop);
    if (hit) lowerStop(c, chunk);
    // the buffers go back to be reused for the next chunk
    reply({ run: m.run, chunk, hit: hit ?? null, aborted: !hit && stop(), ...(hit ? { word: wordAt(block, hit.index) } : {}), bytes: block.bytes, bounds: block.bounds },
      [block.bytes.buffer as ArrayBuffer, block.bounds.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ run: m.run, chunk, hit: null, aborted: true, error: String(err) });
  }
});
reply({ ready: true });
