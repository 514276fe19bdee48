// TCP input (net/ipv4/tcp_ipv4.c tcp_v4_rcv, tcp_input.c): the socket lookup
// (established, then listener, else a RST), the handshake from both sides,
// ACK processing (RTT estimate, congestion window, fast retransmit on
// tcp_reordering duplicate ACKs), in-order data into the receive queue
// against sk_rcvbuf and the advertised window, out-of-order data into the
// OFO queue, FIN and RST.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Skb } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { formatIpv4 } from '../model/inet.js';
import { rxTruesize, tcpEstabKey } from './sock.js';
import { TcpSock } from './tcp_sock.js';
import {
  EV, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK,
  TCP_LISTEN, TCP_STATE_NAMES, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT,
} from './tcp_states.js';
import { tcpFlagsString, tcpRetransmitSkb, tcpSendAck, tcpSendSynAck, tcpV4SendReset, tcpWriteXmit } from './tcp_output.js';
import { tcpArmDelack, tcpArmRto, tcpClearRto, tcpEnterTimeWait } from './tcp_timer.js';
import { tcpCreateSock, tcpDone, tcpHash, tcpSetState, tcpSyncMss, tcpMssFromMtu } from './tcp.js';
import { ipRouteOutput } from '../routing/ip_output.js';
import { TCP_MAX_QUICKACKS } from './tcp_sock.js';

const ECONNREFUSED = 111;
const ECONNRESET = 104;
/** HZ=250: the RTO is kept in whole jiffies of 4 ms. */
const JIFFY_US = 4000;

/** __inet_lookup_established, then __inet_lookup_listener. */
function tcpLookup(host: Host, skb: Skb): TcpSock | null {
  const list = host.sockets.tcpEstab.get(tcpEstabKey(skb.dport, skb.sport));
  if (list) {
    for (let i = 0; i < list.length; i++) {
      const sk = list[i]!;
      if (sk.saddr === skb.daddr && sk.daddr === skb.saddr) return sk;
    }
  }
  const l = host.sockets.tcpListen.get(skb.dport);
  if (l && (l.saddr === 0 || l.saddr === skb.daddr)) return l;
  return null;
}

/** tcp_v4_rcv (step 9). */
export function tcpV4Rcv(host: Host, cpu: Cpu, skb: Skb): void {
  cpu.charge(host.costs.tcp_rcv);
  const mib = host.snmp.v;
  mib[MIB.TcpInSegs]++;
  const devName = host.devName(skb.ifindex) || undefined;
  const sk = tcpLookup(host, skb);
  const tr = host.tr;
  if (!sk) {
    if (tr.on) tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
      `tcp_v4_rcv: no socket for ${formatIpv4(skb.daddr)}:${skb.dport} [${tcpFlagsString(skb.tcpFlags)}]`);
    tcpV4SendReset(host, cpu, skb);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_v4_rcv', DropReason.NO_SOCKET,
      skb.tcpFlags & TCP_RST ? 'RST for no socket: ignored' : 'no socket: answered with a RST', devName);
    return;
  }
  if (tr.on) tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
    `tcp_v4_rcv: [${tcpFlagsString(skb.tcpFlags)}] seq ${skb.seq >>> 0}${skb.tcpFlags & TCP_ACK ? ` ack ${skb.ackSeq >>> 0}` : ''} len ${skb.payloadLen} for ${formatIpv4(sk.saddr)}:${sk.sport} ↔ ${formatIpv4(sk.daddr)}:${sk.dport} (${TCP_STATE_NAMES[sk.state]})`);
  sk.segsIn++;
  sk.lastRecv = cpu.now;
  if (skb.tcpOpts && skb.tcpOpts.tsVal >= 0) sk.tsRecent = skb.tcpOpts.tsVal;
  switch (sk.state) {
    case TCP_LISTEN:
      return tcpListenRcv(host, cpu, sk, skb);
    case TCP_SYN_SENT:
      return tcpSynSentRcv(host, cpu, sk, skb);
    case TCP_TIME_WAIT:
      return tcpTimeWaitRcv(host, cpu, sk, skb);
    default:
      return tcpRcvStateProcess(host, cpu, sk, skb);
  }
}

function consume(host: Host, cpu: Cpu, skb: Skb, detail: string): void {
  host.world.packets.delivered++;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, host.devName(skb.ifindex) || undefined, skb, Stage.L4_RX, detail, 'consume', undefined, 'tcp_rcv_state_process');
}

/** A listener gets a SYN: tcp_conn_request creates the SYN_RECV child and answers SYN-ACK. */
function tcpListenRcv(host: Host, cpu: Cpu, lsk: TcpSock, skb: Skb): void {
  const mib = host.snmp.v;
  const devName = host.devName(skb.ifindex) || undefined;
  if (skb.tcpFlags & TCP_RST) return consume(host, cpu, skb, 'RST to a listener: ignored');
  if (skb.tcpFlags & TCP_ACK) {
    tcpV4SendReset(host, cpu, skb);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_state_process', DropReason.TCP_FLAGS, 'ACK to a listener with no pending connection: RST', devName);
    return;
  }
  if (!(skb.tcpFlags & TCP_SYN)) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_state_process', DropReason.TCP_FLAGS, 'segment without SYN to a listener', devName);
    return;
  }
  if (lsk.acceptQueue.length >= lsk.backlog) {
    mib[MIB.TcpExtListenOverflows]++;
    mib[MIB.TcpExtListenDrops]++;
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_conn_request', DropReason.TCP_LISTEN_OVERFLOW,
      `accept queue full (${lsk.acceptQueue.length}/${lsk.backlog}): SYN dropped, ListenOverflows++ ListenDrops++`, devName);
    return;
  }
  const sk = tcpCreateSock(host);
  sk.saddr = skb.daddr;
  sk.sport = skb.dport;
  sk.daddr = skb.saddr;
  sk.dport = skb.sport;
  sk.parent = lsk;
  sk.owner = lsk.owner;
  sk.rcvbuf = lsk.rcvbuf;
  sk.sndbuf = lsk.sndbuf;
  sk.route = ipRouteOutput(host, sk.daddr);
  sk.pmtu = sk.route ? sk.route.mtu || sk.route.dev!.mtu : 1500;
  sk.advmss = tcpMssFromMtu(sk.pmtu);
  negotiateOptions(sk, skb);
  sk.irs = skb.seq;
  sk.rcvNxt = skb.seq + 1;
  sk.iss = host.random.nextU32() >>> 1;
  sk.sndUna = sk.iss;
  sk.sndNxt = sk.iss;
  sk.sndWnd = skb.window;
  sk.state = TCP_LISTEN;
  tcpSetState(host, sk, EV.RCV_SYN, cpu.now);
  tcpHash(host, sk);
  tcpSyncMss(sk, skb.tcpOpts?.mss ?? -1);
  consume(host, cpu, skb, `SYN to listener ${sk.sport}: request socket in SYN_RECV, answering SYN-ACK`);
  tcpSendSynAck(host, cpu, sk, false);
}

function negotiateOptions(sk: TcpSock, skb: Skb): void {
  const o = skb.tcpOpts;
  sk.tsEnabled = sk.tsEnabled && !!o && o.tsVal >= 0;
  sk.sackOk = sk.sackOk && !!o && o.sackOk;
  if (o && o.wscale >= 0) sk.sndWscale = o.wscale;
  else sk.rcvWscale = 0;
}

/** SYN_SENT: the SYN-ACK completes an active open (tcp_rcv_synsent_state_process). */
function tcpSynSentRcv(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  const devName = host.devName(skb.ifindex) || undefined;
  const f = skb.tcpFlags;
  if (f & TCP_ACK && skb.ackSeq !== sk.iss + 1) {
    tcpV4SendReset(host, cpu, skb);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_synsent_state_process', DropReason.TCP_FLAGS, 'ACK does not acknowledge our SYN: RST', devName);
    return;
  }
  if (f & TCP_RST) {
    if (f & TCP_ACK) {
      host.snmp.v[MIB.TcpAttemptFails]++;
      sk.err = ECONNREFUSED;
      consume(host, cpu, skb, 'RST in SYN_SENT: connection refused (ECONNREFUSED)');
      tcpDone(host, sk, cpu.now);
      return;
    }
    return consume(host, cpu, skb, 'RST without ACK in SYN_SENT: ignored');
  }
  if (!(f & TCP_SYN) || !(f & TCP_ACK)) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_synsent_state_process', DropReason.TCP_FLAGS, 'unexpected segment in SYN_SENT', devName);
    return;
  }
  negotiateOptions(sk, skb);
  sk.irs = skb.seq;
  sk.rcvNxt = skb.seq + 1;
  ackSegments(host, cpu, sk, skb.ackSeq);
  sk.sndWnd = skb.window;
  tcpSyncMss(sk, skb.tcpOpts?.mss ?? -1);
  sk.quickAck = TCP_MAX_QUICKACKS;
  tcpSetState(host, sk, EV.RCV_SYNACK, cpu.now);
  consume(host, cpu, skb, 'SYN-ACK: connection ESTABLISHED; ACK it');
  tcpSendAck(host, cpu, sk);
  sk.owner?.onConnected(sk, cpu.now);
  tcpWriteXmit(host, cpu, sk);
}

/** A segment for a TIME_WAIT socket (tcp_timewait_state_process). */
function tcpTimeWaitRcv(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  if (skb.tcpFlags & TCP_RST) {
    consume(host, cpu, skb, 'RST in TIME_WAIT: the socket goes away');
    tcpDone(host, sk, cpu.now);
    return;
  }
  consume(host, cpu, skb, 'segment in TIME_WAIT: re-ACK');
  if (skb.tcpFlags & TCP_FIN) tcpSendAck(host, cpu, sk);
}

/** The states after the handshake (tcp_rcv_state_process / tcp_rcv_established). */
function tcpRcvStateProcess(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  const mib = host.snmp.v;
  const f = skb.tcpFlags;
  const devName = host.devName(skb.ifindex) || undefined;
  if (f & TCP_RST) {
    sk.err = ECONNRESET;
    const wasSynRecv = sk.state === TCP_SYN_RECV;
    tcpSetState(host, sk, EV.RCV_RST, cpu.now);
    if (wasSynRecv) mib[MIB.TcpAttemptFails]++;
    consume(host, cpu, skb, 'RST: connection reset (ECONNRESET)');
    tcpDone(host, sk, cpu.now);
    return;
  }
  if (f & TCP_SYN && sk.state !== TCP_SYN_RECV) {
    // tcp_send_challenge_ack: a SYN on an established connection.
    mib[MIB.TcpExtTCPChallengeACK!]++;
    consume(host, cpu, skb, 'SYN on a synchronized connection: challenge ACK');
    tcpSendAck(host, cpu, sk);
    return;
  }
  if (!(f & TCP_ACK)) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_state_process', DropReason.TCP_FLAGS, 'segment without ACK', devName);
    return;
  }
  if (sk.state === TCP_SYN_RECV) {
    if (skb.ackSeq !== sk.iss + 1) {
      tcpV4SendReset(host, cpu, skb);
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_check_req', DropReason.TCP_FLAGS, 'bad ACK for SYN-ACK', devName);
      return;
    }
    const parent = sk.parent;
    if (parent && parent.acceptQueue.length >= parent.backlog) {
      mib[MIB.TcpExtListenOverflows]++;
      mib[MIB.TcpExtListenDrops]++;
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_v4_syn_recv_sock', DropReason.TCP_LISTEN_OVERFLOW,
        `accept queue full (${parent.acceptQueue.length}/${parent.backlog}): handshake ACK dropped`, devName);
      return;
    }
    ackSegments(host, cpu, sk, skb.ackSeq);
    sk.sndWnd = skb.window * 2 ** sk.sndWscale;
    tcpSetState(host, sk, EV.RCV_ACK, cpu.now);
    mib[MIB.TcpPassiveOpens]++;
    if (parent) {
      parent.acceptQueue.push(sk);
      parent.owner?.onReadable(parent, cpu.now);
    }
    if (skb.payloadLen === 0 && !(f & TCP_FIN)) {
      consume(host, cpu, skb, `handshake complete: ESTABLISHED, queued for accept() (${parent?.acceptQueue.length ?? 0}/${parent?.backlog ?? 0})`);
      return;
    }
  } else {
    tcpAck(host, cpu, sk, skb);
    if (sk.state === TCP_CLOSE) {
      consume(host, cpu, skb, 'ACK of our FIN: connection closed');
      return;
    }
  }
  if (skb.payloadLen > 0) {
    tcpDataQueue(host, cpu, sk, skb);
    return;
  }
  if (f & TCP_FIN) {
    if (skb.seq === sk.rcvNxt) {
      tcpFin(host, cpu, sk);
      consume(host, cpu, skb, `FIN: now ${TCP_STATE_NAMES[sk.state]}`);
    } else {
      consume(host, cpu, skb, 'out-of-order FIN: waiting for the data before it');
      tcpSendAck(host, cpu, sk);
    }
    return;
  }
  mib[MIB.TcpExtTCPPureAcks]++;
  consume(host, cpu, skb, `ACK ${skb.ackSeq >>> 0}: ${sk.packetsOut} segments still in flight, cwnd ${sk.cwnd}`);
}

/** Removes acknowledged segments and takes an RTT sample from a never-retransmitted one (Karn). */
function ackSegments(host: Host, cpu: Cpu, sk: TcpSock, ack: number): number {
  let sampleAt = -1;
  let acked = 0;
  while (sk.rtx.length > 0 && sk.rtx[0]!.end <= ack) {
    const seg = sk.rtx.shift()!;
    acked++;
    if (seg.retrans === 0) sampleAt = seg.sentAt;
    if (seg.fin) sk.finAcked = true;
  }
  const bytes = ack - sk.sndUna;
  if (bytes > 0) {
    sk.bytesAcked += bytes;
    sk.sndUna = ack;
  }
  if (sampleAt >= 0) tcpRttEstimator(host, sk, cpu.now - sampleAt);
  sk.lastAck = cpu.now;
  return acked;
}

/** tcp_rtt_estimator + tcp_set_rto: Linux's RFC 6298 variant, in microseconds, RTO in jiffies. */
export function tcpRttEstimator(host: Host, sk: TcpSock, sampleNs: number): void {
  let m = Math.max(1, Math.floor(sampleNs / 1000));
  const rtoMin = host.sysctl.get('net.ipv4.tcp_rto_min_us');
  if (sk.minRtt === 0 || m < sk.minRtt) sk.minRtt = m;
  if (sk.srtt !== 0) {
    m -= sk.srtt >> 3;
    sk.srtt += m;
    if (m < 0) {
      m = -m;
      m -= sk.mdev >> 2;
      if (m > 0) m >>= 3;
    } else {
      m -= sk.mdev >> 2;
    }
    sk.mdev += m;
    if (sk.mdev > sk.mdevMax) {
      sk.mdevMax = sk.mdev;
      if (sk.mdevMax > sk.rttvar) sk.rttvar = sk.mdevMax;
    }
    if (sk.sndUna > sk.rttSeq) {
      if (sk.mdevMax < sk.rttvar) sk.rttvar -= (sk.rttvar - sk.mdevMax) >> 2;
      sk.rttSeq = sk.sndNxt;
      sk.mdevMax = rtoMin;
    }
  } else {
    sk.srtt = m << 3;
    sk.mdev = m << 1;
    sk.rttvar = Math.max(sk.mdev, rtoMin);
    sk.mdevMax = sk.rttvar;
    sk.rttSeq = sk.sndNxt;
  }
  const rtoUs = (sk.srtt >> 3) + sk.rttvar;
  sk.rto = Math.min(Math.ceil(rtoUs / JIFFY_US) * JIFFY_US * 1000, host.sysctl.get('net.ipv4.tcp_rto_max_ms') * 1_000_000);
}

/** tcp_ack: new data acknowledged, duplicate ACKs, window updates, FIN acknowledged. */
function tcpAck(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  const mib = host.snmp.v;
  const ack = skb.ackSeq;
  const prevWnd = sk.sndWnd;
  sk.sndWnd = skb.window * 2 ** sk.sndWscale;
  if (ack > sk.sndNxt) return;
  if (ack > sk.sndUna) {
    const segs = ackSegments(host, cpu, sk, ack);
    sk.retransmits = 0;
    sk.backoff = 0;
    sk.dupAcks = 0;
    if (sk.recoverySeq >= 0 && ack >= sk.recoverySeq) {
      sk.recoverySeq = -1;
      sk.cwnd = Math.max(sk.ssthresh, 2);
    } else if (sk.recoverySeq < 0) {
      tcpCongAvoid(sk, segs);
    }
    if (sk.rtx.length === 0) tcpClearRto(sk);
    else tcpArmRto(host, sk, cpu.now);
    if (sk.owner) sk.owner.onWriteSpace(sk, cpu.now);
    if (sk.finAcked) {
      if (sk.state === TCP_FIN_WAIT1) tcpSetState(host, sk, EV.RCV_ACK_OF_FIN, cpu.now);
      else if (sk.state === TCP_CLOSING) tcpEnterTimeWait(host, sk, EV.RCV_ACK_OF_FIN, cpu.now);
      else if (sk.state === TCP_LAST_ACK) {
        tcpSetState(host, sk, EV.RCV_ACK_OF_FIN, cpu.now);
        tcpDone(host, sk, cpu.now);
        return;
      }
    }
    tcpWriteXmit(host, cpu, sk);
    return;
  }
  if (ack === sk.sndUna && skb.payloadLen === 0 && !(skb.tcpFlags & TCP_FIN) && sk.packetsOut > 0 && sk.sndWnd === prevWnd) {
    sk.dupAcks++;
    if (sk.dupAcks === host.sysctl.get('net.ipv4.tcp_reordering') && sk.recoverySeq < 0) {
      // tcp_enter_recovery + tcp_fastretrans_alert: retransmit the first unacknowledged segment.
      mib[MIB.TcpExtTCPFastRetrans]++;
      mib[sk.sackOk ? MIB.TcpExtTCPSackRecovery! : MIB.TcpExtTCPRenoRecovery!]++;
      sk.ssthresh = Math.max(sk.cwnd >> 1, 2);
      sk.cwnd = sk.ssthresh + 3;
      sk.recoverySeq = sk.sndNxt;
      sk.lost++;
      tcpRetransmitSkb(host, cpu, sk, sk.rtx[0]!);
      tcpArmRto(host, sk, cpu.now);
    } else if (sk.recoverySeq >= 0) {
      sk.cwnd++;
      tcpWriteXmit(host, cpu, sk);
    }
    return;
  }
  if (sk.sndWnd > prevWnd) tcpWriteXmit(host, cpu, sk);
}

/** tcp_reno_cong_avoid: slow start below ssthresh, then one segment per window. */
function tcpCongAvoid(sk: TcpSock, acked: number): void {
  if (sk.cwnd < sk.ssthresh) {
    sk.cwnd = Math.min(sk.cwnd + acked, sk.ssthresh === 0x7fffffff ? sk.cwnd + acked : Math.max(sk.ssthresh, sk.cwnd));
    return;
  }
  sk.cwndCnt += acked;
  if (sk.cwndCnt >= sk.cwnd) {
    sk.cwndCnt -= sk.cwnd;
    sk.cwnd++;
  }
}

/** tcp_data_queue: in-order data to the receive queue, out-of-order to the OFO queue. */
function tcpDataQueue(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  const mib = host.snmp.v;
  const devName = host.devName(skb.ifindex) || undefined;
  const end = skb.seq + skb.payloadLen;
  if (end <= sk.rcvNxt) {
    mib[MIB.TcpExtDelayedACKLost!]++;
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue', DropReason.TCP_OLD_DATA,
      `duplicate of data already received (end ${end >>> 0} ≤ rcv_nxt ${sk.rcvNxt >>> 0}): immediate ACK`, devName);
    return;
  }
  if (skb.seq > sk.rcvNxt) {
    mib[MIB.TcpExtTCPOFOQueue]++;
    skb.truesize = rxTruesize(skb.frameLen);
    let i = sk.ofo.length;
    while (i > 0 && sk.ofo[i - 1]!.seq > skb.seq) i--;
    if (i > 0 && sk.ofo[i - 1]!.seq === skb.seq) {
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue_ofo', DropReason.TCP_OFOMERGE, 'already in the out-of-order queue', devName);
      tcpSendAck(host, cpu, sk);
      return;
    }
    sk.ofo.splice(i, 0, skb);
    sk.rmemAlloc += skb.truesize;
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.SOCK_RCVQ,
      `out of order (seq ${skb.seq >>> 0}, expected ${sk.rcvNxt >>> 0}): held in the OFO queue (${sk.ofo.length}); duplicate ACK sent`, undefined, undefined, 'tcp_data_queue_ofo');
    tcpSendAck(host, cpu, sk);
    return;
  }
  if (sk.rcvWnd === 0 && tcpReceiveWindowClosed(sk)) {
    mib[MIB.TcpExtTCPZeroWindowDrop]++;
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue', DropReason.TCP_ZEROWINDOW,
      'receive window is zero: TCPZeroWindowDrop', devName);
    return;
  }
  const truesize = rxTruesize(skb.frameLen);
  if (sk.rmemAlloc + truesize > sk.rcvbuf && sk.receiveQueue.length > 0) {
    mib[MIB.TcpExtTCPRcvQDrop]++;
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue', DropReason.PROTO_MEM,
      `receive buffer full: rmem ${sk.rmemAlloc} + ${truesize} > rcvbuf ${sk.rcvbuf}: TCPRcvQDrop`, devName);
    return;
  }
  queueInOrder(host, cpu, sk, skb, truesize);
  // Segments the OFO queue held may now be in order.
  while (sk.ofo.length > 0 && sk.ofo[0]!.seq <= sk.rcvNxt) {
    const o = sk.ofo.shift()!;
    sk.rmemAlloc -= o.truesize;
    if (o.seq + o.payloadLen <= sk.rcvNxt) {
      kfreeSkbReason(host, cpu.id, cpu.now, o, Stage.SOCK_RCVQ, 'tcp_ofo_queue', DropReason.TCP_OFOMERGE, 'covered by data already queued', devName);
      continue;
    }
    queueInOrder(host, cpu, sk, o, o.truesize);
  }
  if (skb.tcpFlags & TCP_FIN && end === sk.rcvNxt) tcpFin(host, cpu, sk);
  // __tcp_ack_snd_check: quick ACKs, every second full segment, or the delayed-ACK timer.
  if (sk.quickAck > 0 || sk.rcvUnacked >= 2 * sk.rcvMss || sk.ofo.length > 0) {
    if (sk.quickAck > 0) sk.quickAck--;
    tcpSendAck(host, cpu, sk);
  } else if (sk.rcvUnacked > 0) {
    tcpArmDelack(host, sk, cpu.now);
  }
  sk.owner?.onReadable(sk, cpu.now);
}

function tcpReceiveWindowClosed(sk: TcpSock): boolean {
  return sk.rcvbuf - sk.rmemAlloc <= 0;
}

function queueInOrder(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb, truesize: number): void {
  const trim = sk.rcvNxt - skb.seq;
  const len = skb.payloadLen - trim;
  skb.truesize = truesize;
  sk.rmemAlloc += truesize;
  sk.receiveQueue.push(skb);
  sk.rcvNxt += len;
  sk.rcvUnacked += len;
  sk.rcvQueued += skb.payloadLen;
  sk.bytesReceived += len;
  sk.dataSegsIn++;
  host.snmp.v[MIB.TcpExtTCPHPHits]++;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, host.devName(skb.ifindex) || undefined, skb, Stage.SOCK_RCVQ,
    `in order: ${len} bytes to the receive queue (rmem ${sk.rmemAlloc}/${sk.rcvbuf}, ${sk.receiveQueue.length} skbs); rcv_nxt ${sk.rcvNxt >>> 0}; sk_data_ready`,
    undefined, undefined, 'tcp_queue_rcv');
}

/** tcp_fin: the peer closed its direction. */
function tcpFin(host: Host, cpu: Cpu, sk: TcpSock): void {
  sk.rcvNxt++;
  sk.finReceived = true;
  switch (sk.state) {
    case TCP_ESTABLISHED:
    case TCP_SYN_RECV:
      tcpSetState(host, sk, EV.RCV_FIN, cpu.now);
      break;
    case TCP_FIN_WAIT1:
      tcpSetState(host, sk, EV.RCV_FIN, cpu.now);
      break;
    case TCP_FIN_WAIT2:
      tcpEnterTimeWait(host, sk, EV.RCV_FIN, cpu.now);
      break;
    default:
      break;
  }
  tcpSendAck(host, cpu, sk);
  sk.owner?.onReadable(sk, cpu.now);
}

