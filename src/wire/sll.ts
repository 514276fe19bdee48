// The Linux "cooked" capture header, LINKTYPE_LINUX_SLL (libpcap pcap/sll.h),
// which a packet socket on `any` produces: no link header of the device, but
// the packet type (skb->pkt_type), the link address of the sender and the protocol.

import { readU16, writeU16 } from './checksum.js';
import { WireError } from './error.js';
import { readMac, writeMac } from './ethernet.js';

export const SLL_HDR_LEN = 16;

export interface SllRepr {
  /** skb->pkt_type: PACKET_HOST 0 ... PACKET_OUTGOING 4. */
  pktType: number;
  hatype: number;
  /** Sender's link address (6 bytes for Ethernet). */
  addr: number;
  halen: number;
  protocol: number;
}

export function parseSll(b: Uint8Array, off = 0): SllRepr | WireError {
  if (b.length - off < SLL_HDR_LEN) {
    return new WireError('Truncated', off, `Linux cooked header needs ${SLL_HDR_LEN} bytes, ${Math.max(0, b.length - off)} remain`);
  }
  const halen = readU16(b, off + 4);
  return { pktType: readU16(b, off), hatype: readU16(b, off + 2), halen, addr: halen === 6 ? readMac(b, off + 6) : 0, protocol: readU16(b, off + 14) };
}

export function emitSll(b: Uint8Array, off: number, r: SllRepr): number {
  writeU16(b, off, r.pktType);
  writeU16(b, off + 2, r.hatype);
  writeU16(b, off + 4, r.halen);
  b.fill(0, off + 6, off + 14);
  if (r.halen === 6) writeMac(b, off + 6, r.addr);
  writeU16(b, off + 14, r.protocol);
  return SLL_HDR_LEN;
}
