// Test-only packet builders: Ethernet, 802.1Q, SLL/SLL2, NULL/LOOP, Frame Relay, enc, IPv4,
// IPv6 (with extension headers), AH, CARP, VRRP v2/v3, ARP and ICMPv6 neighbour discovery.
// One comment per field. Checksums are computed here with a separate, deliberately plain
// RFC 1071 implementation (not src/decode/checksum.ts), so the decoder is checked against an
// independent computation.

// ---------------------------------------------------------------------------------------------
// Small helpers

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function u16(v: number): Uint8Array { return Uint8Array.of((v >> 8) & 0xff, v & 0xff); }
export function u32(v: number): Uint8Array { return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); }
export function u32le(v: number): Uint8Array { return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); }
export function u64(v: bigint): Uint8Array {
  return concat(u32(Number((v >> 32n) & 0xffffffffn)), u32(Number(v & 0xffffffffn)));
}
export function hexBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export function macBytes(m: string): Uint8Array { return hexBytes(m.split(':').join('')); }
export function ip4(a: string): Uint8Array { return Uint8Array.from(a.split('.').map(Number)); }
export function ip6(a: string): Uint8Array {
  const [head, tail] = a.includes('::') ? a.split('::') as [string, string] : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return concat(...words.map((w) => u16(parseInt(w, 16))));
}

/** Plain RFC 1071: sum 16-bit words, fold carries, complement. */
export function rfc1071(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < data.length; i += 2) sum += (data[i]! << 8) + (i + 1 < data.length ? data[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}
function wordSum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += (data[i]! << 8) + (i + 1 < data.length ? data[i + 1]! : 0);
  return sum;
}
/** Unfolded pseudo-header sum (IPv4 or IPv6 by address length). */
export function pseudoSum(src: Uint8Array, dst: Uint8Array, length: number, proto: number): number {
  if (src.length === 4) return wordSum(concat(src, dst, Uint8Array.of(0, proto), u16(length)));
  return wordSum(concat(src, dst, u32(length), Uint8Array.of(0, 0, 0, proto)));
}
function putChecksum(data: Uint8Array, at: number, value: number): Uint8Array {
  data[at] = value >> 8;
  data[at + 1] = value & 0xff;
  return data;
}

// ---------------------------------------------------------------------------------------------
// Link layers

export interface EthOptions { dst?: string; src?: string; type: number }
export function ethernet(o: EthOptions, payload: Uint8Array): Uint8Array {
  return concat(
    macBytes(o.dst ?? '01:00:5e:00:00:12'), // destination MAC (CARP/VRRP IPv4 group)
    macBytes(o.src ?? '00:00:5e:00:01:07'), // source MAC (virtual MAC of vhid 7)
    u16(o.type),                            // ethertype
    payload,
  );
}

export interface VlanOptions { tpid?: number; priority?: number; dei?: number; id: number; type: number }
/** One 802.1Q/802.1ad tag: TPID (belongs to the previous type field) is returned first. */
export function vlanTag(o: VlanOptions): Uint8Array {
  return concat(
    u16(o.tpid ?? 0x8100),                                                   // TPID
    u16(((o.priority ?? 0) << 13) | ((o.dei ?? 0) << 12) | (o.id & 0x0fff)), // PCP, DEI, VID
    u16(o.type),                                                             // inner ethertype
  );
}
/** Ethernet frame with the given tags (outer first) before the payload of ethertype `type`. */
export function ethernetTagged(tags: { tpid: number; id: number; priority?: number }[], type: number, payload: Uint8Array, dst?: string, src?: string): Uint8Array {
  const head = concat(macBytes(dst ?? '01:00:5e:00:00:12'), macBytes(src ?? '00:00:5e:00:01:07'));
  const parts: Uint8Array[] = [head];
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    parts.push(u16(t.tpid));                                          // TPID
    parts.push(u16(((t.priority ?? 0) << 13) | (t.id & 0x0fff)));     // PCP, DEI, VID
  }
  parts.push(u16(type));                                              // innermost ethertype
  parts.push(payload);
  return concat(...parts);
}

export function sll(protocol: number, payload: Uint8Array, src = '02:00:00:00:00:0a', pkttype = 2): Uint8Array {
  return concat(
    u16(pkttype),                               // packet type (2 = multicast)
    u16(1),                                     // ARPHRD_ETHER
    u16(6),                                     // address length
    macBytes(src), Uint8Array.of(0, 0),         // address, padded to 8
    u16(protocol),                              // protocol (ethertype)
    payload,
  );
}

export function sll2(protocol: number, payload: Uint8Array, src = '02:00:00:00:00:0a', ifindex = 3): Uint8Array {
  return concat(
    u16(protocol),                              // protocol (ethertype)
    u16(0),                                     // reserved
    u32(ifindex),                               // interface index
    u16(1),                                     // ARPHRD_ETHER
    Uint8Array.of(2),                           // packet type (multicast)
    Uint8Array.of(6),                           // address length
    macBytes(src), Uint8Array.of(0, 0),         // address, padded to 8
    payload,
  );
}

/** NULL/LOOP header: the address family in the chosen byte order. */
export function nullHeader(family: number, littleEndian: boolean, payload: Uint8Array): Uint8Array {
  return concat(littleEndian ? u32le(family) : u32(family), payload); // address family
}

/** Frame Relay, RFC 2427: 2-octet Q.922 address, UI control, NLPID. */
export function frameRelay(dlci: number, nlpid: number, payload: Uint8Array): Uint8Array {
  return concat(
    Uint8Array.of((dlci >> 4) << 2, ((dlci & 0x0f) << 4) | 1), // DLCI high 6 bits, C/R 0, EA 0 | DLCI low 4 bits, EA 1
    Uint8Array.of(0x03),                                       // Q.933 UI control
    Uint8Array.of(nlpid),                                      // NLPID (0xcc IPv4, 0x8e IPv6)
    payload,
  );
}

/** Frame Relay, Cisco encapsulation: 2-octet address then an ethertype. */
export function frameRelayCisco(dlci: number, ethertype: number, payload: Uint8Array): Uint8Array {
  return concat(
    Uint8Array.of((dlci >> 4) << 2, ((dlci & 0x0f) << 4) | 1), // Q.922 address
    u16(ethertype),                                            // Cisco ethertype
    payload,
  );
}

/** OpenBSD enc header: af and flags little-endian (amd64 host), spi network order. */
export function encHeader(af: number, spi: number, flags: number, payload: Uint8Array): Uint8Array {
  return concat(
    u32le(af),     // address family (host order)
    u32(spi),      // SPI (network order)
    u32le(flags),  // M_CONF / M_AUTH flags (host order)
    payload,
  );
}

// ---------------------------------------------------------------------------------------------
// IP

export interface Ipv4Options {
  src?: string; dst?: string; ttl?: number; proto: number; tos?: number; id?: number;
  df?: boolean; mf?: boolean; fragOffset?: number; options?: Uint8Array;
  /** Override the computed checksum. */
  checksum?: number;
  /** Override the total length. */
  totalLength?: number;
}
export function ipv4(o: Ipv4Options, payload: Uint8Array): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const ihl = (20 + opts.length) / 4;
  const header = concat(
    Uint8Array.of(0x40 | ihl),                                              // version 4, IHL
    Uint8Array.of(o.tos ?? 0x10),                                           // DS field (IPTOS_LOWDELAY)
    u16(o.totalLength ?? 20 + opts.length + payload.length),               // total length
    u16(o.id ?? 0x1234),                                                    // identification
    u16(((o.df ?? true) ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3)), // flags, offset/8
    Uint8Array.of(o.ttl ?? 255),                                            // TTL
    Uint8Array.of(o.proto),                                                 // protocol
    u16(0),                                                                 // checksum (below)
    ip4(o.src ?? '10.77.0.1'),                                              // source
    ip4(o.dst ?? '224.0.0.18'),                                             // destination
    opts,                                                                   // options
  );
  putChecksum(header, 10, o.checksum ?? rfc1071(header));
  return concat(header, payload);
}

export interface Ipv6Options {
  src?: string; dst?: string; hlim?: number; nxt: number; tclass?: number; flow?: number;
  /** Extension headers already built (see ipv6Ext / ipv6Fragment); `nxt` is the first one's type. */
  ext?: Uint8Array;
  payloadLength?: number;
}
export function ipv6(o: Ipv6Options, payload: Uint8Array): Uint8Array {
  const ext = o.ext ?? new Uint8Array(0);
  return concat(
    u32((6 << 28) | ((o.tclass ?? 0) << 20) | (o.flow ?? 0)), // version 6, traffic class, flow label
    u16(o.payloadLength ?? ext.length + payload.length),      // payload length
    Uint8Array.of(o.nxt),                                     // next header
    Uint8Array.of(o.hlim ?? 255),                             // hop limit
    ip6(o.src ?? 'fe80::2a0:98ff:fe01:2'),                    // source
    ip6(o.dst ?? 'ff02::12'),                                 // destination
    ext,
    payload,
  );
}

/** A hop-by-hop / routing / destination options header of 8 bytes (PadN inside). */
export function ipv6Ext(next: number): Uint8Array {
  return Uint8Array.of(
    next,              // next header
    0,                 // header extension length (0 = 8 bytes)
    1, 4, 0, 0, 0, 0,  // PadN option filling the rest
  );
}
export function ipv6Fragment(next: number, offset: number, more: boolean, id = 0xdeadbeef): Uint8Array {
  return concat(
    Uint8Array.of(next, 0),                 // next header, reserved
    u16((offset & 0xfff8) | (more ? 1 : 0)), // fragment offset (bytes, multiple of 8), M flag
    u32(id),                                // identification
  );
}

/** AH with a 12-byte ICV (HMAC-SHA1-96): 24 bytes, payload length field 4. */
export function ah(next: number, spi: number, seq: number, payload: Uint8Array): Uint8Array {
  return concat(
    Uint8Array.of(next),        // next header
    Uint8Array.of(4),           // payload length: (24 / 4) - 2
    u16(0),                     // reserved
    u32(spi),                   // SPI
    u32(seq),                   // sequence number
    new Uint8Array(12).fill(0xab), // ICV
    payload,
  );
}

// ---------------------------------------------------------------------------------------------
// CARP / VRRP

export interface CarpOptions {
  version?: number; type?: number; vhid?: number; advskew?: number; authlen?: number;
  demote?: number; advbase?: number; counter?: bigint;
  /** The 20-byte HMAC; zeros by default (the HMAC-less builder). */
  hmac?: Uint8Array;
  /** Override the computed checksum. */
  checksum?: number;
}
/** A 36-byte CARP advertisement with a correct checksum unless overridden. */
export function carp(o: CarpOptions = {}): Uint8Array {
  const h = concat(
    Uint8Array.of(((o.version ?? 2) << 4) | (o.type ?? 1)), // version 2, type 1 (advertisement)
    Uint8Array.of(o.vhid ?? 7),                            // vhid
    Uint8Array.of(o.advskew ?? 0),                         // advskew (1/256 s)
    Uint8Array.of(o.authlen ?? 7),                         // authlen (32-bit words of counter + md)
    Uint8Array.of(o.demote ?? 0),                          // demote (OpenBSD) / pad
    Uint8Array.of(o.advbase ?? 1),                         // advbase (s)
    u16(0),                                                // checksum (below)
    u64(o.counter ?? 0x0aaad807d3b6bb6en),                 // counter
    o.hmac ?? new Uint8Array(20),                          // SHA-1 HMAC
  );
  return putChecksum(h, 6, o.checksum ?? rfc1071(h));
}

export interface Vrrp2Options {
  vrid?: number; prio?: number; addrs?: string[]; authType?: number; adverInt?: number;
  auth?: string; count?: number; checksum?: number; type?: number; version?: number;
}
export function vrrp2(o: Vrrp2Options = {}): Uint8Array {
  const addrs = o.addrs ?? ['10.77.0.51'];
  const auth = new Uint8Array(8);
  for (let i = 0; i < Math.min(8, (o.auth ?? '').length); i++) auth[i] = o.auth!.charCodeAt(i);
  const m = concat(
    Uint8Array.of(((o.version ?? 2) << 4) | (o.type ?? 1)), // version 2, type 1
    Uint8Array.of(o.vrid ?? 51),                           // virtual router id
    Uint8Array.of(o.prio ?? 150),                          // priority
    Uint8Array.of(o.count ?? addrs.length),                // count IP addrs
    Uint8Array.of(o.authType ?? 0),                        // auth type
    Uint8Array.of(o.adverInt ?? 1),                        // advertisement interval (s)
    u16(0),                                                // checksum (below)
    ...addrs.map(ip4),                                     // IPv4 addresses
    auth,                                                  // authentication data
  );
  return putChecksum(m, 6, o.checksum ?? rfc1071(m));
}

export interface Vrrp3Options {
  vrid?: number; prio?: number; addrs?: string[]; maxAdverInt?: number; checksum?: number;
  /** IP source/destination for the pseudo-header. */
  src: string; dst: string;
}
export function vrrp3(o: Vrrp3Options): Uint8Array {
  const v6 = o.src.includes(':');
  const addrs = o.addrs ?? [v6 ? 'fd00:77::53' : '10.77.0.52'];
  const m = concat(
    Uint8Array.of(0x31),                          // version 3, type 1
    Uint8Array.of(o.vrid ?? 52),                  // virtual router id
    Uint8Array.of(o.prio ?? 150),                 // priority
    Uint8Array.of(addrs.length),                  // count IPvX addrs
    u16((o.maxAdverInt ?? 100) & 0x0fff),         // reserved(4) | max advertisement interval (cs)
    u16(0),                                       // checksum (below)
    ...addrs.map(v6 ? ip6 : ip4),                 // addresses
  );
  const pseudo = v6 ? pseudoSum(ip6(o.src), ip6(o.dst), m.length, 112) : pseudoSum(ip4(o.src), ip4(o.dst), m.length, 112);
  return putChecksum(m, 6, o.checksum ?? rfc1071(m, pseudo));
}

// ---------------------------------------------------------------------------------------------
// ARP and ICMPv6 neighbour discovery

export interface ArpOptions { opcode?: number; senderMac?: string; senderIp?: string; targetMac?: string; targetIp?: string }
export function arp(o: ArpOptions = {}): Uint8Array {
  return concat(
    u16(1),                                         // hardware type Ethernet
    u16(0x0800),                                    // protocol type IPv4
    Uint8Array.of(6, 4),                            // hardware size, protocol size
    u16(o.opcode ?? 1),                             // opcode (1 request, 2 reply)
    macBytes(o.senderMac ?? '00:00:5e:00:01:07'),   // sender MAC
    ip4(o.senderIp ?? '10.77.0.100'),               // sender IP
    macBytes(o.targetMac ?? '00:00:00:00:00:00'),   // target MAC
    ip4(o.targetIp ?? '10.77.0.100'),               // target IP
  );
}

export interface NaOptions { src?: string; dst?: string; target?: string; r?: boolean; s?: boolean; o?: boolean; lladdr?: string; checksum?: number }
/** ICMPv6 neighbour advertisement (type 136) with a target link-layer address option. */
export function neighborAdvertisement(o: NaOptions = {}): Uint8Array {
  const src = o.src ?? 'fe80::200:5eff:fe00:107';
  const dst = o.dst ?? 'ff02::1';
  const m = concat(
    Uint8Array.of(136, 0),                                                   // type NA, code 0
    u16(0),                                                                  // checksum (below)
    u32(((o.r ? 1 : 0) << 31 | (o.s ? 1 : 0) << 30 | ((o.o ?? true) ? 1 : 0) << 29) >>> 0), // R S O + reserved
    ip6(o.target ?? '2001:db8::100'),                                        // target address
    Uint8Array.of(2, 1),                                                     // option: target link-layer address, 8 bytes
    macBytes(o.lladdr ?? '00:00:5e:00:01:07'),                               // link-layer address
  );
  return putChecksum(m, 2, o.checksum ?? rfc1071(m, pseudoSum(ip6(src), ip6(dst), m.length, 58)));
}
/** The NA wrapped in IPv6 (hop limit 255) and Ethernet. */
export function naFrame(o: NaOptions = {}): Uint8Array {
  const src = o.src ?? 'fe80::200:5eff:fe00:107';
  const dst = o.dst ?? 'ff02::1';
  return ethernet({ type: 0x86dd, dst: '33:33:00:00:00:01' }, ipv6({ nxt: 58, src, dst }, neighborAdvertisement({ ...o, src, dst })));
}

// ---------------------------------------------------------------------------------------------
// Whole frames used by many tests

/** Ethernet / IPv4 (TTL 255, 224.0.0.18) / CARP. */
export function carpFrame4(c: CarpOptions = {}, ip: Partial<Ipv4Options> = {}): Uint8Array {
  return ethernet({ type: 0x0800 }, ipv4({ proto: 112, ...ip }, carp(c)));
}
/** Ethernet / IPv6 (hop limit 255, ff02::12) / CARP. */
export function carpFrame6(c: CarpOptions = {}, ip: Partial<Ipv6Options> = {}): Uint8Array {
  return ethernet({ type: 0x86dd, dst: '33:33:00:00:00:12' }, ipv6({ nxt: 112, ...ip }, carp(c)));
}
export function vrrp2Frame(v: Vrrp2Options = {}, ip: Partial<Ipv4Options> = {}): Uint8Array {
  return ethernet({ type: 0x0800, src: '00:00:5e:00:01:33' }, ipv4({ proto: 112, tos: 0xc0, ...ip }, vrrp2(v)));
}
export function vrrp3Frame4(v: Partial<Vrrp3Options> = {}, ip: Partial<Ipv4Options> = {}): Uint8Array {
  const src = ip.src ?? '10.77.0.1';
  const dst = ip.dst ?? '224.0.0.18';
  return ethernet({ type: 0x0800, src: '00:00:5e:00:01:34' }, ipv4({ proto: 112, tos: 0xc0, ...ip, src, dst }, vrrp3({ ...v, src, dst })));
}
export function vrrp3Frame6(v: Partial<Vrrp3Options> = {}, ip: Partial<Ipv6Options> = {}): Uint8Array {
  const src = ip.src ?? 'fe80::ff:fe00:a';
  const dst = ip.dst ?? 'ff02::12';
  return ethernet({ type: 0x86dd, src: '00:00:5e:00:02:35', dst: '33:33:00:00:00:12' }, ipv6({ nxt: 112, ...ip, src, dst }, vrrp3({ ...v, src, dst })));
}
export function arpFrame(a: ArpOptions = {}): Uint8Array {
  return ethernet({ type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff' }, arp(a));
}
