// v1 full states (OpenBSD 3.3 native struct pf_state, i386, 144 B), decoded best effort with the
// layout of ../shared/reference/pfsync.md 3.3: hosts of 20 B (addr 16, port, pad u16), peers of
// 16 B, rule.nr, nat_rule pointer, rt_addr, rt_ifp pointer, creation, expire, packets, bytes,
// af proto direction log allow_opts, pad[3]. Each member gets a distinct value at its offset, so a
// shifted member shows up as a wrong value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLegacyPfsync } from '../../builders/pfsync.js';
import { decodePayload, messagesOf, sectionsOf } from '../../support/pfsync-fixtures.js';

function v1Record(): Uint8Array {
  const r = new Uint8Array(144);
  const v = new DataView(r.buffer);
  const ipv4 = (at: number, a: number, b: number, c: number, d: number): void => { r.set([a, b, c, d], at); };
  // lan (0), gwy (20), ext (40): addr 16, port u16, pad u16 (pad bytes 0xee must not be read)
  ipv4(0, 10, 0, 0, 1); v.setUint16(16, 1001); v.setUint16(18, 0xeeee);
  ipv4(20, 192, 0, 2, 1); v.setUint16(36, 2002); v.setUint16(38, 0xeeee);
  ipv4(40, 198, 51, 100, 7); v.setUint16(56, 443); v.setUint16(58, 0xeeee);
  // src peer (60), dst peer (76): seqlo, seqhi, seqdiff u32, max_win u16, state u8, wscale u8
  v.setUint32(60, 111); v.setUint32(64, 222); v.setUint32(68, 333); v.setUint16(72, 4444); r[74] = 4; r[75] = 2;
  v.setUint32(76, 555); v.setUint32(80, 666); v.setUint32(84, 777); v.setUint16(88, 8888); r[90] = 5; r[91] = 3;
  v.setUint32(92, 42); // rule.nr
  v.setUint32(96, 0xdeadbeef); // nat_rule pointer (skipped)
  ipv4(100, 203, 0, 113, 9); // rt_addr
  v.setUint32(116, 0xcafebabe); // rt_ifp pointer (skipped)
  v.setUint32(120, 3600); v.setUint32(124, 60); v.setUint32(128, 12); v.setUint32(132, 3456);
  r.set([2, 6, 1, 1, 1], 136); // af inet, tcp, in, log, allow_opts; pad[3] stays 0
  return r;
}

test('legacy v1: every member of the 144-byte i386 record is read at its offset', () => {
  const frame = decodePayload(buildLegacyPfsync({ version: 1, action: 1, records: [v1Record()], count: 1 }));
  const m = messagesOf(sectionsOf(frame)[0])[0];
  assert.ok(m, 'one v1 message');
  const expected: Record<string, unknown> = {
    'pfsync.state.format': 'legacy-v1',
    'pfsync.state.lan.addr': '10.0.0.1', 'pfsync.state.lan.port': 1001,
    'pfsync.state.gwy.addr': '192.0.2.1', 'pfsync.state.gwy.port': 2002,
    'pfsync.state.ext.addr': '198.51.100.7', 'pfsync.state.ext.port': 443,
    'pfsync.state.src.seqlo': 111, 'pfsync.state.src.seqhi': 222, 'pfsync.state.src.seqdiff': 333,
    'pfsync.state.src.max_win': 4444, 'pfsync.state.src.state': 4, 'pfsync.state.src.wscale': 2,
    'pfsync.state.dst.seqlo': 555, 'pfsync.state.dst.seqhi': 666, 'pfsync.state.dst.seqdiff': 777,
    'pfsync.state.dst.max_win': 8888, 'pfsync.state.dst.state': 5, 'pfsync.state.dst.wscale': 3,
    'pfsync.state.rule': 42, 'pfsync.state.rt_addr': '203.0.113.9',
    'pfsync.state.creation': 3600, 'pfsync.state.expire': 60,
    'pfsync.state.packets0': '12', 'pfsync.state.bytes0': '3456',
    'pfsync.state.af': 2, 'pfsync.state.proto': 6, 'pfsync.state.direction': 1, 'pfsync.state.log': 1,
    'pfsync.state.state_flags': 1,
  };
  for (const [id, value] of Object.entries(expected)) assert.equal(m[id], value, id);
});
