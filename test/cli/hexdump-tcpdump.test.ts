// -x, -xx, -X, -XX as tcpdump prints them (issue 15): -x / -X dump each frame after its
// link-layer header, -xx / -XX from its first byte; -X beats -x. Checked byte for byte against
// tcpdump's own dump lines, frame by frame, on CARP, VRRP, pfsync and ARP frames built here, over
// the link types carpdump reads (Ethernet, 802.1Q, Linux SLL and SLL2, BSD loopback, raw IP), with
// frames cut inside the link header and inside IP, and an odd length. The summary lines differ
// (tcpdump prints proto 112 as VRRP, no pfsync): only the dump lines are meant to agree.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPcap } from '../builders/capture.js';
import { arpFrame, carpFrame4, carpFrame6, concat, ethernetTagged, nullHeader, sll, sll2, vrrp2Frame } from '../builders/packets.js';
import { fullUpd, A } from '../support/pfsync-harness.js';
import { carpdump, tool } from '../support/cli.js';
import { skipReason } from '../support/skip.js';

let dir = '';
const files: string[] = [];
let frames = 0;
const ETH_HEADER = 14;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'carpdump-hexdump-'));
  const carp = carpFrame4({ vhid: 7 });
  const ip = carp.subarray(ETH_HEADER);
  // One pcap per link type (libpcap reads one link type per file), times increasing across files:
  // carpdump reads them all at once (-r merges by time), tcpdump one after the other.
  const byLinktype: [number, Uint8Array[]][] = [
    [1, [
      carp, vrrp2Frame({ vrid: 51 }), carpFrame6({ vhid: 9 }), fullUpd(A, 0x0a0a0a01, 1, 2), arpFrame(),
      carp.subarray(0, 20), // cut inside IP
      carp.subarray(0, 10), // cut inside the Ethernet header
      concat(carp, Uint8Array.of(0x41)), // an odd length (a trailing 'A')
      ethernetTagged([{ tpid: 0x8100, id: 20 }], 0x0800, ip),
      ethernetTagged([{ tpid: 0x88a8, id: 3 }, { tpid: 0x8100, id: 20 }], 0x0800, ip),
    ]],
    [113, [sll(0x0800, ip)]],
    [276, [sll2(0x0800, ip)]],
    [0, [nullHeader(2, true, ip)]],
    [228, [ip, ip.subarray(0, 7)]],
  ];
  for (const [linktype, list] of byLinktype) {
    const p = path.join(dir, `linktype-${linktype}.pcap`);
    writeFileSync(p, buildPcap({ endian: 'le', linktype, records: list.map((data) => ({ tsSec: 1700000000 + frames++, tsFrac: 0, data })) }));
    files.push(p);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The dump lines of each frame: a frame starts at a line that is not indented. */
function dumps(out: string): string[][] {
  const frames: string[][] = [];
  for (const l of out.split('\n')) {
    if (l.startsWith('\t0x')) frames.at(-1)!.push(l);
    else if (l !== '' && !/^\s/.test(l)) frames.push([]);
  }
  return frames;
}

// carpdump's flags, and tcpdump's for the same dump (--hex is carpdump's long -x).
for (const [flags, tcpdumpFlags] of [['-x'], ['-xx'], ['-X'], ['-XX'], ['-x', '-x'], ['-xX'], ['-XXx'], ['-nXX'], ['--hex', '-x'], ['--hex', '-x', '-x']].map((f) => [f, f.map((w) => (w === '--hex' ? '-x' : w))])) {
  test(`${flags!.join(' ')}: the dump lines of every frame are tcpdump's ${tcpdumpFlags!.join(' ')}`, { skip: skipReason({ commands: ['tcpdump'] }) }, () => {
    const ours = carpdump([...files.flatMap((f) => ['-r', f]), '-A', ...flags!]);
    assert.equal(ours.status, 0, ours.stderr);
    // One group per frame (the findings of the end are not indented: cut).
    const mine = dumps(ours.stdout).slice(0, frames);
    const theirs = files.flatMap((f) => dumps(tool('tcpdump', ['-r', f, '-nn', ...tcpdumpFlags!]).stdout));
    assert.equal(theirs.length, frames, 'tcpdump frames');
    assert.deepEqual(mine, theirs);
    assert.ok(mine.flat().length > 3 * frames, 'dump lines were printed');
  });
}

test('-x leaves out exactly the link-layer header that -xx shows', () => {
  const bytes = (flags: string[]) => dumps(carpdump(['-r', files[0]!, '-A', ...flags]).stdout)[0]!
    .map((l) => l.slice(10, 50).replace(/\s/g, '')).join('');
  assert.equal(bytes(['-xx']).slice(2 * ETH_HEADER), bytes(['-x']));
  assert.equal(bytes(['-XX']), bytes(['-xx']));
  assert.equal(bytes(['-X']), bytes(['-x']));
  assert.match(bytes(['-x']), /^4510/, 'starts at the IPv4 header');
});
