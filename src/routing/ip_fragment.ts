// IPv4 fragmentation on output (net/ipv4/ip_output.c: __ip_finish_output,
// ip_finish_output_gso, ip_fragment, ip_do_fragment).
//
// API (all bump the sender's MIB themselves: FragOKs +1 per datagram,
// FragCreates +1 per fragment, FragFails on refusal):
//   ipNeedsFragment(skb, mtu)          the __ip_finish_output test
//   ipFragment(skb, mtu, mib, ignoreDf) DF check, then ip_do_fragment
//   ipDoFragment(skb, mtu, mib)        the fragments (no DF check)
//   ipFinishOutputGso(skb, mtu, mib)   a GSO skb: whole if its segments fit,
//                                      else segmented and each segment fragmented
// A refusal returns { ok: false, reason: PKT_TOO_BIG, mtu }: the caller sends
// ICMP 3/4 carrying `mtu` (or EMSGSIZE for a local sender) and frees the skb.
//
// Fragments are new Skbs with `parts = [original id]`. Every fragment but the
// last carries ⌊(mtu − 20)/8⌋·8 bytes of IP payload; frag_off holds the
// offset in 8-byte units and MF on all but the last. Later fragments keep the
// Skb's port fields, but a non-zero offset tells every reader (l4HeaderLen,
// tcpdump, matches) that they carry no L4 header. The model has no IP
// options, so ihl is always 5.

import { DropReason, type DropReasonCode } from '../model/drop_reason.js';
import { IP, IPHDR_LEN, type Skb } from '../model/skb.js';
import { MIB, type SnmpCounters } from '../model/snmp.js';
import { gsoSegmentsFit, skbGsoSegment } from '../nic/gso.js';

export type IpFragmentResult =
  | { ok: true; skbs: Skb[] }
  | { ok: false; reason: DropReasonCode; mtu: number };

/** __ip_finish_output: a non-GSO skb longer than mtu, or a reassembled one (frag_max_size), is fragmented. */
export function ipNeedsFragment(skb: Skb, mtu: number): boolean {
  return skb.gsoSize === 0 && (skb.len > mtu || skb.fragMaxSize !== 0);
}

/**
 * ip_fragment: DF forbids fragmenting unless ignore_df is set (and a
 * reassembled packet's largest fragment still fits).
 */
export function ipFragment(skb: Skb, mtu: number, mib: SnmpCounters, ignoreDf = false): IpFragmentResult {
  if ((skb.fragOff & IP.DF) !== 0 && (!ignoreDf || (skb.fragMaxSize !== 0 && skb.fragMaxSize > mtu))) {
    mib.v[MIB.IpFragFails]++;
    return { ok: false, reason: DropReason.PKT_TOO_BIG, mtu };
  }
  return { ok: true, skbs: ipDoFragment(skb, mtu, mib) };
}

/**
 * ip_do_fragment (slow path; the frag_list fast path yields the same
 * fragments). A reassembled skb is cut to its largest received fragment
 * (frag_max_size) when that is smaller than mtu; a fragment being
 * re-fragmented keeps its own offset and MF.
 */
export function ipDoFragment(skb: Skb, mtu: number, mib: SnmpCounters): Skb[] {
  if (skb.fragMaxSize !== 0 && skb.fragMaxSize < mtu) mtu = skb.fragMaxSize;
  const room = mtu - IPHDR_LEN;
  const l4h = skb.l4HeaderLen;
  const baseOffset = (skb.fragOff & IP.OFFSET) << 3;
  const notLastFrag = skb.fragOff & IP.MF;
  // IPSKB_FRAG_PMTU: a reassembled DF datagram keeps DF on its fragments.
  const df = skb.fragOff & IP.DF;
  let left = skb.len - IPHDR_LEN;
  let offset = 0;
  const frags: Skb[] = [];
  while (left > 0) {
    let chunk = left;
    if (chunk > room) chunk = room;
    if (chunk < left) chunk &= ~7;
    const f = skb.copyHeaders();
    f.parts = [skb.id];
    f.len = IPHDR_LEN + chunk;
    left -= chunk;
    f.fragOff = df | ((baseOffset + offset) >> 3) | (left > 0 || notLastFrag ? IP.MF : 0);
    // Application bytes in this slice of the IP payload, past the L4 header.
    const appStart = Math.max(0, offset - l4h);
    const appEnd = Math.max(0, offset + chunk - l4h);
    f.payloadLen = appEnd - appStart;
    if (skb.data) f.data = skb.data.subarray(appStart, appEnd);
    f.fragMaxSize = 0;
    f.truesize = 0;
    offset += chunk;
    frags.push(f);
    mib.v[MIB.IpFragCreates]++;
  }
  mib.v[MIB.IpFragOKs]++;
  return frags;
}

/**
 * ip_finish_output_gso: the common case passes the GSO skb whole; when a
 * forwarded super-packet's segments exceed mtu it is segmented in software
 * and each segment goes through ip_fragment.
 */
export function ipFinishOutputGso(skb: Skb, mtu: number, mib: SnmpCounters): IpFragmentResult {
  if (gsoSegmentsFit(skb, mtu)) return { ok: true, skbs: [skb] };
  const segs = skbGsoSegment(skb);
  if (!segs) return { ok: false, reason: DropReason.SKB_GSO_SEG, mtu };
  const out: Skb[] = [];
  // Every segment goes through ip_fragment, even one that fits (it becomes a
  // single unflagged "fragment"). A DF segment is refused; ip_forward has
  // normally refused DF super-packets before this point (ip_exceeds_mtu).
  for (const s of segs) {
    const r = ipFragment(s, mtu, mib);
    if (!r.ok) return r;
    for (const f of r.skbs) out.push(f);
  }
  return { ok: true, skbs: out };
}
