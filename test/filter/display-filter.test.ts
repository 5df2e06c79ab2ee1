// -Y: parser errors with columns, and typed evaluation on decoded frames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilter, parseDisplayFilter } from '../../src/filter/display-filter.js';
import { UsageError } from '../../src/errors.js';
import { carpFrame, vrrpFrame } from '../support/decoded-frames.js';

const carp7 = carpFrame({ vhid: 7, advskew: 100, src: '10.77.0.2', derived: { 'carp.hmac.status': 'good' } });

const cases: readonly [string, boolean][] = [
  ['carp', true], // a bare protocol name: the frame has that layer
  ['vrrp', false],
  ['ip', true], // the ipv4 layer holds ip.* fields
  ['carp.vhid', true],
  ['vrrp.prio', false],
  ['carp.vhid == 7', true],
  ['carp.vhid eq 7', true],
  ['carp.vhid == 8', false],
  ['carp.vhid != 8', true],
  ['carp.vhid == 0x07', true],
  ['carp.advskew > 99', true],
  ['carp.advskew >= 100 && carp.advskew <= 100', true],
  ['carp.advskew < 100', false],
  ['carp.vhid == 7 && carp.advskew > 0', true],
  ['carp.vhid == 8 || carp.advskew == 100', true],
  ['!(carp.vhid == 7)', false],
  ['not carp.vhid == 8', true],
  ['carp.vhid == 8 or (carp.advskew == 100 and ip.src == 10.77.0.2)', true],
  ['ip.src == 10.77.0.2', true],
  ['ip.src > 10.77.0.10', false], // addresses compare by bytes, not as text ("10.77.0.2" > "10.77.0.10" as text)
  ['ip.src < 10.77.0.10', true],
  ['carp.counter == 768664214548429678', true], // 64-bit decimal strings compare exactly
  ['carp.counter > 768664214548429677', true],
  ['carp.counter < 768664214548429678', false],
  ['carp.hmac contains 8c62a9', true],
  ['carp.hmac contains 8c:62:a9', true],
  ['carp.hmac.status == good', true],
  ['carp.hmac.status == "good"', true],
  ['carp.hmac.status == bad', false],
  ['eth.src == 00:00:5e:00:01:07', true],
  ['carp.checksum == 0x915d', true],
  ['frame.number == 1', true], // frame pseudo-fields
  ['frame.len >= 70 && frame.time_epoch > 1700000000.5', true],
];

for (const [expr, expected] of cases) {
  test(`-Y ${expr} -> ${expected}`, () => {
    assert.equal(evaluateFilter(parseDisplayFilter(expr), carp7), expected);
  });
}

test('a repeated field matches when any value does; != means none equal', () => {
  const v = vrrpFrame();
  assert.equal(evaluateFilter(parseDisplayFilter('vrrp.ip_addr == 10.77.0.61'), v), true);
  assert.equal(evaluateFilter(parseDisplayFilter('vrrp.ip_addr != 10.77.0.61'), v), false);
  assert.equal(evaluateFilter(parseDisplayFilter('vrrp.ip_addr != 10.77.0.99'), v), true);
});

test('fields nested in objects and arrays are found (pfsync messages)', () => {
  const c = carpFrame();
  const f = { ...c, layers: [...c.layers, {
    proto: 'pfsync' as const, offset: 70, length: 0, status: 'ok' as const,
    fields: { 'pfsync.subheaders': [{ 'pfsync.action': 2, 'pfsync.messages': [{ 'pfsync.state.creatorid': '0a0a0a01' }] }] },
  }] };
  assert.equal(evaluateFilter(parseDisplayFilter('pfsync.state.creatorid == 0a0a0a01'), f), true);
  assert.equal(evaluateFilter(parseDisplayFilter('pfsync.action == 2'), f), true);
  assert.equal(evaluateFilter(parseDisplayFilter('pfsync.action == 3'), f), false);
});

test('&& binds tighter than ||', () => {
  // false && false || true  ==  (false && false) || true
  assert.equal(evaluateFilter(parseDisplayFilter('carp.vhid == 1 && carp.vhid == 2 || carp.vhid == 7'), carp7), true);
  // true || false && false  ==  true || (false && false)
  assert.equal(evaluateFilter(parseDisplayFilter('carp.vhid == 7 || carp.vhid == 1 && carp.vhid == 2'), carp7), true);
});

const errors: readonly [string, number, RegExp][] = [
  ['', 1, /empty expression/],
  ['carp.vhid ==', 13, /expected a value after "=="/],
  ['carp.vhid = 7', 11, /"=" is not an operator/],
  ['(carp.vhid == 7', 16, /expected "\)"/],
  ['carp.vhid == 7 &&', 18, /expected a field id/],
  ['carp.vhid == 7 carp.advskew', 16, /unexpected "carp.advskew"/],
  ['carp.vhid == "7', 14, /unterminated string/],
  ['carp.vhid == 7 $', 16, /unexpected character "\$"/],
  ['== 7', 1, /expected a field id/],
];

for (const [expr, column, message] of errors) {
  test(`-Y error: ${JSON.stringify(expr)} at column ${column}`, () => {
    assert.throws(() => parseDisplayFilter(expr), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, message);
      assert.match(err.message, new RegExp(`at column ${column} of "`));
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  });
}

test('field ids must start with a registered protocol (typos are usage errors)', async () => {
  const { checkFieldIds } = await import('../../src/filter/field-check.js');
  const { REGISTRY } = await import('../../src/decode/protocols.js');
  checkFieldIds(['carp.vhid', 'carp.hmac.status', 'ip.src', 'frame.number', 'vrrp'], REGISTRY, '-Y');
  assert.throws(() => checkFieldIds(['crap.vhid'], REGISTRY, '-Y'), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /^-Y: unknown protocol "crap" in field "crap.vhid"/);
    return true;
  });
});
