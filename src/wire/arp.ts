// ARP for IPv4 over Ethernet (include/uapi/linux/if_arp.h `struct arphdr` plus
// the Ethernet/IPv4 addresses that follow it, as net/ipv4/arp.c arp_create builds them).

import { readU16, readU32, writeU16, writeU32 } from './checksum.js';
import { WireError } from './error.js';
import { readMac, writeMac } from './ethernet.js';

export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
/** Header (8) + two MAC/IPv4 address pairs (20). */
export const ARP_LEN = 28;

export interface ArpRepr {
  op: number;
  sha: number;
  spa: number;
  tha: number;
  tpa: number;
}

export function parseArp(b: Uint8Array, off: number): ArpRepr | WireError {
  const avail = b.length - off;
  if (avail < ARP_LEN) return new WireError('Truncated', off, `ARP packet needs ${ARP_LEN} bytes, ${Math.max(0, avail)} remain`);
  const htype = readU16(b, off);
  const ptype = readU16(b, off + 2);
  if (htype !== ARPHRD_ETHER || ptype !== 0x0800 || b[off + 4] !== 6 || b[off + 5] !== 4) {
    return new WireError('Unsupported', off, `ARP for hardware type ${htype}, protocol 0x${ptype.toString(16).padStart(4, '0')} is not Ethernet/IPv4`);
  }
  return { op: readU16(b, off + 6), sha: readMac(b, off + 8), spa: readU32(b, off + 14), tha: readMac(b, off + 18), tpa: readU32(b, off + 24) };
}

export function emitArp(b: Uint8Array, off: number, r: ArpRepr): number {
  writeU16(b, off, ARPHRD_ETHER);
  writeU16(b, off + 2, 0x0800);
  b[off + 4] = 6;
  b[off + 5] = 4;
  writeU16(b, off + 6, r.op);
  writeMac(b, off + 8, r.sha);
  writeU32(b, off + 14, r.spa);
  writeMac(b, off + 18, r.tha);
  writeU32(b, off + 24, r.tpa);
  return ARP_LEN;
}
