// The Internet checksum (RFC 1071), as net/core/checksum and
// include/net/checksum.h compute it: a ones'-complement sum of 16-bit words,
// folded, then inverted.

/** Unfolded ones'-complement sum of `len` bytes at `off`, added to `acc`. */
export function onesSum(b: Uint8Array, off: number, len: number, acc = 0): number {
  let sum = acc;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < end) sum += b[i]! << 8;
  // Fold periodically is unnecessary: 2^53 / 0xffff words is far beyond any frame.
  return sum;
}

/** Folds a sum to 16 bits (csum_fold without the final inversion). */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value for a sum: ~fold(sum) (csum_fold). */
export function checksumOf(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** Sum of the IPv4 pseudo-header (csum_tcpudp_nofold): addresses, protocol, L4 length. */
export function pseudoHeaderSum(saddr: number, daddr: number, protocol: number, l4len: number): number {
  return (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + protocol + l4len;
}

/**
 * What a CHECKSUM_PARTIAL skb carries in its L4 checksum field before the NIC
 * finishes it: the folded pseudo-header sum, not inverted (tcp_v4_send_check →
 * __tcp_v4_send_check: th->check = ~tcp_v4_check(len, saddr, daddr, 0)).
 */
export function partialChecksum(saddr: number, daddr: number, protocol: number, l4len: number): number {
  return foldSum(pseudoHeaderSum(saddr, daddr, protocol, l4len));
}

export function readU16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

export function readU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
