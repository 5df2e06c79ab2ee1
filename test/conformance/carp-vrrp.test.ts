// Conformance of the CARP/VRRP decoders with the reference captures in ../shared: the facts
// their README/INDEX state, and field-for-field agreement with tshark (CARP heuristic first)
// and tcpdump -T carp, run live when installed (CI installs both), else read from the side
// files saved beside the corpus captures. The captures are read in place, never copied.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../src/decode/frame.js';
import { isInterestingFrame } from '../../src/decode/probe.js';
import type { DecodedFrame, Fields } from '../../src/decode/types.js';
import { REPO_ROOT as repoRoot, SHARED as shared } from '../support/paths.js';
import { haveCommand, inCI, skipReason } from '../support/skip.js';
import { readCapture, tcpdumpCarpLines, tcpdumpLive, tsharkFromVerbose, tsharkLive, type PeerFields } from './peers.js';

const skip = skipReason({ paths: [path.join(shared, 'captures')] });
const captures = path.join(shared, 'captures');
const corpus = path.join(shared, 'corpus', 'public');
const listPcaps = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => path.join(dir, f)) : []);

const CARP_VRRP_FILES = [
  path.join(captures, 'ucarp-ipv4-vhid7.pcap'),
  path.join(captures, 'synthetic-carp-cases.pcap'),
  path.join(captures, 'keepalived-vrrp-v2-v3.pcap'),
  ...listPcaps(corpus),
  // the project's keepalived recordings the VRRP election scenarios rest on (samples/README.md)
  ...['keepalived-kill.pcap', 'keepalived-resign.pcap', 'keepalived-preempt.pcap'].map((f) => path.join(repoRoot, 'samples', f)),
];

const decoded = new Map<string, DecodedFrame[]>();
function decodeFile(file: string): DecodedFrame[] {
  let d = decoded.get(file);
  if (!d) { d = readCapture(file).map((f) => decodeFrame(f)); decoded.set(file, d); }
  return d;
}
function layer(f: DecodedFrame, proto: 'carp' | 'vrrp' | 'ipv4' | 'ipv6'): Fields | undefined {
  return f.layers.find((l) => l.proto === proto)?.fields;
}
const ids = (f: DecodedFrame) => f.annotations.map((a) => a.id);

test('every reference capture decodes with no internal error', { skip }, () => {
  const files = [...listPcaps(captures), ...listPcaps(corpus)];
  assert.ok(files.length >= 20, `only ${files.length} captures found`);
  for (const file of files) {
    const frames = decodeFile(file);
    assert.ok(frames.length > 0, file);
    for (const f of frames) assert.equal(f.internalError, undefined, `${path.basename(file)} frame ${f.raw.number}: ${f.internalError}`);
  }
});

test('the probe accepts every reference frame that decodes to CARP/VRRP/pfsync/ARP/ICMPv6', { skip }, () => {
  const watched = new Set(['carp', 'vrrp', 'pfsync', 'arp', 'icmpv6']);
  let accepted = 0;
  for (const file of [...listPcaps(captures), ...listPcaps(corpus)]) {
    for (const raw of readCapture(file)) {
      const probe = isInterestingFrame(raw);
      if (probe) accepted++;
      const hit = decodeFrame(raw).layers.find((l) => watched.has(l.proto));
      if (hit) assert.ok(probe, `${path.basename(file)} frame ${raw.number}: ${hit.proto} layer, probe said false`);
    }
  }
  assert.ok(accepted > 300, `probe accepted only ${accepted} frames`);
});

test('ucarp-ipv4-vhid7.pcap: README facts', { skip }, () => {
  const frames = decodeFile(path.join(captures, 'ucarp-ipv4-vhid7.pcap'));
  assert.equal(frames.length, 8);
  frames.forEach((f, i) => {
    const c = layer(f, 'carp');
    assert.ok(c, `frame ${i + 1} is CARP`);
    assert.equal(c['carp.vhid'], 7);
    assert.equal(c['carp.adver_int'], 1);
    assert.equal(c['carp.advskew'], i < 6 ? 0 : 100);
    assert.equal(c['carp.checksum.status'], 'good');
    assert.equal(layer(f, 'ipv4')?.['ip.src'], i < 6 ? '10.77.0.1' : '10.77.0.2');
    assert.equal(layer(f, 'ipv4')?.['ip.ttl'], 255);
    assert.deepEqual(ids(f), []);
  });
  const f1 = layer(frames[0]!, 'carp')!;
  assert.equal(f1['carp.checksum'], 0x915d);
  assert.equal(f1['carp.counter'], '768664214548429678');
  assert.equal(f1['carp.hmac'], '47c888778c62a986ae1d2c7ae2aa69117b7a33c4');
  const f7 = layer(frames[6]!, 'carp')!;
  assert.equal(f7['carp.checksum'], 0xc4a2);
  assert.equal(f7['carp.counter'], BigInt('0x0f3fb2b6b9306644').toString());
  assert.equal(f7['carp.hmac'], 'dfa3109eff304befea38eb03a6e61e83edb91120');
  assert.equal(f7['carp.interval'], 1 + 100 / 256);
});

test('synthetic-carp-cases.pcap: README facts frame by frame', { skip }, () => {
  const frames = decodeFile(path.join(captures, 'synthetic-carp-cases.pcap'));
  assert.equal(frames.length, 8);
  const expectIds: string[][] = [[], [], ['carp.bad_checksum'], ['carp.bad_ttl'], ['carp.bow_out'], ['carp.demotion'], ['carp.bad_authlen'], ['carp.bad_type']];
  frames.forEach((f, i) => {
    const c = layer(f, 'carp');
    assert.ok(c, `frame ${i + 1} is CARP`);
    assert.equal(c['carp.vhid'], 10);
    assert.equal(c['carp.counter'], BigInt('0x0102030405060708').toString());
    assert.equal(c['carp.hmac'], 'e1a16193e0abcae05423241a2cc4afaa73266da9');
    assert.deepEqual(ids(f), expectIds[i], `frame ${i + 1}`);
  });
  const [f1, f2, f3, f4, f5, f6, f7, f8] = frames.map((f) => layer(f, 'carp')!);
  assert.deepEqual([f1!['carp.advskew'], f1!['carp.adver_int'], f1!['carp.checksum'], f1!['carp.checksum.status']], [100, 1, 0x469b, 'good']);
  assert.equal(layer(frames[1]!, 'ipv6')?.['ipv6.src'], 'fe80::2a0:98ff:fe01:2');
  assert.equal(layer(frames[1]!, 'ipv6')?.['ipv6.dst'], 'ff02::12');
  assert.equal(f2!['carp.checksum.status'], 'good');
  assert.equal(f3!['carp.checksum.status'], 'bad');
  assert.equal(frames[2]!.annotations[0]!.message, 'bad cksum 0x1cc1, should be 0x469b');
  assert.equal(layer(frames[3]!, 'ipv4')?.['ip.ttl'], 64);
  assert.equal(f4!['carp.checksum.status'], 'good');
  assert.deepEqual([f5!['carp.adver_int'], f5!['carp.advskew'], f5!['carp.bow_out']], [255, 255, true]);
  assert.deepEqual([f6!['carp.demotion'], f6!['carp.advskew']], [128, 0]);
  assert.equal(f7!['carp.authlen'], 6);
  assert.equal(f8!['carp.type'], 2);
});

test('keepalived-vrrp-v2-v3.pcap: README facts', { skip }, () => {
  const frames = decodeFile(path.join(captures, 'keepalived-vrrp-v2-v3.pcap'));
  assert.equal(frames.length, 18);
  frames.forEach((f, i) => {
    const v = layer(f, 'vrrp');
    assert.ok(v, `frame ${i + 1} is VRRP`);
    assert.equal(v['vrrp.checksum.status'], 'good', `frame ${i + 1}`);
    assert.equal(v['vrrp.prio'], i >= 15 ? 0 : 150, `frame ${i + 1}`);
    assert.deepEqual(ids(f), []);
    const vrid = v['vrrp.virt_rtr_id'];
    if (vrid === 51) {
      assert.equal(v['vrrp.version'], 2);
      assert.equal(v['vrrp.auth_type'], 1);
      assert.equal(v['vrrp.auth_string'], 'kapass');
      assert.deepEqual(v['vrrp.ip_addr'], ['10.77.0.51', '10.77.0.61']);
      assert.equal(v['vrrp.adver_int'], 1);
      assert.equal(layer(f, 'ipv4')?.['ip.src'], '10.77.0.1');
    } else if (vrid === 52) {
      assert.equal(v['vrrp.version'], 3);
      assert.deepEqual(v['vrrp.ip_addr'], ['10.77.0.52']);
      assert.equal(v['vrrp.short_adver_int'], 100);
    } else {
      assert.equal(vrid, 53);
      assert.equal(v['vrrp.version'], 3);
      assert.deepEqual(v['vrrp.ip_addr'], ['fd00:77::53']);
      assert.equal(layer(f, 'ipv6')?.['ipv6.src'], 'fe80::ff:fe00:a');
    }
  });
});

test('corpus carp.pcap: INDEX facts (the one public real CARP capture)', { skip }, () => {
  const frames = decodeFile(path.join(corpus, 'carp.pcap'));
  const checksums = [0x5303, 0xba5e, 0xc7da, 0xa345, 0xad35];
  assert.equal(frames.length, 5);
  frames.forEach((f, i) => {
    const c = layer(f, 'carp');
    assert.ok(c, `frame ${i + 1}: CARP, not the VRRPv2 reading default tools give`);
    assert.deepEqual([c['carp.vhid'], c['carp.adver_int'], c['carp.advskew'], c['carp.authlen'], c['carp.demotion']], [1, 1, 1, 7, 0]);
    assert.equal(c['carp.checksum'], checksums[i]);
    assert.equal(c['carp.checksum.status'], 'good');
    assert.equal(c['carp.counter'], (5708499835552965413n + BigInt(i)).toString());
    assert.equal(layer(f, 'ipv4')?.['ip.src'], '10.53.199.124');
  });
});

test('corpus PcapPlusPlus VRRP files: asserted values', { skip }, () => {
  const cases = [
    { file: 'VRRP-V2.pcap', version: 2, checksum: 0x38fa },
    { file: 'VRRP-V3-IPv4.pcap', version: 3, checksum: 0x484d },
    { file: 'VRRP-V3-IPv6.pcap', version: 3, checksum: 0x1071, addrs: ['fe80::254', '2001:db8::1', '2001:db8::2'] },
  ];
  for (const c of cases) {
    const [f] = decodeFile(path.join(corpus, c.file));
    const v = layer(f!, 'vrrp');
    assert.ok(v, c.file);
    assert.deepEqual([v['vrrp.version'], v['vrrp.virt_rtr_id'], v['vrrp.prio'], v['vrrp.checksum'], v['vrrp.checksum.status']], [c.version, 1, 100, c.checksum, 'good'], c.file);
    if (c.addrs) assert.deepEqual(v['vrrp.ip_addr'], c.addrs);
    assert.deepEqual(f!.annotations, [], c.file);
  }
});

test('corpus tcpdump-vrrp.pcap and libpcap-vrrp.pcap: version counts, all checksums good', { skip }, () => {
  const cases = [
    { file: 'tcpdump-vrrp.pcap', v2: 68, v3v4: 33, v3v6: 64 },
    { file: 'libpcap-vrrp.pcap', v2: 6, v3v4: 3, v3v6: 6 },
  ];
  for (const c of cases) {
    const count = { v2: 0, v3v4: 0, v3v6: 0 };
    for (const f of decodeFile(path.join(corpus, c.file))) {
      const v = layer(f, 'vrrp');
      assert.ok(v, `${c.file} frame ${f.raw.number}`);
      assert.equal(v['vrrp.checksum.status'], 'good');
      assert.deepEqual(f.annotations, [], `${c.file} frame ${f.raw.number}`);
      if (v['vrrp.version'] === 2) count.v2++;
      else if (f.ip?.version === 4) count.v3v4++;
      else count.v3v6++;
    }
    assert.deepEqual(count, { v2: c.v2, v3v4: c.v3v4, v3v6: c.v3v6 }, c.file);
  }
});

test('corpus fuzz files: the VRRPv7 packet and the proto-240 non-pfsync packets', { skip }, () => {
  const fuzz = decodeFile(path.join(corpus, 'fuzz-2020-02-16-11740.pcap'));
  const v7 = fuzz.filter((f) => layer(f, 'vrrp')?.['vrrp.version'] === 7);
  assert.equal(v7.length, 1);
  assert.ok(ids(v7[0]!).includes('vrrp.bad_version'));
  // INDEX.md says TTL 5 and 192.1.2.9 -> 192.1.2.1; the packet itself (and tshark, tcpdump) says
  // TTL 255, 10.12.64.30 -> 198.226.25.53, IP header checksum 0 where tcpdump computes 0x2d74.
  assert.equal(v7[0]!.ip?.ttl, 255);
  assert.deepEqual(v7[0]!.annotations.find((a) => a.id === 'ip.bad_checksum')?.details, { checksum: 0, expected: 0x2d74 });
  const oobr2 = decodeFile(path.join(corpus, 'vrrp-vrrp_print-oobr-2.pcap'));
  for (const f of oobr2) assert.equal(f.ip?.fragmented, true, `oobr-2 frame ${f.raw.number} has MF set`);
});

// ---------------------------------------------------------------------------------------------
// Peer tools, field for field.

const tshark = haveCommand('tshark');
const tcpdump = haveCommand('tcpdump');
if (inCI() && (!tshark || !tcpdump)) throw new Error('CI installs tshark and tcpdump (.ci/run): one is missing');

/** tshark's view of a file: live, else the corpus side file (heuristic-first when there is one). */
function tsharkView(file: string): PeerFields | undefined {
  if (tshark) return tsharkLive(file);
  for (const suffix of ['.tshark-heurfirst.txt', '.tshark.txt']) {
    const side = file + suffix;
    if (fs.existsSync(side)) return tsharkFromVerbose(fs.readFileSync(side, 'utf8'));
  }
  return undefined;
}

const hex = (n: unknown) => `0x${Number(n).toString(16).padStart(4, '0')}`;
const statusCode = (s: unknown) => (s === 'good' ? '1' : s === 'bad' ? '0' : undefined);

/** CARP fields tshark and carpdump both show, as [ours, tshark] text pairs. */
function carpPairs(c: Fields, t: Record<string, string>): [string, string | undefined, string | undefined][] {
  const pairs: [string, string | undefined, string | undefined][] = [];
  const plain = ['carp.version', 'carp.type', 'carp.vhid', 'carp.advskew', 'carp.authlen', 'carp.demotion', 'carp.adver_int', 'carp.counter', 'carp.hmac'];
  for (const id of plain) if (c[id] !== undefined || t[id] !== undefined) pairs.push([id, c[id] === undefined ? undefined : String(c[id]), t[id]]);
  if (c['carp.checksum'] !== undefined) pairs.push(['carp.checksum', hex(c['carp.checksum']), t['carp.checksum']]);
  const st = statusCode(c['carp.checksum.status']);
  if (st !== undefined && t['carp.checksum.status'] !== undefined) pairs.push(['carp.checksum.status', st, t['carp.checksum.status']]);
  return pairs;
}

/** VRRP fields both show (the cut or malformed layer only up to where it stopped). */
function vrrpPairs(v: Fields, t: Record<string, string>): [string, string | undefined, string | undefined][] {
  const pairs: [string, string | undefined, string | undefined][] = [];
  for (const id of ['vrrp.version', 'vrrp.type', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.adver_int', 'vrrp.short_adver_int']) {
    if (v[id] !== undefined) pairs.push([id, String(v[id]), t[id]]);
  }
  // Passwords with control or invalid bytes are escaped differently by tshark's -V text.
  const auth = v['vrrp.auth_string'];
  if (typeof auth === 'string' && (tshark || /^[\x20-\x7e]*$/.test(auth))) pairs.push(['vrrp.auth_string', auth, t['vrrp.auth_string']]);
  if (v['vrrp.checksum'] !== undefined) pairs.push(['vrrp.checksum', hex(v['vrrp.checksum']), t['vrrp.checksum']]);
  const st = statusCode(v['vrrp.checksum.status']);
  if (st !== undefined && t['vrrp.checksum.status'] !== undefined) pairs.push(['vrrp.checksum.status', st, t['vrrp.checksum.status']]);
  const addrs = v['vrrp.ip_addr'];
  if (Array.isArray(addrs) && addrs.length > 0 && v['vrrp.addr_count'] === addrs.length) {
    pairs.push(['vrrp.ip_addr', addrs.join(','), t['vrrp.ip_addr'] ?? t['vrrp.ipv6_addr']]);
  }
  return pairs;
}

for (const file of CARP_VRRP_FILES) {
  const name = file.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, file) : path.relative(shared, file);
  test(`tshark agrees field for field: ${name}`, { skip: skip || (!tshark && !fs.existsSync(`${file}.tshark.txt`) ? 'tshark not installed and no side file' : false) }, () => {
    const view = tsharkView(file);
    assert.ok(view, `no tshark view of ${name}`);
    let compared = 0;
    for (const f of decodeFile(file)) {
      const t: Record<string, string> = view.get(f.raw.number) ?? {};
      const c = layer(f, 'carp');
      const v = layer(f, 'vrrp');
      const where = `${name} frame ${f.raw.number}`;
      // IP addresses and TTL of the packet (live tshark only: the -V side files are not parsed for them).
      const ip4 = layer(f, 'ipv4');
      const ip6 = layer(f, 'ipv6');
      if ((c || v) && ip4 && t['ip.src'] !== undefined && !t['ip.src'].includes(',')) {
        assert.deepEqual([ip4['ip.src'], ip4['ip.dst'], String(ip4['ip.ttl'])], [t['ip.src'], t['ip.dst'], t['ip.ttl']], `${where}: IPv4`);
      }
      if ((c || v) && ip6 && t['ipv6.src'] !== undefined && !t['ipv6.src'].includes(',')) {
        assert.deepEqual([ip6['ipv6.src'], ip6['ipv6.dst'], String(ip6['ipv6.hlim'])], [t['ipv6.src'], t['ipv6.dst'], t['ipv6.hlim']], `${where}: IPv6`);
      }
      if (t['carp.vhid'] !== undefined) {
        assert.ok(c, `${where}: tshark shows CARP, carpdump ${f.layers.map((l) => l.proto).join('/')}`);
        for (const [id, ours, theirs] of carpPairs(c, t)) assert.equal(ours, theirs, `${where}: ${id}`);
        compared++;
      } else if (t['vrrp.version'] !== undefined) {
        if (c) {
          // Wireshark's CARP heuristic needs type 1 and authlen 7; carpdump's rule 5 keeps
          // 36-byte version-2 adverts with a wrong type/authlen as (bad) CARP.
          assert.ok(c['carp.type'] !== 1 || c['carp.authlen'] !== 7, `${where}: carpdump CARP where tshark says VRRP`);
          continue;
        }
        assert.ok(v, `${where}: tshark shows VRRP, carpdump ${f.layers.map((l) => l.proto).join('/')}`);
        for (const [id, ours, theirs] of vrrpPairs(v, t)) assert.equal(ours, theirs, `${where}: ${id}`);
        compared++;
      }
    }
    assert.ok(compared > 0 || /fuzz|kday|icmp-|oobr-2/.test(name), `${name}: nothing compared`);
  });
}

for (const file of CARP_VRRP_FILES) {
  const name = file.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, file) : path.relative(shared, file);
  const side = `${file}.tcpdump-Tcarp.txt`;
  test(`tcpdump -T carp agrees on every CARP advert: ${name}`, { skip: skip || (!tcpdump && !fs.existsSync(side) ? 'tcpdump not installed and no side file' : false) }, () => {
    const lines = tcpdumpCarpLines(tcpdump ? tcpdumpLive(file) : fs.readFileSync(side, 'utf8'));
    // tcpdump prints one CARP line per IPv4/IPv6 packet with protocol 112 that is not a later fragment.
    const frames = decodeFile(file).filter((f) => {
      const ip4 = layer(f, 'ipv4');
      const ip6 = layer(f, 'ipv6');
      if (ip4) return ip4['ip.proto'] === 112 && ip4['ip.frag_offset'] === 0 && f.layers.length > 2;
      return ip6?.['ipv6.nxt'] === 112 && f.layers.length > 2;
    });
    let compared = 0;
    for (let i = 0; i < Math.min(lines.length, frames.length); i++) {
      const c = layer(frames[i]!, 'carp');
      const t = lines[i]!;
      if (!c || t.vhid === undefined || frames[i]!.layers.at(-1)!.status !== 'ok') continue;
      const where = `${name} frame ${frames[i]!.raw.number}`;
      assert.deepEqual(
        [c['carp.vhid'], c['carp.adver_int'], c['carp.advskew'], c['carp.authlen'], c['carp.counter']],
        [t.vhid, t.advbase, t.advskew, t.authlen, t.counter], where);
      assert.equal(c['carp.type'] === 1 ? 'advertise' : 'unknown', t.kind, where);
      assert.equal(ids(frames[i]!).includes('carp.bad_ttl'), t.ttl !== undefined, `${where}: ttl`);
      assert.equal(c['carp.checksum.status'] === 'bad' ? c['carp.checksum'] : undefined, t.badCksum, `${where}: checksum`);
      compared++;
    }
    const carpFrames = frames.filter((f) => layer(f, 'carp') && f.layers.at(-1)!.status === 'ok').length;
    assert.ok(compared >= carpFrames - 1, `${name}: compared ${compared} of ${carpFrames} CARP frames`);
  });
}

test('the side-file readers see what the live tools print (so the fallback is trustworthy)', { skip: skip || (!tshark || !tcpdump ? 'needs tshark and tcpdump' : false) }, () => {
  for (const name of ['carp.pcap', 'tcpdump-vrrp.pcap', 'VRRP-V3-IPv6.pcap', 'vrrp-vrrp_print-oobr.pcap']) {
    const file = path.join(corpus, name);
    const live = tsharkLive(file);
    const side = fs.existsSync(`${file}.tshark-heurfirst.txt`) ? `${file}.tshark-heurfirst.txt` : `${file}.tshark.txt`;
    const saved = tsharkFromVerbose(fs.readFileSync(side, 'utf8'));
    for (const [n, rec] of live) {
      const other = saved.get(n) ?? {};
      for (const id of Object.keys(rec)) {
        if (id.startsWith('ip.') || id.startsWith('ipv6.')) continue; // not read from the side files
        if (id === 'vrrp.auth_string' && /[^\x20-\x7e]/.test(rec[id]!)) continue;
        assert.equal(other[id], rec[id], `${name} frame ${n} ${id}`);
      }
    }
    assert.deepEqual(tcpdumpCarpLines(fs.readFileSync(`${file}.tcpdump-Tcarp.txt`, 'utf8')), tcpdumpCarpLines(tcpdumpLive(file)), name);
  }
});
