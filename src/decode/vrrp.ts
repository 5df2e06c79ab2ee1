// VRRP advertisement, IP protocol 112 when decideProto112 (dispatch-tables.ts) says VRRP:
// version 2 (RFC 3768, auth types of RFC 2338) and version 3 (RFC 5798, IPv4 and IPv6).
// Field ids are Wireshark's (packet-vrrp.c); reference/carp.md section 8.1.
//
//   v2: 0 ver|type  1 VRID  2 priority  3 count n  4 auth type  5 adver int (s)  6 checksum
//       8 n IPv4 addresses, then 8 bytes of authentication data;  length 16 + 4n
//   v3: 0 ver|type  1 VRID  2 priority  3 count n  4 rsvd(4) max adver int(12, cs)  6 checksum
//       8 n IPv4 or IPv6 addresses;                                length 8 + 4n or 8 + 16n
//
// v2 checksum: RFC 1071 over the VRRP message; v3: with the IPv4/IPv6 pseudo-header
// (protocol 112, length of the VRRP message). Unverified when cut short or fragmented.

import type { Dissector } from './dissector.js';
import type { ProtocolDef } from './registry.js';
import type { ChecksumStatus, IpContext } from './types.js';
import { formatIPv4, formatIPv6 } from './cursor.js';
import { checksumVerifies, expectedChecksum, pseudoHeaderSum } from './checksum.js';
import { IPPROTO_CARP, payloadByte } from './dispatch-tables.js';
import { ALWAYS, type ProtocolModule } from './module.js';

export const VRRP_TTL = 255;

const AUTH_TYPES: Readonly<Record<number, string>> = { 0: 'No Authentication', 1: 'Simple Text Authentication', 2: 'IP Authentication Header', 254: 'Cisco VRRP MD5 Authentication' };

export const VRRP_PROTOCOL = {
  id: 'vrrp',
  name: 'Virtual Router Redundancy Protocol',
  fields: [
    { id: 'vrrp.version', label: 'VRRP protocol version', kind: 'uint' },
    { id: 'vrrp.type', label: 'VRRP packet type', kind: 'uint', valueNames: { 1: 'Advertisement' } },
    { id: 'vrrp.virt_rtr_id', label: 'Virtual Rtr ID', kind: 'uint' },
    { id: 'vrrp.prio', label: 'Priority', kind: 'uint' },
    { id: 'vrrp.addr_count', label: 'Addr Count', kind: 'uint' },
    { id: 'vrrp.auth_type', label: 'Auth Type', kind: 'uint', valueNames: AUTH_TYPES },
    { id: 'vrrp.adver_int', label: 'Adver Int', kind: 'uint', unit: 's' },
    { id: 'vrrp.reserved_mbz', label: 'Reserved', kind: 'uint' },
    { id: 'vrrp.short_adver_int', label: 'Adver Int', kind: 'uint', unit: 'cs' },
    { id: 'vrrp.checksum', label: 'Checksum', kind: 'hex' },
    { id: 'vrrp.checksum.status', label: 'Checksum Status', kind: 'status' },
    { id: 'vrrp.ip_addr', label: 'IP Address', kind: 'array' },
    { id: 'vrrp.auth_string', label: 'Authentication String', kind: 'string' },
    { id: 'vrrp.auth_data', label: 'Authentication Data', kind: 'bytes' },
  ],
  annotations: [
    { id: 'vrrp.bad_checksum', severity: 'warn', summary: 'VRRP checksum is wrong (v3: computed with the pseudo-header)', group: 'checksum' },
    { id: 'vrrp.bad_ttl', severity: 'warn', summary: 'VRRP advert with TTL/hop limit other than 255: receivers drop it', group: 'security' },
    { id: 'vrrp.bad_length', severity: 'warn', summary: 'VRRP length does not match its address count', group: 'malformed' },
    { id: 'vrrp.bad_version', severity: 'warn', summary: 'VRRP version is neither 2 nor 3', group: 'malformed' },
  ],
} as const satisfies ProtocolDef;

function vrrpChecksumStatus(b: Uint8Array, s: number, length: number, complete: boolean, version: number, ip: IpContext | undefined): { status: ChecksumStatus; pseudo: number } {
  if (!complete || (ip?.fragmented ?? false) || length < 8) return { status: 'unverified', pseudo: 0 };
  let pseudo = 0;
  if (version === 3) {
    if (!ip) return { status: 'unverified', pseudo: 0 };
    pseudo = pseudoHeaderSum(ip.srcBytes, ip.dstBytes, length, IPPROTO_CARP);
  }
  return { status: checksumVerifies(b, s, s + length, pseudo) ? 'good' : 'bad', pseudo };
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** The simple-text password up to its first NUL, as UTF-8 (U+FFFD for invalid bytes, as Wireshark). */
function authString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return UTF8.decode(nul < 0 ? b : b.subarray(0, nul));
}

export const VRRP_DISSECTOR: Dissector = {
  proto: 'vrrp',
  decode(c, out, ctx) {
    const fields = out.layer.fields;
    const b = c.bytes;
    const s = c.pos;
    const length = c.declaredEnd - s;
    const ip = ctx.ip;
    if (ip && ip.ttl !== VRRP_TTL) {
      out.annotate('vrrp.bad_ttl', `${ip.version === 4 ? 'ttl' : 'hop limit'} ${ip.ttl}, should be 255`, { ttl: ip.ttl });
    }
    const b0 = c.u8('VRRP version and type');
    const version = b0 >> 4;
    fields['vrrp.version'] = version;
    fields['vrrp.type'] = b0 & 0x0f;
    fields['vrrp.virt_rtr_id'] = c.u8('VRRP VRID');
    fields['vrrp.prio'] = c.u8('VRRP priority');
    const count = c.u8('VRRP address count');
    fields['vrrp.addr_count'] = count;
    if (version !== 2 && version !== 3) {
      out.annotate('vrrp.bad_version', `VRRP version ${version}, should be 2 or 3`, { version });
      return undefined;
    }
    const addrSize = version === 3 && ip?.version === 6 ? 16 : 4;
    const expectedLength = (version === 2 ? 16 : 8) + addrSize * count;
    // Some VRRPv2 senders leave out the 8 bytes of authentication data when there is no
    // authentication (PcapPlusPlus' VRRP-V2 sample; tshark accepts it): not a length error.
    const noAuthData = version === 2 && c.has(1) && b[s + 4] === 0 && length === 8 + 4 * count;
    if (length !== expectedLength && !noAuthData) {
      out.annotate('vrrp.bad_length', `VRRP length ${length}, should be ${expectedLength} for ${count} address${count === 1 ? '' : 'es'}`, { length, expected: expectedLength });
    }
    const { status, pseudo } = vrrpChecksumStatus(b, s, length, c.capturedEnd === c.declaredEnd, version, ip);
    if (version === 2) {
      fields['vrrp.auth_type'] = c.u8('VRRP auth type');
      fields['vrrp.adver_int'] = c.u8('VRRP advertisement interval');
    } else {
      const w = c.u16be('VRRP max advertisement interval');
      fields['vrrp.reserved_mbz'] = w >> 12;
      fields['vrrp.short_adver_int'] = w & 0x0fff;
    }
    const checksum = c.u16be('VRRP checksum');
    fields['vrrp.checksum'] = checksum;
    fields['vrrp.checksum.status'] = status;
    if (status === 'bad') {
      const expected = expectedChecksum(b, s, s + length, s + 6, pseudo);
      out.annotate('vrrp.bad_checksum', `bad vrrp cksum 0x${checksum.toString(16)}, should be 0x${expected.toString(16)}`, { checksum, expected });
    }
    const addrs: string[] = [];
    fields['vrrp.ip_addr'] = addrs;
    for (let i = 0; i < count; i++) {
      c.need(addrSize, 'VRRP address');
      addrs.push(addrSize === 4 ? formatIPv4(b, c.pos) : formatIPv6(b, c.pos));
      c.pos += addrSize;
    }
    if (version === 2) {
      const authType = b[s + 4]!;
      if (authType === 1) fields['vrrp.auth_string'] = authString(c.bytesView(8, 'VRRP authentication string'));
      else if (c.remainingDeclared >= 8) fields['vrrp.auth_data'] = c.hex(8, 'VRRP authentication data');
    }
    return undefined;
  },
};

export const VRRP_MODULE = {
  ...VRRP_PROTOCOL,
  dissectors: { vrrp: VRRP_DISSECTOR },
  probes: { vrrp: ALWAYS },
  dispatch: {
    // IP protocol 112 is VRRP's and CARP's: these rules and CARP's (carp.ts) decide per packet,
    // lowest order first (reference/carp.md section 8.2).
    heuristics: [
      // 1. nothing captured, or version 3 (CARP never uses 3)
      { ipProtocol: IPPROTO_CARP, order: 10, dissector: 'vrrp', test: (h) => h.start >= h.capturedEnd || payloadByte(h, 0) >> 4 === 3 },
      // 3. a first fragment that CARP's rule 30 did not take
      { ipProtocol: IPPROTO_CARP, order: 35, dissector: 'vrrp', test: (h) => h.fragmented === true },
      // 5. version 2 and length == 16 + 4 * address count
      {
        ipProtocol: IPPROTO_CARP, order: 50, dissector: 'vrrp',
        test: (h) => payloadByte(h, 0) >> 4 === 2 && payloadByte(h, 3) >= 0 && h.payloadLength === 16 + 4 * payloadByte(h, 3),
      },
      // 8. anything else: VRRP, as tcpdump decides for protocol 112 by default
      { ipProtocol: IPPROTO_CARP, order: 90, dissector: 'vrrp', test: () => true },
    ],
  },
} as const satisfies ProtocolModule;
