// The socket buffer: one packet's parsed headers plus the kernel metadata that
// travels with it (include/linux/skbuff.h `struct sk_buff`). The model works on
// these parsed fields; src/wire emits and parses the bytes when a capture or a
// pcap replay needs them. Fields are plain numbers so every Skb has one shape.

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_HLEN = 14;

/**
 * IP protocol numbers (include/uapi/linux/in.h). Constants read per packet
 * are `const enum`s named by their kernel prefix (IPPROTO_TCP is IPPROTO.TCP),
 * which tsc writes as literals (ARCHITECTURE.md).
 */
export const enum IPPROTO {
  ICMP = 1,
  TCP = 6,
  UDP = 17,
}

export const IPHDR_LEN = 20;
export const UDPHDR_LEN = 8;
export const TCPHDR_LEN = 20;
export const ICMPHDR_LEN = 8;

/** IPv4 flag bits as they sit in frag_off (host order): IP_DF, IP_MF, IP_OFFSET (include/net/ip.h). */
export const enum IP {
  DF = 0x4000,
  MF = 0x2000,
  OFFSET = 0x1fff,
}

/** TCP header flag bits, TCPHDR_FIN ... TCPHDR_CWR (include/net/tcp.h). */
export const enum TCPHDR {
  FIN = 0x01,
  SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10,
  URG = 0x20,
  ECE = 0x40,
  CWR = 0x80,
}

/** skb->pkt_type (include/uapi/linux/if_packet.h). */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;

/** skb->ip_summed. */
export const CHECKSUM_NONE = 0;
export const CHECKSUM_UNNECESSARY = 1;
export const CHECKSUM_COMPLETE = 2;
export const CHECKSUM_PARTIAL = 3;

/** The flow a packet belongs to, as the trace names it. */
export const FLOW_INBOUND = 0;
export const FLOW_OUTBOUND = 1;
export const FLOW_FORWARD = 2;
export const FLOW_NAMES = ['inbound', 'outbound', 'forward'] as const;
export type FlowName = (typeof FLOW_NAMES)[number];

/** Header fields of the packet an ICMP error quotes (RFC 792: IP header + 8 bytes). */
export interface QuotedHeader {
  saddr: number;
  daddr: number;
  protocol: number;
  ttl: number;
  id: number;
  fragOff: number;
  totLen: number;
  sport: number;
  dport: number;
  /** TCP sequence number or ICMP id<<16|seq, from the quoted 8 bytes. */
  l4word: number;
}

/** TCP options carried by a segment; -1 means absent. */
export class TcpOptions {
  mss = -1;
  wscale = -1;
  sackOk = false;
  tsVal = -1;
  tsEcr = -1;
  /** SACK blocks as [start0, end0, start1, end1, ...]. */
  sack: number[] | null = null;
}

let nextSkbId = 1;

/** Test and run isolation: packet ids restart at 1 for each world. */
export function resetSkbIds(): void {
  nextSkbId = 1;
}

export class Skb {
  /** Packet id, stable for the packet's life; the trace's `skb`. */
  readonly id: number;
  /** Ids of the packets this one was merged from (GRO) or cut from (GSO, fragmentation). */
  parts: number[] | null = null;

  // --- metadata (struct sk_buff) ---
  /** ifindex of the device the packet is on (skb->dev), 0 if none. */
  ifindex = 0;
  /** ifindex it arrived on (skb->skb_iif). */
  iif = 0;
  pktType = PACKET_HOST;
  ipSummed = CHECKSUM_NONE;
  /** skb->hash (RSS/flow hash), 0 when unset. */
  hash = 0;
  mark = 0;
  priority = 0;
  /** Memory the packet charges to a socket (skb->truesize). */
  truesize = 0;
  /** CPU currently processing it. */
  cpu = 0;
  flow = FLOW_INBOUND;
  /** skb_shinfo(skb)->gso_size/gso_segs: non-zero on a TSO/GSO/GRO super-packet. */
  gsoSize = 0;
  gsoSegs = 0;
  /** Merged by LRO in the NIC (headers not preserved): must not be forwarded. */
  lro = false;
  /** Largest fragment seen when reassembled (IPCB->frag_max_size), 0 if not. */
  fragMaxSize = 0;
  /** Conntrack entry attached by nf_conntrack_in (skb->_nfct), owned by src/netfilter; the skb holds a reference. */
  nfct: NfConntrack | null = null;
  /** enum ip_conntrack_info for nfct, -1 when untracked. */
  ctinfo = -1;
  /** skb->nf_trace: set by the raw table's TRACE target; every rule traversed is then logged. */
  nfTrace = false;
  /** Owning socket on the send side (skb->sk), used for TSQ and error reporting. */
  sk: unknown = null;
  /** Creation time at its origin (ns); latency is measured from it. */
  tstamp = 0;
  /** When the NIC's DMA of this skb completes (RX write-back or TX fetch). */
  dmaReadyAt = 0;

  // --- Ethernet ---
  ethSrc = 0;
  ethDst = 0;
  ethProto = ETH_P_IP;

  // --- IPv4 ---
  saddr = 0;
  daddr = 0;
  protocol = 0;
  tos = 0;
  ttl = 64;
  ipId = 0;
  /** frag_off field: DF/MF flags and offset in 8-byte units. */
  fragOff = 0;
  /** IP total length, or the whole super-packet's length when gsoSize > 0. */
  len = 0;

  // --- L4 ---
  sport = 0;
  dport = 0;
  /** Application payload bytes carried above the L4 header. */
  payloadLen = 0;
  tcpFlags = 0;
  seq = 0;
  ackSeq = 0;
  window = 0;
  tcpOpts: TcpOptions | null = null;
  icmpType = 0;
  icmpCode = 0;
  /** Echo id and sequence, or the next-hop MTU of a frag-needed error in icmpSeq. */
  icmpId = 0;
  icmpSeq = 0;
  /** The header an ICMP error quotes. */
  quoted: QuotedHeader | null = null;
  /** ARP opcode (ARPOP_REQUEST 1, ARPOP_REPLY 2) when ethProto is ETH_P_ARP; saddr/daddr hold the sender/target IP. */
  arpOp = 0;
  /** Payload bytes when a real capture supplied them; null means zeros. */
  data: Uint8Array | null = null;

  constructor() {
    this.id = nextSkbId++;
  }

  get isFragment(): boolean {
    return (this.fragOff & (IP.MF | IP.OFFSET)) !== 0;
  }

  get df(): boolean {
    return (this.fragOff & IP.DF) !== 0;
  }

  /** Bytes on the Ethernet wire before FCS: IP length plus the 14-byte header. */
  get frameLen(): number {
    return this.len + ETH_HLEN;
  }

  /** Number of wire segments this skb stands for (tcp_skb_pcount / GRO segs). */
  get segs(): number {
    return this.gsoSegs > 0 ? this.gsoSegs : 1;
  }

  /** L4 header length for this packet's protocol. */
  get l4HeaderLen(): number {
    if (this.isFragment && (this.fragOff & IP.OFFSET) !== 0) return 0;
    switch (this.protocol) {
      case IPPROTO.TCP:
        return TCPHDR_LEN + tcpOptionsLen(this.tcpOpts);
      case IPPROTO.UDP:
        return UDPHDR_LEN;
      case IPPROTO.ICMP:
        return ICMPHDR_LEN;
      default:
        return 0;
    }
  }

  /** A header-for-header copy with a new id (skb_clone + copy for segmentation). */
  copyHeaders(): Skb {
    const c = new Skb();
    c.ifindex = this.ifindex; c.iif = this.iif; c.pktType = this.pktType; c.ipSummed = this.ipSummed;
    c.hash = this.hash; c.mark = this.mark; c.priority = this.priority; c.truesize = this.truesize;
    c.cpu = this.cpu; c.flow = this.flow; c.nfct = nfConntrackGet(this.nfct); c.ctinfo = this.ctinfo; c.nfTrace = this.nfTrace; c.sk = this.sk;
    c.tstamp = this.tstamp; c.ethSrc = this.ethSrc; c.ethDst = this.ethDst; c.ethProto = this.ethProto;
    c.saddr = this.saddr; c.daddr = this.daddr; c.protocol = this.protocol; c.tos = this.tos; c.ttl = this.ttl;
    c.ipId = this.ipId; c.fragOff = this.fragOff; c.len = this.len; c.sport = this.sport; c.dport = this.dport;
    c.payloadLen = this.payloadLen; c.tcpFlags = this.tcpFlags; c.seq = this.seq; c.ackSeq = this.ackSeq;
    c.window = this.window; c.tcpOpts = this.tcpOpts; c.icmpType = this.icmpType; c.icmpCode = this.icmpCode;
    c.icmpId = this.icmpId; c.icmpSeq = this.icmpSeq; c.quoted = this.quoted; c.data = this.data;
    c.arpOp = this.arpOp;
    return c;
  }
}

/**
 * struct nf_conntrack (include/linux/netfilter/nf_conntrack_common.h): the
 * part of a conntrack entry an skb sees, its reference count. Every skb that
 * points at an entry holds one reference; the table recycles an entry only
 * once it is dead and no packet holds it (nf_ct_put → nf_ct_destroy).
 */
export interface NfConntrack {
  use: number;
  /** nf_conntrack_destroy: called when the last reference goes. */
  destroy(): void;
}

/** nf_conntrack_get: take a reference for a new holder; returns the entry. */
export function nfConntrackGet(nfct: NfConntrack | null): NfConntrack | null {
  if (nfct !== null) nfct.use++;
  return nfct;
}

/**
 * nf_reset_ct (include/linux/skbuff.h): drop the skb's conntrack reference, as
 * freeing the skb (skb_release_head_state), delivering it to a socket, or
 * scrubbing it when it crosses into another host does.
 */
export function nfResetCt(skb: Skb): void {
  const nfct = skb.nfct;
  if (nfct !== null) {
    skb.nfct = null;
    if (--nfct.use === 0) nfct.destroy();
  }
  skb.ctinfo = -1;
}

/** Bytes the options take on the wire (tcp_options_write layout, a multiple of 4). */
export function tcpOptionsLen(o: TcpOptions | null): number {
  if (!o) return 0;
  let n = 0;
  if (o.mss >= 0) n += 4;
  if (o.tsVal >= 0) n += 12; // nop,nop,TS, or sackOK,TS: sackOK rides in the TS word
  else if (o.sackOk) n += 4;
  if (o.wscale >= 0) n += 4;
  if (o.sack && o.sack.length > 0) n += 4 + 4 * o.sack.length; // nop,nop,SACK + 8 per block
  return n;
}

/** The quoted header of `skb`, as an ICMP error about it carries. */
export function quoteHeader(skb: Skb): QuotedHeader {
  return {
    saddr: skb.saddr, daddr: skb.daddr, protocol: skb.protocol, ttl: skb.ttl, id: skb.ipId,
    fragOff: skb.fragOff, totLen: skb.len, sport: skb.sport, dport: skb.dport,
    l4word: skb.protocol === IPPROTO.TCP ? skb.seq : (skb.icmpId << 16) | skb.icmpSeq,
  };
}
