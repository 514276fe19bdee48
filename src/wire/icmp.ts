// ICMP header (include/uapi/linux/icmp.h `struct icmphdr`) and the quoted
// packet an error carries (icmp_send: the offending IP header + at least 8 bytes).

import { ICMPHDR_LEN, IPHDR_LEN, IPPROTO, type QuotedHeader } from '../model/skb.js';
import { checksumOf, pseudoHeaderSum, readU16, readU32, writeU16, writeU32 } from './checksum.js';
import { WireError } from './error.js';
import { emitIpv4, parseIpv4 } from './ipv4.js';

export {
  ICMP_ECHOREPLY, ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_ECHO, ICMP_TIME_EXCEEDED,
  ICMP_PARAMETERPROB, ICMP_TIMESTAMP, ICMP_TIMESTAMPREPLY, ICMP_NET_UNREACH, ICMP_HOST_UNREACH, ICMP_PROT_UNREACH,
  ICMP_PORT_UNREACH, ICMP_FRAG_NEEDED, icmpIsErr as icmpIsError,
} from '../model/icmp.js';

export interface IcmpRepr {
  type: number;
  code: number;
  check: number;
  /** The header's second 32-bit word as two halves: echo id and sequence, or
   *  (unused, next-hop MTU) for a frag-needed error (RFC 1191). */
  id: number;
  seq: number;
}

export function parseIcmp(b: Uint8Array, off: number): IcmpRepr | WireError {
  const avail = b.length - off;
  if (avail < ICMPHDR_LEN) return new WireError('Truncated', off, `ICMP header needs ${ICMPHDR_LEN} bytes, ${Math.max(0, avail)} remain`);
  return { type: b[off]!, code: b[off + 1]!, check: readU16(b, off + 2), id: readU16(b, off + 4), seq: readU16(b, off + 6) };
}

export function emitIcmp(b: Uint8Array, off: number, r: IcmpRepr): number {
  b[off] = r.type;
  b[off + 1] = r.code;
  writeU16(b, off + 2, r.check);
  writeU16(b, off + 4, r.id);
  writeU16(b, off + 6, r.seq);
  return ICMPHDR_LEN;
}

/** Bytes of a quoted packet we emit: its IP header and the first 8 bytes above it. */
export const QUOTED_LEN = IPHDR_LEN + 8;

/** Writes the quoted IP header and 8 bytes of its L4 header; returns the bytes written. */
export function emitQuoted(b: Uint8Array, off: number, q: QuotedHeader): number {
  emitIpv4(b, off, { tos: 0, totLen: q.totLen, id: q.id, fragOff: q.fragOff, ttl: q.ttl, protocol: q.protocol, saddr: q.saddr, daddr: q.daddr });
  const l4 = off + IPHDR_LEN;
  if (q.protocol === IPPROTO.TCP || q.protocol === IPPROTO.UDP) {
    writeU16(b, l4, q.sport);
    writeU16(b, l4 + 2, q.dport);
    if (q.protocol === IPPROTO.TCP) writeU32(b, l4 + 4, q.l4word);
    else {
      // The original datagram's length and checksum (its payload is zeros in the model).
      const ulen = Math.max(0, q.totLen - IPHDR_LEN);
      writeU16(b, l4 + 4, ulen);
      const sum = checksumOf(pseudoHeaderSum(q.saddr, q.daddr, IPPROTO.UDP, ulen) + q.sport + q.dport + ulen);
      writeU16(b, l4 + 6, sum === 0 ? 0xffff : sum);
    }
  } else {
    writeU32(b, l4, 0);
    writeU32(b, l4 + 4, q.l4word);
  }
  return QUOTED_LEN;
}

/** Reads a quoted packet back; needs the IP header and 8 bytes. */
export function parseQuoted(b: Uint8Array, off: number): QuotedHeader | WireError {
  const ip = parseIpv4(b, off);
  if (ip instanceof WireError) return ip;
  const l4 = off + ip.hdrLen;
  if (b.length - l4 < 8) return new WireError('Truncated', l4, `ICMP quoted packet needs 8 bytes above its IP header, ${Math.max(0, b.length - l4)} remain`);
  const ports = ip.protocol === IPPROTO.TCP || ip.protocol === IPPROTO.UDP;
  return {
    saddr: ip.saddr, daddr: ip.daddr, protocol: ip.protocol, ttl: ip.ttl, id: ip.id, fragOff: ip.fragOff, totLen: ip.totLen,
    sport: ports ? readU16(b, l4) : 0, dport: ports ? readU16(b, l4 + 2) : 0,
    l4word: ip.protocol === IPPROTO.UDP ? 0 : readU32(b, l4 + 4),
  };
}
