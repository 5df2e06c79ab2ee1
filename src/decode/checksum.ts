// RFC 1071 Internet checksum: one's-complement sum of 16-bit big-endian words, and the IPv4 /
// IPv6 pseudo-headers (RFC 768, RFC 8200 section 8.1) used by ICMPv6 and VRRPv3.
//
// Sums are kept unfolded in a plain number (safe: a frame is < 2^16 words of < 2^16 each) and
// folded once at the end. A region whose stored checksum is right sums (with the pseudo-header)
// to 0xffff after folding.

/** Unfolded one's-complement sum of bytes [start, end), an odd last byte padded with zero. */
export function onesSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  // two words a step, alternate words in two sums added at the end (the same total; the CARP and
  // pfsync lanes check two headers per frame with it)
  let even = initial, odd = 0;
  let i = start;
  for (const last4 = end - 3; i < last4; i += 4) {
    even += (bytes[i]! << 8) | bytes[i + 1]!;
    odd += (bytes[i + 2]! << 8) | bytes[i + 3]!;
  }
  if (i < end - 1) { even += (bytes[i]! << 8) | bytes[i + 1]!; i += 2; }
  if (i < end) even += bytes[i]! << 8;
  return even + odd;
}

/** Fold a sum to 16 bits with end-around carry. */
export function foldSum(sum: number): number {
  // below 2^32 (every frame's sum: see the top) the high half is sum >>> 16, without a division
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum <= 0xffffffff ? sum >>> 16 : Math.floor(sum / 0x10000));
  return sum;
}

/** The checksum to store: complement of the folded sum (the checksum field counted as zero). */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  return ~foldSum(onesSum(bytes, start, end, initial)) & 0xffff;
}

/**
 * The value the checksum field must hold for region [start, end) whose checksum field is at
 * `fieldAt` (the field's current contents are left out of the sum).
 */
export function expectedChecksum(bytes: Uint8Array, start: number, end: number, fieldAt: number, initial = 0): number {
  // fieldAt - start is even for every protocol here, so word alignment is kept on both sides.
  const sum = onesSum(bytes, start, fieldAt, initial) + onesSum(bytes, fieldAt + 2, end);
  return ~foldSum(sum) & 0xffff;
}

/** True when the region (checksum field included) sums to 0xffff, i.e. the checksum is right. */
export function checksumVerifies(bytes: Uint8Array, start: number, end: number, initial = 0): boolean {
  return foldSum(onesSum(bytes, start, end, initial)) === 0xffff;
}

/**
 * Unfolded sum of the pseudo-header: IPv4 (src, dst, zero, protocol, 16-bit length) or IPv6
 * (src, dst, 32-bit length, three zero bytes, next header). Both address arrays have one length.
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, length: number, protocol: number): number {
  let sum = onesSum(src, 0, src.length) + onesSum(dst, 0, dst.length);
  if (src.length === 4) return sum + protocol + (length & 0xffff);
  sum += Math.floor(length / 0x10000) & 0xffff;
  sum += length & 0xffff;
  return sum + protocol;
}
