// ICMP (net/ipv4/icmp.c): icmp_send builds an error about a packet — never
// about an ICMP error, a non-first fragment or a broadcast — rate-limited per
// destination with the inet_peer token bucket (icmp_ratelimit, burst of 6
// tokens) and globally (icmp_msgs_per_sec / icmp_msgs_burst); icmp_rcv counts
// and answers echo requests and passes errors to the socket they concern.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { ICMPHDR_LEN, IP, IPHDR_LEN, IPPROTO, nfResetCt, PACKET_HOST, quoteHeader, type Skb } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { formatIpv4 } from '../model/inet.js';
import { ipLocalOut, ipRouteOutput, routeSource } from './ip_output.js';
import { HZ, NSEC_PER_JIFFY, NSEC_PER_MSEC, jiffiesOf } from '../model/time.js';
import { allocLocalSkb } from '../model/skb_alloc.js';
import {
  ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHOREPLY, ICMP_EXC_FRAGTIME, ICMP_FRAG_NEEDED, ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH, ICMP_PKT_FILTERED, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, ICMP_TIME_EXCEEDED,
  icmpIsErr as isIcmpError,
} from '../model/icmp.js';

export {
  ICMP_ECHOREPLY, ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_ECHO, ICMP_TIME_EXCEEDED,
  ICMP_PARAMETERPROB, ICMP_NET_UNREACH, ICMP_HOST_UNREACH, ICMP_PROT_UNREACH, ICMP_PORT_UNREACH, ICMP_FRAG_NEEDED,
  ICMP_NET_ANO, ICMP_HOST_ANO, ICMP_PKT_FILTERED, ICMP_EXC_TTL, ICMP_EXC_FRAGTIME, icmpIsErr as isIcmpError,
} from '../model/icmp.js';

/** RFC 1812: an error quotes as much of the original as fits in 576 bytes. */
const ICMP_ERROR_MAX = 576;
/** XRLIM_BURST_FACTOR (net/ipv4/inetpeer.c). */
const XRLIM_BURST_FACTOR = 6;


const OUT_COUNTER: Record<number, number> = {
  [ICMP_DEST_UNREACH]: MIB.IcmpOutDestUnreachs,
  [ICMP_TIME_EXCEEDED]: MIB.IcmpOutTimeExcds,
  [ICMP_ECHO]: MIB.IcmpOutEchos,
  [ICMP_ECHOREPLY]: MIB.IcmpOutEchoReps,
};
const IN_COUNTER: Record<number, number> = {
  [ICMP_DEST_UNREACH]: MIB.IcmpInDestUnreachs,
  [ICMP_TIME_EXCEEDED]: MIB.IcmpInTimeExcds,
  [ICMP_ECHO]: MIB.IcmpInEchos,
  [ICMP_ECHOREPLY]: MIB.IcmpInEchoReps,
};

/** icmp_send / __icmp_send: an ICMP error about `skbIn`, sent back to its source. */
export function icmpSend(host: Host, cpu: Cpu, skbIn: Skb, type: number, code: number, info: number): void {
  if (skbIn.pktType !== PACKET_HOST) return;
  if ((skbIn.fragOff & IP.OFFSET) !== 0) return;
  if (skbIn.protocol === IPPROTO.ICMP && isIcmpError(skbIn.icmpType)) return;
  const mib = host.snmp.v;
  const now = cpu.now;
  if (!icmpGlobalAllow(host, now)) {
    mib[MIB.IcmpOutRateLimitGlobal!]++;
    return;
  }
  const mask = host.sysctl.get('net.ipv4.icmp_ratemask');
  if ((mask >> type) & 1 && !icmpPeerAllow(host, skbIn.saddr, now)) {
    mib[MIB.IcmpOutRateLimitHost]++;
    if (host.tr.on) host.tr.stage(now, host.name, cpu.id, host.devName(skbIn.ifindex) || undefined, skbIn, Stage.ICMP_ERROR,
      `ICMP type ${type} code ${code} to ${formatIpv4(skbIn.saddr)} suppressed by icmp_ratelimit`);
    return;
  }
  const rt = ipRouteOutput(host, skbIn.saddr);
  if (!rt) return;
  cpu.charge(host.costs.icmp_send);
  const inDev = host.devices[skbIn.ifindex];
  // The reply comes from the address the packet arrived on when it has one (icmp_send's saddr choice).
  const saddr = (inDev && inDev.addrs.length > 0 && !host.isLocalAddr(skbIn.daddr)) ? inDev.addrs[0]!.addr
    : host.isLocalAddr(skbIn.daddr) ? skbIn.daddr : routeSource(host, rt, skbIn.saddr);
  const skb = allocLocalSkb(host, cpu, saddr, skbIn.saddr, IPPROTO.ICMP);
  skb.tos = 0xc0;
  skb.icmpType = type;
  skb.icmpCode = code;
  skb.icmpSeq = info;
  skb.quoted = quoteHeader(skbIn);
  const quotedLen = Math.min(skbIn.len, ICMP_ERROR_MAX - IPHDR_LEN - ICMPHDR_LEN);
  skb.payloadLen = quotedLen;
  skb.len = IPHDR_LEN + ICMPHDR_LEN + quotedLen;
  mib[MIB.IcmpOutMsgs]++;
  const c = OUT_COUNTER[type];
  if (c !== undefined) mib[c]++;
  host.snmp.icmpMsgOut[type]++;
  if (host.tr.on) {
    host.tr.stage(now, host.name, cpu.id, host.devName(skbIn.ifindex) || undefined, skbIn, Stage.ICMP_ERROR,
      `icmp_send: ${icmpDescribe(type, code, info)} to ${formatIpv4(skbIn.saddr)} (skb ${skb.id})`);
    host.tr.stage(now, host.name, cpu.id, rt.dev?.name, skb, Stage.L4_TX,
      `ICMP ${icmpDescribe(type, code, info)} about skb ${skbIn.id}, quoting ${quotedLen} bytes`, undefined, undefined, 'icmp_send');
  }
  ipLocalOut(host, cpu, skb, rt);
}

/** icmp_global_allow: the host-wide token bucket. */
function icmpGlobalAllow(host: Host, now: number): boolean {
  const perSec = host.sysctl.get('net.ipv4.icmp_msgs_per_sec');
  const burst = host.sysctl.get('net.ipv4.icmp_msgs_burst');
  if (perSec <= 0) return true;
  if (host.icmpGlobalLast < 0) {
    host.icmpGlobalTokens = burst;
    host.icmpGlobalLast = now;
  }
  const elapsed = now - host.icmpGlobalLast;
  if (elapsed > 0) {
    host.icmpGlobalTokens = Math.min(burst, host.icmpGlobalTokens + Math.floor((elapsed * perSec) / 1e9));
    if (Math.floor((elapsed * perSec) / 1e9) > 0) host.icmpGlobalLast = now;
  }
  if (host.icmpGlobalTokens <= 0) return false;
  host.icmpGlobalTokens--;
  return true;
}

/** inet_peer_xrlim_allow: per-destination tokens in jiffies, capped at 6 × icmp_ratelimit. */
function icmpPeerAllow(host: Host, daddr: number, now: number): boolean {
  const timeout = Math.round(host.sysctl.get('net.ipv4.icmp_ratelimit') * NSEC_PER_MSEC / NSEC_PER_JIFFY);
  if (timeout === 0) return true;
  const jiffies = jiffiesOf(now);
  let peer = host.icmpPeers.get(daddr);
  if (!peer) {
    // inet_getpeer starts rate_last 60 s in the past: a full burst is available.
    peer = { tokens: 0, last: jiffies - 60 * HZ };
    host.icmpPeers.set(daddr, peer);
  }
  let token = peer.tokens;
  const delta = jiffies - peer.last;
  if (delta) {
    peer.last = jiffies;
    token += delta;
    if (token > XRLIM_BURST_FACTOR * timeout) token = XRLIM_BURST_FACTOR * timeout;
  }
  let ok = false;
  if (token > timeout) {
    token -= timeout;
    ok = true;
  }
  peer.tokens = token;
  return ok;
}

/** Human description, as tcpdump words it. */
export function icmpDescribe(type: number, code: number, info: number): string {
  if (type === ICMP_ECHO) return 'echo request';
  if (type === ICMP_ECHOREPLY) return 'echo reply';
  if (type === ICMP_TIME_EXCEEDED) return code === ICMP_EXC_FRAGTIME ? 'fragment reassembly time exceeded' : 'time exceeded in-transit';
  if (type === ICMP_DEST_UNREACH) {
    switch (code) {
      case ICMP_NET_UNREACH: return 'net unreachable';
      case ICMP_HOST_UNREACH: return 'host unreachable';
      case ICMP_PROT_UNREACH: return 'protocol unreachable';
      case ICMP_PORT_UNREACH: return 'port unreachable';
      case ICMP_FRAG_NEEDED: return `unreachable - need to frag (mtu ${info})`;
      case ICMP_PKT_FILTERED: return 'host unreachable - admin prohibited filter';
      default: return `unreachable code ${code}`;
    }
  }
  return `type ${type} code ${code}`;
}

/** icmp_rcv: counts, answers echo requests, and reports errors to the socket they concern. */
export function icmpRcv(host: Host, cpu: Cpu, skb: Skb): void {
  // Every path below ends in consume_skb, which lets go of the conntrack entry.
  nfResetCt(skb);
  const mib = host.snmp.v;
  cpu.charge(host.costs.icmp_rcv);
  mib[MIB.IcmpInMsgs]++;
  host.snmp.icmpMsgIn[skb.icmpType]++;
  const c = IN_COUNTER[skb.icmpType];
  if (c !== undefined) mib[c]++;
  const devName = host.devName(skb.ifindex) || undefined;
  if (skb.icmpType === ICMP_ECHO) {
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
      `icmp_rcv: echo request id ${skb.icmpId} seq ${skb.icmpSeq}: icmp_echo answers with an echo reply`, 'consume', undefined, 'icmp_rcv');
    host.world.packets.delivered++;
    icmpEchoReply(host, cpu, skb);
    return;
  }
  if (isIcmpError(skb.icmpType) && skb.quoted) {
    const q = skb.quoted;
    const handled = host.icmpErrorHandlers.length > 0 && host.icmpErrorHandlers.some((h) => h(host, cpu, skb));
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
      `icmp_rcv: ${icmpDescribe(skb.icmpType, skb.icmpCode, skb.icmpSeq)} about ${formatIpv4(q.saddr)}${q.protocol === IPPROTO.TCP || q.protocol === IPPROTO.UDP ? `:${q.sport} → ${formatIpv4(q.daddr)}:${q.dport}` : ` → ${formatIpv4(q.daddr)}`}${handled ? ', reported to the socket' : ''}`,
      'consume', undefined, 'icmp_rcv');
    host.world.packets.delivered++;
    return;
  }
  const handled = host.icmpErrorHandlers.some((h) => h(host, cpu, skb));
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
    `icmp_rcv: ${icmpDescribe(skb.icmpType, skb.icmpCode, skb.icmpSeq)}${handled ? ' delivered to a ping socket' : ''}`, 'consume', undefined, 'icmp_rcv');
  host.world.packets.delivered++;
}

/** icmp_echo → icmp_reply. */
function icmpEchoReply(host: Host, cpu: Cpu, req: Skb): void {
  const rt = ipRouteOutput(host, req.saddr);
  if (!rt) return;
  cpu.charge(host.costs.icmp_send);
  const skb = allocLocalSkb(host, cpu, req.daddr, req.saddr, IPPROTO.ICMP);
  skb.fragOff = req.fragOff & 0x4000;
  skb.icmpType = ICMP_ECHOREPLY;
  skb.icmpId = req.icmpId;
  skb.icmpSeq = req.icmpSeq;
  skb.payloadLen = req.payloadLen;
  skb.len = req.len;
  skb.data = req.data;
  host.snmp.v[MIB.IcmpOutMsgs]++;
  host.snmp.v[MIB.IcmpOutEchoReps]++;
  host.snmp.icmpMsgOut[ICMP_ECHOREPLY]++;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, rt.dev?.name, skb, Stage.L4_TX,
    `icmp_reply: echo reply id ${skb.icmpId} seq ${skb.icmpSeq} to ${formatIpv4(skb.daddr)}`, undefined, undefined, 'icmp_reply');
  ipLocalOut(host, cpu, skb, rt);
}
