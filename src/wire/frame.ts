// Whole frames: the model's Skb to the bytes a capture tap sees, and back.
// emitFrame is what af_packet's tap copies (dev_queue_xmit_nit on TX,
// __netif_receive_skb_core's ptype_all walk on RX); parseFrame lets a pcap
// taken on a real host be replayed into the model.

import {
  CHECKSUM_NONE, CHECKSUM_PARTIAL, ETH_HLEN, ETH_P_ARP, ETH_P_IP, ICMPHDR_LEN, IP, IPHDR_LEN, IPPROTO, Skb, TCPHDR_LEN,
  UDPHDR_LEN,
} from '../model/skb.js';
import { ARP_LEN, ARPHRD_ETHER, ARPOP_REPLY, emitArp, parseArp } from './arp.js';
import { checksumOf, onesSum, partialChecksum, pseudoHeaderSum, writeU16 } from './checksum.js';
import { WireError } from './error.js';
import { emitEthernet, parseEthernet, readMac } from './ethernet.js';
import { emitIcmp, emitQuoted, icmpIsError, parseIcmp, parseQuoted, QUOTED_LEN } from './icmp.js';
import { emitIpv4, parseIpv4 } from './ipv4.js';
import { SLL_HDR_LEN, emitSll, parseSll } from './sll.js';
import { emitTcp, parseTcp, tcpOptionsWireLen } from './tcp.js';
import { emitUdp, parseUdp } from './udp.js';

/** libpcap link types (pcap/dlt.h, LINKTYPE_*). */
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;

export interface EmitOptions {
  /**
   * TX checksum offload: the skb is CHECKSUM_PARTIAL where the tap copies it,
   * so its L4 checksum field holds only the pseudo-header sum the NIC will finish.
   */
  csumPartial?: boolean;
}

/** The IP total length the frame carries: skb.len, or what the headers and payload add up to. */
function ipTotalLen(skb: Skb): number {
  if (skb.len > 0) return skb.len;
  let body = skb.payloadLen;
  if (skb.protocol === IPPROTO.ICMP && skb.quoted && body < QUOTED_LEN) body = QUOTED_LEN;
  return IPHDR_LEN + (skb.protocol === IPPROTO.TCP ? TCPHDR_LEN + tcpOptionsWireLen(skb.tcpOpts) : skb.l4HeaderLen) + body;
}

/** Ethernet II + IPv4 + TCP/UDP/ICMP (or ARP) bytes of `skb`; one frame even for a GSO/GRO super-packet. */
export function emitFrame(skb: Skb, opts: EmitOptions = {}): Uint8Array {
  if (skb.ethProto === ETH_P_ARP) {
    const b = new Uint8Array(ETH_HLEN + ARP_LEN);
    emitEthernet(b, 0, { dst: skb.ethDst, src: skb.ethSrc, ethertype: ETH_P_ARP });
    emitArp(b, ETH_HLEN, { op: skb.arpOp, sha: skb.ethSrc, spa: skb.saddr, tha: skb.arpOp === ARPOP_REPLY ? skb.ethDst : 0, tpa: skb.daddr });
    return b;
  }
  const totLen = ipTotalLen(skb);
  const b = new Uint8Array(ETH_HLEN + totLen);
  emitEthernet(b, 0, { dst: skb.ethDst, src: skb.ethSrc, ethertype: skb.ethProto });
  emitIpv4(b, ETH_HLEN, { tos: skb.tos, totLen, id: skb.ipId, fragOff: skb.fragOff, ttl: skb.ttl, protocol: skb.protocol, saddr: skb.saddr, daddr: skb.daddr });
  const l4 = ETH_HLEN + IPHDR_LEN;
  const end = b.length;
  if ((skb.fragOff & IP.OFFSET) !== 0) {
    // A later fragment: no L4 header, only a slice of the datagram's bytes.
    if (skb.data) b.set(skb.data.subarray(0, end - l4), l4);
    return b;
  }
  const firstFragment = skb.isFragment;
  let hdr = 0;
  let l4len = totLen - IPHDR_LEN;
  switch (skb.protocol) {
    case IPPROTO.TCP:
      hdr = emitTcp(b, l4, { sport: skb.sport, dport: skb.dport, seq: skb.seq, ack: skb.ackSeq, flags: skb.tcpFlags, window: skb.window, check: 0, urgPtr: 0, opts: skb.tcpOpts });
      break;
    case IPPROTO.UDP:
      if (firstFragment) l4len = UDPHDR_LEN + skb.payloadLen; // the checksum covers the whole datagram
      hdr = emitUdp(b, l4, { sport: skb.sport, dport: skb.dport, len: l4len, check: 0 });
      break;
    case IPPROTO.ICMP:
      hdr = emitIcmp(b, l4, { type: skb.icmpType, code: skb.icmpCode, check: 0, id: skb.icmpId, seq: skb.icmpSeq });
      if (skb.quoted && icmpIsError(skb.icmpType) && end - (l4 + hdr) >= QUOTED_LEN) {
        emitQuoted(b, l4 + hdr, skb.quoted);
        hdr += QUOTED_LEN;
      }
      break;
    default:
      break;
  }
  if (skb.data && end > l4 + hdr) b.set(skb.data.subarray(0, end - l4 - hdr), l4 + hdr);
  // Bytes of a first fragment beyond this frame are zeros unless data was given, so
  // summing what we hold is the datagram's sum (zeros add nothing).
  const l4Bytes = end - l4;
  const sumBytes = firstFragment && skb.data ? Math.min(l4Bytes, l4len) : l4Bytes;
  if (skb.protocol === IPPROTO.TCP || skb.protocol === IPPROTO.UDP) {
    const checkOff = l4 + (skb.protocol === IPPROTO.TCP ? 16 : 6);
    let check: number;
    if (opts.csumPartial) {
      check = partialChecksum(skb.saddr, skb.daddr, skb.protocol, l4len);
    } else {
      check = checksumOf(onesSum(b, l4, sumBytes, pseudoHeaderSum(skb.saddr, skb.daddr, skb.protocol, l4len)));
      if (check === 0 && skb.protocol === IPPROTO.UDP) check = 0xffff; // RFC 768: 0 means "no checksum"
    }
    writeU16(b, checkOff, check);
  } else if (skb.protocol === IPPROTO.ICMP) {
    writeU16(b, l4 + 2, checksumOf(onesSum(b, l4, sumBytes)));
  }
  return b;
}

export interface ParseOptions {
  /** LINKTYPE_ETHERNET (default) or LINKTYPE_LINUX_SLL. */
  linktype?: number;
  /** Refuse wrong IP and L4 checksums (a checksum equal to the pseudo-header sum is CHECKSUM_PARTIAL, not wrong). */
  verifyChecksums?: boolean;
}

function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Parses captured bytes into an Skb. The capture may be cut short by the snaplen:
 * the headers must be whole, the payload may stop early (the rest reads as zeros).
 */
export function parseFrame(bytes: Uint8Array, opts: ParseOptions = {}): Skb | WireError {
  const skb = new Skb();
  let off: number;
  if ((opts.linktype ?? LINKTYPE_ETHERNET) === LINKTYPE_LINUX_SLL) {
    const sll = parseSll(bytes, 0);
    if (sll instanceof WireError) return sll;
    skb.pktType = sll.pktType;
    skb.ethSrc = sll.addr;
    skb.ethProto = sll.protocol;
    off = SLL_HDR_LEN;
  } else if ((opts.linktype ?? LINKTYPE_ETHERNET) === LINKTYPE_ETHERNET) {
    const eth = parseEthernet(bytes, 0);
    if (eth instanceof WireError) return eth;
    skb.ethDst = eth.dst;
    skb.ethSrc = eth.src;
    skb.ethProto = eth.ethertype;
    off = ETH_HLEN;
  } else {
    return new WireError('Unsupported', 0, `link type ${opts.linktype} is not Ethernet or Linux cooked`);
  }
  if (skb.ethProto === ETH_P_ARP) {
    const arp = parseArp(bytes, off);
    if (arp instanceof WireError) return arp;
    skb.arpOp = arp.op;
    skb.saddr = arp.spa;
    skb.daddr = arp.tpa;
    skb.len = ARP_LEN;
    return skb;
  }
  if (skb.ethProto !== ETH_P_IP) {
    return new WireError('Unsupported', off - 2, `ethertype 0x${skb.ethProto.toString(16).padStart(4, '0')} is not IPv4 or ARP`);
  }
  const ip = parseIpv4(bytes, off, { verifyChecksum: opts.verifyChecksums });
  if (ip instanceof WireError) return ip;
  skb.tos = ip.tos; skb.len = ip.totLen; skb.ipId = ip.id; skb.fragOff = ip.fragOff; skb.ttl = ip.ttl;
  skb.protocol = ip.protocol; skb.saddr = ip.saddr; skb.daddr = ip.daddr;
  const l4 = off + ip.hdrLen;
  // Bytes of this IP packet present in the capture (ignores Ethernet padding after tot_len).
  const ipEnd = Math.min(bytes.length, off + ip.totLen);
  const view = bytes.subarray(0, ipEnd);
  if ((ip.fragOff & IP.OFFSET) !== 0) {
    skb.payloadLen = ip.totLen - ip.hdrLen;
    const d = view.subarray(l4);
    skb.data = d.length > 0 && !allZero(d) ? d.slice() : null;
    return skb;
  }
  const complete = ipEnd === off + ip.totLen && !skb.isFragment;
  let hdr = 0;
  let check = -1;
  let l4len = ip.totLen - ip.hdrLen;
  switch (ip.protocol) {
    case IPPROTO.TCP: {
      const t = parseTcp(view, l4);
      if (t instanceof WireError) return t;
      skb.sport = t.sport; skb.dport = t.dport; skb.seq = t.seq; skb.ackSeq = t.ack; skb.tcpFlags = t.flags;
      skb.window = t.window; skb.tcpOpts = t.opts;
      hdr = t.hdrLen; check = t.check;
      skb.payloadLen = Math.max(0, l4len - hdr);
      break;
    }
    case IPPROTO.UDP: {
      const u = parseUdp(view, l4);
      if (u instanceof WireError) return u;
      skb.sport = u.sport; skb.dport = u.dport;
      hdr = UDPHDR_LEN; check = u.check; l4len = u.len;
      skb.payloadLen = u.len - UDPHDR_LEN;
      break;
    }
    case IPPROTO.ICMP: {
      const c = parseIcmp(view, l4);
      if (c instanceof WireError) return c;
      skb.icmpType = c.type; skb.icmpCode = c.code; skb.icmpId = c.id; skb.icmpSeq = c.seq;
      hdr = ICMPHDR_LEN; check = c.check;
      if (icmpIsError(c.type)) {
        const q = parseQuoted(view, l4 + ICMPHDR_LEN);
        if (q instanceof WireError) return q;
        skb.quoted = q;
        hdr += QUOTED_LEN;
      }
      skb.payloadLen = Math.max(0, l4len - ICMPHDR_LEN);
      break;
    }
    default:
      skb.payloadLen = l4len;
      break;
  }
  if (opts.verifyChecksums && complete && check >= 0) {
    const wrong = checksumError(view, l4, ip.totLen - ip.hdrLen, skb, check);
    if (wrong === 'partial') skb.ipSummed = CHECKSUM_PARTIAL;
    else if (wrong) return wrong;
  } else if (complete && check >= 0 && ip.protocol !== IPPROTO.ICMP && check === partialChecksum(ip.saddr, ip.daddr, ip.protocol, l4len)) {
    skb.ipSummed = CHECKSUM_PARTIAL;
  } else {
    skb.ipSummed = CHECKSUM_NONE;
  }
  const d = view.subarray(Math.min(view.length, l4 + hdr));
  skb.data = d.length > 0 && !allZero(d) ? d.slice() : null;
  return skb;
}

/** Null when the L4 checksum is right, 'partial' when it holds only the pseudo-header sum. */
function checksumError(b: Uint8Array, l4: number, l4len: number, skb: Skb, check: number): WireError | 'partial' | null {
  if (skb.protocol === IPPROTO.ICMP) {
    return checksumOf(onesSum(b, l4, l4len)) === 0 ? null : new WireError('BadChecksum', l4 + 2, `ICMP checksum 0x${hex4(check)} is wrong`);
  }
  if (skb.protocol === IPPROTO.UDP && check === 0) return null;
  if (check === partialChecksum(skb.saddr, skb.daddr, skb.protocol, l4len)) return 'partial';
  if (checksumOf(onesSum(b, l4, l4len, pseudoHeaderSum(skb.saddr, skb.daddr, skb.protocol, l4len))) === 0) return null;
  const name = skb.protocol === IPPROTO.TCP ? 'TCP' : 'UDP';
  return new WireError('BadChecksum', l4 + (skb.protocol === IPPROTO.TCP ? 16 : 6), `${name} checksum 0x${hex4(check)} is wrong`);
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

/**
 * The same packet as a packet socket bound to `any` sees it: the Ethernet header
 * replaced by a Linux cooked header carrying pkt_type, the sender's MAC and the
 * protocol (packet_rcv with SOCK_DGRAM semantics, libpcap's LINKTYPE_LINUX_SLL).
 */
export function ethernetToSll(frame: Uint8Array, pktType: number): Uint8Array {
  const out = new Uint8Array(SLL_HDR_LEN + frame.length - ETH_HLEN);
  const src = frame.length >= 12 ? readMac(frame, 6) : 0;
  emitSll(out, 0, { pktType, hatype: ARPHRD_ETHER, halen: 6, addr: src, protocol: frame.length >= ETH_HLEN ? (frame[12]! << 8) | frame[13]! : 0 });
  out.set(frame.subarray(ETH_HLEN), SLL_HDR_LEN);
  return out;
}
