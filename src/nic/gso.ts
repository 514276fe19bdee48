// Software segmentation of a TCP super-packet (skb_gso_segment → inet_gso_segment
// → tcp_gso_segment, net/ipv4/{af_inet,tcp_offload}.c), and the check that
// decides whether the device can take the super-packet itself (netif_needs_gso).
//
// API:
//   netifNeedsGso(skb, features)  true when validate_xmit_skb must segment in software
//   skbGsoSegment(skb)            the MSS-sized segments, or null when the protocol
//                                 cannot be segmented (the caller drops with SKB_GSO_SEG)
//
// Segments get fresh ids and `parts = [super.id]`; seq advances by gso_size,
// the IP ID increments per segment, FIN/PSH stay only on the last segment and
// CWR only on the first, as tcp_gso_segment writes them.

import { IPHDR_LEN, IPPROTO, type Skb, TCPHDR } from '../model/skb.js';
import { NETIF_F, type NetdevFeatures } from './netdev_features.js';

/**
 * netif_needs_gso (include/linux/netdevice.h): a GSO skb whose type the device
 * lacks (skb_gso_ok) is segmented in software. TCPv4 needs NETIF_F_TSO plus
 * TSO_ECN when the burst carries CWR; UDP needs GSO_UDP_L4.
 */
export function netifNeedsGso(skb: Skb, f: NetdevFeatures): boolean {
  if (skb.gsoSize === 0) return false;
  // harmonize_features: no checksum offload for the protocol → no GSO offload either.
  if (!f.txCsum) return true;
  switch (skb.protocol) {
    case IPPROTO.TCP:
      if (!f.has(NETIF_F.TSO)) return true;
      return (skb.tcpFlags & TCPHDR.CWR) !== 0 && !f.has(NETIF_F.TSO_ECN);
    case IPPROTO.UDP:
      return !f.has(NETIF_F.GSO_UDP_L4);
    default:
      return true;
  }
}

/**
 * skb_gso_segment for TCPv4 (tcp_gso_segment): ceil(payload / gso_size)
 * segments. An skb that already fits one segment is returned unchanged.
 */
export function skbGsoSegment(skb: Skb): Skb[] | null {
  if (skb.protocol !== IPPROTO.TCP) return null;
  const mss = skb.gsoSize;
  const total = skb.payloadLen;
  if (mss === 0 || total <= mss) return [skb];
  const hdr = IPHDR_LEN + skb.l4HeaderLen;
  const n = Math.ceil(total / mss);
  // tcp_gso_segment clears FIN/PSH on all but the last and CWR on all but the first.
  const firstFlags = skb.tcpFlags & ~(TCPHDR.FIN | TCPHDR.PSH);
  const midFlags = firstFlags & ~TCPHDR.CWR;
  const lastFlags = skb.tcpFlags & ~TCPHDR.CWR;
  // inet_gso_segment: the IP ID increments per segment.
  const segs: Skb[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = skb.copyHeaders();
    const off = i * mss;
    const size = Math.min(mss, total - off);
    s.parts = [skb.id];
    s.seq = (skb.seq + off) >>> 0;
    s.payloadLen = size;
    s.len = hdr + size;
    s.ipId = (skb.ipId + i) & 0xffff;
    s.tcpFlags = i === n - 1 ? lastFlags : i === 0 ? firstFlags : midFlags;
    s.gsoSize = 0;
    s.gsoSegs = 0;
    s.truesize = 0;
    if (skb.data) s.data = skb.data.subarray(off, off + size);
    segs[i] = s;
  }
  return segs;
}

/** skb_gso_validate_network_len: every segment's IP length fits `mtu`. */
export function gsoSegmentsFit(skb: Skb, mtu: number): boolean {
  return IPHDR_LEN + skb.l4HeaderLen + skb.gsoSize <= mtu;
}
