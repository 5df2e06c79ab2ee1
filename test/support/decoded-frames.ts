// Test-only DecodedFrame builder: layers with the field ids the dissectors write, so renderer
// and filter tests do not depend on the byte decoders. One comment per field.

import type { RawFrame } from '../../src/capture/types.js';
import type { AnalyzedFrame } from '../../src/analyze/types.js';
import type { Annotation, Fields, Layer, ProtoId } from '../../src/decode/types.js';
import { rawFrame } from './frames.js';

export function layer(proto: ProtoId, fields: Fields, offset = 0, status: Layer['status'] = 'ok'): Layer {
  return { proto, offset, length: 0, status, fields };
}

export function raw(number = 1, over: Partial<RawFrame> = {}): RawFrame {
  const data = over.data ?? new Uint8Array(70);
  // 2023-11-14T22:13:20Z + number seconds + .000123 s, microsecond capture, Ethernet
  return { ...rawFrame(data, { number, tsSec: 1700000000 + number, tsNsec: 123000 }), ...over, data };
}

export interface CarpFrameSpec {
  readonly number?: number;
  readonly vhid?: number;
  readonly advskew?: number;
  readonly advbase?: number;
  readonly demote?: number;
  readonly src?: string;
  readonly ttl?: number;
  readonly annotations?: Annotation[];
  readonly derived?: Fields;
  readonly carpStatus?: Layer['status'];
}

/** Ethernet / IPv4 / CARP advert as the dissectors decode it. */
export function carpFrame(s: CarpFrameSpec = {}): AnalyzedFrame {
  const eth = layer('eth', {
    'eth.dst': '01:00:5e:00:00:12', // IPv4 multicast MAC of 224.0.0.18
    'eth.src': '00:00:5e:00:01:07', // CARP virtual MAC of VHID 7
    'eth.type': 0x0800,             // IPv4
  });
  const ip = layer('ipv4', {
    'ip.src': s.src ?? '10.77.0.1', // advertising node
    'ip.dst': '224.0.0.18',         // INADDR_CARP_GROUP
    'ip.ttl': s.ttl ?? 255,         // CARP_DFLTTL
    'ip.proto': 112,                // IPPROTO_CARP
  }, 14);
  const carp = layer('carp', {
    'carp.version': 2,                         // CARP_VERSION
    'carp.type': 1,                            // advertisement
    'carp.vhid': s.vhid ?? 7,                  // virtual host id
    'carp.advskew': s.advskew ?? 0,            // skew in 1/256 s
    'carp.authlen': 7,                         // counter + md in 32-bit words
    'carp.demotion': s.demote ?? 0,            // OpenBSD demote counter
    'carp.adver_int': s.advbase ?? 1,          // advbase seconds
    'carp.checksum': 0x915d,                   // as on the wire
    'carp.checksum.status': 'good',            // verified over 36 bytes
    'carp.counter': '768664214548429678',      // u64 as a decimal string
    'carp.hmac': '47c888778c62a986ae1d2c7ae2aa69117b7a33c4', // SHA1 HMAC
  }, 34, s.carpStatus ?? 'ok');
  return {
    raw: raw(s.number ?? 1),
    layers: [eth, ip, carp],
    annotations: s.annotations ?? [],
    derived: { ...(s.derived ?? {}) },
  };
}

/** Ethernet / IPv4 / VRRPv2 with two addresses (keepalived). */
export function vrrpFrame(number = 1): AnalyzedFrame {
  return {
    raw: raw(number),
    layers: [
      layer('eth', { 'eth.dst': '01:00:5e:00:00:12', 'eth.src': '02:00:00:00:00:0a', 'eth.type': 0x0800 }),
      layer('ipv4', { 'ip.src': '10.77.0.1', 'ip.dst': '224.0.0.18', 'ip.ttl': 255, 'ip.proto': 112 }, 14),
      layer('vrrp', {
        'vrrp.version': 2,                           // VRRPv2
        'vrrp.type': 1,                              // advertisement
        'vrrp.virt_rtr_id': 51,                      // VRID
        'vrrp.prio': 150,                            // priority
        'vrrp.addr_count': 2,                        // two addresses
        'vrrp.auth_type': 1,                         // simple text password
        'vrrp.adver_int': 1,                         // seconds
        'vrrp.ip_addr': ['10.77.0.51', '10.77.0.61'], // virtual addresses
      }, 34),
    ],
    annotations: [],
    derived: {},
    ip: { version: 4, srcBytes: new Uint8Array([10, 77, 0, 1]), dstBytes: new Uint8Array([224, 0, 0, 18]), src: '10.77.0.1', dst: '224.0.0.18', ttl: 255, payloadLength: 24, fragmented: false },
  };
}
