// Ethernet II header (include/uapi/linux/if_ether.h `struct ethhdr`).
// MAC addresses are 48-bit numbers, exact in a JS double.

import { ETH_HLEN } from '../model/skb.js';
import { readU16, writeU16 } from './checksum.js';
import { WireError } from './error.js';

export interface EthernetRepr {
  dst: number;
  src: number;
  ethertype: number;
}

export function readMac(b: Uint8Array, off: number): number {
  return ((b[off]! << 8) | b[off + 1]!) * 0x100000000 + (((b[off + 2]! << 24) | (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!) >>> 0);
}

export function writeMac(b: Uint8Array, off: number, mac: number): void {
  const hi = Math.floor(mac / 0x100000000);
  const lo = mac >>> 0;
  b[off] = (hi >>> 8) & 0xff;
  b[off + 1] = hi & 0xff;
  b[off + 2] = lo >>> 24;
  b[off + 3] = (lo >>> 16) & 0xff;
  b[off + 4] = (lo >>> 8) & 0xff;
  b[off + 5] = lo & 0xff;
}

export function parseEthernet(b: Uint8Array, off = 0): EthernetRepr | WireError {
  if (b.length - off < ETH_HLEN) {
    return new WireError('Truncated', off, `Ethernet header needs ${ETH_HLEN} bytes, ${Math.max(0, b.length - off)} remain`);
  }
  return { dst: readMac(b, off), src: readMac(b, off + 6), ethertype: readU16(b, off + 12) };
}

/** Writes the header at `off`; returns the bytes written. */
export function emitEthernet(b: Uint8Array, off: number, r: EthernetRepr): number {
  writeMac(b, off, r.dst);
  writeMac(b, off + 6, r.src);
  writeU16(b, off + 12, r.ethertype);
  return ETH_HLEN;
}
