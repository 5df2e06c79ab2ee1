// Several -r files as one source: frames merged by packet time (ties keep the order of the -r
// options, then of each file), numbered 1..N in the merged order (as mergecap), each carrying its
// capture point (the file's base name; the full path when two base names are the same).
// Every file is read first, its frames copied: memory is bounded by MERGE_MAX_BYTES of frame
// data; past it the run ends with a one-line error (merge with mergecap first).

import type { Limits } from '../limits.js';
import { basename } from 'node:path';
import { CarpdumpError } from '../errors.js';
import { openCaptureFile, type FileCaptureSource } from './open.js';
import type { CaptureSource, FrameSink, RawFrame } from './types.js';
import { renumbered } from '../kernel/frame.js';

export const MERGE_MAX_BYTES = 512 * 1024 * 1024;

/** The name of each file's capture point, in the order given. */
export function capturePointNames(paths: readonly string[]): string[] {
  const bases = paths.map((p) => basename(p));
  return paths.map((p, i) => (bases.filter((b) => b === bases[i]).length > 1 ? p : bases[i]!));
}

export class MergedCaptureSource implements CaptureSource {
  readonly name: string;
  readonly files: readonly FileCaptureSource[];
  private stopped = false;
  /** Per capture point: time of its first and last frame (seconds), known once run() has read the files. */
  readonly spans = new Map<string, { first: number; last: number }>();

  constructor(readonly paths: readonly string[], private readonly maxBytes = MERGE_MAX_BYTES, limits?: Pick<Limits, 'interfaces-per-section' | 'record-bytes'>) {
    this.files = paths.map((p) => openCaptureFile(p, limits));
    this.name = paths.join(', ');
  }

  /** pcapng when any input is pcapng (or once several points are merged, see capture-writer.ts). */
  get format(): 'pcapng' {
    return 'pcapng';
  }

  stop(): void {
    this.stopped = true;
    for (const f of this.files) f.stop();
  }

  async run(sink: FrameSink): Promise<void> {
    const points = capturePointNames(this.paths);
    const frames: RawFrame[] = [];
    let bytes = 0;
    let failure: unknown;
    for (let i = 0; i < this.files.length && !this.stopped; i++) {
      const capturePoint = points[i]!;
      try {
        await this.files[i]!.run((raw) => {
          bytes += raw.data.length + 64;
          if (bytes > this.maxBytes) {
            throw new CarpdumpError(`merging ${this.paths.length} files: more than ${this.maxBytes >> 20} MiB of frames (merge them with mergecap first)`);
          }
          frames.push(renumbered(raw, raw.number, capturePoint, raw.data.slice()));
          const at = raw.tsSec + raw.tsNsec / 1e9;
          const span = this.spans.get(capturePoint);
          if (!span) this.spans.set(capturePoint, { first: at, last: at });
          else { span.first = Math.min(span.first, at); span.last = Math.max(span.last, at); }
        });
      } catch (error) {
        // Damage in one file: its frames before the damage are kept, the others still merged.
        failure ??= error;
        if (error instanceof CarpdumpError && error.message.startsWith('merging ')) break;
      }
    }
    // Stable sort: equal times keep the -r order.
    frames.sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec);
    let number = 0;
    for (const f of frames) {
      if (this.stopped) break;
      sink(renumbered(f, ++number));
    }
    if (failure !== undefined) throw failure;
  }
}
