// Shared pfsync test fixtures: one sample message per (flavour, action) row of the dispatch
// table, built with test/builders/pfsync.ts, and helpers to decode a pfsync payload through the
// real frame decoder (LINKTYPE_PFSYNC 246 -> 'pfsync-link' -> 'pfsync').

import { decodeFrame } from '../../src/decode/frame.js';
import type { DecodedFrame, FieldValue, Layer } from '../../src/decode/types.js';
import type { PfsyncFlavor } from '../../src/decode/pfsync/constants.js';
import {
  buildBus, buildClr, buildIdCreator, buildLegacyDelC, buildLegacyPfsync, buildModernPfsync, buildState, buildTdb,
  buildUpdC, MD5_EMPTY, type StateLayout, type StateSpec,
} from '../builders/pfsync.js';
import { rawFrame } from './frames.js';

export type Msg = Readonly<Record<string, FieldValue>>;

export const ID = 0x67754b8000000001n;
export const ID_HEX = '67754b8000000001';
export const CREATOR = 0x1a2b3c4d;
export const CREATOR_HEX = '1a2b3c4d';

/** A TCP NAT state: wire 203.0.113.10:443 <-> 198.51.100.7:61000, stack side 10.0.0.7:51515. */
export const SAMPLE_STATE: StateSpec = {
  id: ID, creatorid: CREATOR, ifname: 'em0', af: 2, proto: 6, direction: 2,
  wire: { addr0: '203.0.113.10', addr1: '198.51.100.7', port0: 443, port1: 61000, af: 2 },
  stack: { addr0: '203.0.113.10', addr1: '10.0.0.7', port0: 443, port1: 51515, af: 2 },
  lan: { addr: '10.0.0.7', port: 51515 }, gwy: { addr: '198.51.100.7', port: 61000 }, ext: { addr: '203.0.113.10', port: 443 },
  src: { state: 4, seqlo: 1000000, seqhi: 1065535, maxWin: 65535, mss: 1460, wscale: 0x87 },
  dst: { state: 4, seqlo: 2000000, seqhi: 2029200, maxWin: 29200, mss: 1460, wscale: 0x87 },
  rule: 3, creation: 60, expire: 86340, packets: [10n, 8n], bytes: [1500n, 9000n],
  stateFlags: 0x40, timeout: 2, syncFlags: 0x04, updates: 1, rtableid: [0, -1], maxMss: 1400, setTos: 0x10, setPrio: [3, 5],
  tagname: 'mytag', rtIfname: 'vtnet2', origIfname: 'vtnet0',
};

export const LAYOUT_OF: Readonly<Record<string, StateLayout>> = {
  'legacy-v2': 'legacy-v2', 'legacy-v3': 'legacy-v3', 'legacy-v4': 'legacy-v4', 'openbsd-v5': 'openbsd-v5',
  'openbsd-v6': 'openbsd-v6', 'freebsd-1301': 'freebsd-1301', 'freebsd-1400': 'freebsd-1400', 'freebsd-1500': 'freebsd-1500',
};

/** Decode a pfsync payload as a LINKTYPE_PFSYNC record (optionally cut to `caplen`). */
export function decodePayload(payload: Uint8Array, caplen = payload.length, linktype = 246): DecodedFrame {
  const data = payload.subarray(0, caplen);
  return decodeFrame(rawFrame(data, { tsSec: 1735689600, linktype, originalLength: payload.length }));
}

export function pfsyncLayer(frame: DecodedFrame): Layer {
  const l = frame.layers.find((x) => x.proto === 'pfsync');
  if (!l) throw new Error(`no pfsync layer (layers: ${frame.layers.map((x) => x.proto).join(',')}, ${frame.internalError ?? ''})`);
  return l;
}

export function sectionsOf(frame: DecodedFrame): readonly Msg[] {
  return (pfsyncLayer(frame).fields['pfsync.subheaders'] ?? []) as readonly Msg[];
}

export function messagesOf(section: Msg | undefined): readonly Msg[] {
  return ((section?.['pfsync.messages']) ?? []) as readonly Msg[];
}

export function annotationIds(frame: DecodedFrame): string[] {
  return frame.annotations.map((a) => a.id);
}

/** The message bytes of a (flavour, action) row, given the row's size and record format. */
export function sampleMessage(flavor: PfsyncFlavor, action: number, size: number, format?: string): Uint8Array {
  const legacy = flavor.startsWith('legacy');
  if (format !== undefined) {
    if (format === 'legacy-v1') return new Uint8Array(size); // opaque native struct (best effort)
    return buildState(LAYOUT_OF[format]!, { ...SAMPLE_STATE, af: format.startsWith('freebsd') ? 2 : 2 });
  }
  if (size === 0) return new Uint8Array(0);
  const kind = legacy
    ? ({ 0: 'clr', 4: 'upd_c', 5: 'del_c', 8: 'upd_req', 9: 'bus', 10: 'tdb' } as Record<number, string>)[action]
    : ({ 0: 'clr', 2: 'id', 4: 'upd_c', 5: 'id', 7: 'id', 10: 'bus', 11: 'tdb', 15: 'tdb' } as Record<number, string>)[action];
  switch (kind) {
    case 'clr': return buildClr('em0', CREATOR, legacy);
    case 'upd_c': return buildUpdC({ id: ID, creatorid: CREATOR, src: SAMPLE_STATE.src, dst: SAMPLE_STATE.dst, expire: 30, timeout: 2, byte81: 1 }, legacy);
    case 'del_c': return buildLegacyDelC(ID, CREATOR);
    case 'upd_req': return buildIdCreator(ID, CREATOR, true);
    case 'id': return buildIdCreator(ID, CREATOR);
    case 'bus': return buildBus(CREATOR, 7, 2, legacy);
    case 'tdb': return buildTdb({ spi: 0x1000abcd, dst: '192.0.2.200', rpl: 139840n, curBytes: 987654321n, rdomain: 0 }, size === 52 ? 64 : 32);
    default: throw new Error(`no sample for ${flavor} action ${action}`);
  }
}

/** A whole packet carrying one section of a (flavour, action) row with one message. */
export function samplePacket(flavor: PfsyncFlavor, action: number, size: number, format?: string): Uint8Array {
  const msg = sampleMessage(flavor, action, size, format);
  if (flavor.startsWith('legacy')) {
    const version = Number(flavor.slice(-1)) as 1 | 2 | 3 | 4;
    return buildLegacyPfsync({ version, action, records: size > 0 ? [msg] : [], count: 1, cksum: MD5_EMPTY });
  }
  const version = flavor === 'openbsd-v6' ? 6 : 5;
  const sections = [{ action, messages: size > 0 ? [msg] : [], count: 1, lenWords: size / 4 }];
  return buildModernPfsync({ version, sections, eof: version === 5 && action !== 12, trailer: flavor === 'openbsd-4.5', cksum: MD5_EMPTY });
}
