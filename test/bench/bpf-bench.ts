// Throughput of file capture filters (not a test): a 1M-frame Ethernet pcap built in memory
// from four builder frames (CARP over IPv4, VRRPv3 over IPv6, ARP, CARP in an 802.1Q tag),
// read by the bare CaptureParser; prints frames/s of the parser alone and of the parser plus
// FileCaptureFilter.matches() for several expressions compiled by libpcap (needs tcpdump).
//
//   npx tsc -p . && node dist/test/bench/bpf-bench.js [frames]

import { CaptureParser } from '../../src/capture/parser.js';
import { FileCaptureFilter } from '../../src/capture/bpf-compile.js';
import { runBpf } from '../../src/capture/bpf.js';
import type { RawFrame } from '../../src/capture/types.js';
import { buildPcap } from '../builders/capture.js';
import { arpFrame, carpFrame4, ethernetTagged, ipv4, carp, vrrp3Frame6 } from '../builders/packets.js';

const frames = Number(process.argv[2] ?? 1_000_000);
const templates = [
  carpFrame4({ vhid: 7 }),
  vrrp3Frame6({}),
  arpFrame({}),
  ethernetTagged([{ tpid: 0x8100, id: 77 }], 0x0800, ipv4({ proto: 112, src: '10.77.0.1' }, carp({}))),
];
const file = buildPcap({
  endian: 'le',
  records: Array.from({ length: frames }, (_, i) => ({ tsSec: 1_700_000_000 + Math.floor(i / 1000), tsFrac: i % 1000, data: templates[i % templates.length]! })),
});

function pass(sink: (f: RawFrame) => void): void {
  const p = new CaptureParser(sink);
  for (let off = 0; off < file.length; off += 1 << 20) p.feed(file.subarray(off, off + (1 << 20)));
  p.end();
}

function report(name: string, ms: number, kept?: number): void {
  const rate = frames / (ms / 1000);
  console.log(`${name.padEnd(52)} ${(rate / 1e6).toFixed(2)} M frames/s (${ms.toFixed(0)} ms${kept !== undefined ? `, kept ${kept}` : ''})`);
}

const expressions = ['ip proto 112', 'vlan and ip proto 112', 'host 10.77.0.1 or ip6 proto 112 or arp', 'carp[0] = 0x21 and len > 60'];
const filters = expressions.map((e) => new FileCaptureFilter(e));
console.log(`${frames} frames, ${(file.length / 2 ** 20).toFixed(0)} MiB in memory`);
for (let round = 0; round < 3; round++) {
  let n = 0;
  let t0 = performance.now();
  pass(() => { n++; });
  report('CaptureParser alone', performance.now() - t0);
  for (const f of filters) {
    let kept = 0;
    t0 = performance.now();
    pass((frame) => { if (f.matches(frame)) kept++; });
    report(`parser + filter "${f.expression}"`, performance.now() - t0, kept);
  }
  // The interpreter alone: one program on the four templates, frames x.
  const prog = filters[2]!.programFor(1);
  let kept = 0;
  t0 = performance.now();
  for (let i = 0; i < frames; i++) {
    const d = templates[i & 3]!;
    if (runBpf(prog, d, d.length) !== 0) kept++;
  }
  report(`runBpf alone "${expressions[2]}"`, performance.now() - t0, kept);
  if (n < 0) console.log(n);
}
