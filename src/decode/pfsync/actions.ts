// The pfsync dispatch table: (flavour, action) -> message name, kind, fixed size, decoder, and
// what a receiving kernel does with it. One row per (flavour, action); test/decode/pfsync has a
// test per row. Sources: ../shared/reference/pfsync.md 3.2 (legacy), 5 (modern), 4.4 and 11.5
// (which actions receivers reject as badact).

import type { Cursor } from '../cursor.js';
import type { Message } from './common.js';
import type { ActionKind, PfsyncFlavor } from './constants.js';
import {
  decodeBus, decodeClr, decodeIdCreator, decodeLegacyDelC, decodeTdb, decodeUpdC, decodeUpdReq,
} from './messages.js';
import {
  decodeStateFreebsd, decodeStateKeyed240, decodeStateOpenbsdV6, decodeStateV1, decodeStateV2,
  decodeStateV3, type StateFormat,
} from './state.js';

export interface ActionDef {
  /** carpdump's name (kernel constant without PFSYNC_ACT_), e.g. 'UPD_C', 'INS_1400', 'OTDB'. */
  readonly name: string;
  readonly kind: ActionKind;
  /** Fixed message size in bytes (0: the subheader / header alone). */
  readonly size: number;
  /** Full-state actions: the record layout. */
  readonly format?: StateFormat;
  readonly decode?: (c: Cursor, m: Message) => void;
  /**
   * Receivers of this flavour count it as pfsyncs_badact and drop the rest of the packet
   * (OpenBSD 7.4+ skips the v6 ones quietly instead).
   */
  readonly badact?: string;
  /** Legacy CLR and BUS: exactly one record is read whatever `count` says. */
  readonly single?: boolean;
}

export type ActionTable = Readonly<Record<number, ActionDef>>;

const st = (name: string, kind: ActionKind, format: StateFormat, decode: (c: Cursor, m: Message) => void, sizeOf: number, badact?: string): ActionDef =>
  badact === undefined ? { name, kind, size: sizeOf, format, decode } : { name, kind, size: sizeOf, format, decode, badact };

function legacyTable(version: 1 | 2 | 3 | 4): ActionTable {
  if (version === 1) {
    // v1 knew CLR/INS/UPD/DEL only; CLR carried no record (it cleared everything).
    return {
      0: { name: 'CLR', kind: 'clr', size: 0, single: true },
      1: st('INS', 'ins', 'legacy-v1', decodeStateV1, 144),
      2: st('UPD', 'upd', 'legacy-v1', decodeStateV1, 144),
      3: st('DEL', 'del', 'legacy-v1', decodeStateV1, 144),
    };
  }
  const [format, decodeState, size] =
    version === 2 ? ['legacy-v2' as const, decodeStateV2, 224]
      : version === 3 ? ['legacy-v3' as const, decodeStateV3, 240]
        : ['legacy-v4' as const, (c: Cursor, m: Message) => decodeStateKeyed240(c, m, 'legacy-v4'), 240];
  return {
    0: { name: 'CLR', kind: 'clr', size: 24, decode: (c, m) => decodeClr(c, m, true), single: true },
    1: st('INS', 'ins', format, decodeState, size),
    2: st('UPD', 'upd', format, decodeState, size),
    3: st('DEL', 'del', format, decodeState, size),
    4: { name: 'UPD_C', kind: 'upd_c', size: 88, decode: (c, m) => decodeUpdC(c, m, true) },
    5: { name: 'DEL_C', kind: 'del_c', size: 16, decode: decodeLegacyDelC },
    6: { name: 'INS_F', kind: 'frag', size: 0, badact: 'INS_F is reserved and never sent' },
    7: { name: 'DEL_F', kind: 'frag', size: 0, badact: 'DEL_F is reserved and never sent' },
    8: { name: 'UREQ', kind: 'upd_req', size: 16, decode: (c, m) => decodeUpdReq(c, m, true) },
    9: { name: 'BUS', kind: 'bus', size: 16, decode: (c, m) => decodeBus(c, m, true), single: true },
    10: { name: 'TDB_UPD', kind: 'tdb', size: 48, decode: (c, m) => decodeTdb(c, m, 32) },
  };
}

/** The messages every modern flavour shares (v5 and v6, same bytes). */
const MODERN_COMMON: ActionTable = {
  0: { name: 'CLR', kind: 'clr', size: 20, decode: (c, m) => decodeClr(c, m, false) },
  2: { name: 'INS_ACK', kind: 'ins_ack', size: 12, decode: decodeIdCreator },
  4: { name: 'UPD_C', kind: 'upd_c', size: 84, decode: (c, m) => decodeUpdC(c, m, false) },
  5: { name: 'UPD_REQ', kind: 'upd_req', size: 12, decode: (c, m) => decodeUpdReq(c, m, false) },
  7: { name: 'DEL_C', kind: 'del_c', size: 12, decode: decodeIdCreator },
  8: { name: 'INS_F', kind: 'frag', size: 0, badact: 'INS_F is reserved and never sent' },
  9: { name: 'DEL_F', kind: 'frag', size: 0, badact: 'DEL_F is reserved and never sent' },
  10: { name: 'BUS', kind: 'bus', size: 12, decode: (c, m) => decodeBus(c, m, false) },
};

const ob5 = (c: Cursor, m: Message): void => decodeStateKeyed240(c, m, 'openbsd-v5');

/** OpenBSD 4.5/4.6 (version 5, PFSYNC_ACT_MAX 13). */
const OPENBSD_V5: ActionTable = {
  ...MODERN_COMMON,
  1: st('INS', 'ins', 'openbsd-v5', ob5, 240),
  3: st('UPD', 'upd', 'openbsd-v5', ob5, 240),
  6: st('DEL', 'del', 'openbsd-v5', ob5, 240),
  11: { name: 'TDB', kind: 'tdb', size: 48, decode: (c, m) => decodeTdb(c, m, 32) },
  12: { name: 'EOF', kind: 'eof', size: 0 },
};

const V6_OLD = 'an OpenBSD 4.7-7.3 receiver counts it as badact and drops the rest of the packet (7.4+ skips it)';

/** OpenBSD 4.7 to -current (version 6, PFSYNC_ACT_MAX 16). */
const OPENBSD_V6: ActionTable = {
  ...MODERN_COMMON,
  1: st('OINS', 'ins', 'openbsd-v5', ob5, 240, `OINS (pre-4.7 insert): ${V6_OLD}`),
  3: st('OUPD', 'upd', 'openbsd-v5', ob5, 240, `OUPD (pre-4.7 update): ${V6_OLD}`),
  6: st('DEL', 'del', 'openbsd-v6', decodeStateOpenbsdV6, 264),
  8: { name: 'INS_F', kind: 'frag', size: 0, badact: `INS_F: ${V6_OLD}` },
  9: { name: 'DEL_F', kind: 'frag', size: 0, badact: `DEL_F: ${V6_OLD}` },
  11: { name: 'OTDB', kind: 'tdb', size: 48, decode: (c, m) => decodeTdb(c, m, 32) },
  12: { name: 'EOF', kind: 'eof', size: 0, badact: `EOF in version 6: ${V6_OLD}` },
  13: st('INS', 'ins', 'openbsd-v6', decodeStateOpenbsdV6, 264),
  14: st('UPD', 'upd', 'openbsd-v6', decodeStateOpenbsdV6, 264),
  15: { name: 'TDB', kind: 'tdb', size: 52, decode: (c, m) => decodeTdb(c, m, 64) },
};

const fb = (v: 1301 | 1400 | 1500) => (c: Cursor, m: Message): void => decodeStateFreebsd(c, m, v);

/** FreeBSD 9.0-15 (version 5, PFSYNC_ACT_MAX 13 / 15 / 17). */
const FREEBSD: ActionTable = {
  ...MODERN_COMMON,
  1: st('INS_1301', 'ins', 'freebsd-1301', fb(1301), 242),
  3: st('UPD_1301', 'upd', 'freebsd-1301', fb(1301), 242),
  6: st('DEL', 'del', 'freebsd-1301', fb(1301), 242, 'DEL: FreeBSD receivers count it as badact and drop the rest of the packet'),
  11: { name: 'TDB', kind: 'tdb', size: 48, decode: (c, m) => decodeTdb(c, m, 32) },
  12: { name: 'EOF', kind: 'eof', size: 0 },
  13: st('INS_1400', 'ins', 'freebsd-1400', fb(1400), 277),
  14: st('UPD_1400', 'upd', 'freebsd-1400', fb(1400), 277),
  15: st('INS_1500', 'ins', 'freebsd-1500', fb(1500), 360),
  16: st('UPD_1500', 'upd', 'freebsd-1500', fb(1500), 360),
};

export const PFSYNC_ACTION_TABLES: Readonly<Record<PfsyncFlavor, ActionTable>> = {
  'legacy-v1': legacyTable(1),
  'legacy-v2': legacyTable(2),
  'legacy-v3': legacyTable(3),
  'legacy-v4': legacyTable(4),
  'openbsd-4.5': OPENBSD_V5,
  'openbsd-4.6': OPENBSD_V5,
  'openbsd-v6': OPENBSD_V6,
  freebsd: FREEBSD,
};

export function actionDef(flavor: PfsyncFlavor, action: number): ActionDef | undefined {
  return PFSYNC_ACTION_TABLES[flavor][action];
}
