// -w FILE: chooses pcap or pcapng and never drops a frame silently.
//   -F pcap|pcapng       as asked (tcpdump / editcap spelling);
//   otherwise            pcapng when the input is pcapng or several captures are merged (several
//                        interfaces, link types or capture points stay apart), else pcap.
// The choice is made at the first frame (the input's format is known by then); the file is
// opened at once so that an unwritable path is reported before anything is read. A pcap file
// holds one link type: frames of another are counted, and the CLI warns with the count.
// Nanosecond input is written with nanosecond timestamps (pcap magic a1b23c4d, pcapng tsresol 9).

import { closeSync, openSync } from 'node:fs';
import { CarpdumpError } from '../errors.js';
import { describeFsError } from './open.js';
import { PcapngWriter } from './pcapng-writer.js';
import type { RawFrame } from './types.js';
import { PcapWriter } from './writer.js';

export type WriteFormat = 'pcap' | 'pcapng';

export interface CaptureWriterOptions {
  /** -F; undefined = decided from the input. */
  readonly format?: WriteFormat;
  /** The input's container format, asked at the first frame. */
  readonly inputFormat: () => WriteFormat | undefined;
  readonly linktype?: number;
  readonly snaplen?: number;
}

export class CaptureWriter {
  private writer: PcapWriter | PcapngWriter | undefined;

  constructor(readonly path: string, private readonly options: CaptureWriterOptions) {
    if (path !== '-') {
      try {
        closeSync(openSync(path, 'w'));
      } catch (error) {
        throw new CarpdumpError(`cannot write ${path}: ${describeFsError(error)}`);
      }
    }
  }

  /** The format written (known after the first frame or close()). */
  get format(): WriteFormat | undefined {
    return this.writer === undefined ? undefined : this.writer instanceof PcapngWriter ? 'pcapng' : 'pcap';
  }

  get packetsWritten(): number {
    return this.writer?.packetsWritten ?? 0;
  }

  /** Frames a pcap file could not hold (another link type than its first frame's). */
  get skippedOtherLinktype(): number {
    return this.writer?.skippedOtherLinktype ?? 0;
  }

  writeFrame(frame: RawFrame): void {
    (this.writer ??= this.open(frame)).writeFrame(frame);
  }

  flush(): void {
    this.writer?.flush();
  }

  close(): void {
    (this.writer ??= this.open(undefined)).close();
  }

  private open(first: RawFrame | undefined): PcapWriter | PcapngWriter {
    const o = this.options;
    const format = o.format ?? o.inputFormat() ?? 'pcap';
    const snaplen = o.snaplen !== undefined ? { snaplen: o.snaplen } : {};
    if (format === 'pcapng') return new PcapngWriter(this.path, snaplen);
    const linktype = o.linktype ?? first?.linktype;
    return new PcapWriter(this.path, {
      ...snaplen,
      ...(linktype !== undefined ? { linktype } : {}),
      nanosecond: first !== undefined && first.tsDigits > 6,
    });
  }
}
