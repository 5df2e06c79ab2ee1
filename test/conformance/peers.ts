// What the peer tools say about a capture's CARP/VRRP packets: tshark (-T fields, CARP by
// heuristic first) and tcpdump -T carp, run live when installed, else read from the side files
// saved beside the corpus captures (tshark -V text, tcpdump -vvv text). Also reads captures
// with the project's CaptureParser.

import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { CaptureParser } from '../../src/capture/parser.js';
import type { RawFrame } from '../../src/capture/types.js';

/** Every frame of a pcap/pcapng file, data copied. */
export function readCapture(file: string): RawFrame[] {
  const frames: RawFrame[] = [];
  const parser = new CaptureParser((f) => frames.push({ ...f, data: Uint8Array.from(f.data) }));
  parser.feed(new Uint8Array(fs.readFileSync(file)));
  parser.end();
  return frames;
}

/** Per frame number: field id -> text as tshark -T fields prints it (aggregated with ','). */
export type PeerFields = Map<number, Record<string, string>>;

export const TSHARK_FIELDS = [
  'carp.version', 'carp.type', 'carp.vhid', 'carp.advskew', 'carp.authlen', 'carp.demotion', 'carp.adver_int',
  'carp.checksum', 'carp.checksum.status', 'carp.counter', 'carp.hmac',
  'vrrp.version', 'vrrp.type', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.adver_int', 'vrrp.short_adver_int',
  'vrrp.checksum', 'vrrp.checksum.status', 'vrrp.ip_addr', 'vrrp.ipv6_addr', 'vrrp.auth_string',
  'ip.src', 'ip.dst', 'ip.ttl', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim',
] as const;

export function tsharkLive(file: string): PeerFields {
  const args = ['-o', 'ip.try_heuristic_first:TRUE', '-o', 'ipv6.try_heuristic_first:TRUE', '-r', file, '-T', 'fields',
    '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'frame.number', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  const map: PeerFields = new Map();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const rec: Record<string, string> = {};
    TSHARK_FIELDS.forEach((f, i) => { const v = cols[i + 1]; if (v) rec[f] = v; });
    map.set(Number(cols[0]), rec);
  }
  return map;
}

/** The same fields read back from a saved `tshark -V` text (corpus side files). */
export function tsharkFromVerbose(text: string): PeerFields {
  const map: PeerFields = new Map();
  const blocks = text.split(/^Frame (?=\d+:)/m).slice(1);
  for (const block of blocks) {
    const n = Number(block.slice(0, block.indexOf(':')));
    const rec: Record<string, string> = {};
    const lines = block.split('\n');
    let proto: 'carp' | 'vrrp' | undefined;
    const push = (id: string, v: string) => { rec[id] = rec[id] === undefined ? v : `${rec[id]},${v}`; };
    for (const raw of lines) {
      if (/^\S/.test(raw)) {
        proto = raw.startsWith('Common Address Redundancy Protocol') ? 'carp' : raw.startsWith('Virtual Router Redundancy Protocol') ? 'vrrp' : undefined;
        continue;
      }
      if (!proto) continue;
      const line = raw.trim();
      let m: RegExpExecArray | null;
      if ((m = /^Version (\d+), Packet type (\d+)/.exec(line))) { push(`${proto}.version`, m[1]!); push(`${proto}.type`, m[2]!); continue; }
      if ((m = /^Checksum: (0x[0-9a-f]+)/.exec(line))) { push(`${proto}.checksum`, m[1]!); continue; }
      if ((m = /^\[Checksum Status: (\w+)\]/.exec(line))) { push(`${proto}.checksum.status`, m[1] === 'Good' ? '1' : m[1] === 'Bad' ? '0' : '2'); continue; }
      if (proto === 'carp') {
        const labels: Record<string, string> = { 'Virtual Host ID': 'carp.vhid', 'Advertisement Skew': 'carp.advskew', 'Auth Len': 'carp.authlen', 'Demotion indicator': 'carp.demotion', 'Adver Int': 'carp.adver_int', Counter: 'carp.counter', HMAC: 'carp.hmac' };
        if ((m = /^([A-Za-z ]+): (\S+)$/.exec(line)) && labels[m[1]!]) push(labels[m[1]!]!, m[2]!);
      } else {
        if ((m = /^Virtual Rtr ID: (\d+)/.exec(line))) push('vrrp.virt_rtr_id', m[1]!);
        else if ((m = /^Priority: (\d+)/.exec(line))) push('vrrp.prio', m[1]!);
        else if ((m = /^Addr Count: (\d+)/.exec(line))) push('vrrp.addr_count', m[1]!);
        else if ((m = /^Adver Int: (\d+)/.exec(line))) push('vrrp.adver_int', m[1]!);
        else if ((m = /= Adver Int: (\d+)/.exec(line))) push('vrrp.short_adver_int', m[1]!);
        else if ((m = /^IP Address: (\S+)/.exec(line))) push('vrrp.ip_addr', m[1]!);
        else if ((m = /^IPv6 Address: (\S+)/.exec(line))) push('vrrp.ipv6_addr', m[1]!);
        else if ((m = /^Authentication String: (.*)$/.exec(line))) push('vrrp.auth_string', m[1]!);
      }
    }
    map.set(n, rec);
  }
  return map;
}

/** One CARP line of `tcpdump -T carp -v`. */
export interface TcpdumpCarp {
  version: number;
  kind: string;
  length: number;
  ttl?: number;
  vhid?: number;
  advbase?: number;
  advskew?: number;
  authlen?: number;
  badCksum?: number;
  counter?: string;
}

const CARP_LINE = /CARPv(\d+)-(\w+) (\d+): (?:\[ttl=(\d+)!\] )?(?:vhid=(\d+) advbase=(\d+) advskew=(\d+) authlen=(\d+) (?: \(bad carp cksum ([0-9a-f]+)!\))?counter=(\d+))?/;

/** The CARP lines of tcpdump -T carp output, in packet order. */
export function tcpdumpCarpLines(text: string): TcpdumpCarp[] {
  const out: TcpdumpCarp[] = [];
  for (const line of text.split('\n')) {
    const m = CARP_LINE.exec(line);
    if (!m) continue;
    const r: TcpdumpCarp = { version: Number(m[1]), kind: m[2]!, length: Number(m[3]) };
    if (m[4]) r.ttl = Number(m[4]);
    if (m[5]) {
      r.vhid = Number(m[5]); r.advbase = Number(m[6]); r.advskew = Number(m[7]); r.authlen = Number(m[8]);
      if (m[9]) r.badCksum = parseInt(m[9], 16);
      r.counter = m[10]!;
    }
    out.push(r);
  }
  return out;
}

export function tcpdumpLive(file: string): string {
  return execFileSync('tcpdump', ['-T', 'carp', '-nn', '-v', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
}
