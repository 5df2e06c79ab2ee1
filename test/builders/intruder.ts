// The intruder of samples/record.sh scenario 'intruder' (carp-intruder.pcap): from one genuine
// advert captured on the segment, frames that a host without the passphrase could send:
//   1-3  forged adverts: the genuine VHID, advskew 0, fresh counters, HMAC under a guessed
//        passphrase (so they fail verification)
//   4-6  replays: the genuine advert's CARP header byte for byte (counter and HMAC verify)
// all from the intruder's own MAC and IPv4 address, TTL 255, to 224.0.0.18, 1 s apart; the
// sender (tcpreplay in the intruder's namespace) keeps that spacing.
//
//   node dist/test/builders/intruder.js GENUINE.pcap OUT.pcap [MAC] [IPv4]

import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { CaptureParser } from '../../src/capture/parser.js';
import type { RawFrame } from '../../src/capture/types.js';
import { buildPcap } from './capture.js';
import { carp, ethernet, ipv4 } from './packets.js';

export function intruderFrames(genuineCarp: Uint8Array, mac: string, ip: string, guess = 'guessed-passphrase'): Uint8Array[] {
  const vhid = genuineCarp[1]!;
  const frame = (payload: Uint8Array): Uint8Array =>
    ethernet({ dst: '01:00:5e:00:00:12', src: mac, type: 0x0800 }, ipv4({ src: ip, dst: '224.0.0.18', ttl: 255, proto: 112 }, payload));
  const out: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    const counter = 0x5151515100000000n + BigInt(i);
    const c = Buffer.alloc(8); c.writeBigUInt64BE(counter);
    // a guess at the message: ucarp's single-address form with the intruder's own address
    const md = createHmac('sha1', guess).update(Buffer.concat([Buffer.from([2, 1, vhid]), Buffer.from(ip.split('.').map(Number)), c])).digest();
    out.push(frame(carp({ vhid, advskew: 0, advbase: 1, counter, hmac: md })));
  }
  for (let i = 0; i < 3; i++) out.push(frame(genuineCarp));
  return out;
}

function main(argv: string[]): void {
  const [inFile, outFile, mac = '02:00:00:77:00:03', ip = '10.77.0.3'] = argv;
  if (!inFile || !outFile) { console.error('usage: intruder.js GENUINE.pcap OUT.pcap [MAC] [IPv4]'); process.exit(2); }
  let genuine: Uint8Array | undefined;
  const parser = new CaptureParser((raw: RawFrame) => {
    const d = raw.data;
    if (genuine || d.length < 14 + 20 + 36 || d[12] !== 0x08 || d[13] !== 0x00 || d[14 + 9] !== 112) return;
    const ihl = (d[14]! & 0x0f) * 4;
    genuine = Uint8Array.from(d.subarray(14 + ihl, 14 + ihl + 36));
  });
  parser.feed(readFileSync(inFile));
  parser.end();
  if (!genuine) { console.error(`intruder.js: no CARP advert in ${inFile}`); process.exit(1); }
  const t0 = Math.floor(Date.now() / 1000);
  writeFileSync(outFile, buildPcap({ endian: 'le', records: intruderFrames(genuine, mac, ip).map((data, i) => ({ tsSec: t0 + i, tsFrac: 0, data })) }));
}

if (process.argv[1]?.endsWith('intruder.js')) main(process.argv.slice(2));
