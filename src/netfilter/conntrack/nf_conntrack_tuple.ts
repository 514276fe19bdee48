// Conntrack tuples (include/net/netfilter/nf_conntrack_tuple.h) and their hash
// (nf_conntrack_core.c `hash_conntrack_raw` + `reciprocal_scale`). A tuple is
// five numbers: addresses as signed 32-bit integers (so V8 keeps them as small
// integers, never boxed), the two 16-bit "ports" and the protocol. For ICMP the
// source port holds the echo id and the destination port holds type<<8|code,
// as the kernel keeps them in `src.u.icmp.id` / `dst.u.icmp.{type,code}`.

import { IPPROTO, type Skb } from '../../model/skb.js';
import {
  ICMP_ADDRESS, ICMP_ADDRESSREPLY, ICMP_ECHO, ICMP_ECHOREPLY, ICMP_INFO_REPLY, ICMP_INFO_REQUEST, ICMP_TIMESTAMP,
  ICMP_TIMESTAMPREPLY, NR_ICMP_TYPES,
} from '../../model/icmp.js';

/** enum ip_conntrack_dir. */
export const enum IP_CT_DIR {
  ORIGINAL = 0,
  REPLY = 1,
}

// ct->timeout is kept in jiffies like the kernel's.
export { HZ, jiffiesOf, nsOfJiffies } from '../../model/time.js';

export {
  ICMP_ECHOREPLY, ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_ECHO, ICMP_TIME_EXCEEDED,
  ICMP_PARAMETERPROB, ICMP_TIMESTAMP, ICMP_TIMESTAMPREPLY, ICMP_INFO_REQUEST, ICMP_INFO_REPLY, ICMP_ADDRESS,
  ICMP_ADDRESSREPLY, NR_ICMP_TYPES, icmpIsErr,
} from '../../model/icmp.js';

/** invmap of nf_conntrack_proto_icmp.c: the reply type of each query type, +1 (0: not invertible). */
const ICMP_INVMAP = new Uint8Array(NR_ICMP_TYPES + 1);
ICMP_INVMAP[ICMP_ECHO] = ICMP_ECHOREPLY + 1;
ICMP_INVMAP[ICMP_ECHOREPLY] = ICMP_ECHO + 1;
ICMP_INVMAP[ICMP_TIMESTAMP] = ICMP_TIMESTAMPREPLY + 1;
ICMP_INVMAP[ICMP_TIMESTAMPREPLY] = ICMP_TIMESTAMP + 1;
ICMP_INVMAP[ICMP_INFO_REQUEST] = ICMP_INFO_REPLY + 1;
ICMP_INVMAP[ICMP_INFO_REPLY] = ICMP_INFO_REQUEST + 1;
ICMP_INVMAP[ICMP_ADDRESS] = ICMP_ADDRESSREPLY + 1;
ICMP_INVMAP[ICMP_ADDRESSREPLY] = ICMP_ADDRESS + 1;

/** A mutable tuple, used as scratch space on the hot path (one per Conntrack). */
export class NfTuple {
  src = 0;
  dst = 0;
  sport = 0;
  dport = 0;
  proto = 0;

  set(src: number, dst: number, sport: number, dport: number, proto: number): this {
    this.src = src | 0;
    this.dst = dst | 0;
    this.sport = sport;
    this.dport = dport;
    this.proto = proto;
    return this;
  }

  copyFrom(t: NfTuple): this {
    return this.set(t.src, t.dst, t.sport, t.dport, t.proto);
  }

  equals(t: NfTuple): boolean {
    return this.src === t.src && this.dst === t.dst && this.sport === t.sport && this.dport === t.dport && this.proto === t.proto;
  }
}

/**
 * nf_ct_invert_tuple: swaps the ends; an ICMP query's type becomes its reply
 * type (nf_conntrack_invert_icmp_tuple). Returns false for ICMP types with no
 * reply, which can therefore never start a connection.
 */
export function invertTuple(out: NfTuple, t: NfTuple): boolean {
  if (t.proto === IPPROTO.ICMP) {
    const type = t.dport >>> 8;
    if (type > NR_ICMP_TYPES || ICMP_INVMAP[type] === 0) return false;
    out.set(t.dst, t.src, t.sport, ((ICMP_INVMAP[type]! - 1) << 8) | (t.dport & 0xff), IPPROTO.ICMP);
    return true;
  }
  out.set(t.dst, t.src, t.dport, t.sport, t.proto);
  return true;
}

/**
 * nf_ct_get_tuple for the packet's own headers: ports for TCP/UDP, id and
 * type/code for ICMP, zeros for other protocols (the generic tracker).
 */
export function tupleFromSkb(out: NfTuple, skb: Skb): NfTuple {
  switch (skb.protocol) {
    case IPPROTO.TCP:
    case IPPROTO.UDP:
      return out.set(skb.saddr, skb.daddr, skb.sport, skb.dport, skb.protocol);
    case IPPROTO.ICMP:
      return out.set(skb.saddr, skb.daddr, skb.icmpId, (skb.icmpType << 8) | skb.icmpCode, IPPROTO.ICMP);
    default:
      return out.set(skb.saddr, skb.daddr, 0, 0, skb.protocol);
  }
}

/**
 * hash_conntrack_raw: the kernel runs siphash over the tuple with a boot-time
 * random key; this is a seeded 32-bit mix (murmur3 finaliser rounds) over the
 * same five fields, so bucket placement is as uniform and as unpredictable
 * from outside, but reproducible from the scenario seed.
 */
export function hashTuple(src: number, dst: number, sport: number, dport: number, proto: number, seed: number): number {
  let h = seed ^ proto;
  h = mix(h, src);
  h = mix(h, dst);
  h = mix(h, (sport << 16) | (dport & 0xffff));
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** reciprocal_scale(hash, size): maps a 32-bit hash onto [0, size). */
export function reciprocalScale(hash: number, size: number): number {
  return Math.floor((hash * size) / 4294967296);
}
