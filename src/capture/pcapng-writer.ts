// Writes frames as pcapng (layout: see pcapng.ts), so that -w keeps every frame of an input with
// several link types or interfaces (a pcap file holds one link type). One SHB, one IDB per
// (capture point, interface, link type) the first time it is seen, then one EPB per frame, all
// little-endian. Timestamps are in nanoseconds (if_tsresol 9): no precision is lost. A capture
// point (several -r merged) becomes the interface's if_name.
//
//   IDB options: if_name (2) when known, if_tsresol (9) = 9, opt_endofopt

import { PCAPNG_BLOCK, PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_OPTION } from './pcapng.js';
import { DEFAULT_SNAPLEN, FileOutput } from './writer.js';
import type { RawFrame } from './types.js';

const IF_NAME = 2;
const TSRESOL_NANO = 9;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

export class PcapngWriter {
  packetsWritten = 0;
  /** Always 0: pcapng holds every link type (the field exists for the pcap writer's callers). */
  readonly skippedOtherLinktype = 0;
  private readonly out: FileOutput;
  private readonly interfaces = new Map<string, number>();
  private readonly snaplen: number;

  constructor(readonly path: string, options: { snaplen?: number } = {}) {
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    this.out = new FileOutput(path);
    this.writeSectionHeader();
  }

  writeFrame(frame: RawFrame): void {
    if (this.out.closed) return;
    const id = this.interfaceFor(frame);
    const caplen = Math.min(frame.data.length, this.snaplen);
    const total = 32 + pad4(caplen);
    const block = new Uint8Array(total);
    const v = new DataView(block.buffer);
    const ns = BigInt(frame.tsSec) * 1_000_000_000n + BigInt(frame.tsNsec);
    v.setUint32(0, PCAPNG_BLOCK.EPB, true);
    v.setUint32(4, total, true);
    v.setUint32(8, id, true);
    v.setUint32(12, Number((ns >> 32n) & 0xffffffffn), true);
    v.setUint32(16, Number(ns & 0xffffffffn), true);
    v.setUint32(20, caplen, true);
    v.setUint32(24, frame.originalLength >>> 0, true);
    block.set(frame.data.subarray(0, caplen), 28);
    v.setUint32(total - 4, total, true);
    this.out.write(block);
    this.packetsWritten++;
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    this.out.close();
  }

  private interfaceFor(frame: RawFrame): number {
    const key = `${frame.capturePoint ?? ''}\u0000${frame.interfaceId}\u0000${frame.linktype}`;
    let id = this.interfaces.get(key);
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(key, id);
      this.writeInterface(frame.linktype, frame.capturePoint);
    }
    return id;
  }

  private writeSectionHeader(): void {
    const b = new Uint8Array(28);
    const v = new DataView(b.buffer);
    v.setUint32(0, PCAPNG_BLOCK.SHB, true);
    v.setUint32(4, 28, true);
    v.setUint32(8, PCAPNG_BYTE_ORDER_MAGIC, true);
    v.setUint16(12, 1, true);
    v.setUint16(14, 0, true);
    v.setBigInt64(16, -1n, true); // section length not given
    v.setUint32(24, 28, true);
    this.out.write(b);
  }

  private writeInterface(linktype: number, name: string | undefined): void {
    const nameBytes = name !== undefined ? new TextEncoder().encode(name) : new Uint8Array(0);
    const nameOpt = nameBytes.length > 0 ? 4 + pad4(nameBytes.length) : 0;
    const total = 20 + nameOpt + 8 + 4 + 4;
    const b = new Uint8Array(total);
    const v = new DataView(b.buffer);
    v.setUint32(0, PCAPNG_BLOCK.IDB, true);
    v.setUint32(4, total, true);
    v.setUint16(8, linktype, true);
    v.setUint32(12, this.snaplen, true);
    let p = 16;
    if (nameBytes.length > 0) {
      v.setUint16(p, IF_NAME, true);
      v.setUint16(p + 2, nameBytes.length, true);
      b.set(nameBytes, p + 4);
      p += nameOpt;
    }
    v.setUint16(p, PCAPNG_OPTION.ifTsresol, true);
    v.setUint16(p + 2, 1, true);
    b[p + 4] = TSRESOL_NANO;
    p += 8;
    v.setUint16(p, PCAPNG_OPTION.endOfOpt, true);
    v.setUint16(p + 2, 0, true);
    v.setUint32(total - 4, total, true);
    this.out.write(b);
  }
}
