// pfsync decoder: flavour detection, framing rules of each receive loop, annotations,
// transports (IPv4, IPv6, LINKTYPE_PFSYNC with and without an IPv4 header, DLT 18).
// Modules: pfsync, pfsynclink

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../../src/decode/frame.js';
import { isPfsyncLinkFrame } from '../../../src/decode/pfsync/index.js';
import {
  buildBus, buildIdCreator, buildLegacyPfsync, buildModernPfsync, buildState, buildUpdC, ethernet, ipv4, ipv6,
  buildPfsyncUpdCPacket, MD5_EMPTY, pfsyncEthFrame,
} from '../../builders/pfsync.js';
import {
  annotationIds, CREATOR, decodePayload, ID, messagesOf, pfsyncLayer, SAMPLE_STATE, sectionsOf,
} from '../../support/pfsync-fixtures.js';
import { rawFrame } from '../../support/frames.js';

const upd = (o: { expire?: number; byte81?: number } = {}) => buildUpdC({ id: ID, creatorid: CREATOR, src: { state: 4 }, dst: { state: 4 }, ...o });

test('v5 flavour: OpenBSD 4.5 from the 20-byte trailer after EOF', () => {
  const p = buildModernPfsync({ version: 5, sections: [{ action: 10, messages: [buildBus(CREATOR, 0, 1)] }], trailer: true });
  const f = pfsyncLayer(decodePayload(p)).fields;
  assert.equal(f['pfsync.flavor'], 'openbsd-4.5');
  assert.equal(f['pfsync.flavor_basis'], 'trailer');
  assert.equal(f['pfsync.trailer'], '00'.repeat(20));
});

test('v5 flavour: 240-byte states are OpenBSD 4.6, 242/277/360-byte ones FreeBSD', () => {
  const ob = buildModernPfsync({ version: 5, sections: [{ action: 3, messages: [buildState('openbsd-v5', SAMPLE_STATE)] }] });
  assert.equal(pfsyncLayer(decodePayload(ob)).fields['pfsync.flavor'], 'openbsd-4.6');
  for (const [action, layout] of [[3, 'freebsd-1301'], [13, 'freebsd-1400'], [15, 'freebsd-1500']] as const) {
    const fb = buildModernPfsync({ version: 5, sections: [{ action, messages: [buildState(layout, SAMPLE_STATE)] }] });
    const f = pfsyncLayer(decodePayload(fb)).fields;
    assert.equal(f['pfsync.flavor'], 'freebsd', layout);
    assert.equal(f['pfsync.flavor_basis'], 'records');
    assert.equal(messagesOf(sectionsOf(decodePayload(fb))[0])[0]?.['pfsync.state.format'], layout);
  }
});

test('v5 flavour: UPD_C expire or state_flags set hints at OpenBSD; nothing to go on guesses FreeBSD', () => {
  const hinted = buildModernPfsync({ version: 5, sections: [{ action: 4, messages: [upd({ expire: 86340 })] }] });
  const f1 = pfsyncLayer(decodePayload(hinted)).fields;
  assert.deepEqual([f1['pfsync.flavor'], f1['pfsync.flavor_basis']], ['openbsd-4.6', 'hint']);
  const plain = buildModernPfsync({ version: 5, sections: [{ action: 4, messages: [upd()] }] });
  const f2 = pfsyncLayer(decodePayload(plain)).fields;
  assert.deepEqual([f2['pfsync.flavor'], f2['pfsync.flavor_basis']], ['freebsd', 'guess']);
});

test('v6: an unknown action is skipped by its subheader length, the next section still decodes', () => {
  const p = buildModernPfsync({ version: 6, sections: [
    { action: 40, messages: [new Uint8Array(8), new Uint8Array(8)], lenWords: 2 },
    { action: 7, messages: [buildIdCreator(ID, CREATOR)] },
  ] });
  const frame = decodePayload(p);
  const s = sectionsOf(frame);
  assert.equal(s[0]?.['pfsync.action_name'], 'UNKNOWN');
  assert.equal(s[0]?.['pfsync.ignored'], 'skipped');
  assert.equal(messagesOf(s[1])[0]?.['pfsync.state.id'], '67754b8000000001');
  assert.deepEqual(annotationIds(frame), []);
});

test('v6: a message longer than known (len*4 > size) decodes its known prefix and strides by len', () => {
  const longer = new Uint8Array(16);
  longer.set(buildIdCreator(ID, CREATOR));
  const p = buildModernPfsync({ version: 6, sections: [{ action: 7, messages: [longer, longer], lenWords: 4 }] });
  const msgs = messagesOf(sectionsOf(decodePayload(p))[0]);
  assert.equal(msgs.length, 2);
  assert.equal(msgs[1]?.['pfsync.state.creatorid'], '1a2b3c4d');
});

test('v6: a subheader with len 0 is badact and stops the walk', () => {
  const p = buildModernPfsync({ version: 6, sections: [
    { action: 4, messages: [], count: 1, lenWords: 0 },
    { action: 7, messages: [buildIdCreator(ID, CREATOR)] },
  ] });
  const frame = decodePayload(p);
  assert.ok(annotationIds(frame).includes('pfsync.bad_action'));
  assert.equal(sectionsOf(frame).length, 1);
});

test('v6 OINS/OUPD/EOF are flagged: OpenBSD 4.7-7.3 receivers drop the rest of the packet', () => {
  const p = buildModernPfsync({ version: 6, sections: [{ action: 12, messages: [], count: 1, lenWords: 0 }] });
  assert.ok(annotationIds(decodePayload(p)).includes('pfsync.bad_action'));
});

test('unknown version byte: pfsync.bad_version, packet ignored', () => {
  const frame = decodePayload(Uint8Array.from([9, 0, 0, 20, ...new Array(16).fill(0)]));
  assert.deepEqual(annotationIds(frame), ['pfsync.bad_version']);
  assert.equal(pfsyncLayer(frame).fields['pfsync.ignored'], 'badver');
});

test('header len larger than the packet: pfsync.bad_length, packet ignored (badlen)', () => {
  const p = buildModernPfsync({ version: 6, sections: [{ action: 7, messages: [buildIdCreator(ID, CREATOR)] }], len: 400 });
  const frame = decodePayload(p);
  assert.ok(annotationIds(frame).includes('pfsync.bad_length'));
  assert.equal(pfsyncLayer(frame).fields['pfsync.ignored'], 'badlen');
  assert.equal(pfsyncLayer(frame).status, 'ok');
});

test('a section that overruns the packet: pfsync.bad_length, section not applied', () => {
  const p = buildModernPfsync({ version: 6, sections: [{ action: 7, messages: [buildIdCreator(ID, CREATOR)], count: 3 }] });
  const frame = decodePayload(p);
  assert.ok(annotationIds(frame).includes('pfsync.bad_length'));
  assert.equal(sectionsOf(frame)[0]?.['pfsync.ignored'], 'badlen');
});

test('v5: EOF before the end of the packet is badlen (FreeBSD)', () => {
  const body = buildModernPfsync({ version: 5, sections: [{ action: 7, messages: [buildIdCreator(ID, CREATOR)] }] });
  const padded = new Uint8Array(body.length + 8);
  padded.set(body);
  padded[3] = padded.length; // header len covers the 8 bytes after EOF
  assert.ok(annotationIds(decodePayload(padded)).includes('pfsync.bad_length'));
});

test('legacy: count records that do not fit are badlen; CLR/BUS read one record whatever count says', () => {
  const over = buildLegacyPfsync({ version: 3, action: 5, records: [new Uint8Array(16)], count: 4 });
  assert.ok(annotationIds(decodePayload(over)).includes('pfsync.bad_length'));
  const bus = buildLegacyPfsync({ version: 3, action: 9, records: [buildBus(CREATOR, 3, 2, true)], count: 9 });
  const frame = decodePayload(bus);
  assert.deepEqual(annotationIds(frame), []);
  assert.equal(messagesOf(sectionsOf(frame)[0]).length, 1);
});

test('legacy: unknown action is badact', () => {
  assert.ok(annotationIds(decodePayload(buildLegacyPfsync({ version: 2, action: 11, records: [] }))).includes('pfsync.bad_action'));
});

test('IPv4 transport: TTL other than 255 raises pfsync.bad_ttl and marks the packet ignored', () => {
  const payload = buildModernPfsync({ version: 6, sections: [{ action: 7, messages: [buildIdCreator(ID, CREATOR)] }] });
  const frame = decodeFrame(rawFrame(pfsyncEthFrame(payload, { ttl: 64 })));
  assert.deepEqual(annotationIds(frame), ['pfsync.bad_ttl']);
  assert.equal(pfsyncLayer(frame).fields['pfsync.ignored'], 'badttl');
  const ok = decodeFrame(rawFrame(pfsyncEthFrame(payload, { ttl: 255 })));
  assert.deepEqual(annotationIds(ok), []);
});

test('IPv6 transport (FreeBSD 14+): next header 240, hop limit checked', () => {
  const payload = buildModernPfsync({ version: 5, sections: [{ action: 4, messages: [upd()] }] });
  const frame = decodeFrame(rawFrame(ethernet(ipv6(payload, { ttl: 255 }), 0x86dd)));
  assert.equal(pfsyncLayer(frame).fields['pfsync.version'], 5);
  assert.deepEqual(annotationIds(frame), []);
  const bad = decodeFrame(rawFrame(ethernet(ipv6(payload, { ttl: 1 }), 0x86dd)));
  assert.deepEqual(annotationIds(bad), ['pfsync.bad_ttl']);
});

test('LINKTYPE_PFSYNC record that starts with an IPv4 header (OpenBSD 7.4+ tap) hands off to ipv4', () => {
  const payload = buildModernPfsync({ version: 6, sections: [{ action: 7, messages: [buildIdCreator(ID, CREATOR)] }] });
  const frame = decodePayload(ipv4(payload, { src: '0.0.0.0' }));
  assert.deepEqual(frame.layers.map((l) => l.proto), ['pfsynclink', 'ipv4', 'pfsync']);
  assert.equal(frame.layers[0]?.fields['pfsynclink.encap'], 'ipv4');
  assert.equal(messagesOf(sectionsOf(frame)[0]).length, 1);
});

test('linktype 18 is pfsync only when the bytes say so', () => {
  const payload = buildModernPfsync({ version: 6, sections: [{ action: 7, messages: [buildIdCreator(ID, CREATOR)] }] });
  assert.equal(isPfsyncLinkFrame(payload), true);
  assert.equal(isPfsyncLinkFrame(ipv4(payload)), true);
  assert.equal(isPfsyncLinkFrame(buildLegacyPfsync({ version: 3, action: 5, records: [] })), true);
  assert.equal(isPfsyncLinkFrame(Uint8Array.from([0xaa, 0xaa, 0x03, 0, 0, 0, 8, 0])), false); // ATM CLIP LLC/SNAP
  assert.equal(isPfsyncLinkFrame(Uint8Array.from([6, 1, 0, 20])), false);
  const frame = decodePayload(payload, payload.length, 18);
  assert.equal(pfsyncLayer(frame).fields['pfsync.flavor'], 'openbsd-v6');
});

test('IPv6 state keys: af 24 (OpenBSD) and 28 (FreeBSD); FreeBSD 1500 keys use wire_af / stack_af', () => {
  const v6 = { ...SAMPLE_STATE, af: 24, wire: { addr0: '2001:db8::53', addr1: '2001:db8:1::10', port0: 53, port1: 40000, af: 24 }, stack: undefined };
  const m1 = messagesOf(sectionsOf(decodePayload(buildModernPfsync({ version: 6, sections: [{ action: 13, messages: [buildState('openbsd-v6', v6)] }] })))[0])[0]!;
  assert.equal(m1['pfsync.state.wire.addr0'], '2001:db8::53');
  assert.equal(m1['pfsync.state.af'], 24);
  const af64 = {
    ...SAMPLE_STATE, af: 28, stackAf: 2, rtAf: 2,
    wire: { addr0: '2001:db8:64::c633:6407', addr1: '2001:db8::1', port0: 443, port1: 40001 },
    stack: { addr0: '198.51.100.7', addr1: '192.0.2.77', port0: 443, port1: 40001 },
  };
  const m2 = messagesOf(sectionsOf(decodePayload(buildModernPfsync({ version: 5, sections: [{ action: 15, messages: [buildState('freebsd-1500', af64)] }] })))[0])[0]!;
  assert.equal(m2['pfsync.state.wire.addr0'], '2001:db8:64::c633:6407');
  assert.equal(m2['pfsync.state.stack.addr1'], '192.0.2.77');
  assert.equal(m2['pfsync.state.tagname'], 'mytag');
  assert.equal(m2['pfsync.state.af'], 28);
});

test('ruleset checksum is carried (v3/v4 legacy and modern)', () => {
  const f = pfsyncLayer(decodePayload(buildModernPfsync({ version: 6, cksum: MD5_EMPTY, sections: [] }))).fields;
  assert.equal(f['pfsync.cksum'], MD5_EMPTY);
  const g = pfsyncLayer(decodePayload(buildLegacyPfsync({ version: 4, action: 5, records: [], cksum: MD5_EMPTY }))).fields;
  assert.equal(g['pfsync.cksum'], MD5_EMPTY);
});

test('buildPfsyncUpdCPacket (benchmark builder) decodes to count UPD_C with consecutive ids', () => {
  const frame = decodeFrame(rawFrame(buildPfsyncUpdCPacket({ firstId: 0x67754b80000000ffn, count: 3, seq: 0xfffffff0 })));
  const msgs = messagesOf(sectionsOf(frame)[0]);
  assert.deepEqual(msgs.map((m) => m['pfsync.state.id']), ['67754b80000000ff', '67754b8000000100', '67754b8000000101']);
  assert.equal(msgs[2]?.['pfsync.state.src.seqlo'], 0xfffffff0);
  assert.equal(msgs[2]?.['pfsync.state.src.seqhi'], (0xfffffff0 + 65535) >>> 0);
  assert.deepEqual(annotationIds(frame), []);
});

test('legacy v1: records decoded best effort, no badlen for records the native-size guess cannot fit', () => {
  const p = buildLegacyPfsync({ version: 1, action: 1, records: [new Uint8Array(144), new Uint8Array(100)], count: 2 });
  const frame = decodePayload(p);
  assert.deepEqual(annotationIds(frame), []);
  const msgs = messagesOf(sectionsOf(frame)[0]);
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0]?.['pfsync.state.best_effort'], 'i386 OpenBSD 3.3 layout');
  assert.equal(pfsyncLayer(frame).fields['pfsync.flavor'], 'legacy-v1');
});

test('legacy v2+: bytes after the records are reported (v2+ senders set the length exactly)', () => {
  const p = buildLegacyPfsync({ version: 3, action: 5, records: [new Uint8Array(16), new Uint8Array(4)], count: 1 });
  assert.equal(pfsyncLayer(decodePayload(p)).fields['pfsync.trailing_bytes'], 4);
});
