// One pfsync packet: header, flavour, sections of messages (../shared/reference/pfsync.md 3.1,
// 4.1-4.4, 11). The walk mirrors the receivers' loops so that what the decoder marks as ignored
// is what a kernel would not apply (the analyzer's state table relies on that).
//
// legacy v1/v2 header (4 B)       legacy v3/v4 header (20 B)      modern v5/v6 header (20 B)
// 0 version | 1 af | 2 action     0 version af action count       0 version | 1 pad | 2 len u16
// 3 count                         4 pf_chksum[16] (ruleset MD5)   4 pfcksum[16]
//                                                                  then subheaders: 0 action
//                                                                  1 len (v6: words; v5: 0) 2 count u16
//
// Layer fields: pfsync.version, .flavor, .flavor_basis, .len, .cksum, .af (legacy), .subheaders
// [{pfsync.action, .action_name, .count, .msglen, .messages, .ignored?}], .trailer (4.5), .eof,
// .ignored (the whole packet is dropped by receivers: badttl / badver / badlen).

import type { Cursor } from '../cursor.js';
import type { DissectContext, LayerWriter } from '../dissector.js';
import { actionDef, type ActionDef } from './actions.js';
import type { FastIds, Message } from './common.js';
import { PFSYNC_DFLTTL, type PfsyncFlavor } from './constants.js';
import { guessV5Flavor } from './flavor.js';

type Section = Message;

const LEGACY_FLAVORS: Readonly<Record<number, PfsyncFlavor>> = {
  1: 'legacy-v1', 2: 'legacy-v2', 3: 'legacy-v3', 4: 'legacy-v4',
};

/** Set per packet from DecodeOptions.pfsyncAnalysisOnly (decoding is synchronous). */
let analysisOnly = false;

export function decodePfsync(c: Cursor, out: LayerWriter, ctx: DissectContext): undefined {
  analysisOnly = ctx.options.pfsyncAnalysisOnly === true;
  const start = c.pos;
  const subheaders: Section[] = [];
  const ttl = ctx.ip?.ttl;
  let dropped = false;
  if (ttl !== undefined && ttl !== PFSYNC_DFLTTL) {
    out.annotate('pfsync.bad_ttl', `pfsync with ${ctx.ip?.version === 6 ? 'hop limit' : 'TTL'} ${ttl}, not 255: receivers drop it (badttl)`, { ttl });
    out.set('pfsync.ignored', 'badttl');
    dropped = true;
  }
  const version = c.u8('pfsync version');
  out.set('pfsync.version', version);
  if (version >= 1 && version <= 4) {
    decodeLegacy(c, out, start, version, subheaders);
  } else if (version === 5 || version === 6) {
    decodeModern(c, out, start, version, subheaders, dropped);
  } else {
    out.annotate('pfsync.bad_version', `pfsync version ${version} is unknown (badver)`, { version });
    if (!dropped) out.set('pfsync.ignored', 'badver');
  }
  return undefined;
}

const u32 = (b: Uint8Array, p: number): number => ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);

/**
 * The fields the analyzer reads — id, creator id, per peer side state and seqlo — read straight
 * from a whole message at the cursor, with the same values the full decode gives. For
 * DecodeOptions.pfsyncAnalysisOnly (nothing prints the frame); a cut message goes through the
 * full decoder, which reports the cut. `peers` and `creator` are the offsets of the src peer and
 * the creator id in the message. The ids are not formatted: they stay u32s (FastIds), which the
 * analyzer looks up as they are and formats only for a finding. One object literal per message
 * (one hidden class, no property-by-property growth).
 */
function readAnalysisFields(c: Cursor, peers: number, creator: number): Message & FastIds {
  const b = c.bytes;
  const p = c.pos;
  return {
    'pfsync.state.src.seqlo': u32(b, p + peers + 8),
    'pfsync.state.src.state': b[p + peers + 24]!,
    'pfsync.state.dst.seqlo': u32(b, p + peers + 40),
    'pfsync.state.dst.state': b[p + peers + 56]!,
    cid: u32(b, p + creator), idh: u32(b, p), idl: u32(b, p + 4),
  };
}

/** UPD_C (modern 84 B and legacy 88 B share these offsets). */
function decodeUpdCForAnalysis(c: Cursor): Message {
  return readAnalysisFields(c, 8, 72);
}

/** OpenBSD v6 full state (264 B, the bulk update's bulk): also format and protocol. */
function decodeStateV6ForAnalysis(c: Cursor): Message {
  const m = readAnalysisFields(c, 104, 236);
  m['pfsync.state.format'] = 'openbsd-v6';
  m['pfsync.state.proto'] = c.bytes[c.pos + 251]!;
  return m;
}

/** The analysis-only decoder of a message kind, when there is one (see decodeUpdCForAnalysis). */
function analysisDecoder(def: ActionDef, stride: number): ((c: Cursor) => Message) | undefined {
  if (def.kind === 'upd_c' && stride >= 84) return decodeUpdCForAnalysis;
  if (def.format === 'openbsd-v6' && stride >= 264) return decodeStateV6ForAnalysis;
  return undefined;
}

/** Decode `n` messages of `size` bytes each (stride `stride` >= size) into `list`. */
function decodeMessages(c: Cursor, def: ActionDef, n: number, stride: number, list: Message[]): void {
  if (!def.decode) {
    c.sub(n * stride); // INS_F / DEL_F / EOF carry no message decoder: step over the bytes
    return;
  }
  let i = 0;
  const fast = analysisOnly ? analysisDecoder(def, stride) : undefined;
  if (fast) {
    const whole = Math.min(n, Math.floor((c.capturedEnd - c.pos) / stride));
    for (; i < whole; i++) {
      list.push(fast(c));
      c.pos += stride;
    }
  }
  for (; i < n; i++) {
    const m: Message = {};
    list.push(m);
    const sub = c.sub(stride);
    def.decode(sub, m);
  }
}

function decodeLegacy(c: Cursor, out: LayerWriter, start: number, version: number, subheaders: Section[]): void {
  const flavor = LEGACY_FLAVORS[version]!;
  out.set('pfsync.flavor', flavor);
  out.set('pfsync.flavor_basis', 'version');
  const hdrLen = version <= 2 ? 4 : 20;
  if (c.declaredEnd - start < hdrLen) {
    out.annotate('pfsync.bad_length', `pfsync v${version} packet shorter than its ${hdrLen}-byte header (hdrops)`);
    out.set('pfsync.ignored', 'badlen');
    return;
  }
  out.set('pfsync.af', c.u8('legacy af'));
  const action = c.u8('legacy action');
  const count = c.u8('legacy count');
  const messages: Message[] = [];
  const def = actionDef(flavor, action);
  const section: Section = { 'pfsync.action': action, 'pfsync.action_name': def ? def.name : 'UNKNOWN', 'pfsync.count': count, 'pfsync.messages': messages };
  subheaders.push(section);
  out.set('pfsync.subheaders', subheaders);
  if (version >= 3) out.set('pfsync.cksum', c.hex(16, 'ruleset checksum'));
  if (!def) {
    out.annotate('pfsync.bad_action', `legacy pfsync v${version} action ${action} is unknown (badact)`, { action });
    section['pfsync.ignored'] = 'badact';
    return;
  }
  section['pfsync.msglen'] = def.size;
  if (def.badact) {
    out.annotate('pfsync.bad_action', def.badact, { action });
    section['pfsync.ignored'] = 'badact';
    return;
  }
  // CLR and BUS carry exactly one record whatever count says; v1 CLR carries none.
  let n = def.single ? (def.size > 0 ? 1 : 0) : count;
  if (def.size > 0 && n * def.size > c.declaredEnd - c.pos) {
    const fits = Math.floor((c.declaredEnd - c.pos) / def.size);
    if (version === 1) {
      // v1 records are the sender's native struct: the 144-byte i386 guess may simply be wrong.
      decodeMessages(c, def, fits, def.size, messages);
      return;
    }
    out.annotate('pfsync.bad_length', `${n} ${def.name} records of ${def.size} bytes do not fit in ${c.declaredEnd - c.pos} bytes (badlen)`, { count: n, size: def.size });
    section['pfsync.ignored'] = 'badlen';
    n = fits;
  }
  decodeMessages(c, def, n, def.size, messages);
  // v1 sent whole-MTU mbufs (trailing garbage is normal); v2+ set the length exactly.
  if (version >= 2 && c.declaredEnd > c.pos) out.set('pfsync.trailing_bytes', c.declaredEnd - c.pos);
}

function decodeModern(c: Cursor, out: LayerWriter, start: number, version: 5 | 6, subheaders: Section[], dropped: boolean): void {
  const declared = c.declaredEnd - start;
  if (declared < 20) {
    out.annotate('pfsync.bad_length', `pfsync v${version} packet of ${declared} bytes is shorter than the 20-byte header (hdrops)`);
    if (!dropped) out.set('pfsync.ignored', 'badlen');
    return;
  }
  c.skip(1, 'header pad');
  const len = c.u16be('header len');
  out.set('pfsync.len', len);
  const guess = version === 6 ? { flavor: 'openbsd-v6' as const, basis: 'version' as const } : guessV5Flavor(c.bytes, start, start + Math.min(Math.max(len, 20), declared));
  const flavor = guess.flavor;
  out.set('pfsync.flavor', flavor);
  out.set('pfsync.flavor_basis', guess.basis);
  out.set('pfsync.cksum', c.hex(16, 'pfcksum'));
  out.set('pfsync.subheaders', subheaders);
  if (len < 20 || len > declared) {
    out.annotate('pfsync.bad_length', `pfsync header len ${len} ${len < 20 ? 'is shorter than the header' : `exceeds the ${declared} bytes received`} (badlen)`, { len, available: declared });
    if (!dropped) out.set('pfsync.ignored', 'badlen');
    if (len < 20) return;
  }
  const end = start + Math.min(len, declared);
  while (c.pos + 4 <= end) {
    const action = c.u8('subheader action');
    const lenByte = c.u8('subheader len');
    const count = c.u16be('subheader count');
    const def = actionDef(flavor, action);
    const messages: Message[] = [];
    const section: Section = {
      'pfsync.action': action,
      'pfsync.action_name': def ? def.name : 'UNKNOWN',
      'pfsync.count': count,
      'pfsync.msglen': version === 6 ? lenByte * 4 : def ? def.size : 0,
      'pfsync.messages': messages,
    };
    subheaders.push(section);
    const left = end - c.pos;
    if (version === 6) {
      const mlen = lenByte * 4;
      if (!def || mlen < def.size || (def.size === 0 && def.badact === undefined)) {
        if (count > 0 && mlen > 0) {
          // Receivers skip a section they do not know (or that is too short) by its length.
          section['pfsync.ignored'] = 'skipped';
          if (count * mlen > left) {
            out.annotate('pfsync.bad_length', `skipped section of ${count} x ${mlen} bytes overruns the packet (badlen)`, { action, count, msglen: mlen });
            return;
          }
          c.skip(count * mlen, 'skipped section');
          continue;
        }
        out.annotate('pfsync.bad_action', `action ${action} with len ${lenByte} and count ${count}: receivers drop the rest of the packet (badact)`, { action });
        section['pfsync.ignored'] = 'badact';
        return;
      }
      if (mlen === 0) {
        out.annotate('pfsync.bad_action', `${def.name} with message length 0: receivers drop the rest of the packet (badact)`, { action });
        section['pfsync.ignored'] = 'badact';
        return;
      }
      if (def.badact) {
        out.annotate('pfsync.bad_action', def.badact, { action });
        section['pfsync.ignored'] = 'badact';
      }
      if (!sectionFits(out, section, count, mlen, left, action)) {
        decodeMessages(c, def, Math.floor(left / mlen), mlen, messages);
        return;
      }
      decodeMessages(c, def, count, mlen, messages);
      continue;
    }
    // version 5
    if (!def) {
      out.annotate('pfsync.bad_action', `pfsync v5 action ${action} is unknown to ${flavor === 'freebsd' ? 'FreeBSD' : 'OpenBSD 4.5/4.6'} (badact)`, { action });
      section['pfsync.ignored'] = 'badact';
      return;
    }
    if (def.kind === 'eof') {
      out.set('pfsync.eof', true);
      if (left === 20 && flavor === 'openbsd-4.5') {
        out.set('pfsync.trailer', c.hex(20, 'pfsync_eof trailer'));
      } else if (left !== 0) {
        out.annotate('pfsync.bad_length', `EOF is followed by ${left} more bytes: receivers count badlen`, { after: left });
      }
      return;
    }
    if (def.badact) {
      out.annotate('pfsync.bad_action', def.badact, { action });
      section['pfsync.ignored'] = 'badact';
      if (def.size === 0) return;
      const n = Math.min(count, Math.floor(left / def.size));
      decodeMessages(c, def, n, def.size, messages);
      return;
    }
    if (!sectionFits(out, section, count, def.size, left, action)) {
      if (def.size > 0) decodeMessages(c, def, Math.floor(left / def.size), def.size, messages);
      return;
    }
    decodeMessages(c, def, count, def.size, messages);
  }
  if (c.pos < end) out.set('pfsync.trailing_bytes', end - c.pos);
}

function sectionFits(out: LayerWriter, section: Section, count: number, mlen: number, left: number, action: number): boolean {
  if (count * mlen <= left) return true;
  out.annotate('pfsync.bad_length', `section of ${count} x ${mlen} bytes overruns the ${left} bytes left (badlen)`, { action, count, msglen: mlen });
  section['pfsync.ignored'] = 'badlen';
  return false;
}
