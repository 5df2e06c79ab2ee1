// -x: the frame's bytes as tcpdump -xx prints them: offset, then 16 bytes in groups of two.
//	0x0000:  0100 5e00 0012 0000 5e00 0007 0800 4510

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
 * -X: as tcpdump -XX prints it: the hex of renderHexDump padded to 8 groups, two spaces, then the
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
