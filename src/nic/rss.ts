// Receive Side Scaling: the NIC's Toeplitz hash over the IPv4 4-tuple picks an
// RX queue through the indirection table (Documentation/networking/scaling.rst).
// The key is the Microsoft default RSS key most drivers program.

const RSS_KEY = [
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
  0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
  0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
];

/** 32-bit windows of the key, one per input bit position (precomputed). */
const KEY_WINDOWS = new Uint32Array(96);
for (let bit = 0; bit < 96; bit++) {
  let w = 0;
  for (let k = 0; k < 32; k++) {
    const b = bit + k;
    const v = (RSS_KEY[b >> 3]! >> (7 - (b & 7))) & 1;
    w = (w << 1) | v;
  }
  KEY_WINDOWS[bit] = w >>> 0;
}

function mix(h: number, word: number, nbits: number, offset: number): number {
  for (let i = 0; i < nbits; i++) {
    if ((word >>> (nbits - 1 - i)) & 1) h ^= KEY_WINDOWS[offset + i]!;
  }
  return h;
}

/** Toeplitz hash of (saddr, daddr, sport, dport), as the NIC computes it. */
export function toeplitzHash(saddr: number, daddr: number, sport: number, dport: number): number {
  let h = 0;
  h = mix(h, saddr >>> 0, 32, 0);
  h = mix(h, daddr >>> 0, 32, 32);
  h = mix(h, ((sport << 16) | dport) >>> 0, 32, 64);
  return h >>> 0;
}

/** reciprocal_scale: maps a 32-bit hash onto [0, n) as get_rps_cpu does. */
export function reciprocalScale(hash: number, n: number): number {
  return Math.floor((hash >>> 0) * n / 4294967296);
}
