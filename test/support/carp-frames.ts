// Test-only builder of DecodedFrames for the CARP analyzer: layers with field values, no bytes
// (the analyzer reads field ids only). One comment per field, as the decoders would fill them.

import { createHmac } from 'node:crypto';
import type { RawFrame } from '../../src/capture/types.js';
import type { DecodedFrame, Fields, Layer, ProtoId } from '../../src/decode/types.js';
import { rawFrame, timeAt } from './frames.js';

export const T0 = 1_700_000_000;

/** No bytes (the analyzer reads field ids only): frame NUMBER at epoch second T on interface IFACE. */
function raw(number: number, t: number, iface = 0): RawFrame {
  return rawFrame(new Uint8Array(0), { number, ...timeAt(0, t), interfaceId: iface });
}

function layer(proto: ProtoId, fields: Fields): Layer {
  return { proto, offset: 0, length: 0, status: 'ok', fields };
}

/** Hand-written reference HMAC of carp.md 3.1 for a single sorted list (no variants). */
export function referenceHmac(passphrase: string, vhid: number, ipv4: readonly string[], counter: bigint): string {
  const addrs = [...ipv4].map((a) => a.split('.').map(Number)).sort((x, y) => {
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
  const c = Buffer.alloc(8);
  c.writeBigUInt64BE(counter);
  const m = Buffer.concat([Buffer.from([2, 1, vhid]), ...addrs.map((a) => Buffer.from(a)), c]);
  return createHmac('sha1', Buffer.from(passphrase, 'utf8').subarray(0, 19)).update(m).digest('hex');
}

export interface AdvertSpec {
  n: number;                 // frame number
  t: number;                 // packet time, seconds since T0
  src: string;               // IP source
  vhid?: number;             // default 7
  advbase?: number;          // default 1
  advskew?: number;          // default 0
  demote?: number;           // default 0
  counter?: bigint;          // default: derived from n (unique)
  hmac?: string;             // default: referenceHmac(pass, vhid, vip, counter), or zeros without pass
  pass?: string;             // passphrase used to sign (test only)
  vip?: readonly string[];   // virtual addresses hashed (test only)
  mac?: string;              // Ethernet source (default 00:00:5e:00:01:vhid)
  af?: 'ipv4' | 'ipv6';
  iface?: number;
  ttl?: number;              // default 255
  checksum?: 'good' | 'bad';
}

export function advert(s: AdvertSpec): DecodedFrame {
  const vhid = s.vhid ?? 7;
  const counter = s.counter ?? (0x1000000000000000n + BigInt(s.n) * 7919n);
  const hmac = s.hmac ?? (s.pass !== undefined ? referenceHmac(s.pass, vhid, s.vip ?? [], counter) : '00'.repeat(20));
  const af = s.af ?? 'ipv4';
  const dst = af === 'ipv6' ? 'ff02::12' : '224.0.0.18';
  const ttl = s.ttl ?? 255;
  const mac = s.mac ?? `00:00:5e:00:01:${vhid.toString(16).padStart(2, '0')}`;
  const layers: Layer[] = [
    layer('eth', { 'eth.src': mac, 'eth.dst': af === 'ipv6' ? '33:33:00:00:00:12' : '01:00:5e:00:00:12' }),
    af === 'ipv6'
      ? layer('ipv6', { 'ipv6.src': s.src, 'ipv6.dst': dst, 'ipv6.hlim': ttl })
      : layer('ipv4', { 'ip.src': s.src, 'ip.dst': dst, 'ip.ttl': ttl }),
    layer('carp', {
      'carp.version': 2,                       // CARP_VERSION
      'carp.type': 1,                          // CARP_ADVERTISEMENT
      'carp.vhid': vhid,                       // virtual host id
      'carp.advskew': s.advskew ?? 0,          // 1/256 s
      'carp.authlen': 7,                       // always 7
      'carp.demotion': s.demote ?? 0,          // OpenBSD demote counter
      'carp.adver_int': s.advbase ?? 1,        // advbase seconds
      'carp.checksum.status': s.checksum ?? 'good',
      'carp.counter': counter.toString(),      // u64 as decimal string
      'carp.hmac': hmac,                       // 40 hex digits
    }),
  ];
  return {
    raw: raw(s.n, T0 + s.t, s.iface),
    layers,
    annotations: [],
    ip: {
      version: af === 'ipv6' ? 6 : 4,
      srcBytes: new Uint8Array(af === 'ipv6' ? 16 : 4), dstBytes: new Uint8Array(af === 'ipv6' ? 16 : 4),
      src: s.src, dst, ttl, payloadLength: 36, fragmented: false,
    },
  };
}

/** An ARP frame from `mac`: sender `ip`, target `target` (the sender's own address: gratuitous). */
function arp(n: number, t: number, opcode: 1 | 2, mac: string, ethDst: string, ip: string, target: string): DecodedFrame {
  return {
    raw: raw(n, T0 + t),
    layers: [
      layer('eth', { 'eth.src': mac, 'eth.dst': ethDst }),
      layer('arp', {
        'arp.opcode': opcode,                  // 1 request, 2 reply
        'arp.src.hw_mac': mac,                 // sender hardware address
        'arp.src.proto_ipv4': ip,              // sender protocol address
        'arp.dst.proto_ipv4': target,          // target protocol address
        'arp.isgratuitous': target === ip,
      }),
    ],
    annotations: [],
  };
}

/** A gratuitous ARP (sender IP == target IP) from `mac`. */
export function garp(n: number, t: number, ip: string, mac: string): DecodedFrame {
  return arp(n, t, 1, mac, 'ff:ff:ff:ff:ff:ff', ip, ip);
}

/** An ARP reply from `mac` for `ip` (not gratuitous) to the asker 10.77.0.99. */
export function arpReply(n: number, t: number, ip: string, mac: string): DecodedFrame {
  return arp(n, t, 2, mac, '02:00:00:00:00:99', ip, '10.77.0.99');
}

/** An unsolicited neighbour advertisement for `target` from `mac`. */
export function unsolicitedNa(n: number, t: number, target: string, mac: string): DecodedFrame {
  return {
    raw: raw(n, T0 + t),
    layers: [
      layer('eth', { 'eth.src': mac, 'eth.dst': '33:33:00:00:00:01' }),
      layer('ipv6', { 'ipv6.src': 'fe80::1', 'ipv6.dst': 'ff02::1', 'ipv6.hlim': 255 }),
      layer('icmpv6', {
        'icmpv6.type': 136,                    // neighbour advertisement
        'icmpv6.nd.na.target_address': target, // the announced address
        'icmpv6.nd.na.flag.s': false,          // unsolicited
        'icmpv6.opt.linkaddr': mac,            // target link-layer address option
      }),
    ],
    annotations: [],
  };
}

/** A VRRP advert of router `src` for VRID `vrid`. */
export function vrrp(n: number, t: number, src: string, vrid: number, version = 2): DecodedFrame {
  return {
    raw: raw(n, T0 + t),
    layers: [
      layer('eth', { 'eth.src': `00:00:5e:00:01:${vrid.toString(16).padStart(2, '0')}`, 'eth.dst': '01:00:5e:00:00:12' }),
      layer('ipv4', { 'ip.src': src, 'ip.dst': '224.0.0.18', 'ip.ttl': 255 }),
      layer('vrrp', {
        'vrrp.version': version,               // 2 or 3
        'vrrp.virt_rtr_id': vrid,              // VRID
        'vrrp.prio': 100,                      // default priority
        'vrrp.ip_addr': ['10.77.0.51'],        // virtual addresses
      }),
    ],
    annotations: [],
  };
}
