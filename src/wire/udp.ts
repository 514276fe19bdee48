// UDP header (include/uapi/linux/udp.h `struct udphdr`).

import { UDPHDR_LEN } from '../model/skb.js';
import { readU16, writeU16 } from './checksum.js';
import { WireError } from './error.js';

export interface UdpRepr {
  sport: number;
  dport: number;
  /** Header plus payload, as the header says. */
  len: number;
  check: number;
}

export function parseUdp(b: Uint8Array, off: number): UdpRepr | WireError {
  const avail = b.length - off;
  if (avail < UDPHDR_LEN) return new WireError('Truncated', off, `UDP header needs ${UDPHDR_LEN} bytes, ${Math.max(0, avail)} remain`);
  const len = readU16(b, off + 4);
  if (len < UDPHDR_LEN) return new WireError('BadLength', off + 4, `UDP length ${len} is less than 8`);
  return { sport: readU16(b, off), dport: readU16(b, off + 2), len, check: readU16(b, off + 6) };
}

/** Writes the header with the given checksum field; returns its length. */
export function emitUdp(b: Uint8Array, off: number, r: UdpRepr): number {
  writeU16(b, off, r.sport);
  writeU16(b, off + 2, r.dport);
  writeU16(b, off + 4, r.len);
  writeU16(b, off + 6, r.check);
  return UDPHDR_LEN;
}
