// Test-only encoder of struct pfloghdr (OpenBSD and FreeBSD sys/net/if_pflog.h), one comment
// per field, for LINKTYPE_PFLOG (117) captures.

import { concat, u32 } from './packets.js';

export interface PflogOptions {
  flavour?: 'openbsd' | 'freebsd';
  af?: number;
  action?: number;
  reason?: number;
  ifname?: string;
  ruleset?: string;
  rulenr?: number;
  subrulenr?: number;
  uid?: number;
  pid?: number;
  dir?: number;
  /** Override of the length byte (to forge damage). */
  length?: number;
}

function name16(s: string): Uint8Array {
  const b = new Uint8Array(16);
  b.set(new TextEncoder().encode(s).subarray(0, 15));
  return b;
}

export function pflogHeader(o: PflogOptions = {}): Uint8Array {
  const openbsd = (o.flavour ?? 'openbsd') === 'openbsd';
  const common = concat(
    Uint8Array.of(0),                          // length (patched below)
    Uint8Array.of(o.af ?? 2),                  // af: AF_INET 2 (IPv6: 24 OpenBSD, 28 FreeBSD)
    Uint8Array.of(o.action ?? 1),              // action: PF_DROP
    Uint8Array.of(o.reason ?? 0),              // reason: PFRES_MATCH
    name16(o.ifname ?? 'em0'),                 // ifname[IFNAMSIZ]
    name16(o.ruleset ?? ''),                   // ruleset[PF_RULESET_NAME_SIZE]
    u32((o.rulenr ?? 3) >>> 0),                // rulenr (network order)
    u32((o.subrulenr ?? -1) >>> 0),            // subrulenr (-1: not in an anchor)
    u32((o.uid ?? -1) >>> 0),                  // uid
    u32((o.pid ?? -1) >>> 0),                  // pid
    u32(0xffffffff),                           // rule_uid
    u32(0xffffffff),                           // rule_pid
    Uint8Array.of(o.dir ?? 1),                 // dir: PF_IN
  );
  const tail = openbsd
    ? concat(Uint8Array.of(0, 0, 0), new Uint8Array(16), new Uint8Array(16), new Uint8Array(4)) // rewritten, naf, pad, saddr, daddr, sport, dport
    : concat(Uint8Array.of(0, 0, 0), u32(0), Uint8Array.of(0), Uint8Array.of(0, 0, 0));      // pad[3], ridentifier, reserve, pad2[3]
  const h = concat(common, tail);
  // OpenBSD: sizeof(struct pfloghdr) = 100; FreeBSD: PFLOG_REAL_HDRLEN = offsetof(pad2) = 69.
  h[0] = o.length ?? (openbsd ? 100 : 69);
  return h;
}

export function pflogFrame(o: PflogOptions, ipPacket: Uint8Array): Uint8Array {
  const h = pflogHeader(o);
  const aligned = (h[0]! + 3) & ~3;
  const padded = new Uint8Array(Math.max(aligned, h.length));
  padded.set(h);
  return concat(padded.subarray(0, Math.max(aligned, Math.min(h.length, aligned))), ipPacket);
}
