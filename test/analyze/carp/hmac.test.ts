// HMAC message construction and variants (carp.md section 3), checked against the worked
// examples of carp.md 3.4 (real ucarp frames) and 3.5 (synthetic multi-address vector).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkProperty } from '../../support/fc-seed.js';
import { createHmac } from 'node:crypto';
import { parseIPv6, parseVirtualAddress, sortForHmac, vhidOfVirtualMac, type VirtualAddress } from '../../../src/analyze/carp/addresses.js';
import { buildHmacMessage, carpKey, counterBytes, findMatchingCandidate, hexDigestWords, hexToBytes, hmacCandidates } from '../../../src/analyze/carp/hmac.js';
import { digestWords, HmacKey, innerWords, setMessageU64 } from '../../../src/analyze/carp/sha1.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const addrs = (...t: string[]): VirtualAddress[] => t.map((x) => parseVirtualAddress(x)!);
const hmac = (key: string, m: string): string => createHmac('sha1', Buffer.from(key).subarray(0, 19)).update(Buffer.from(m, 'hex')).digest('hex');

test('carp.md 3.4 frame 1: ucarp vhid 7, VIP 10.77.0.100, passphrase carpsecret', () => {
  const counter = counterBytes('768664214548429678')!;
  assert.equal(hex(counter), '0aaad807d3b6bb6e');
  const m = buildHmacMessage(7, addrs('10.77.0.100'), counter);
  assert.equal(hex(m), '0201070a4d00640aaad807d3b6bb6e');
  const md = Buffer.from('47c888778c62a986ae1d2c7ae2aa69117b7a33c4', 'hex');
  const hit = findMatchingCandidate(carpKey('carpsecret'), hmacCandidates(7, addrs('10.77.0.100'), counter), md);
  assert.equal(hit?.variant, 'sorted');
  // the inner digest of the reference text, recomputed by hand from K0 ^ ipad
  const k0 = Buffer.alloc(64); Buffer.from('carpsecret').copy(k0);
  const ipad = Buffer.from(k0.map((b) => b ^ 0x36));
  assert.equal(hex(ipad.subarray(0, 11)), '5557444645535544534236');
  assert.equal(findMatchingCandidate(carpKey('carpsecreT'), hmacCandidates(7, addrs('10.77.0.100'), counter), md), undefined);
  assert.equal(findMatchingCandidate(carpKey('carpsecret'), hmacCandidates(7, addrs('10.77.0.101'), counter), md), undefined);
});

test('carp.md 3.4 frame 7: the other node, counter 0x0f3fb2b6b9306644', () => {
  const counter = counterBytes(BigInt('0x0f3fb2b6b9306644').toString())!;
  assert.equal(hex(buildHmacMessage(7, addrs('10.77.0.100'), counter)), '0201070a4d00640f3fb2b6b9306644');
  const md = Buffer.from('dfa3109eff304befea38eb03a6e61e83edb91120', 'hex');
  assert.equal(findMatchingCandidate(carpKey('carpsecret'), hmacCandidates(7, addrs('10.77.0.100'), counter), md)?.variant, 'sorted');
});

test('carp.md 3.5: multi-address vector sorts IPv4 numerically, then IPv6', () => {
  const set = addrs('192.168.1.10', '10.0.0.1', '192.168.1.2', '2001:db8:1::10');
  const counter = counterBytes(BigInt('0x0102030405060708').toString())!;
  const sorted = hmacCandidates(10, set, counter)[0]!;
  assert.equal(sorted.variant, 'sorted');
  assert.equal(hex(sorted.message), '02010a0a000001c0a80102c0a8010a20010db80001000000000000000000100102030405060708');
  const md = Buffer.from('e1a16193e0abcae05423241a2cc4afaa73266da9', 'hex');
  assert.equal(findMatchingCandidate(carpKey('mekmitasdigoat'), hmacCandidates(10, set, counter), md)?.variant, 'sorted');
});

test('variants: config order, IPv6 link-local context, lladdr, ucarp single address', () => {
  const counter = Buffer.from('0102030405060708', 'hex');
  const vh = '0a';
  const key = 'mekmitasdigoat';
  // configuration order (pre-2005): 192.168.1.10 before 10.0.0.1
  const cfg = addrs('192.168.1.10', '10.0.0.1');
  const mdCfg = hmac(key, `0201${vh}c0a8010a0a000001` + '0102030405060708');
  assert.equal(findMatchingCandidate(carpKey(key), hmacCandidates(10, cfg, counter), Buffer.from(mdCfg, 'hex'))?.variant, 'config-order');
  // OpenBSD HMAC_ORIG keeps link-locals; HMAC_NOV6LL (what it sends with) skips them
  const ll = addrs('10.0.0.1', 'fe80::1', '2001:db8::1');
  const withLL = `0201${vh}0a000001` + '20010db8000000000000000000000001' + 'fe800000000000000000000000000001' + '0102030405060708';
  const noLL = `0201${vh}0a000001` + '20010db8000000000000000000000001' + '0102030405060708';
  assert.equal(findMatchingCandidate(carpKey(key), hmacCandidates(10, ll, counter), Buffer.from(hmac(key, noLL), 'hex'))?.variant, 'sorted');
  assert.equal(findMatchingCandidate(carpKey(key), hmacCandidates(10, ll, counter), Buffer.from(hmac(key, withLL), 'hex'))?.variant, 'sorted-v6ll');
  // custom lladdr inserted between type and vhid
  const mac = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0a]);
  const cands = hmacCandidates(10, addrs('10.0.0.1'), counter, mac);
  assert.equal(hex(cands.find((c) => c.variant === 'lladdr')!.message), `0201${'02000000000a'}${vh}0a000001` + '0102030405060708');
  assert.equal(findMatchingCandidate(carpKey(key), cands, Buffer.from(hmac(key, `020102000000000a${vh}0a000001` + '0102030405060708'), 'hex'))?.variant, 'lladdr');
  // ucarp hashes only its one --addr even when more addresses are known
  const single = `0201${vh}c0a80102` + '0102030405060708';
  assert.equal(findMatchingCandidate(carpKey(key), hmacCandidates(10, addrs('10.0.0.1', '192.168.1.2'), counter), Buffer.from(hmac(key, single), 'hex'))?.variant, 'ucarp-single');
});

test('key is the first 19 bytes of the passphrase; empty passphrase is 20 zero bytes', () => {
  const m = '0201070a4d00640aaad807d3b6bb6e';
  const long = 'abcdefghijklmnopqrsTUVWXYZ';
  assert.equal(carpKey(long).length, 19);
  const md = Buffer.from(hmac('abcdefghijklmnopqrs', m), 'hex');
  const counter = Buffer.from('0aaad807d3b6bb6e', 'hex');
  assert.ok(findMatchingCandidate(carpKey(long), hmacCandidates(7, addrs('10.77.0.100'), counter), md));
  const zero = createHmac('sha1', Buffer.alloc(20)).update(Buffer.from(m, 'hex')).digest();
  assert.ok(findMatchingCandidate(carpKey(''), hmacCandidates(7, addrs('10.77.0.100'), counter), zero));
});

test('address helpers: IPv6 parsing, sort with duplicates and all-zero dropped, virtual MACs', () => {
  assert.equal(hex(parseIPv6('2001:db8:1::10')!), '20010db8000100000000000000000010');
  assert.equal(hex(parseIPv6('::ffff:10.0.0.1')!), '00000000000000000000ffff0a000001');
  assert.equal(hex(parseIPv6('fe80::1%eth0')!), 'fe800000000000000000000000000001');
  assert.equal(parseIPv6('1::2::3'), undefined);
  assert.equal(parseIPv6('12345::'), undefined);
  const s = sortForHmac(addrs('10.0.0.2', '0.0.0.0', '10.0.0.1', '10.0.0.2', '255.255.255.255'));
  assert.deepEqual(s.map((a) => a.text), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(vhidOfVirtualMac('00:00:5e:00:01:07'), { vhid: 7, ucarp: false });
  assert.deepEqual(vhidOfVirtualMac('00:00:5e:00:00:07'), { vhid: 7, ucarp: true });
  assert.equal(vhidOfVirtualMac('02:00:00:00:00:0a'), undefined);
});

test('counterBytes: the 8 big-endian bytes of any u64, small (double path) or large (BigInt path)', () => {
  const expected = (v: bigint): Uint8Array => {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, v, false);
    return out;
  };
  checkProperty(fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), (v) => {
    assert.deepEqual(counterBytes(v.toString()), expected(v));
  }), { numRuns: 2000, seed: 9 });
  for (const v of [0n, 1n, 4294967295n, 4294967296n, 999_999_999_999_999n, 1_000_000_000_000_000n, (1n << 64n) - 1n]) {
    assert.deepEqual(counterBytes(v.toString()), expected(v), String(v));
  }
  assert.equal(counterBytes((1n << 64n).toString()), undefined);
  assert.equal(counterBytes('12a'), undefined);
  // what the old /^\d{1,20}$/ refused, on both paths (the short one parses by hand)
  for (const bad of ['', '-1', '+1', ' 12', '12 ', '1.5', '1e3', '/', ':', '0x10', '１２', '123456789012345678-', '000000000000000000001']) {
    assert.equal(counterBytes(bad), undefined, JSON.stringify(bad));
  }
  assert.deepEqual(counterBytes('00000000000000000001'), expected(1n));
});

test('hexDigestWords: the five words of digestWords(hexToBytes(x)) for any 20 bytes, in either case; undefined otherwise', () => {
  checkProperty(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean(), (b, upper) => {
    const text = upper ? Buffer.from(b).toString('hex').toUpperCase() : Buffer.from(b).toString('hex');
    assert.deepEqual(hexDigestWords(text), digestWords(hexToBytes(text)!));
  }), { numRuns: 2000, seed: 11 });
  // every other length, and a non-hex digit at every position
  checkProperty(fc.property(fc.string({ maxLength: 60 }).filter((t) => t.length !== 40), (t) => {
    assert.equal(hexDigestWords(t), undefined);
  }), { numRuns: 500, seed: 12 });
  const good = 'ab'.repeat(20);
  for (let i = 0; i < 40; i++) assert.equal(hexDigestWords(`${good.slice(0, i)}g${good.slice(i + 1)}`), undefined, `position ${i}`);
  // characters past ASCII, some whose low byte is a hex digit (U+0130: 0x30 '0', U+0161: 0x61 'a')
  for (const c of ['\u0130', '\u0161', '\uff10', '\u00e9', '\u007f']) assert.equal(hexDigestWords(`${c}${good.slice(1)}`), undefined, JSON.stringify(c));
  // `into` is filled and returned
  const into = new Int32Array(5);
  assert.equal(hexDigestWords('00000001'.repeat(5), into), into);
  assert.deepEqual([...into], [1, 1, 1, 1, 1]);
  assert.deepEqual([...hexDigestWords('ffffffff000000007fffffff80000000deadBEEF')!], [-1, 0, 0x7fffffff, -0x80000000, 0xdeadbeef | 0]);
});

test('HmacKey (per-advert HMAC, unrolled compressions): node:crypto\'s HMAC-SHA1 for any key up to 64 bytes and any message, one or several blocks', () => {
  // exact lengths drawn uniformly (fast-check's default size keeps arrays short): keys 0-64
  // bytes, messages 0-200 bytes, i.e. one to four blocks after the key block
  const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.integer({ min: 0, max }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  checkProperty(fc.property(bytes(64), bytes(200), (key, message) => {
    assert.equal(hex(new HmacKey(key).mac(message)), createHmac('sha1', key).update(message).digest('hex'));
  }), { numRuns: 1000, seed: 13 });
});

test('HmacKey.matchesInner with setMessageU64 (the per-advert path): node:crypto\'s HMAC of the message with the u64 written in, at any offset and alignment, over blocks built with another u64', () => {
  // The blocks are built once from a message holding one counter (innerWords), then a second
  // counter is written in at `at` (any alignment: a CARP counter starts at byte 4q + 3, or + 1
  // with an lladdr); the MAC must be node:crypto's of the message holding the second counter,
  // and any other digest must not match.
  const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.integer({ min, max }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  checkProperty(fc.property(bytes(0, 19), bytes(8, 200), fc.nat(), fc.integer(), fc.integer(), fc.integer({ min: 0, max: 159 }), (key, message, atSeed, hi, lo, flip) => {
    const at = atSeed % (message.length - 7);
    const words = innerWords(message);
    setMessageU64(words, at, hi, lo);
    const expected = Uint8Array.from(message);
    new DataView(expected.buffer).setInt32(at, hi, false);
    new DataView(expected.buffer).setInt32(at + 4, lo, false);
    const md = digestWords(createHmac('sha1', key).update(expected).digest());
    const k = new HmacKey(key);
    assert.equal(k.matchesInner(words, md), true);
    const other = Int32Array.from(md);
    other[flip >> 5] = other[flip >> 5]! ^ (1 << (flip & 31));
    assert.equal(k.matchesInner(words, other), false);
  }), { numRuns: 1000, seed: 17 });
});
