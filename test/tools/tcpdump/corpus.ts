// A varied capture corpus built from model Skbs: ARP, a TCP conversation with
// options, SACK, a TSO super-packet and a TX-offloaded checksum, UDP (DNS and a
// fragmented datagram), ICMP echo and errors. Shared by the filter and printer
// tests and the real-tcpdump comparison.

import { parseIpv4 } from '../../../src/model/inet.js';
import {
  CHECKSUM_NONE, CHECKSUM_PARTIAL, ETH_P_ARP, IP, IPPROTO, PACKET_HOST, PACKET_OUTGOING, quoteHeader, Skb, TCPHDR,
  TcpOptions, tcpOptionsLen,
} from '../../../src/model/skb.js';

export interface CorpusPacket {
  skb: Skb;
  tsNs: number;
  /** Emit with the TX-offload partial checksum. */
  csumPartial: boolean;
  ifname: string;
  direction: 'In' | 'Out';
}

const MAC_A = 0x020000000001;
const MAC_B = 0x020000000002;
const MAC_R = 0x0200000000fe;

function ip(text: string): number {
  const v = parseIpv4(text);
  if (v === null) throw new Error(`bad address ${text}`);
  return v;
}

function opts(o: Partial<TcpOptions>): TcpOptions {
  return Object.assign(new TcpOptions(), o);
}

interface TcpSpec {
  src: string; dst: string; sport: number; dport: number; flags: number; seq: number; ack: number; win: number;
  len?: number; o?: Partial<TcpOptions> | null; id?: number; gso?: number; tos?: number; ttl?: number; df?: boolean;
}

function tcp(s: TcpSpec): Skb {
  const skb = new Skb();
  skb.ethSrc = MAC_A; skb.ethDst = MAC_B;
  skb.saddr = ip(s.src); skb.daddr = ip(s.dst); skb.protocol = IPPROTO.TCP;
  skb.sport = s.sport; skb.dport = s.dport; skb.tcpFlags = s.flags; skb.seq = s.seq >>> 0; skb.ackSeq = s.ack >>> 0;
  skb.window = s.win; skb.tcpOpts = s.o ? opts(s.o) : null; skb.payloadLen = s.len ?? 0; skb.ipId = s.id ?? 0;
  skb.fragOff = s.df === false ? 0 : IP.DF; skb.tos = s.tos ?? 0; skb.ttl = s.ttl ?? 64;
  skb.len = 20 + 20 + tcpOptionsLen(skb.tcpOpts) + skb.payloadLen;
  if (s.gso) { skb.gsoSize = s.gso; skb.gsoSegs = Math.ceil(skb.payloadLen / s.gso); }
  return skb;
}

function udp(src: string, dst: string, sport: number, dport: number, len: number, id = 0x1234): Skb {
  const skb = new Skb();
  skb.ethSrc = MAC_A; skb.ethDst = MAC_B;
  skb.saddr = ip(src); skb.daddr = ip(dst); skb.protocol = IPPROTO.UDP; skb.sport = sport; skb.dport = dport;
  skb.payloadLen = len; skb.len = 28 + len; skb.ipId = id; skb.fragOff = IP.DF;
  return skb;
}

function icmp(src: string, dst: string, type: number, code: number, idv: number, seq: number, len: number, ttl = 64): Skb {
  const skb = new Skb();
  skb.ethSrc = MAC_B; skb.ethDst = MAC_A;
  skb.saddr = ip(src); skb.daddr = ip(dst); skb.protocol = IPPROTO.ICMP; skb.icmpType = type; skb.icmpCode = code;
  skb.icmpId = idv; skb.icmpSeq = seq; skb.payloadLen = len; skb.len = 28 + len; skb.ttl = ttl; skb.ipId = 0x4242;
  return skb;
}

function arp(op: number, src: string, dst: string): Skb {
  const skb = new Skb();
  skb.ethProto = ETH_P_ARP; skb.arpOp = op; skb.saddr = ip(src); skb.daddr = ip(dst);
  skb.ethSrc = op === 1 ? MAC_A : MAC_B; skb.ethDst = op === 1 ? 0xffffffffffff : MAC_A;
  skb.len = 28;
  return skb;
}

/** ICMP error from `router` about `orig` (icmp_send: the error quotes the offending header). */
function icmpError(router: string, orig: Skb, type: number, code: number, mtu = 0): Skb {
  const e = icmp(router, '0.0.0.0', type, code, 0, mtu, 28, 64);
  e.daddr = orig.saddr;
  e.quoted = quoteHeader(orig);
  e.tos = 0xc0;
  if (router !== '10.0.0.2') { e.ethSrc = MAC_R; }
  e.len = 20 + 8 + 28;
  return e;
}

const SYN_OPTS = { mss: 1460, sackOk: true, tsVal: 1000, tsEcr: 0, wscale: 7 };

/** The corpus, in capture order, 1 ms apart starting at 1.5 s of simulated time. */
export function buildCorpus(): CorpusPacket[] {
  const c = '10.0.0.1';
  const s = '10.0.0.2';
  const ISS = 0x9a3c_1f00;
  const IRS = 0x1000_0000;
  const pk: Array<[Skb, boolean?]> = [];
  pk.push([arp(1, c, s)], [arp(2, s, c)]);
  // TCP to https with full handshake, data, TSO super-packet, SACK, close.
  pk.push([tcp({ src: c, dst: s, sport: 45678, dport: 443, flags: TCPHDR.SYN, seq: ISS, ack: 0, win: 64240, o: SYN_OPTS, id: 0x1001 })]);
  pk.push([tcp({ src: s, dst: c, sport: 443, dport: 45678, flags: TCPHDR.SYN | TCPHDR.ACK, seq: IRS, ack: ISS + 1, win: 65160, o: { ...SYN_OPTS, tsVal: 2000, tsEcr: 1000 } })]);
  pk.push([tcp({ src: c, dst: s, sport: 45678, dport: 443, flags: TCPHDR.ACK, seq: ISS + 1, ack: IRS + 1, win: 502, o: { tsVal: 1001, tsEcr: 2000 }, id: 0x1002 })]);
  pk.push([tcp({ src: c, dst: s, sport: 45678, dport: 443, flags: TCPHDR.PSH | TCPHDR.ACK, seq: ISS + 1, ack: IRS + 1, win: 502, len: 517, o: { tsVal: 1002, tsEcr: 2000 }, id: 0x1003 }), true]);
  pk.push([tcp({ src: s, dst: c, sport: 443, dport: 45678, flags: TCPHDR.ACK, seq: IRS + 1, ack: ISS + 518, win: 506, o: { tsVal: 2001, tsEcr: 1002 } })]);
  pk.push([tcp({ src: s, dst: c, sport: 443, dport: 45678, flags: TCPHDR.PSH | TCPHDR.ACK, seq: IRS + 1, ack: ISS + 518, win: 506, len: 14480, gso: 1448, o: { tsVal: 2002, tsEcr: 1002 } }), true]);
  pk.push([tcp({ src: c, dst: s, sport: 45678, dport: 443, flags: TCPHDR.ACK, seq: ISS + 518, ack: IRS + 1449, win: 501, o: { tsVal: 1003, tsEcr: 2002, sack: [IRS + 2897, IRS + 14481] }, id: 0x1004 })]);
  pk.push([tcp({ src: c, dst: s, sport: 45678, dport: 443, flags: TCPHDR.FIN | TCPHDR.ACK, seq: ISS + 518, ack: IRS + 14481, win: 501, o: { tsVal: 1004, tsEcr: 2002 }, id: 0x1005 })]);
  pk.push([tcp({ src: s, dst: c, sport: 443, dport: 45678, flags: TCPHDR.FIN | TCPHDR.ACK, seq: IRS + 14481, ack: ISS + 519, win: 506, o: { tsVal: 2003, tsEcr: 1004 } })]);
  pk.push([tcp({ src: c, dst: s, sport: 45678, dport: 443, flags: TCPHDR.ACK, seq: ISS + 519, ack: IRS + 14482, win: 501, o: { tsVal: 1005, tsEcr: 2003 }, id: 0x1006 })]);
  // A refused connection to http: SYN without options, RST+ACK back.
  pk.push([tcp({ src: c, dst: s, sport: 40000, dport: 80, flags: TCPHDR.SYN, seq: 12345, ack: 0, win: 1024, o: { mss: 536 }, df: false, tos: 0x10 })]);
  pk.push([tcp({ src: s, dst: c, sport: 80, dport: 40000, flags: TCPHDR.RST | TCPHDR.ACK, seq: 0, ack: 12346, win: 0 })]);
  // ssh from another net, with URG and a lone RST.
  pk.push([tcp({ src: '192.168.1.7', dst: s, sport: 50022, dport: 22, flags: TCPHDR.PSH | TCPHDR.ACK | TCPHDR.URG, seq: 7, ack: 9, win: 1000, len: 48, ttl: 63 })]);
  pk.push([tcp({ src: s, dst: '192.168.1.7', sport: 22, dport: 50022, flags: TCPHDR.RST, seq: 9, ack: 0, win: 0 })]);
  // DNS query and answer, and a UDP to a high port.
  pk.push([udp(c, '10.0.0.53', 53000, 53, 40)], [udp('10.0.0.53', c, 53, 53000, 120)]);
  pk.push([udp(c, s, 5000, 6000, 100), true]);
  // A 3000-byte UDP datagram fragmented at MTU 1500 (ip_do_fragment: 1480/1480/48).
  for (const [off, flen, mf] of [[0, 1480, true], [1480, 1480, true], [2960, 48, false]] as const) {
    const f = udp(c, s, 4000, 9999, 3000, 0x7777);
    f.fragOff = (mf ? IP.MF : 0) | (off / 8);
    f.len = 20 + flen;
    pk.push([f]);
  }
  // ICMP echo both ways, then errors.
  pk.push([icmp(c, s, 8, 0, 0x2a, 1, 56)], [icmp(s, c, 0, 0, 0x2a, 1, 56)]);
  const dnsToClosed = udp(c, s, 33333, 53, 12, 0x5555);
  pk.push([dnsToClosed], [icmpError(s, dnsToClosed, 3, 3)]);
  const big = tcp({ src: c, dst: '172.16.5.5', sport: 45000, dport: 8080, flags: TCPHDR.ACK, seq: 1, ack: 1, win: 500, len: 1448, id: 0x99 });
  pk.push([big], [icmpError('10.0.0.254', big, 3, 4, 1400)]);
  const ttl1 = udp(c, '172.16.5.5', 33434, 33435, 32, 0x6001);
  ttl1.ttl = 1;
  pk.push([ttl1], [icmpError('10.0.0.254', ttl1, 11, 0)]);
  pk.push([icmpError('10.0.0.254', ttl1, 3, 0)], [icmpError('10.0.0.254', ttl1, 3, 1)]);
  const out: CorpusPacket[] = [];
  pk.forEach(([skb, partial], i) => {
    skb.ipSummed = partial ? CHECKSUM_PARTIAL : CHECKSUM_NONE;
    skb.pktType = i % 3 === 0 ? PACKET_OUTGOING : PACKET_HOST;
    out.push({ skb, tsNs: 1_500_000_000 + i * 1_000_123, csumPartial: partial ?? false, ifname: i % 2 ? 'eth0' : 'eth1', direction: skb.pktType === PACKET_OUTGOING ? 'Out' : 'In' });
  });
  return out;
}
