// Loss recovery (net/ipv4/tcp_recovery.c, tcp_input.c): RACK marks a
// segment lost when one sent after it was delivered and more than RTT +
// reo_wnd has passed since it was sent; tcp_fastretrans_alert moves the
// connection between the Open, Disorder, Recovery and Loss states;
// tcp_xmit_retransmit_queue resends the lost segments; PRR (RFC 6937,
// tcp_cwnd_reduction) paces cwnd down to ssthresh during recovery.
// Peers without SACK get NewReno: duplicate ACKs count as "sacked_out" and
// the head is marked lost at tcp_reordering of them (tcp_newreno_mark_lost).
//
// Left out: undo (tcp_try_undo_recovery/partial/dsack/loss: DSACKs are
// counted but cwnd is not restored), F-RTO after an RTO, and
// reo_wnd_steps adaptation (reo_wnd stays min_rtt/4 once reordering is seen).

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { MIB } from '../model/snmp.js';
import {
  TCP_CA_CWR, TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery, type RtxSegment, type TcpSock,
} from './tcp_sock.js';
import { tcpRetransmitRun, tcpSmallQueueCheck, tcpXmitSizeGoal } from './tcp_output.js';
import { tcpArmReoTimer, tcpArmRto } from './tcp_timer.js';

/** tcp_ack flags (tcp_input.c FLAG_*), the ones recovery reads. */
export const FLAG_DATA_ACKED = 0x04;
export const FLAG_WIN_UPDATE = 0x02;
export const FLAG_DATA = 0x01;
export const FLAG_DATA_SACKED = 0x20;
export const FLAG_SND_UNA_ADVANCED = 0x400;
export const FLAG_DSACKING_ACK = 0x800;
export const FLAG_LOST_RETRANS = 0x80;
export const FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_DATA_ACKED;
export const FLAG_CA_ALERT = FLAG_DATA_SACKED | FLAG_DSACKING_ACK;

/** TCP_INFINITE_SSTHRESH. */
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;

/** tcp_rack_advance: a segment was delivered; remember the most recently sent one. */
export function tcpRackAdvance(sk: TcpSock, seg: RtxSegment): void {
  const rttUs = Math.floor((sk.tcpClock - seg.sentAt) / 1000);
  // A retransmitted segment acknowledged faster than min_rtt: the original may be what arrived.
  if (seg.retrans > 0 && rttUs < sk.minRtt) return;
  sk.rackAdvanced = true;
  sk.rackRttUs = rttUs;
  if (seg.sentAt > sk.rackMstamp || (seg.sentAt === sk.rackMstamp && seg.end > sk.rackEndSeq)) {
    sk.rackMstamp = seg.sentAt;
    sk.rackEndSeq = seg.end;
  }
}

/** tcp_rack_reo_wnd: no reordering allowance once dupthresh SACKs are in, unless reordering was seen. */
function tcpRackReoWndNs(sk: TcpSock): number {
  if (sk.reordSeen === 0) {
    if (sk.caState >= TCP_CA_Recovery) return 0;
    if (sk.sackedOut >= sk.reordering) return 0;
  }
  return Math.min(sk.minRtt >> 2, sk.srtt >> 3) * 1000;
}

/**
 * tcp_rack_detect_loss: marks lost every segment sent before the RACK
 * segment whose RTT + reo_wnd has passed. Returns the longest time, ns, a
 * not-yet-lost candidate still has (0: none), for the reordering timer.
 */
export function tcpRackDetectLoss(host: Host, sk: TcpSock): number {
  const now = sk.tcpClock;
  const reoWnd = tcpRackReoWndNs(sk);
  const rttNs = sk.rackRttUs * 1000;
  let timeout = 0;
  const rtx = sk.rtx;
  for (let i = 0; i < rtx.length; i++) {
    const seg = rtx[i]!;
    if (seg.sacked || (seg.lost && !seg.retransOut)) continue;
    // tcp_rack_sent_after(rack.mstamp, seg): only segments sent before the delivered one.
    if (!(sk.rackMstamp > seg.sentAt || (sk.rackMstamp === seg.sentAt && sk.rackEndSeq > seg.end))) continue;
    const remaining = rttNs + reoWnd - (now - seg.sentAt);
    if (remaining <= 0) tcpMarkSkbLost(host, sk, seg);
    else if (remaining > timeout) timeout = remaining;
  }
  return timeout;
}

/** tcp_mark_skb_lost: a lost retransmission is lost again (TCPLostRetransmit). */
export function tcpMarkSkbLost(host: Host, sk: TcpSock, seg: RtxSegment): void {
  if (seg.sacked) return;
  if (seg.lost) {
    if (seg.retransOut) {
      seg.retransOut = false;
      sk.retransOut--;
      host.snmp.v[MIB.TcpExtTCPLostRetransmit!]++;
    }
  } else {
    seg.lost = true;
    sk.lostOut++;
    sk.lost++;
  }
}

/** tcp_newreno_mark_lost: without SACK, the head is lost after dupthresh duplicate ACKs or a partial ACK. */
function tcpNewrenoMarkLost(host: Host, sk: TcpSock, unaAdvanced: boolean): void {
  if ((sk.caState < TCP_CA_Recovery && sk.sackedOut >= sk.reordering) || (sk.caState === TCP_CA_Recovery && unaAdvanced)) {
    const head = sk.rtx[0];
    if (head && !head.lost) tcpMarkSkbLost(host, sk, head);
  }
}

/** tcp_add_reno_sack: each duplicate ACK stands for one segment the peer holds. */
export function tcpAddRenoSack(sk: TcpSock, dupacks: number): void {
  if (!dupacks) return;
  sk.sackedOut = Math.min(sk.sackedOut + dupacks, Math.max(0, sk.packetsOut - 1));
}

/** tcp_remove_reno_sacks: a cumulative ACK of `acked` segments consumes the duplicate-ACK count. */
export function tcpRemoveRenoSacks(sk: TcpSock, acked: number): void {
  if (acked <= 0) return;
  sk.sackedOut = acked - 1 >= sk.sackedOut ? 0 : sk.sackedOut - (acked - 1);
}

/** tcp_identify_packet_loss: RACK with SACK, NewReno without. */
function tcpIdentifyPacketLoss(host: Host, cpu: Cpu, sk: TcpSock, flag: number): number {
  if (sk.rtx.length === 0) return flag;
  if (!sk.sackOk) {
    tcpNewrenoMarkLost(host, sk, (flag & FLAG_SND_UNA_ADVANCED) !== 0);
    return flag;
  }
  if (!sk.rackAdvanced) return flag;
  sk.rackAdvanced = false;
  const priorRetrans = sk.retransOut;
  const timeout = tcpRackDetectLoss(host, sk);
  if (timeout > 0) tcpArmReoTimer(host, sk, cpu.now + timeout);
  if (priorRetrans > sk.retransOut) flag |= FLAG_LOST_RETRANS;
  return flag;
}

/** tcp_init_cwnd_reduction: remember where recovery starts and ask the CC for ssthresh. */
function tcpInitCwndReduction(sk: TcpSock): void {
  sk.highSeq = sk.sndNxt;
  sk.tlpHighSeq = 0;
  sk.cwndCnt = 0;
  sk.priorCwnd = sk.cwnd;
  sk.prrDelivered = 0;
  sk.prrOut = 0;
  sk.ssthresh = sk.ca!.ssthresh(sk);
}

/** tcp_enter_recovery: TCPSackRecovery or TCPRenoRecovery, and PRR starts. */
export function tcpEnterRecovery(host: Host, cpu: Cpu, sk: TcpSock): void {
  host.snmp.v[sk.sackOk ? MIB.TcpExtTCPSackRecovery! : MIB.TcpExtTCPRenoRecovery!]++;
  if (sk.caState < TCP_CA_Recovery) tcpInitCwndReduction(sk);
  tcpSetCaState(sk, TCP_CA_Recovery);
}

/**
 * tcp_enter_loss, from the retransmission timer: every segment not SACKed
 * and not sent within the last RTT is lost; cwnd restarts at in-flight + 1.
 */
export function tcpEnterLoss(host: Host, sk: TcpSock): void {
  // tcp_timeout_mark_lost.
  if (!sk.sackOk) sk.sackedOut = 0;
  const rttNs = sk.rackRttUs * 1000;
  for (let i = 0; i < sk.rtx.length; i++) {
    const seg = sk.rtx[i]!;
    if (i > 0 && rttNs - (sk.tcpClock - seg.sentAt) > 0) continue;
    tcpMarkSkbLost(host, sk, seg);
  }
  if (sk.caState <= TCP_CA_Disorder || sk.highSeq <= sk.sndUna || (sk.caState === TCP_CA_Loss && sk.retransmits === 0)) {
    sk.priorCwnd = sk.cwnd;
    sk.ssthresh = sk.ca!.ssthresh(sk);
  }
  sk.cwnd = sk.inFlightSegs + 1;
  sk.cwndCnt = 0;
  const dupthresh = host.sysctl.get('net.ipv4.tcp_reordering');
  if (sk.caState <= TCP_CA_Disorder && sk.sackedOut >= dupthresh) sk.reordering = Math.min(sk.reordering, dupthresh);
  // cubictcp_state(TCP_CA_Loss): bictcp_reset.
  sk.ca!.reset(sk);
  sk.highSeq = sk.sndNxt;
  sk.tlpHighSeq = 0;
  tcpSetCaState(sk, TCP_CA_Loss);
}

/**
 * tcp_cwnd_reduction (PRR, RFC 6937): during recovery send about
 * ssthresh/prior_cwnd segments per segment delivered, and slow-start back
 * up to ssthresh once in-flight has fallen below it.
 */
export function tcpCwndReduction(sk: TcpSock, newlyAckedSacked: number, newlyLost: boolean, flag: number): void {
  if (newlyAckedSacked <= 0 || sk.priorCwnd === 0) return;
  sk.prrDelivered += newlyAckedSacked;
  const inFlight = sk.inFlightSegs;
  const delta = sk.ssthresh - inFlight;
  let sndcnt: number;
  if (delta < 0) {
    sndcnt = Math.floor((sk.ssthresh * sk.prrDelivered + sk.priorCwnd - 1) / sk.priorCwnd) - sk.prrOut;
  } else {
    sndcnt = Math.max(sk.prrDelivered - sk.prrOut, newlyAckedSacked);
    if (flag & FLAG_SND_UNA_ADVANCED && !newlyLost) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  // Force a fast retransmit on entering recovery.
  sndcnt = Math.max(sndcnt, sk.prrOut ? 0 : 1);
  sk.cwnd = inFlight + sndcnt;
}

/** tcp_end_cwnd_reduction: recovery is over; cwnd settles at ssthresh. */
function tcpEndCwndReduction(sk: TcpSock): void {
  if (sk.ssthresh < TCP_INFINITE_SSTHRESH) sk.cwnd = sk.ssthresh;
}

/** tcp_try_keep_open / tcp_try_to_open: Disorder while the scoreboard is not empty, else Open. */
function tcpTryToOpen(host: Host, cpu: Cpu, sk: TcpSock): void {
  const state = sk.sackedOut > 0 || sk.retransOut > 0 ? TCP_CA_Disorder : TCP_CA_Open;
  if (sk.caState !== state) tcpSetCaState(sk, state);
}

/**
 * tcp_process_tlp_ack: an ACK at or past tlp_high_seq settles the probe.
 * New data, a DSACK of the probe, or a pure duplicate ACK mean nothing was
 * lost; an ACK beyond it after a retransmitted probe means the probe
 * repaired a loss: cwnd is reduced once (CWR) and TCPLossProbeRecovery counted.
 */
export function tcpProcessTlpAck(host: Host, sk: TcpSock, ack: number, flag: number): void {
  if (ack < sk.tlpHighSeq) return;
  if (!sk.tlpRetrans || flag & FLAG_DSACKING_ACK) {
    sk.tlpHighSeq = 0;
  } else if (ack > sk.tlpHighSeq) {
    tcpInitCwndReduction(sk);
    tcpSetCaState(sk, TCP_CA_CWR);
    tcpEndCwndReduction(sk);
    tcpSetCaState(sk, sk.sackedOut > 0 || sk.retransOut > 0 ? TCP_CA_Disorder : TCP_CA_Open);
    host.snmp.v[MIB.TcpExtTCPLossProbeRecovery]++;
  } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) {
    sk.tlpHighSeq = 0;
  }
}

/** tcp_set_ca_state. */
function tcpSetCaState(sk: TcpSock, state: number): void {
  sk.caState = state;
}

/**
 * tcp_fastretrans_alert: called for a "dubious" ACK (duplicate, SACKing,
 * DSACKing, or any ACK outside the Open state). Returns true when lost
 * segments should be retransmitted (REXMIT_LOST).
 */
export function tcpFastretransAlert(host: Host, cpu: Cpu, sk: TcpSock, numDupack: number, flag: number): boolean {
  if (sk.packetsOut === 0 && sk.sackedOut) sk.sackedOut = 0;
  const unaAdvanced = (flag & FLAG_SND_UNA_ADVANCED) !== 0;
  // D. State exit: high_seq has been acknowledged.
  if (sk.caState === TCP_CA_Recovery && sk.sndUna >= sk.highSeq) {
    if (!sk.sackOk) sk.sackedOut = 0;
    // tcp_try_undo_recovery: NewReno holds the state until something above high_seq is acknowledged.
    if (!(sk.sndUna === sk.highSeq && !sk.sackOk)) {
      tcpEndCwndReduction(sk);
      tcpSetCaState(sk, TCP_CA_Open);
    } else {
      return false;
    }
  }
  // E. Process the state.
  switch (sk.caState) {
    case TCP_CA_Recovery:
      if (!unaAdvanced && !sk.sackOk) tcpAddRenoSack(sk, numDupack);
      tcpIdentifyPacketLoss(host, cpu, sk, flag);
      return true;
    case TCP_CA_Loss: {
      // tcp_process_loss.
      if (sk.sndUna >= sk.highSeq) {
        tcpSetCaState(sk, TCP_CA_Open);
        return false;
      }
      if (!sk.sackOk) {
        if (sk.sndNxt > sk.highSeq && numDupack) tcpAddRenoSack(sk, numDupack);
        else if (unaAdvanced) sk.sackedOut = 0;
      }
      const f = tcpIdentifyPacketLoss(host, cpu, sk, flag);
      if (!(f & FLAG_LOST_RETRANS)) return true;
      break;
    }
    default:
      break;
  }
  if (!sk.sackOk) {
    if (unaAdvanced) sk.sackedOut = 0;
    tcpAddRenoSack(sk, numDupack);
  }
  tcpIdentifyPacketLoss(host, cpu, sk, flag);
  // tcp_time_to_recover: a segment is proven lost.
  if (sk.lostOut === 0) {
    tcpTryToOpen(host, cpu, sk);
    return false;
  }
  tcpEnterRecovery(host, cpu, sk);
  return true;
}

/**
 * tcp_xmit_retransmit_queue: retransmits lost segments, lowest first, while
 * cwnd allows. Counted as TCPFastRetrans in Recovery, TCPSlowStartRetrans in Loss.
 */
export function tcpXmitRetransmitQueue(host: Host, cpu: Cpu, sk: TcpSock): void {
  const mib = host.snmp.v;
  const rtx = sk.rtx;
  const goal = tcpXmitSizeGoal(sk);
  let rearm = false;
  for (let i = 0; i < rtx.length; i++) {
    if (sk.cwnd - sk.inFlightSegs <= 0) break;
    if (sk.retransOut >= sk.lostOut) break;
    const seg = rtx[i]!;
    if (!seg.lost || seg.sacked || seg.retransOut) continue;
    // The run of contiguous lost segments the cwnd quota allows goes as one skb of up to the size goal.
    const quota = Math.min(sk.cwnd - sk.inFlightSegs, sk.lostOut - sk.retransOut);
    let n = 1;
    while (n < quota && i + n < rtx.length) {
      const next = rtx[i + n]!;
      if (!next.lost || next.sacked || next.retransOut || next.seq !== rtx[i + n - 1]!.end || next.end - seg.seq > goal) break;
      n++;
    }
    if (tcpSmallQueueCheck(host, sk, rtx[i + n - 1]!.end - seg.seq, 1)) break;
    tcpRetransmitRun(host, cpu, sk, i, n, sk.caState === TCP_CA_Loss ? 'slow-start' : 'fast');
    mib[sk.caState === TCP_CA_Loss ? MIB.TcpExtTCPSlowStartRetrans : MIB.TcpExtTCPFastRetrans] += n;
    if (sk.caState === TCP_CA_Recovery) sk.prrOut += n;
    if (i === 0) rearm = true;
    i += n - 1;
  }
  if (rearm) tcpArmRto(host, sk, cpu.now);
}
