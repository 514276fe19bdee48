// The packet text the LOG and TRACE targets print (net/netfilter/nf_log_syslog.c
// nf_log_ip_packet → dump_mac_header, dump_ipv4_packet, nf_log_dump_tcp_header,
// nf_log_dump_udp_header). Field order, spacing and the trailing space are the
// kernel's, so simulated `dmesg` lines read like real ones.

import type { Skb, TcpOptions } from '../../model/skb.js';
import { IP, IPPROTO, TCPHDR, tcpOptionsLen } from '../../model/skb.js';
import { formatIpv4, formatMac } from '../../model/inet.js';

/** NF_LOG_* flags (include/uapi/linux/netfilter/nf_log.h). */
export const NF_LOG_TCPSEQ = 0x01;
export const NF_LOG_TCPOPT = 0x02;
export const NF_LOG_IPOPT = 0x04;
export const NF_LOG_UID = 0x08;
export const NF_LOG_MACDECODE = 0x20;
/** NF_LOG_DEFAULT_MASK: what TRACE logs. */
export const NF_LOG_DEFAULT_MASK = 0x0f;

const IP_CE = 0x8000;
const ICMP_DEST_UNREACH = 3;
const ICMP_FRAG_NEEDED = 4;

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}

/** The option bytes tcp_options_write lays out, for `OPT (...)`. */
export function tcpOptionBytes(o: TcpOptions): number[] {
  const b: number[] = [];
  if (o.mss >= 0) b.push(2, 4, (o.mss >> 8) & 255, o.mss & 255);
  const word = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  if (o.tsVal >= 0) {
    b.push(...(o.sackOk ? [4, 2] : [1, 1]), 8, 10, ...word(o.tsVal), ...word(Math.max(o.tsEcr, 0)));
  } else if (o.sackOk) {
    b.push(1, 1, 4, 2);
  }
  if (o.wscale >= 0) b.push(1, 3, 3, o.wscale);
  if (o.sack) {
    b.push(1, 1, 5, 2 + 4 * o.sack.length);
    for (const v of o.sack) b.push(...word(v));
  }
  while (b.length < tcpOptionsLen(o)) b.push(1);
  return b;
}

/** dump_ipv4_packet for the packet itself (iphoff 0) or the header an ICMP error quotes. */
function dumpIpv4(skb: Skb, logflags: number, quoted: boolean): string {
  const q = quoted ? skb.quoted! : null;
  const saddr = q ? q.saddr : skb.saddr;
  const daddr = q ? q.daddr : skb.daddr;
  const len = q ? q.totLen : skb.len;
  const tos = q ? 0 : skb.tos;
  const ttl = q ? q.ttl : skb.ttl;
  const id = q ? q.id : skb.ipId;
  const fragOff = q ? q.fragOff : skb.fragOff;
  const proto = q ? q.protocol : skb.protocol;
  let s = `SRC=${formatIpv4(saddr)} DST=${formatIpv4(daddr)} `;
  s += `LEN=${len} TOS=0x${hex2(tos & 0x1e).toUpperCase()} PREC=0x${hex2(tos & 0xe0).toUpperCase()} TTL=${ttl} ID=${id} `;
  if (fragOff & IP_CE) s += 'CE ';
  if (fragOff & IP.DF) s += 'DF ';
  if (fragOff & IP.MF) s += 'MF ';
  if (fragOff & IP.OFFSET) s += `FRAG:${fragOff & IP.OFFSET} `;
  const fragment = (fragOff & IP.OFFSET) !== 0;
  switch (proto) {
    case IPPROTO.TCP: {
      s += 'PROTO=TCP ';
      if (fragment) break;
      s += `SPT=${q ? q.sport : skb.sport} DPT=${q ? q.dport : skb.dport} `;
      if (q) {
        // An ICMP error quotes only 8 bytes of TCP: the ports and the sequence number.
        s += `SEQ=${q.l4word >>> 0} `;
        break;
      }
      if (logflags & NF_LOG_TCPSEQ) s += `SEQ=${skb.seq >>> 0} ACK=${skb.ackSeq >>> 0} `;
      s += `WINDOW=${skb.window} RES=0x00 `;
      const f = skb.tcpFlags;
      if (f & TCPHDR.CWR) s += 'CWR ';
      if (f & TCPHDR.ECE) s += 'ECE ';
      if (f & TCPHDR.URG) s += 'URG ';
      if (f & TCPHDR.ACK) s += 'ACK ';
      if (f & TCPHDR.PSH) s += 'PSH ';
      if (f & TCPHDR.RST) s += 'RST ';
      if (f & TCPHDR.SYN) s += 'SYN ';
      if (f & TCPHDR.FIN) s += 'FIN ';
      s += 'URGP=0 ';
      if (logflags & NF_LOG_TCPOPT && skb.tcpOpts && tcpOptionsLen(skb.tcpOpts) > 0) {
        s += 'OPT (' + tcpOptionBytes(skb.tcpOpts).map((v) => hex2(v).toUpperCase()).join('') + ') ';
      }
      break;
    }
    case IPPROTO.UDP: {
      s += 'PROTO=UDP ';
      if (fragment) break;
      if (q) {
        s += `SPT=${q.sport} DPT=${q.dport} LEN=${(q.l4word >>> 16) || q.totLen - 20} `;
        break;
      }
      s += `SPT=${skb.sport} DPT=${skb.dport} LEN=${skb.len - 20} `;
      break;
    }
    case IPPROTO.ICMP: {
      s += 'PROTO=ICMP ';
      if (fragment) break;
      if (q) {
        s += `TYPE=${(q.l4word >>> 24) & 255} CODE=${(q.l4word >>> 16) & 255} `;
        break;
      }
      s += `TYPE=${skb.icmpType} CODE=${skb.icmpCode} `;
      switch (skb.icmpType) {
        case 0:
        case 8:
          s += `ID=${skb.icmpId} SEQ=${skb.icmpSeq} `;
          break;
        case ICMP_DEST_UNREACH:
        case 4:
        case 11:
          if (skb.quoted) s += '[' + dumpIpv4(skb, logflags, true) + '] ';
          if (skb.icmpType === ICMP_DEST_UNREACH && skb.icmpCode === ICMP_FRAG_NEEDED) s += `MTU=${skb.icmpSeq} `;
          break;
      }
      break;
    }
    default:
      s += `PROTO=${proto} `;
  }
  if (!q && skb.mark) s += `MARK=0x${(skb.mark >>> 0).toString(16)} `;
  return s;
}

/**
 * nf_log_ip_packet: `<prefix>IN=eth0 OUT= MAC=... SRC=...`, with the MAC
 * header only when the packet came in on a device.
 */
export function nfLogIpPacket(skb: Skb, prefix: string, inDev: string, outDev: string, logflags: number): string {
  let s = `${prefix}IN=${inDev} OUT=${outDev} `;
  if (inDev !== '') {
    if (logflags & NF_LOG_MACDECODE) {
      s += `MACSRC=${formatMac(skb.ethSrc)} MACDST=${formatMac(skb.ethDst)} MACPROTO=${skb.ethProto.toString(16).padStart(4, '0')} `;
    } else {
      s += `MAC=${formatMac(skb.ethDst)}:${formatMac(skb.ethSrc)}:${hex2(skb.ethProto >> 8)}:${hex2(skb.ethProto & 255)} `;
    }
  }
  return s + dumpIpv4(skb, logflags, false);
}
