// TCP input (net/ipv4/tcp_ipv4.c tcp_v4_rcv, tcp_input.c): the socket lookup
// (established, then listener, else a RST), the handshake from both sides,
// ACK processing (RTT estimate, congestion window, fast retransmit on
// tcp_reordering duplicate ACKs), in-order data into the receive queue
// against sk_rcvbuf and the advertised window, out-of-order data into the
// OFO queue, FIN and RST.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { NSEC_PER_JIFFY } from '../model/time.js';
import { nfResetCt, type Skb, TCPHDR } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { formatIpv4 } from '../model/inet.js';
import { rxTruesize, tcpEstabKey } from './sock.js';
import { TcpSock } from './tcp_sock.js';
import {
  EV, TCP_CLOSE, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_LISTEN, TCP_STATE_NAMES,
  TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT,
} from './tcp_states.js';
import {
  tcpFlagsString, tcpReceiveWindow, tcpSendAck, tcpSendSynAck, tcpV4SendReset, tcpWriteXmit,
} from './tcp_output.js';
import { tcpCheckSackReordering, tcpDsackSet, tcpSackNewOfo, tcpSackRemove, tcpSacktagWriteQueue } from './tcp_sack.js';
import {
  FLAG_CA_ALERT, FLAG_DATA, FLAG_DATA_ACKED, FLAG_DSACKING_ACK, FLAG_DATA_SACKED, FLAG_NOT_DUP, FLAG_SND_UNA_ADVANCED,
  FLAG_WIN_UPDATE, tcpCwndReduction, tcpFastretransAlert, tcpProcessTlpAck, tcpRackAdvance, tcpRemoveRenoSacks,
  tcpXmitRetransmitQueue,
} from './tcp_recovery.js';
import { tcpGrowWindow, tcpNewSpace, tcpRcvRttMeasure } from './tcp_buffers.js';
import { tcpArmDelack, tcpArmRto, tcpClearRto, tcpEnterTimeWait, tcpScheduleLossProbe } from './tcp_timer.js';
import { tcpCreateSock, tcpDone, tcpHash, tcpSetState, tcpSyncMss, tcpMssFromMtu } from './tcp.js';
import { ipRouteOutput } from '../routing/ip_output.js';
import { TCP_CA_Open, TCP_CA_Recovery, TCP_MAX_QUICKACKS } from './tcp_sock.js';
import { tcpRateGen, tcpRateSampleReset, tcpRateSkbDelivered } from './tcp_rate.js';
import { TCP_CHRONO_BUSY, tcpChronoStop } from './tcp_chrono.js';

const ECONNREFUSED = 111;
const ECONNRESET = 104;
/** The RTO is kept in whole jiffies. */
const JIFFY_US = NSEC_PER_JIFFY / 1000;

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
      skb.tcpFlags & TCPHDR.RST ? 'RST for no socket: ignored' : 'no socket: answered with a RST', devName);
    return;
  }
  if (tr.on) tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.L4_RX,
    `tcp_v4_rcv: [${tcpFlagsString(skb.tcpFlags)}] seq ${skb.seq >>> 0}${skb.tcpFlags & TCPHDR.ACK ? ` ack ${skb.ackSeq >>> 0}` : ''} len ${skb.payloadLen} for ${formatIpv4(sk.saddr)}:${sk.sport} ↔ ${formatIpv4(sk.daddr)}:${sk.dport} (${TCP_STATE_NAMES[sk.state]})`);
  nfResetCt(skb);
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
  if (skb.tcpFlags & TCPHDR.RST) return consume(host, cpu, skb, 'RST to a listener: ignored');
  if (skb.tcpFlags & TCPHDR.ACK) {
    tcpV4SendReset(host, cpu, skb);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_state_process', DropReason.TCP_FLAGS, 'ACK to a listener with no pending connection: RST', devName);
    return;
  }
  if (!(skb.tcpFlags & TCPHDR.SYN)) {
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
  sk.rcvbufLock = lsk.rcvbufLock;
  sk.sndbufLock = lsk.sndbufLock;
  sk.route = ipRouteOutput(host, sk.daddr);
  sk.pmtu = sk.route ? sk.route.mtu || sk.route.dev!.mtu : 1500;
  sk.advmss = tcpMssFromMtu(sk.pmtu);
  negotiateOptions(sk, skb);
  sk.irs = skb.seq;
  sk.rcvNxt = skb.seq + 1;
  sk.copiedSeq = sk.rcvNxt;
  sk.rcvWup = sk.rcvNxt;
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
  if (f & TCPHDR.ACK && skb.ackSeq !== sk.iss + 1) {
    tcpV4SendReset(host, cpu, skb);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_synsent_state_process', DropReason.TCP_FLAGS, 'ACK does not acknowledge our SYN: RST', devName);
    return;
  }
  if (f & TCPHDR.RST) {
    if (f & TCPHDR.ACK) {
      host.snmp.v[MIB.TcpAttemptFails]++;
      sk.err = ECONNREFUSED;
      consume(host, cpu, skb, 'RST in SYN_SENT: connection refused (ECONNREFUSED)');
      tcpDone(host, sk, cpu.now);
      return;
    }
    return consume(host, cpu, skb, 'RST without ACK in SYN_SENT: ignored');
  }
  if (!(f & TCPHDR.SYN) || !(f & TCPHDR.ACK)) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'tcp_rcv_synsent_state_process', DropReason.TCP_FLAGS, 'unexpected segment in SYN_SENT', devName);
    return;
  }
  negotiateOptions(sk, skb);
  sk.irs = skb.seq;
  sk.rcvNxt = skb.seq + 1;
  sk.copiedSeq = sk.rcvNxt;
  sk.rcvWup = sk.rcvNxt;
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
  if (skb.tcpFlags & TCPHDR.RST) {
    consume(host, cpu, skb, 'RST in TIME_WAIT: the socket goes away');
    tcpDone(host, sk, cpu.now);
    return;
  }
  consume(host, cpu, skb, 'segment in TIME_WAIT: re-ACK');
  if (skb.tcpFlags & TCPHDR.FIN) tcpSendAck(host, cpu, sk);
}

/** The states after the handshake (tcp_rcv_state_process / tcp_rcv_established). */
function tcpRcvStateProcess(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  const mib = host.snmp.v;
  const f = skb.tcpFlags;
  const devName = host.devName(skb.ifindex) || undefined;
  if (f & TCPHDR.RST) {
    sk.err = ECONNRESET;
    const wasSynRecv = sk.state === TCP_SYN_RECV;
    tcpSetState(host, sk, EV.RCV_RST, cpu.now);
    if (wasSynRecv) mib[MIB.TcpAttemptFails]++;
    consume(host, cpu, skb, 'RST: connection reset (ECONNRESET)');
    tcpDone(host, sk, cpu.now);
    return;
  }
  if (f & TCPHDR.SYN && sk.state !== TCP_SYN_RECV) {
    // tcp_send_challenge_ack: a SYN on an established connection.
    mib[MIB.TcpExtTCPChallengeACK!]++;
    consume(host, cpu, skb, 'SYN on a synchronized connection: challenge ACK');
    tcpSendAck(host, cpu, sk);
    return;
  }
  if (!(f & TCPHDR.ACK)) {
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
    if (skb.payloadLen === 0 && !(f & TCPHDR.FIN)) {
      consume(host, cpu, skb, `handshake complete: ESTABLISHED, queued for accept() (${parent?.acceptQueue.length ?? 0}/${parent?.backlog ?? 0})`);
      return;
    }
  } else {
    if (skb.payloadLen === 0 && !(f & TCPHDR.FIN) && skb.seq < sk.rcvNxt) {
      // tcp_sequence fails (a zero-window probe sends snd_una − 1): tcp_send_dupack answers with our window.
      consume(host, cpu, skb, `segment below rcv_nxt ${sk.rcvNxt >>> 0} (a window probe): ACK with the window`);
      tcpSendAck(host, cpu, sk);
      return;
    }
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
  if (f & TCPHDR.FIN) {
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

/**
 * tcp_clean_rtx_queue: removes cumulatively acknowledged segments, keeps the
 * scoreboard counts right, feeds RACK, notices reordering (a never
 * retransmitted segment below the highest SACK arrived late) and takes an
 * RTT sample from a never-retransmitted segment (Karn).
 */
function ackSegments(host: Host, cpu: Cpu, sk: TcpSock, ack: number, priorFack = 0): number {
  let sampleAt = -1;
  let acked = 0;
  let reord = Infinity;
  const rtx = sk.rtx;
  let n = 0;
  while (n < rtx.length && rtx[n]!.end <= ack) {
    const seg = rtx[n++]!;
    acked++;
    if (seg.retransOut) sk.retransOut--;
    if (seg.lost) sk.lostOut--;
    if (seg.sacked) {
      sk.sackedOut--;
    } else {
      sk.delivered++;
      if (seg.retrans === 0 && seg.seq < reord) reord = seg.seq;
      if (sk.sackOk) tcpRackAdvance(sk, seg);
    }
    if (seg.retrans === 0) sampleAt = seg.sentAt;
    if (seg.fin) sk.finAcked = true;
    tcpRateSkbDelivered(sk, seg);
  }
  if (n > 0) rtx.splice(0, n);
  if (rtx.length === 0) {
    // Nothing in flight: the scoreboard is empty (also heals counts a PMTU split re-cut).
    sk.sackedOut = 0;
    sk.lostOut = 0;
    sk.retransOut = 0;
    tcpChronoStop(sk, TCP_CHRONO_BUSY, sk.tcpClock);
  }
  const bytes = ack - sk.sndUna;
  if (bytes > 0) {
    sk.bytesAcked += bytes;
    sk.sndUna = ack;
  }
  if (!sk.sackOk) tcpRemoveRenoSacks(sk, acked);
  else if (reord < priorFack) tcpCheckSackReordering(host, sk, reord, priorFack);
  if (sampleAt >= 0) tcpRttEstimator(host, sk, sk.tcpClock - sampleAt);
  else if (acked > 0 && sk.srtt > 0) tcpSetRto(host, sk);
  sk.lastAck = cpu.now;
  return acked;
}

/** tcp_rtt_estimator + tcp_set_rto: Linux's RFC 6298 variant, in microseconds, RTO in jiffies. */
export function tcpRttEstimator(host: Host, sk: TcpSock, sampleNs: number): void {
  let m = Math.max(1, Math.floor(sampleNs / 1000));
  const rtoMin = host.sysctl.hot.tcpRtoMinUs;
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
  tcpSetRto(host, sk);
}

/** tcp_set_rto: srtt + rttvar (whose floor is tcp_rto_min), in whole jiffies, at most tcp_rto_max. */
function tcpSetRto(host: Host, sk: TcpSock): void {
  const rtoUs = (sk.srtt >> 3) + sk.rttvar;
  sk.rto = Math.min(Math.ceil(rtoUs / JIFFY_US) * JIFFY_US * 1000, host.sysctl.hot.tcpRtoMaxMs * 1_000_000);
}

/**
 * tcp_ack: SACK blocks tag the scoreboard (tcp_sacktag_write_queue), the
 * cumulative ACK cleans the retransmit queue, a dubious ACK goes to
 * tcp_fastretrans_alert, cwnd moves (PRR in recovery, else the congestion
 * control's cong_avoid), lost segments are retransmitted, then new data.
 */
function tcpAck(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  const ack = skb.ackSeq;
  const prevWnd = sk.sndWnd;
  const priorSndUna = sk.sndUna;
  const priorPackets = sk.packetsOut;
  const priorLost = sk.lostOut;
  sk.sndWnd = skb.window * 2 ** sk.sndWscale;
  if (ack > sk.sndNxt) return;
  if (ack < sk.sndUna) {
    // An old ACK: nothing to learn but perhaps a window.
    if (sk.sndWnd > prevWnd) tcpWriteXmit(host, cpu, sk);
    return;
  }
  let flag = 0;
  tcpRateSampleReset();
  if (sk.sndWnd !== prevWnd) flag |= FLAG_WIN_UPDATE;
  if (skb.payloadLen > 0) flag |= FLAG_DATA;
  // prior_fack: the highest SACKed sequence before this ACK (snd_una when nothing is SACKed).
  const priorFack = sk.sackedOut > 0 ? sk.highestSack : sk.sndUna;
  let newlySacked = 0;
  const blocks = skb.tcpOpts?.sack;
  if (sk.sackOk && blocks && blocks.length >= 2 && priorPackets > 0) {
    const r = tcpSacktagWriteQueue(host, sk, blocks, ack);
    newlySacked = r.newlySacked;
    if (newlySacked) flag |= FLAG_DATA_SACKED;
    if (r.dsack) flag |= FLAG_DSACKING_ACK;
    if (r.reord < priorFack) tcpCheckSackReordering(host, sk, r.reord, priorFack);
  }
  let acked = 0;
  if (ack > sk.sndUna) {
    flag |= FLAG_DATA_ACKED | FLAG_SND_UNA_ADVANCED;
    acked = ackSegments(host, cpu, sk, ack, priorFack);
    sk.retransmits = 0;
    sk.backoff = 0;
  }
  const numDupack = ack === priorSndUna && !(flag & FLAG_NOT_DUP) && priorPackets > 0 ? 1 : 0;
  let rexmit = false;
  // tcp_ack_is_dubious.
  if (priorPackets > 0 && (!(flag & FLAG_NOT_DUP) || flag & FLAG_CA_ALERT || sk.caState !== TCP_CA_Open)) {
    rexmit = tcpFastretransAlert(host, cpu, sk, numDupack, flag);
  }
  if (sk.tlpHighSeq) tcpProcessTlpAck(host, sk, ack, flag);
  sk.delivered += newlySacked;
  // tcp_rate_gen: the app-limited phase ends once delivered passes its mark (after(), u32: ~0U is passed at once).
  if (sk.appLimited && ((sk.delivered - sk.appLimited) | 0) > 0) sk.appLimited = 0;
  tcpRateGen(sk, acked + newlySacked, sk.tcpClock);
  // tcp_cong_control: PRR while in recovery, else grow cwnd for what was delivered.
  const delivered = acked + newlySacked;
  if (sk.caState === TCP_CA_Recovery) tcpCwndReduction(sk, delivered, sk.lostOut > priorLost, flag);
  else if (flag & FLAG_DATA_ACKED) sk.ca!.congAvoid(sk, delivered, cpu.now);
  if (flag & FLAG_SND_UNA_ADVANCED) {
    // tcp_set_xmit_timer: a loss probe if one may be scheduled, else the RTO from now.
    if (sk.rtx.length === 0) tcpClearRto(sk);
    else if (!tcpScheduleLossProbe(host, sk, cpu.now, true)) tcpArmRto(host, sk, cpu.now);
    tcpNewSpace(host, sk);
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
  }
  // tcp_xmit_recovery, then tcp_data_snd_check.
  if (rexmit) tcpXmitRetransmitQueue(host, cpu, sk);
  if (flag & (FLAG_SND_UNA_ADVANCED | FLAG_WIN_UPDATE) || rexmit || sk.caState !== TCP_CA_Open) tcpWriteXmit(host, cpu, sk);
}

/** tcp_data_queue: in-order data to the receive queue, out-of-order to the OFO queue. */
function tcpDataQueue(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb): void {
  const mib = host.snmp.v;
  const devName = host.devName(skb.ifindex) || undefined;
  const end = skb.seq + skb.payloadLen;
  if (end <= sk.rcvNxt) {
    // A retransmission of data already here: tcp_send_dupack with a DSACK block.
    mib[MIB.TcpExtDelayedACKLost!]++;
    tcpDsackSet(host, sk, skb.seq, end);
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue', DropReason.TCP_OLD_DATA,
      `duplicate of data already received (end ${end >>> 0} ≤ rcv_nxt ${sk.rcvNxt >>> 0}): immediate ACK${sk.sackOk ? ' with DSACK' : ''}`, devName);
    return;
  }
  const rcvWindow = tcpReceiveWindow(sk);
  if (skb.seq > sk.rcvNxt && skb.seq >= sk.rcvNxt + rcvWindow) {
    sk.quickAck = TCP_MAX_QUICKACKS;
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue', DropReason.TCP_OVERWINDOW,
      `beyond the receive window (seq ${skb.seq >>> 0} ≥ rcv_nxt ${sk.rcvNxt >>> 0} + window ${rcvWindow})`, devName);
    return;
  }
  if (skb.seq > sk.rcvNxt) return tcpDataQueueOfo(host, cpu, sk, skb, devName);
  if (rcvWindow === 0) {
    mib[MIB.TcpExtTCPZeroWindowDrop]++;
    sk.quickAck = TCP_MAX_QUICKACKS;
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue', DropReason.TCP_ZEROWINDOW,
      'receive window is zero: TCPZeroWindowDrop', devName);
    return;
  }
  // Partly old data (seq < rcv_nxt < end): the old part is reported as a DSACK.
  if (skb.seq < sk.rcvNxt) tcpDsackSet(host, sk, skb.seq, sk.rcvNxt);
  const truesize = rxTruesize(skb.frameLen);
  if (sk.rmemAlloc + truesize > sk.rcvbuf && sk.receiveQueue.length > 0) {
    mib[MIB.TcpExtTCPRcvQDrop]++;
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue', DropReason.PROTO_MEM,
      `receive buffer full: rmem ${sk.rmemAlloc} + ${truesize} > rcvbuf ${sk.rcvbuf}: TCPRcvQDrop`, devName);
    return;
  }
  tcpRcvRttMeasure(sk, skb.payloadLen, tsEcrAgeMs(sk, skb, cpu.now), cpu.now);
  queueInOrder(host, cpu, sk, skb, truesize);
  let fin = (skb.tcpFlags & TCPHDR.FIN) !== 0 && end === sk.rcvNxt;
  // tcp_ofo_queue: segments the OFO queue held may now be in order.
  const hadOfo = sk.ofo.length > 0;
  while (sk.ofo.length > 0 && sk.ofo[0]!.seq <= sk.rcvNxt) {
    const o = sk.ofo.shift()!;
    sk.rmemAlloc -= o.truesize;
    const oEnd = o.seq + o.payloadLen;
    if (oEnd <= sk.rcvNxt) {
      kfreeSkbReason(host, cpu.id, cpu.now, o, Stage.SOCK_RCVQ, 'tcp_ofo_queue', DropReason.TCP_OFOMERGE, 'covered by data already queued', devName);
      continue;
    }
    queueInOrder(host, cpu, sk, o, o.truesize);
    if (o.tcpFlags & TCPHDR.FIN && oEnd === sk.rcvNxt) fin = true;
  }
  if (hadOfo) tcpSackRemove(sk);
  if (fin) tcpFin(host, cpu, sk);
  // __tcp_ack_snd_check: quick ACKs, every second full segment, a hole just filled, a DSACK, or the delayed-ACK timer.
  if (sk.quickAck > 0 || sk.rcvUnacked >= 2 * sk.rcvMss || sk.ofo.length > 0 || hadOfo || sk.dsackStart >= 0) {
    if (sk.quickAck > 0) sk.quickAck--;
    tcpSendAck(host, cpu, sk);
  } else if (sk.rcvUnacked > 0) {
    tcpArmDelack(host, sk, cpu.now);
  }
  sk.owner?.onReadable(sk, cpu.now);
}

/** tcp_data_queue_ofo: out-of-order data waits in the OFO queue; its SACK block goes first in the next ACK. */
function tcpDataQueueOfo(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb, devName: string | undefined): void {
  const mib = host.snmp.v;
  const end = skb.seq + skb.payloadLen;
  skb.truesize = rxTruesize(skb.frameLen);
  if (sk.rmemAlloc + skb.truesize > sk.rcvbuf) {
    mib[MIB.TcpExtTCPOFODrop!]++;
    tcpSendAck(host, cpu, sk);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue_ofo', DropReason.TCP_OFO_DROP,
      `receive buffer full: rmem ${sk.rmemAlloc} + ${skb.truesize} > rcvbuf ${sk.rcvbuf}: TCPOFODrop`, devName);
    return;
  }
  mib[MIB.TcpExtTCPOFOQueue]++;
  sk.quickAck = TCP_MAX_QUICKACKS;
  for (let k = 0; k < sk.ofo.length; k++) {
    const o = sk.ofo[k]!;
    if (o.seq <= skb.seq && o.seq + o.payloadLen >= end) {
      mib[MIB.TcpExtTCPOFOMerge!]++;
      tcpDsackSet(host, sk, skb.seq, end);
      tcpSendAck(host, cpu, sk);
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.SOCK_RCVQ, 'tcp_data_queue_ofo', DropReason.TCP_OFOMERGE, 'already in the out-of-order queue: DSACK', devName);
      return;
    }
  }
  let i = sk.ofo.length;
  while (i > 0 && sk.ofo[i - 1]!.seq > skb.seq) i--;
  sk.ofo.splice(i, 0, skb);
  sk.rmemAlloc += skb.truesize;
  // The block ends at end_seq, which counts a FIN.
  tcpSackNewOfo(sk, skb.seq, end + (skb.tcpFlags & TCPHDR.FIN ? 1 : 0));
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, devName, skb, Stage.SOCK_RCVQ,
    `out of order (seq ${skb.seq >>> 0}, expected ${sk.rcvNxt >>> 0}): held in the OFO queue (${sk.ofo.length}); duplicate ACK with SACK sent`, undefined, undefined, 'tcp_data_queue_ofo');
  tcpSendAck(host, cpu, sk);
}

function queueInOrder(host: Host, cpu: Cpu, sk: TcpSock, skb: Skb, truesize: number): void {
  const trim = sk.rcvNxt - skb.seq;
  if (trim > 0) {
    // The head was already received: keep only the new bytes (the partial-packet case of tcp_data_queue).
    skb.seq = sk.rcvNxt;
    skb.payloadLen -= trim;
    skb.len -= trim;
  }
  const len = skb.payloadLen;
  skb.truesize = truesize;
  sk.rmemAlloc += truesize;
  sk.receiveQueue.push(skb);
  sk.rcvNxt += len;
  sk.rcvUnacked += len;
  sk.rcvQueued += skb.payloadLen;
  sk.bytesReceived += len;
  sk.dataSegsIn++;
  // tcp_event_data_recv: skbs of at least 128 bytes grow rcv_ssthresh.
  if (len >= 128) tcpGrowWindow(sk);
  host.snmp.v[MIB.TcpExtTCPHPHits]++;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, host.devName(skb.ifindex) || undefined, skb, Stage.SOCK_RCVQ,
    `in order: ${len} bytes to the receive queue (rmem ${sk.rmemAlloc}/${sk.rcvbuf}, ${sk.receiveQueue.length} skbs); rcv_nxt ${sk.rcvNxt >>> 0}; sk_data_ready`,
    undefined, undefined, 'tcp_queue_rcv');
}

/** How old, in ms of our TS clock, the timestamp this segment echoes is (tcp_rtt_tsopt_us); −1 without one. */
function tsEcrAgeMs(sk: TcpSock, skb: Skb, now: number): number {
  const ecr = skb.tcpOpts?.tsEcr ?? 0;
  if (!sk.tsEnabled || ecr <= 0) return -1;
  return ((Math.floor(now / 1_000_000) + sk.tsOffset) - ecr) | 0;
}

/** tcp_fin: the peer closed its direction. */
function tcpFin(host: Host, cpu: Cpu, sk: TcpSock): void {
  sk.rcvNxt++;
  sk.finReceived = true;
  // tcp_sack_remove runs with rcv_nxt past the FIN: a SACK block that ended at the FIN is now stale.
  if (sk.sackBlocks.length > 0) tcpSackRemove(sk);
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

