// UDP tracking (net/netfilter/nf_conntrack_proto_udp.c): 30 s while unreplied
// or younger than 2 s, then 120 s and ASSURED once it has become a "stream".

import type { Skb } from '../../model/skb.js';
import { IPS } from '../nf_conntrack_common.js';
import { NF } from '../hooks.js';
import { setUdpStreamTs, udpStreamTs, type NfConn } from './nf_conn.js';
import { HZ } from './nf_conntrack_tuple.js';
import { IPCT, type L4Context } from './nf_conntrack_l4proto.js';

/** How long after creation replies start counting as a stream (2 * HZ in the kernel). */
const UDP_STREAM_DELAY = 2 * HZ;

/** nf_conntrack_udp_packet. */
export function nfConntrackUdpPacket(c: L4Context, ct: NfConn, skb: Skb, ctinfo: number): number {
  const unreplied = c.sysctl.nf_conntrack_udp_timeout * HZ;
  const status = ct.status;
  if ((status & IPS.CONFIRMED) === 0) setUdpStreamTs(ct, c.nowJiffies + UDP_STREAM_DELAY);

  if (status & IPS.SEEN_REPLY) {
    let extra = unreplied;
    let stream = false;
    // Still active after two seconds? Extend the timeout.
    if (c.nowJiffies - udpStreamTs(ct) > 0) {
      extra = c.sysctl.nf_conntrack_udp_timeout_stream * HZ;
      stream = (status & IPS.ASSURED) === 0;
    }
    c.refreshAcct(ct, ctinfo, skb, extra);
    // Never ASSURED for IPS_NAT_CLASH: those time out soon.
    if (status & IPS.NAT_CLASH) return NF.ACCEPT;
    if (stream && !(ct.status & IPS.ASSURED)) {
      ct.status |= IPS.ASSURED;
      c.eventCache(ct, IPCT.ASSURED);
    }
  } else {
    c.refreshAcct(ct, ctinfo, skb, unreplied);
  }
  return NF.ACCEPT;
}

/** generic_packet: any protocol without a tracker of its own. */
export function nfConntrackGenericPacket(c: L4Context, ct: NfConn, skb: Skb, ctinfo: number): number {
  c.refreshAcct(ct, ctinfo, skb, c.sysctl.nf_conntrack_generic_timeout * HZ);
  return NF.ACCEPT;
}
