// ICMP tracking (net/netfilter/nf_conntrack_proto_icmp.c): queries (echo,
// timestamp, info, address) form 30 s connections keyed by id; errors are not
// connections of their own but RELATED to the flow they quote.

import type { Skb } from '../../model/skb.js';
import { IPPROTO } from '../../model/skb.js';
import { NF } from '../hooks.js';
import { portsDport, type NfConn } from './nf_conn.js';
import { HZ, ICMP_ADDRESS, ICMP_ECHO, ICMP_INFO_REQUEST, ICMP_TIMESTAMP, NfTuple } from './nf_conntrack_tuple.js';
import { type L4Context, NF_CT } from './nf_conntrack_l4proto.js';

/** valid_new[] of nf_conntrack_icmp_packet: the types that can open a connection. */
export function icmpValidNew(type: number): boolean {
  return type === ICMP_ECHO || type === ICMP_TIMESTAMP || type === ICMP_INFO_REQUEST || type === ICMP_ADDRESS;
}

/** nf_conntrack_icmp_packet. */
export function nfConntrackIcmpPacket(c: L4Context, ct: NfConn, skb: Skb, ctinfo: number): number {
  // Can't create a new ICMP "conn" with a non-query type (checked on the ORIGINAL tuple, every packet).
  if (!icmpValidNew(portsDport(ct.oPorts) >>> 8)) return NF_CT.INVALID;
  c.refreshAcct(ct, ctinfo, skb, c.sysctl.nf_conntrack_icmp_timeout * HZ);
  return NF.ACCEPT;
}

/**
 * The tuple of the packet an ICMP error quotes (nf_ct_get_tuplepr on the inner
 * header). A quoted ICMP packet is taken to be an echo request: the quote
 * carries its id but not its type, and errors about other queries are rare.
 */
export function quotedTuple(out: NfTuple, skb: Skb): NfTuple | null {
  const q = skb.quoted;
  if (!q) return null;
  switch (q.protocol) {
    case IPPROTO.TCP:
    case IPPROTO.UDP:
      return out.set(q.saddr, q.daddr, q.sport, q.dport, q.protocol);
    case IPPROTO.ICMP:
      return out.set(q.saddr, q.daddr, (q.l4word >>> 16) & 0xffff, ICMP_ECHO << 8, IPPROTO.ICMP);
    default:
      return out.set(q.saddr, q.daddr, 0, 0, q.protocol);
  }
}
