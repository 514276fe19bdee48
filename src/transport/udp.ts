// UDP (net/ipv4/udp.c): the receive side demuxes to a socket (none: ICMP port
// unreachable and UdpNoPorts), admits the datagram against sk_rcvbuf in
// truesize (6.18 rule: accept while rmem + truesize ≤ rcvbuf, or the queue is
// empty) and wakes the reader; UdpInDatagrams counts when the application
// reads. The send side charges sk_sndbuf, builds one skb per datagram and
// counts UdpSndbufErrors when the qdisc drops it (the application never knows).

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { IP, IPHDR_LEN, IPPROTO, nfResetCt, PACKET_BROADCAST, type Skb, UDPHDR_LEN } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { formatIpv4 } from '../model/inet.js';
import { Sock, rxTruesize, txTruesize } from './sock.js';
import { allocLocalSkb } from '../model/skb_alloc.js';
import { icmpSend, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH } from '../routing/icmp.js';
import { ipLocalOut, ipRouteOutput, ipSkbDstMtu, routeSource } from '../routing/ip_output.js';
import { NET_XMIT_SUCCESS } from '../nic/dev_queue_xmit.js';

export const EAGAIN = 11;
export const EMSGSIZE = 90;
export const ENETUNREACH = 101;
export const EPERM = 1;
export const ECONNREFUSED = 111;

/** IP_PMTUDISC_* socket options. */
export const IP_PMTUDISC_DONT = 0;
export const IP_PMTUDISC_WANT = 1;
export const IP_PMTUDISC_DO = 2;
export const IP_PMTUDISC_PROBE = 3;

export class UdpSock extends Sock {
  readonly protocol = IPPROTO.UDP;
  connected = false;
  pmtudisc = IP_PMTUDISC_WANT;
  /** A pending error (sk_err) reported by ICMP on a connected socket. */
  err = 0;
  /** Datagrams read by the application. */
  datagramsRead = 0;
}

/** Binds a UDP socket on `host` (the table stays sorted by insertion). */
export function udpBind(host: Host, sk: UdpSock, addr: number, port: number): void {
  sk.saddr = addr;
  sk.sport = port;
  let list = host.sockets.udp.get(port);
  if (!list) host.sockets.udp.set(port, (list = []));
  list.push(sk);
  host.sockets.all.push(sk);
}

/** __udp4_lib_lookup: the best-scoring socket for the datagram's 4-tuple. */
export function udpLookup(host: Host, skb: Skb): UdpSock | null {
  const list = host.sockets.udp.get(skb.dport);
  if (!list) return null;
  let best: UdpSock | null = null;
  let bestScore = -1;
  for (let i = 0; i < list.length; i++) {
    const sk = list[i]!;
    let score = 0;
    if (sk.saddr !== 0) {
      if (sk.saddr !== skb.daddr) continue;
      score += 4;
    }
    if (sk.connected) {
      if (sk.daddr !== skb.saddr || sk.dport !== skb.sport) continue;
      score += 8;
    }
    if (score > bestScore) {
      best = sk;
      bestScore = score;
    }
  }
  return best;
}

/** udp_rcv → __udp4_lib_rcv → udp_queue_rcv_skb (steps 9-10). */
export function udpRcv(host: Host, cpu: Cpu, skb: Skb): void {
  cpu.charge(host.costs.udp_rcv);
  const mib = host.snmp.v;
  const devName = host.devName(skb.ifindex) || undefined;
  const sk = udpLookup(host, skb);
  if (!sk) {
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
      `udp_rcv: no socket bound to ${formatIpv4(skb.daddr)}:${skb.dport}`, undefined, undefined, '__udp4_lib_rcv');
    if (skb.pktType === PACKET_BROADCAST) {
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, '__udp4_lib_rcv', DropReason.NO_SOCKET, 'broadcast to a closed port: no ICMP', devName);
      return;
    }
    mib[MIB.UdpNoPorts]++;
    icmpSend(host, cpu, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, '__udp4_lib_rcv', DropReason.NO_SOCKET,
      `no socket: UdpNoPorts++, ICMP port unreachable sent`, devName);
    return;
  }
  // udp_queue_rcv_one_skb: the socket owns the datagram now, conntrack lets go.
  nfResetCt(skb);
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
    `udp_rcv: ${skb.payloadLen}-byte datagram for socket ${formatIpv4(sk.saddr)}:${sk.sport} (inode ${sk.inode})`, undefined, undefined, '__udp4_lib_rcv');
  skb.truesize = rxTruesize(skb.frameLen);
  if (sk.rmemAlloc + skb.truesize > sk.rcvbuf && sk.receiveQueue.length > 0) {
    mib[MIB.UdpRcvbufErrors]++;
    mib[MIB.UdpInErrors]++;
    sk.drops++;
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, '__udp_enqueue_schedule_skb', DropReason.SOCKET_RCVBUFF,
      `receive buffer full: rmem ${sk.rmemAlloc} + truesize ${skb.truesize} > rcvbuf ${sk.rcvbuf}: RcvbufErrors++`, devName);
    return;
  }
  sk.rmemAlloc += skb.truesize;
  sk.receiveQueue.push(skb);
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.SOCK_RCVQ,
    `__udp_enqueue_schedule_skb: queued (truesize ${skb.truesize}); rmem ${sk.rmemAlloc}/${sk.rcvbuf}, ${sk.receiveQueue.length} datagrams waiting; sk_data_ready`,
    undefined, undefined, '__udp_enqueue_schedule_skb');
  if (sk.owner) sk.owner.onReadable(sk, cpu.now);
}

/**
 * udp_recvmsg for one datagram (step 11), in process context. Returns the
 * payload length, or -1 when the queue is empty.
 */
export function udpRecvmsg(host: Host, cpu: Cpu, sk: UdpSock): number {
  const skb = sk.receiveQueue.shift();
  if (!skb) return -1;
  cpu.charge(host.costs.syscall + host.costs.copy_per_byte * skb.payloadLen);
  sk.rmemAlloc -= skb.truesize;
  sk.datagramsRead++;
  host.snmp.v[MIB.UdpInDatagrams]++;
  host.world.packets.delivered++;
  host.world.appRecvLatency?.record(cpu.now - skb.tstamp, skb.payloadLen);
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, undefined, skb, Stage.APP_RECV,
    `${sk.owner?.comm ?? 'app'} (pid ${sk.owner?.pid ?? 0}) recvfrom() copies ${skb.payloadLen} bytes to user space; UdpInDatagrams++`,
    'consume', undefined, 'udp_recvmsg', sk.owner?.pid);
  return skb.payloadLen;
}

/**
 * udp_sendmsg (steps 1-3 of the outbound journey). Returns the bytes sent, or
 * a negative errno: -EAGAIN when the send buffer is full (the caller blocks).
 */
export function udpSendmsg(host: Host, cpu: Cpu, sk: UdpSock, daddr: number, dport: number, size: number): number {
  cpu.charge(host.costs.syscall);
  const ipLen = IPHDR_LEN + UDPHDR_LEN + size;
  const truesize = txTruesize(ipLen);
  if (sk.wmemAlloc + truesize > sk.sndbuf && sk.wmemAlloc > 0) return -EAGAIN;
  const rt = ipRouteOutput(host, daddr);
  if (!rt) {
    host.snmp.v[MIB.IpOutNoRoutes]++;
    return -ENETUNREACH;
  }
  const skb = allocLocalSkb(host, cpu, sk.saddr !== 0 ? sk.saddr : routeSource(host, rt, daddr), daddr, IPPROTO.UDP);
  skb.sport = sk.sport;
  skb.dport = dport;
  skb.payloadLen = size;
  skb.len = ipLen;
  skb.truesize = truesize;
  const tr = host.tr;
  if (tr.on) {
    tr.stage(cpu.now, host.name, cpu.id, undefined, skb, Stage.APP_SEND,
      `${sk.owner?.comm ?? 'app'} (pid ${sk.owner?.pid ?? 0}) sendto(${formatIpv4(daddr)}:${dport}, ${size} bytes)`, undefined, undefined, 'udp_sendmsg', sk.owner?.pid);
  }
  cpu.charge(host.costs.udp_sendmsg + host.costs.copy_per_byte * size);
  const mtu = ipSkbDstMtu(host, skb, rt, rt.dev!);
  if (ipLen > mtu && sk.pmtudisc >= IP_PMTUDISC_DO) {
    // __ip_append_data refuses it: EMSGSIZE and OutDiscards, no packet leaves.
    host.snmp.v[MIB.IpOutDiscards]++;
    if (tr.on) tr.stage(cpu.now, host.name, cpu.id, undefined, skb, Stage.SOCK_SNDBUF, `${ipLen} bytes exceed path MTU ${mtu} with IP_PMTUDISC_DO: EMSGSIZE`, 'error');
    host.world.packets.injected--;
    return -EMSGSIZE;
  }
  if (ipLen <= mtu && sk.pmtudisc !== IP_PMTUDISC_DONT) skb.fragOff = IP.DF;
  sk.wmemAlloc += truesize;
  skb.sk = sk;
  if (tr.on) tr.stage(cpu.now, host.name, cpu.id, undefined, skb, Stage.SOCK_SNDBUF,
    `charged to the send buffer: wmem ${sk.wmemAlloc}/${sk.sndbuf}`, undefined, undefined, 'sock_alloc_send_pskb');
  host.snmp.v[MIB.UdpOutDatagrams]++;
  if (tr.on) tr.stage(cpu.now, host.name, cpu.id, rt.dev?.name, skb, Stage.L4_TX,
    `udp_send_skb: UDP ${skb.sport} → ${dport}, length ${size}${skb.df ? ', DF' : ''}`, undefined, undefined, 'udp_send_skb');
  const rc = ipLocalOut(host, cpu, skb, rt);
  if (rc === NET_XMIT_SUCCESS) return size;
  // ip_send_skb counts OutDiscards; -ENOBUFS from the qdisc is hidden from the app (UdpSndbufErrors).
  host.snmp.v[MIB.IpOutDiscards]++;
  if (rc > 0) {
    host.snmp.v[MIB.UdpSndbufErrors]++;
    return size;
  }
  return rc;
}
