// RFC 1071 helpers: the RFC's own example, odd lengths, expected-value computation and the
// pseudo-headers, each against the test builders' independent implementation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checksumVerifies, expectedChecksum, foldSum, internetChecksum, onesSum, pseudoHeaderSum } from '../../src/decode/checksum.js';
import * as B from '../builders/packets.js';
import { checkProperty } from '../support/fc-seed.js';

test('RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2', () => {
  const d = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
  assert.equal(foldSum(onesSum(d, 0, d.length)), 0xddf2);
  assert.equal(internetChecksum(d, 0, d.length), 0x220d);
});

test('foldSum: end-around carry of any unfolded sum, below and above 2^32', () => {
  assert.equal(foldSum(0x1fffe), 0xffff);
  assert.equal(foldSum(0xffffffff), 0xffff);
  assert.equal(foldSum(2 ** 32 + 5), 6); // 0x1_0000_0005: 0x0005 + 0x10000, then 5 + 1
  assert.equal(foldSum(2 ** 40 + 0x12345), 0x2446); // 0x2345 + 0x1000001 = 0x1002346, then 0x2346 + 0x100
});

test('odd length: the last byte is padded with zero', () => {
  const d = Uint8Array.of(0x12, 0x34, 0x56);
  assert.equal(internetChecksum(d, 0, 3), ~(0x1234 + 0x5600) & 0xffff);
});

test('checksum helpers agree with the builders on random data, with and without pseudo-header', () => {
  checkProperty(fc.property(fc.uint8Array({ minLength: 8, maxLength: 300 }), fc.boolean(), (data, v6) => {
    const d = Uint8Array.from(data);
    d[6] = 0; d[7] = 0;
    const src = v6 ? B.ip6('fe80::1') : B.ip4('10.0.0.1');
    const dst = v6 ? B.ip6('ff02::12') : B.ip4('224.0.0.18');
    const pseudo = pseudoHeaderSum(src, dst, d.length, 112);
    assert.equal(pseudo, B.pseudoSum(src, dst, d.length, 112));
    const ck = B.rfc1071(d, pseudo);
    assert.equal(internetChecksum(d, 0, d.length, pseudo), ck);
    d[6] = ck >> 8; d[7] = ck & 0xff;
    assert.equal(checksumVerifies(d, 0, d.length, pseudo), true);
    assert.equal(expectedChecksum(d, 0, d.length, 6, pseudo), ck);
    d[6] ^= 0x55;
    assert.equal(checksumVerifies(d, 0, d.length, pseudo), false);
    assert.equal(expectedChecksum(d, 0, d.length, 6, pseudo), ck);
  }), { seed: 1071, numRuns: 500 });
});
