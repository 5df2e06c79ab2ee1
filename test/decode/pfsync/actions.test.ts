// One test per row of the pfsync dispatch table (flavour x action): a builder-made packet with
// one message of that action decodes to a section with the row's name and size, and the
// message's fields come back as built; rows receivers reject raise pfsync.bad_action.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PFSYNC_ACTION_TABLES } from '../../../src/decode/pfsync/actions.js';
import { PFSYNC_FLAVORS } from '../../../src/decode/pfsync/constants.js';
import {
  annotationIds, CREATOR_HEX, decodePayload, ID_HEX, messagesOf, pfsyncLayer, samplePacket, sectionsOf,
} from '../../support/pfsync-fixtures.js';

for (const flavor of PFSYNC_FLAVORS) {
  const table = PFSYNC_ACTION_TABLES[flavor];
  for (const [code, def] of Object.entries(table)) {
    const action = Number(code);
    test(`dispatch row ${flavor} action ${action} (${def.name})`, () => {
      const frame = decodePayload(samplePacket(flavor, action, def.size, def.format));
      assert.equal(frame.internalError, undefined);
      const layer = pfsyncLayer(frame);
      assert.equal(layer.status, 'ok', JSON.stringify(frame.annotations));
      const section = sectionsOf(frame).find((s) => s['pfsync.action'] === action);
      assert.ok(section, 'a section for the action');
      assert.equal(section['pfsync.action_name'], def.name);
      if (def.badact !== undefined || (flavor === 'openbsd-v6' && def.size === 0)) {
        assert.ok(annotationIds(frame).includes('pfsync.bad_action'), 'receivers reject this action');
        assert.ok(section['pfsync.ignored'] !== undefined, 'the section is marked as not applied');
        return;
      }
      assert.deepEqual(annotationIds(frame), []);
      if (def.kind === 'eof') {
        assert.equal(layer.fields['pfsync.eof'], true);
        if (flavor === 'openbsd-4.5') assert.equal(layer.fields['pfsync.trailer'], '00'.repeat(20));
        return;
      }
      const msgs = messagesOf(section);
      if (def.size === 0) { assert.equal(msgs.length, 0); return; }
      assert.equal(msgs.length, 1);
      const m = msgs[0]!;
      switch (def.kind) {
        case 'ins': case 'upd': case 'del':
          assert.equal(m['pfsync.state.format'], def.format);
          if (def.format === 'legacy-v1') { assert.equal(m['pfsync.state.best_effort'], 'i386 OpenBSD 3.3 layout'); break; }
          assert.equal(m['pfsync.state.id'], ID_HEX);
          assert.equal(m['pfsync.state.creatorid'], CREATOR_HEX);
          assert.equal(m['pfsync.state.proto'], 6);
          assert.equal(m['pfsync.state.af'], 2);
          assert.equal(m['pfsync.state.src.seqlo'], 1000000);
          assert.equal(m['pfsync.state.dst.seqhi'], 2029200);
          assert.equal(m['pfsync.state.packets0'], '10');
          assert.equal(m['pfsync.state.bytes1'], '9000');
          assert.equal(m['pfsync.state.creation'], 60);
          assert.equal(m['pfsync.state.timeout'], 2);
          if (def.format === 'legacy-v2' || def.format === 'legacy-v3') {
            assert.equal(m['pfsync.state.lan.addr'], '10.0.0.7');
            assert.equal(m['pfsync.state.gwy.port'], 61000);
            assert.equal(m['pfsync.state.ext.addr'], '203.0.113.10');
          } else {
            assert.equal(m['pfsync.state.wire.addr1'], '198.51.100.7');
            assert.equal(m['pfsync.state.stack.addr1'], '10.0.0.7');
            assert.equal(m['pfsync.state.stack.port1'], 51515);
          }
          break;
        case 'upd_c':
          assert.equal(m['pfsync.state.id'], ID_HEX);
          assert.equal(m['pfsync.state.creatorid'], CREATOR_HEX);
          assert.equal(m['pfsync.state.src.state'], 4);
          assert.equal(m['pfsync.state.dst.seqlo'], 2000000);
          assert.equal(m['pfsync.state.expire'], 30);
          assert.equal(m[flavor.startsWith('legacy') ? 'pfsync.state.updates' : 'pfsync.state.state_flags'], 1);
          break;
        case 'ins_ack': case 'del_c': case 'upd_req':
          assert.equal(m['pfsync.state.id'], ID_HEX);
          assert.equal(m['pfsync.state.creatorid'], CREATOR_HEX);
          break;
        case 'clr':
          assert.equal(m['pfsync.state.ifname'], 'em0');
          assert.equal(m['pfsync.state.creatorid'], CREATOR_HEX);
          break;
        case 'bus':
          assert.equal(m['pfsync.state.creatorid'], CREATOR_HEX);
          assert.equal(m['pfsync.bus.endtime'], 7);
          assert.equal(m['pfsync.bus.status'], 2);
          break;
        case 'tdb':
          assert.equal(m['pfsync.tdb.spi'], '1000abcd');
          assert.equal(m['pfsync.tdb.dst'], '192.0.2.200');
          assert.equal(m['pfsync.tdb.rpl'], '139840');
          assert.equal(m['pfsync.tdb.cur_bytes'], '987654321');
          assert.equal(m['pfsync.tdb.sproto'], 50);
          break;
        default:
          assert.fail(`row kind ${def.kind} has no assertion`);
      }
    });
  }
}
