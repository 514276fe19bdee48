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

/** BYTE_TABLES[k * 256 + v]: the hash contribution of input byte k having value v. */
const BYTE_TABLES = new Uint32Array(12 * 256);
for (let k = 0; k < 12; k++) {
  for (let v = 0; v < 256; v++) {
    let h = 0;
    for (let b = 0; b < 8; b++) if ((v >> (7 - b)) & 1) h ^= KEY_WINDOWS[k * 8 + b]!;
    BYTE_TABLES[k * 256 + v] = h >>> 0;
  }
}

function mixWord(h: number, word: number, k: number): number {
  const t = BYTE_TABLES;
  return h ^ t[k * 256 + ((word >>> 24) & 255)]! ^ t[(k + 1) * 256 + ((word >>> 16) & 255)]! ^
    t[(k + 2) * 256 + ((word >>> 8) & 255)]! ^ t[(k + 3) * 256 + (word & 255)]!;
}

/** Toeplitz hash of (saddr, daddr, sport, dport), as the NIC computes it (byte-table form). */
export function toeplitzHash(saddr: number, daddr: number, sport: number, dport: number): number {
  let h = mixWord(0, saddr >>> 0, 0);
  h = mixWord(h, daddr >>> 0, 4);
  h = mixWord(h, ((sport << 16) | dport) >>> 0, 8);
  return h >>> 0;
}

/** reciprocal_scale: maps a 32-bit hash onto [0, n) as get_rps_cpu does. */
export function reciprocalScale(hash: number, n: number): number {
  return Math.floor((hash >>> 0) * n / 4294967296);
}
