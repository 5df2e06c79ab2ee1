// Test-only builders for pfsync packets of every version, written from
// ../shared/reference/pfsync.md (sections 3, 4, 6, 7) independently of src/decode/pfsync:
// a decoder bug must not be mirrored by its fixture. Every integer is big-endian; addresses and
// ports are written raw. One comment per field.
// Also: minimal Ethernet / IPv4 / IPv6 / AH / ARP wrappers for scenario tests (RawFrame:
// test/support/frames.ts), and buildPfsyncUpdCPacket() for the benchmark.

// ------------------------------------------------------------------ bytes

/** Big-endian byte writer. */
export class Be {
  private readonly b: number[] = [];
  get length(): number { return this.b.length; }
  u8(v: number): this { this.b.push(v & 0xff); return this; }
  u16(v: number): this { this.b.push((v >>> 8) & 0xff, v & 0xff); return this; }
  u32(v: number): this { this.b.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); return this; }
  i32(v: number): this { return this.u32(v >>> 0); }
  u64(v: bigint): this { const x = BigInt.asUintN(64, v); return this.u32(Number(x >> 32n)).u32(Number(x & 0xffffffffn)); }
  zeros(n: number): this { for (let i = 0; i < n; i++) this.b.push(0); return this; }
  bytes(x: Uint8Array | readonly number[]): this { for (const v of x) this.b.push(v & 0xff); return this; }
  /** NUL-padded fixed-size string. */
  str(s: string, n: number): this { for (let i = 0; i < n; i++) this.b.push(i < s.length ? s.charCodeAt(i) & 0xff : 0); return this; }
  done(): Uint8Array { return Uint8Array.from(this.b); }
}

export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** IPv4 dotted quad or IPv6 text (with ::) to 4 or 16 bytes. */
export function addrBytes(a: string): Uint8Array {
  if (!a.includes(':')) return Uint8Array.from(a.split('.').map((x) => Number(x)));
  const [head, tail] = a.includes('::') ? a.split('::') as [string, string] : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w || '0', 16));
  const out = new Uint8Array(16);
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

/** pf_addr: 16 bytes, an IPv4 address in the first 4 (rest zero). */
function pfAddr(w: Be, a: string | undefined): void {
  const b = addrBytes(a ?? '0.0.0.0');
  w.bytes(b).zeros(16 - b.length);
}

// ------------------------------------------------------------------ structures

export interface PeerSpec {
  seqlo?: number; seqhi?: number; seqdiff?: number; maxWin?: number; mss?: number;
  state?: number; wscale?: number; scrubFlags?: number; scrubTtl?: number; scrubValid?: number; tsMod?: number;
}

/** pfsync_state_peer, 32 bytes. */
export function buildPeer(p: PeerSpec = {}): Uint8Array {
  return new Be()
    .u16(p.scrubFlags ?? 0) // scrub.pfss_flags
    .u8(p.scrubTtl ?? 0) // scrub.pfss_ttl
    .u8(p.scrubValid ?? 0) // scrub.scrub_flag
    .u32(p.tsMod ?? 0) // scrub.pfss_ts_mod
    .u32(p.seqlo ?? 0) // seqlo
    .u32(p.seqhi ?? 0) // seqhi
    .u32(p.seqdiff ?? 0) // seqdiff
    .u16(p.maxWin ?? 0) // max_win
    .u16(p.mss ?? 0) // mss
    .u8(p.state ?? 0) // state
    .u8(p.wscale ?? 0) // wscale
    .zeros(6) // pad
    .done();
}

export interface KeySpec { addr0: string; addr1: string; port0: number; port1: number; rdomain?: number; af?: number }
export interface HostSpec { addr: string; port: number }

export interface StateSpec {
  id: bigint; creatorid: number; ifname?: string;
  af?: number; proto?: number; direction?: number; log?: number;
  wire?: KeySpec; stack?: KeySpec; lan?: HostSpec; gwy?: HostSpec; ext?: HostSpec;
  src?: PeerSpec; dst?: PeerSpec; rtAddr?: string;
  rule?: number; anchor?: number; natRule?: number; creation?: number; expire?: number;
  packets?: [bigint, bigint]; bytes?: [bigint, bigint];
  stateFlags?: number; timeout?: number; syncFlags?: number; updates?: number;
  rtableid?: [number, number]; maxMss?: number; rt?: number; minTtl?: number; setTos?: number; setPrio?: [number, number];
  qid?: number; pqid?: number; dnpipe?: number; dnrpipe?: number; rtIfname?: string;
  tagname?: string; origIfname?: string; stackAf?: number; rtAf?: number; stackProto?: number;
}

export type StateLayout =
  | 'legacy-v2' | 'legacy-v3' | 'legacy-v4' | 'openbsd-v5' | 'openbsd-v6'
  | 'freebsd-1301' | 'freebsd-1400' | 'freebsd-1500';

const DEFAULT_KEY: KeySpec = { addr0: '203.0.113.10', addr1: '198.51.100.7', port0: 443, port1: 61000 };

function key(w: Be, k: KeySpec, v6: boolean): void {
  pfAddr(w, k.addr0); // addr[0]
  pfAddr(w, k.addr1); // addr[1]
  w.u16(k.port0); // port[0] (raw network order)
  w.u16(k.port1); // port[1]
  if (v6) w.u16(k.rdomain ?? 0).u8(k.af ?? 0).u8(0); // rdomain, af, pad (OpenBSD v6 only)
}

function host(w: Be, h: HostSpec): void {
  pfAddr(w, h.addr); // addr
  w.u16(h.port); // port
  w.zeros(6); // pad[3]
}

/** id, ifname; keys or hosts; peers; rt_addr; rule anchor nat_rule creation expire. */
function statePrefix(w: Be, s: StateSpec, layout: StateLayout): void {
  w.u64(s.id); // id
  w.str(s.ifname ?? 'em0', 16); // ifname
  if (layout === 'legacy-v2' || layout === 'legacy-v3') {
    host(w, s.lan ?? { addr: '10.0.0.7', port: 51515 }); // lan
    host(w, s.gwy ?? { addr: '198.51.100.7', port: 61000 }); // gwy
    host(w, s.ext ?? { addr: '203.0.113.10', port: 443 }); // ext
  } else {
    key(w, s.wire ?? DEFAULT_KEY, layout === 'openbsd-v6'); // key[PF_SK_WIRE]
    key(w, s.stack ?? s.wire ?? DEFAULT_KEY, layout === 'openbsd-v6'); // key[PF_SK_STACK]
  }
  w.bytes(buildPeer(s.src)); // src peer
  w.bytes(buildPeer(s.dst)); // dst peer
  pfAddr(w, s.rtAddr); // rt_addr
  w.u32(s.rule ?? 0xffffffff); // rule
  w.u32(s.anchor ?? 0xffffffff); // anchor
  w.u32(s.natRule ?? 0xffffffff); // nat_rule
  w.u32(s.creation ?? 0); // creation (age, s)
  w.u32(s.expire ?? 0); // expire (s left)
}

function counters(w: Be, s: StateSpec, bits: 32 | 64): void {
  const p = s.packets ?? [0n, 0n];
  const b = s.bytes ?? [0n, 0n];
  if (bits === 32) w.u32(Number(p[0])).u32(Number(p[1])).u32(Number(b[0])).u32(Number(b[1])); // packets[2], bytes[2] u32
  else w.u64(p[0]).u64(p[1]).u64(b[0]).u64(b[1]); // packets[2], bytes[2] as hi/lo u32 pairs
}

/** A full state record in one of the wire layouts. */
export function buildState(layout: StateLayout, s: StateSpec): Uint8Array {
  const w = new Be();
  const af = s.af ?? 2;
  statePrefix(w, s, layout);
  counters(w, s, layout === 'legacy-v2' ? 32 : 64);
  w.u32(s.creatorid); // creatorid
  switch (layout) {
    case 'legacy-v2': case 'legacy-v3': case 'legacy-v4': case 'openbsd-v5':
      w.u8(af).u8(s.proto ?? 6).u8(s.direction ?? 2).u8(s.log ?? 0); // af proto direction log
      w.u8(s.stateFlags ?? 0).u8(s.timeout ?? 2).u8(s.syncFlags ?? 0).u8(s.updates ?? 0); // state_flags timeout sync_flags updates
      break;
    case 'openbsd-v6':
      w.i32(s.rtableid?.[0] ?? 0).i32(s.rtableid?.[1] ?? -1); // rtableid[WIRE], rtableid[STACK]
      w.u16(s.maxMss ?? 0); // max_mss
      w.u8(af).u8(s.proto ?? 6).u8(s.direction ?? 2).u8(s.log ?? 0); // af proto direction log
      w.u8(s.rt ?? 0); // rt (byte 254)
      w.u8(s.timeout ?? 2).u8(s.syncFlags ?? 0).u8(s.updates ?? 0); // timeout sync_flags updates
      w.u8(s.minTtl ?? 0).u8(s.setTos ?? 0); // min_ttl set_tos
      w.u16(s.stateFlags ?? 0); // state_flags u16
      w.u8(s.setPrio?.[0] ?? 0).u8(s.setPrio?.[1] ?? 0); // set_prio[2]
      break;
    case 'freebsd-1301':
      w.u8(af).u8(s.proto ?? 6).u8(s.direction ?? 2); // af proto direction
      w.zeros(2); // __spare[2]
      w.u8(s.log ?? 0).u8(s.stateFlags ?? 0); // log state_flags (u8)
      w.u8(s.timeout ?? 2).u8(s.syncFlags ?? 0).u8(s.updates ?? 0); // timeout sync_flags updates
      break;
    case 'freebsd-1400':
      w.u8(af).u8(s.proto ?? 6).u8(s.direction ?? 2); // af proto direction
      w.u16(s.stateFlags ?? 0); // state_flags u16 (unaligned)
      w.u8(s.log ?? 0).u8(0); // log __spare
      w.u8(s.timeout ?? 2).u8(s.syncFlags ?? 0).u8(s.updates ?? 0); // timeout sync_flags updates
      w.u16(s.qid ?? 0).u16(s.pqid ?? 0).u16(s.dnpipe ?? 0).u16(s.dnrpipe ?? 0); // qid pqid dnpipe dnrpipe
      w.i32(s.rtableid?.[0] ?? -1); // rtableid
      w.u8(s.minTtl ?? 0).u8(s.setTos ?? 0).u16(s.maxMss ?? 0); // min_ttl set_tos max_mss
      w.u8(s.setPrio?.[0] ?? 0).u8(s.setPrio?.[1] ?? 0); // set_prio[2]
      w.u8(s.rt ?? 0).str(s.rtIfname ?? '', 16); // rt rt_ifname
      break;
    case 'freebsd-1500':
      w.str(s.tagname ?? '', 64).str(s.rtIfname ?? '', 16).str(s.origIfname ?? '', 16); // tagname rt_ifname orig_ifname
      w.i32(s.rtableid?.[0] ?? -1).u16(s.stateFlags ?? 0); // rtableid state_flags
      w.u16(s.qid ?? 0).u16(s.pqid ?? 0).u16(s.dnpipe ?? 0).u16(s.dnrpipe ?? 0).u16(s.maxMss ?? 0); // qid pqid dnpipe dnrpipe max_mss
      w.u8(af).u8(s.stackAf ?? af).u8(s.rtAf ?? af); // wire_af stack_af rt_af
      w.u8(s.proto ?? 6).u8(s.stackProto ?? s.proto ?? 6); // wire_proto stack_proto
      w.u8(s.log ?? 0).u8(s.timeout ?? 2).u8(s.direction ?? 2).u8(s.rt ?? 0); // log timeout direction rt
      w.u8(s.minTtl ?? 0).u8(s.setTos ?? 0).u8(s.setPrio?.[0] ?? 0).u8(s.setPrio?.[1] ?? 0); // min_ttl set_tos set_prio[2]
      w.zeros(3); // spare
      break;
  }
  return w.done();
}

export interface UpdCSpec { id: bigint; creatorid: number; src?: PeerSpec; dst?: PeerSpec; expire?: number; timeout?: number; byte81?: number }

/** UPD_C: 84 bytes modern (byte 81 = state_flags), 88 legacy (byte 81 = updates, pad 6). */
export function buildUpdC(s: UpdCSpec, legacy = false): Uint8Array {
  const w = new Be()
    .u64(s.id) // id
    .bytes(buildPeer(s.src)) // src peer
    .bytes(buildPeer(s.dst)) // dst peer
    .u32(s.creatorid) // creatorid
    .u32(s.expire ?? 0) // expire
    .u8(s.timeout ?? 2) // timeout
    .u8(s.byte81 ?? 0); // state_flags (modern) / updates (legacy)
  return w.zeros(legacy ? 6 : 2).done(); // pad
}

/** INS_ACK / UPD_REQ / DEL_C (modern, 12 B); legacy UREQ adds pad u32 (16 B). */
export function buildIdCreator(id: bigint, creatorid: number, legacyPad = false): Uint8Array {
  const w = new Be().u64(id).u32(creatorid); // id, creatorid
  return (legacyPad ? w.u32(0) : w).done(); // pad (legacy UREQ)
}

/** Legacy DEL_C (16 B): id, creatorid, src.state, dst.state, pad[2]. */
export function buildLegacyDelC(id: bigint, creatorid: number): Uint8Array {
  return new Be().u64(id).u32(creatorid).u8(0).u8(0).zeros(2).done();
}

/** CLR: ifname[16], creatorid (+ pad u32 legacy). */
export function buildClr(ifname: string, creatorid: number, legacy = false): Uint8Array {
  const w = new Be().str(ifname, 16).u32(creatorid); // ifname, creatorid
  return (legacy ? w.u32(0) : w).done(); // pad (legacy)
}

/** BUS: creatorid, endtime, status (1 start, 2 end), pad 3 (modern) / 7 (legacy). */
export function buildBus(creatorid: number, endtime: number, status: number, legacy = false): Uint8Array {
  return new Be().u32(creatorid).u32(endtime).u8(status).zeros(legacy ? 7 : 3).done();
}

export interface TdbSpec { spi: number; dst: string; rpl: bigint; curBytes: bigint; sproto?: number; updates?: number; rdomain?: number }

/** TDB: 48 bytes (32-bit rpl) or 52 bytes (64-bit rpl, OpenBSD 5.2+ action 15). */
export function buildTdb(t: TdbSpec, rplBits: 32 | 64): Uint8Array {
  const w = new Be().u32(t.spi); // spi
  const a = addrBytes(t.dst);
  if (a.length === 4) w.u8(16).u8(2).u16(0).bytes(a).zeros(20); // sockaddr_in: len 16, AF_INET, port, addr, rest of the union
  else w.u8(28).u8(24).u16(0).u32(0).bytes(a).zeros(4); // sockaddr_in6: len 28, AF_INET6 24, port, flowinfo, addr, scope
  if (rplBits === 64) w.u64(t.rpl); else w.u32(Number(t.rpl)); // rpl
  return w.u64(t.curBytes).u8(t.sproto ?? 50).u8(t.updates ?? 0).u16(t.rdomain ?? 0).done(); // cur_bytes sproto updates rdomain
}

// ------------------------------------------------------------------ packets

export const MD5_EMPTY = 'd41d8cd98f00b204e9800998ecf8427e';

export interface SectionSpec {
  action: number;
  messages: Uint8Array[];
  /** Subheader count (default: messages.length). */
  count?: number;
  /** v6 subheader len in 32-bit words (default: message size / 4); v5 writes 0. */
  lenWords?: number;
}

export interface ModernSpec {
  version?: 5 | 6;
  cksum?: string;
  sections: SectionSpec[];
  /** v5: append an EOF subheader {12, 0, 1} (default true for version 5). */
  eof?: boolean;
  /** OpenBSD 4.5: a 20-byte zero pfsync_eof trailer after EOF, counted in len. */
  trailer?: boolean;
  /** Override the header len. */
  len?: number;
}

/** A modern (v5/v6) packet: header {version, pad, len, pfcksum} + subheaders + messages. */
export function buildModernPfsync(p: ModernSpec): Uint8Array {
  const version = p.version ?? 6;
  const body = new Be();
  for (const s of p.sections) {
    const size = s.messages[0]?.length ?? 0;
    body.u8(s.action); // subheader action
    body.u8(version === 6 ? (s.lenWords ?? size / 4) : 0); // subheader len (words) / pad
    body.u16(s.count ?? s.messages.length); // subheader count
    for (const m of s.messages) body.bytes(m); // messages
  }
  if (p.eof ?? version === 5) body.u8(12).u8(0).u16(1); // EOF subheader
  if (p.trailer) body.zeros(20); // pfsync_eof (hmac placeholder)
  const b = body.done();
  return new Be()
    .u8(version) // version
    .u8(0) // pad
    .u16(p.len ?? 20 + b.length) // len
    .bytes(hexBytes(p.cksum ?? '00'.repeat(16))) // pfcksum
    .bytes(b)
    .done();
}

export interface LegacySpec { version: 1 | 2 | 3 | 4; action: number; records: Uint8Array[]; count?: number; cksum?: string }

/** A legacy packet: {version, af 0, action, count} (+ pf_chksum[16] in v3/v4), then the records. */
export function buildLegacyPfsync(p: LegacySpec): Uint8Array {
  const w = new Be().u8(p.version).u8(0).u8(p.action).u8(p.count ?? p.records.length); // version af action count
  if (p.version >= 3) w.bytes(hexBytes(p.cksum ?? MD5_EMPTY)); // pf_chksum
  for (const r of p.records) w.bytes(r); // records
  return w.done();
}

// ------------------------------------------------------------------ transport

function ipChecksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export interface IpSpec { src?: string; dst?: string; ttl?: number; proto?: number }

/** IPv4 header (20 B, TOS 0x10, DF, correct checksum) + payload. */
export function ipv4(payload: Uint8Array, ip: IpSpec = {}): Uint8Array {
  const h = new Be()
    .u8(0x45).u8(0x10) // version/IHL, TOS lowdelay
    .u16(20 + payload.length) // total length
    .u16(0x1234).u16(0x4000) // id, DF
    .u8(ip.ttl ?? 255).u8(ip.proto ?? 240) // TTL, protocol
    .u16(0) // checksum (patched below)
    .bytes(addrBytes(ip.src ?? '192.0.2.1')).bytes(addrBytes(ip.dst ?? '224.0.0.240'))
    .done();
  const sum = ipChecksum(h);
  h[10] = sum >> 8; h[11] = sum & 0xff;
  return concat(h, payload);
}

/** IPv6 header (40 B) + payload. */
export function ipv6(payload: Uint8Array, ip: IpSpec = {}): Uint8Array {
  return concat(new Be()
    .u32(0x60000000) // version, class, flow
    .u16(payload.length).u8(ip.proto ?? 240).u8(ip.ttl ?? 255) // payload length, next header, hop limit
    .bytes(addrBytes(ip.src ?? 'fe80::11')).bytes(addrBytes(ip.dst ?? 'ff12::f0'))
    .done(), payload);
}

/** AH (RFC 4302) with a 12-byte ICV, carrying `payload` as next header `next`. */
export function ah(payload: Uint8Array, next = 240, spi = 0x1000): Uint8Array {
  return concat(new Be().u8(next).u8(4).u16(0).u32(spi).u32(1).zeros(12).done(), payload); // next, len (words-2), reserved, spi, seq, ICV
}

export function macBytes(m: string): Uint8Array {
  return Uint8Array.from(m.split(':').map((x) => parseInt(x, 16)));
}

/** Ethernet II frame. */
export function ethernet(payload: Uint8Array, ethertype = 0x0800, src = '02:00:00:00:00:01', dst = '01:00:5e:00:00:f0'): Uint8Array {
  return concat(macBytes(dst), macBytes(src), new Be().u16(ethertype).done(), payload);
}

/** ARP request from sender (ip, mac) asking for target. */
export function arpRequest(senderIp: string, senderMac: string, targetIp: string): Uint8Array {
  const arp = new Be().u16(1).u16(0x0800).u8(6).u8(4).u16(1) // htype, ptype, hlen, plen, op request
    .bytes(macBytes(senderMac)).bytes(addrBytes(senderIp)).zeros(6).bytes(addrBytes(targetIp)).done();
  return ethernet(arp, 0x0806, senderMac, 'ff:ff:ff:ff:ff:ff');
}

/** Ethernet + IPv4 + pfsync payload. */
export function pfsyncEthFrame(payload: Uint8Array, ip: IpSpec = {}, mac = '02:00:00:00:00:01'): Uint8Array {
  return ethernet(ipv4(payload, ip), 0x0800, mac, (ip.dst ?? '224.0.0.240').startsWith('224.') ? '01:00:5e:00:00:f0' : '02:00:00:00:00:02');
}

export const BASE_TS = 1735689600; // 2025-01-01T00:00:00Z


// ------------------------------------------------------------------ benchmark

export interface UpdCPacketSpec {
  /** Creator id of the states (default 0x1a2b3c4d). */
  creatorid?: number;
  /** Id of the first state in the packet; the others follow (firstId + i). */
  firstId: bigint;
  /** UPD_C messages in the packet (default 16: 20 + 4 + 16*84 = 1368 bytes of pfsync). */
  count?: number;
  /** TCP seqlo of the src peer (moves forward between rounds to stay fresh). */
  seq?: number;
  src?: string;
  ttl?: number;
}

/** Where UPD_C message i starts in a buildPfsyncUpdCPacket frame: Ethernet 14 + IPv4 20 + header 20 + subheader 4. */
export const UPDC_PACKET_FIRST_MESSAGE = 58;

const updCTemplates = new Map<string, Uint8Array>();

/**
 * One Ethernet/IPv4 frame (to 224.0.0.240, TTL 255) carrying an OpenBSD v6 packet with one UPD_C
 * section of `count` ESTABLISHED TCP updates for ids firstId..firstId+count-1. Fast enough for
 * a million calls: the frame is built once per (count, creator, src, ttl) with the builders
 * above, then copied and its ids and sequence numbers written in place.
 */
export function buildPfsyncUpdCPacket(s: UpdCPacketSpec): Uint8Array {
  const n = s.count ?? 16;
  const seq = (s.seq ?? 1000) >>> 0;
  const key = `${n}/${s.creatorid ?? 0x1a2b3c4d}/${s.src ?? '192.0.2.1'}/${s.ttl ?? 255}`;
  let template = updCTemplates.get(key);
  if (!template) {
    const messages: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      messages.push(buildUpdC({
        id: 0n, creatorid: s.creatorid ?? 0x1a2b3c4d,
        src: { state: 4, seqlo: 0, seqhi: 65535 }, dst: { state: 4, seqlo: 0, seqhi: 29200 },
      }));
    }
    const payload = buildModernPfsync({ version: 6, sections: [{ action: 4, messages }] });
    template = pfsyncEthFrame(payload, { src: s.src ?? '192.0.2.1', ttl: s.ttl ?? 255 });
    updCTemplates.set(key, template);
  }
  const frame = Uint8Array.from(template);
  const view = new DataView(frame.buffer);
  for (let i = 0; i < n; i++) {
    const at = UPDC_PACKET_FIRST_MESSAGE + i * 84;
    view.setBigUint64(at, BigInt.asUintN(64, s.firstId + BigInt(i))); // id
    view.setUint32(at + 16, seq); // src.seqlo
    view.setUint32(at + 20, (seq + 65535) >>> 0); // src.seqhi
    view.setUint32(at + 48, seq); // dst.seqlo
    view.setUint32(at + 52, (seq + 29200) >>> 0); // dst.seqhi
  }
  return frame;
}
