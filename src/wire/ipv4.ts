// IPv4 header (include/uapi/linux/ip.h `struct iphdr`). parse() is the check
// ip_rcv_core makes before anything else looks at the packet: version 4,
// ihl >= 5, tot_len covers the header, header checksum right.

import { IPHDR_LEN } from '../model/skb.js';
import { checksumOf, onesSum, readU16, readU32, writeU16, writeU32 } from './checksum.js';
import { WireError } from './error.js';

export interface Ipv4Repr {
  /** Header length in bytes (ihl * 4); options, if any, are skipped, not modelled. */
  hdrLen: number;
  tos: number;
  totLen: number;
  id: number;
  /** DF/MF flags and the offset in 8-byte units, as in the header. */
  fragOff: number;
  ttl: number;
  protocol: number;
  check: number;
  saddr: number;
  daddr: number;
}

export interface Ipv4ParseOptions {
  /** Refuse a wrong header checksum (ip_rcv_core does; a capture reader may not). */
  verifyChecksum?: boolean;
}

/** Parses the header at `off` of `b` (the bytes available may end before tot_len: a snaplen cut). */
export function parseIpv4(b: Uint8Array, off: number, opts: Ipv4ParseOptions = {}): Ipv4Repr | WireError {
  const avail = b.length - off;
  if (avail < IPHDR_LEN) return new WireError('Truncated', off, `IPv4 header needs ${IPHDR_LEN} bytes, ${Math.max(0, avail)} remain`);
  const version = b[off]! >>> 4;
  if (version !== 4) return new WireError('BadVersion', off, `IP version ${version}, expected 4`);
  const hdrLen = (b[off]! & 0x0f) * 4;
  if (hdrLen < IPHDR_LEN) return new WireError('BadLength', off, `IPv4 header length ${hdrLen} is less than 20`);
  if (avail < hdrLen) return new WireError('Truncated', off, `IPv4 header with options needs ${hdrLen} bytes, ${avail} remain`);
  const totLen = readU16(b, off + 2);
  if (totLen < hdrLen) return new WireError('BadLength', off + 2, `IPv4 total length ${totLen} is less than the header length ${hdrLen}`);
  const check = readU16(b, off + 10);
  if (opts.verifyChecksum && checksumOf(onesSum(b, off, hdrLen)) !== 0) {
    return new WireError('BadChecksum', off + 10, `IPv4 header checksum 0x${check.toString(16).padStart(4, '0')} is wrong`);
  }
  return {
    hdrLen, tos: b[off + 1]!, totLen, id: readU16(b, off + 4), fragOff: readU16(b, off + 6),
    ttl: b[off + 8]!, protocol: b[off + 9]!, check, saddr: readU32(b, off + 12), daddr: readU32(b, off + 16),
  };
}

/** Writes a 20-byte header (no options) with a correct checksum (ip_send_check); returns its length. */
export function emitIpv4(b: Uint8Array, off: number, r: Omit<Ipv4Repr, 'hdrLen' | 'check'>): number {
  b[off] = 0x45;
  b[off + 1] = r.tos & 0xff;
  writeU16(b, off + 2, r.totLen);
  writeU16(b, off + 4, r.id);
  writeU16(b, off + 6, r.fragOff);
  b[off + 8] = r.ttl & 0xff;
  b[off + 9] = r.protocol & 0xff;
  writeU16(b, off + 10, 0);
  writeU32(b, off + 12, r.saddr);
  writeU32(b, off + 16, r.daddr);
  writeU16(b, off + 10, checksumOf(onesSum(b, off, IPHDR_LEN)));
  return IPHDR_LEN;
}
