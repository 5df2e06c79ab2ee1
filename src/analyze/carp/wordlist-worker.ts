// A --wordlist audit worker (see wordlist-pool.ts): runs auditWordlist on the chunks it is sent,
// giving up when a lower chunk has a hit, and bumps the shared reply counter after each reply.

import { workerData, type MessagePort } from 'node:worker_threads';
import { auditWordlist, type AuditTarget } from './wordlist.js';
import { DONE, RUN, STOP, type ChunkReply } from './wordlist-pool.js';

const { port, ctrl } = workerData as { port: MessagePort; ctrl: SharedArrayBuffer };
const c = new Int32Array(ctrl);
let targets: AuditTarget[] = [];

const reply = (r: ChunkReply | { ready: true }): void => {
  port.postMessage(r);
  Atomics.add(c, DONE, 1);
  Atomics.notify(c, DONE);
};

port.on('message', (m: { run: number; targets?: AuditTarget[]; chunk?: number; words?: string[] }) => {
  if (m.targets) { targets = m.targets; return; }
  const chunk = m.chunk!;
  const stop = (): boolean => Atomics.load(c, RUN) !== m.run || Atomics.load(c, STOP) < chunk;
  try {
    const hit = stop() ? undefined : auditWordlist(m.words!, targets, stop);
    if (hit) {
      for (let cur = Atomics.load(c, STOP); chunk < cur; cur = Atomics.load(c, STOP)) {
        if (Atomics.compareExchange(c, STOP, cur, chunk) === cur) break;
      }
    }
    reply({ run: m.run, chunk, hit: hit ?? null, aborted: !hit && stop() });
  } catch (err) {
    reply({ run: m.run, chunk, hit: null, aborted: true, error: String(err) });
  }
});
reply({ ready: true });
