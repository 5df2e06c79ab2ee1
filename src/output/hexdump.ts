// -x / -X: the frame's bytes as tcpdump -x / -X print them: offset, then 16 bytes in groups of
// two (and -X the ASCII), after the link-layer header; -xx / -XX from the first byte.
//	0x0000:  0100 5e00 0012 0000 5e00 0007 0800 4510

import type { DecodedFrame, ProtoId } from '../decode/types.js';

/** The layers tcpdump's link-layer printers consume (its hdrlen): Ethernet with its VLAN tags, SLL, ... */
const LINK_LAYERS: ReadonlySet<ProtoId> = new Set<ProtoId>(['eth', 'vlan', 'sll', 'sll2', 'null', 'raw', 'fr', 'enc', 'pfsynclink', 'pflog']);

/**
 * Bytes of the frame's link-layer header, as tcpdump's -x / -X leave out: up to the first layer
 * above the link layers (an unknown ethertype: the end of the link layers; a link header cut
 * short: all of it, as tcpdump then has consumed every byte), at most the captured bytes.
 */
export function linkHeaderLength(frame: DecodedFrame): number {
  const captured = frame.raw.data.length;
  let end = 0;
  for (const l of frame.layers) {
    if (!LINK_LAYERS.has(l.proto)) return Math.min(l.offset, captured);
    end = l.status !== 'ok' ? captured : l.offset + l.length;
  }
  return Math.min(end, captured);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function renderHexDump(bytes: Uint8Array): string {
  let out = '';
  for (let off = 0; off < bytes.length; off += 16) {
    let line = `\t0x${off.toString(16).padStart(4, '0')}: `;
    const end = Math.min(off + 16, bytes.length);
    for (let i = off; i < end; i++) {
      if ((i - off) % 2 === 0) line += ' ';
      line += HEX[bytes[i]!];
    }
    out += `${line}\n`;
  }
  return out;
}

/**
 * -X: as tcpdump -X / -XX print it: the hex of renderHexDump padded to 8 groups, two spaces, then the
 * bytes as ASCII ('.' for anything outside 0x21..0x7e, space included, as tcpdump).
 *	0x0000:  ffff ffff ffff 0200 0077 0001 0806 0001  .........w......
 */
export function renderHexAsciiDump(bytes: Uint8Array): string {
  let out = '';
  for (let off = 0; off < bytes.length; off += 16) {
    const end = Math.min(off + 16, bytes.length);
    let hex = '';
    let ascii = '';
    for (let i = off; i < end; i++) {
      const b = bytes[i]!;
      if ((i - off) % 2 === 0) hex += ' ';
      hex += HEX[b];
      ascii += b > 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.'; // tcpdump: graphic characters only
    }
    out += `\t0x${off.toString(16).padStart(4, '0')}: ${hex.padEnd(40)}  ${ascii}\n`;
  }
  return out;
}
