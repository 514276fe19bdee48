// TCP timers (net/ipv4/tcp_timer.c): the retransmission timer with
// exponential backoff (SYNs: linear for the first tcp_syn_linear_timeouts
// gaps since 6.5) that puts the connection in the Loss state, the tail loss
// probe that shares it (RACK-TLP, tcp_output.c), the RACK reordering timer,
// the zero-window probe timer, the delayed-ACK timer, and TIME_WAIT's 60 s.
import type { Scheduler } from '../model/scheduler.js';
import type { Host } from '../model/host.js';
// Timers run in whole jiffies (usecs_to_jiffies rounds up).
import { NSEC_PER_JIFFY, jiffiesCeilOf } from '../model/time.js';
import { CTX_SOFTIRQ } from '../model/cpu.js';
import { MIB } from '../model/snmp.js';
import {
  TCP_CA_CWR, TCP_CA_Open, TCP_DELACK_MIN, TCP_RTO_MAX, TCP_TIMEOUT_INIT, TCP_TIMEWAIT_LEN, type TcpSock,
} from './tcp_sock.js';
import type { Cpu } from '../model/cpu.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT } from './tcp_states.js';
import { tcpPushOneSegment, tcpRetransmitSkb, tcpSendAck, tcpSendProbe0 } from './tcp_output.js';
import { tcpCwndReduction, tcpEnterLoss, tcpEnterRecovery, tcpRackDetectLoss, tcpXmitRetransmitQueue } from './tcp_recovery.js';
import { TCP_CA_Recovery } from './tcp_sock.js';
import { tcpSetState, tcpDone } from './tcp.js';

export const ETIMEDOUT = 110;

/**
 * inet_csk_reset_xmit_timer(ICSK_TIME_RETRANS): (re)arms the RTO from `t`.
 * The RTO and the loss probe share icsk_retransmit_timer: arming one cancels the other.
 */
export function tcpArmRto(host: Host, sk: TcpSock, t: number): void {
  sk.rtoGen++;
  sk.tlpGen++;
  sk.tlpArmed = false;
  sk.rtoArmed = true;
  sk.xmitTimerAt = t + sk.rto;
  host.sim.at(t + sk.rto, tcpRetransmitTimer, sk, sk.rtoGen);
}

export function tcpClearRto(sk: TcpSock): void {
  sk.rtoGen++;
  sk.rtoArmed = false;
  sk.tlpGen++;
  sk.tlpArmed = false;
}

/** TCP_TIMEOUT_MIN_US: the TLP allowance when more than one segment is in flight. */
const TCP_TIMEOUT_MIN_NS = 2_000_000;

/** tcp_rto_delta_us: how far in the future the RTO of the head segment falls, ns (may be ≤ 0). */
function tcpRtoDelta(sk: TcpSock, now: number): number {
  const head = sk.rtx[0];
  return head ? head.sentAt + sk.rto - now : sk.rto;
}

/**
 * tcp_rearm_rto while a loss probe was pending: the RTO keeps its deadline
 * from the head segment's send time instead of restarting now.
 */
function tcpRearmRtoDelta(host: Host, sk: TcpSock, now: number): void {
  tcpArmRto(host, sk, now + Math.max(tcpRtoDelta(sk, now), 1000) - sk.rto);
}

/**
 * tcp_schedule_loss_probe: with tcp_early_retrans 3 or 4 and SACK, a
 * connection in Open or CWR with data in flight arms a tail loss probe at
 * PTO = 2·SRTT plus tcp_rto_min when a single segment is in flight (the
 * peer may be delaying its ACK) or TCP_TIMEOUT_MIN (2 ms) otherwise; 1 s
 * without an RTT sample; never later than the RTO would fire. Returns false
 * when no probe is scheduled (the caller arms the RTO instead).
 */
export function tcpScheduleLossProbe(host: Host, sk: TcpSock, now: number, advancingRto: boolean): boolean {
  const earlyRetrans = host.sysctl.hot.tcpEarlyRetrans;
  if ((earlyRetrans !== 3 && earlyRetrans !== 4) || sk.rtx.length === 0 || !sk.sackOk) return false;
  if (sk.caState !== TCP_CA_Open && sk.caState !== TCP_CA_CWR) return false;
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) return false;
  let timeout: number;
  if (sk.srtt) {
    const us = (sk.srtt >> 2) + (sk.packetsOut === 1 ? host.sysctl.hot.tcpRtoMinUs : TCP_TIMEOUT_MIN_NS / 1000);
    timeout = jiffiesCeilOf(us * 1000) * NSEC_PER_JIFFY;
  } else {
    timeout = TCP_TIMEOUT_INIT;
  }
  const rtoDelta = advancingRto ? sk.rto : tcpRtoDelta(sk, now);
  if (rtoDelta > 0) timeout = Math.min(timeout, jiffiesCeilOf(rtoDelta) * NSEC_PER_JIFFY);
  sk.rtoGen++;
  sk.rtoArmed = false;
  sk.tlpGen++;
  sk.tlpArmed = true;
  sk.xmitTimerAt = now + timeout;
  host.sim.at(now + timeout, tcpLossProbeTimer, sk, sk.tlpGen);
  return true;
}

/** tcp_write_timer_handler for ICSK_TIME_LOSS_PROBE. */
function tcpLossProbeTimer(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.tlpGen || !sk.tlpArmed || sk.state === TCP_CLOSE) return;
  const host = sk.host;
  const cpu = host.cpus[sk.owner?.cpuId ?? 0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  tcpSendLossProbe(host, cpu, sk);
  cpu.end();
}

/**
 * tcp_send_loss_probe: at most one probe per tail-loss episode. New data
 * if the peer's window has room (cwnd is not consulted), else the last
 * segment again; tlp_high_seq remembers snd_nxt so the ACK can tell whether
 * the probe repaired a loss (TCPLossProbeRecovery). Then the RTO.
 */
export function tcpSendLossProbe(host: Host, cpu: Cpu, sk: TcpSock): void {
  if (sk.tlpHighSeq) {
    tcpRearmRtoDelta(host, sk, cpu.now);
    return;
  }
  sk.tlpRetrans = false;
  let sent = false;
  if (sk.unsent > 0 && sk.sndNxt + Math.min(sk.mss, sk.unsent) <= sk.sndUna + sk.sndWnd) {
    sent = tcpPushOneSegment(host, cpu, sk);
  } else {
    const last = sk.rtx[sk.rtx.length - 1];
    if (!last) {
      tcpClearRto(sk);
      return;
    }
    tcpRetransmitSkb(host, cpu, sk, last, 'TLP', false);
    sk.tlpRetrans = true;
    sent = true;
  }
  if (!sent) {
    tcpRearmRtoDelta(host, sk, cpu.now);
    return;
  }
  sk.tlpHighSeq = sk.sndNxt;
  host.snmp.v[MIB.TcpExtTCPLossProbes]++;
  tcpArmRto(host, sk, cpu.now);
}

/** TCP_RTO_MIN: the base tcp_model_timeout counts backoffs from. */
const TCP_RTO_MIN = 200_000_000;

/**
 * tcp_model_timeout: how long `boundary` RTO backoffs take starting from
 * 200 ms, doubling up to TCP_RTO_MAX then linear: 924.6 s for tcp_retries2 = 15.
 */
export function tcpModelTimeout(boundary: number): number {
  const linearBackoffThresh = Math.floor(Math.log2(TCP_RTO_MAX / TCP_RTO_MIN));
  if (boundary <= linearBackoffThresh) return (2 ** (boundary + 1) - 1) * TCP_RTO_MIN;
  return (2 ** (linearBackoffThresh + 1) - 1) * TCP_RTO_MIN + (boundary - linearBackoffThresh) * TCP_RTO_MAX;
}

/** tcp_retransmit_timer (event handler). */
function tcpRetransmitTimer(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.rtoGen || sk.rtx.length === 0 || sk.state === TCP_CLOSE) return;
  const host = sk.host;
  const cpu = host.cpus[sk.owner?.cpuId ?? 0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  const mib = host.snmp.v;
  const syn = sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV;
  // tcp_write_timeout: SYNs give up by count, data by the time tcp_retries2 backoffs from 200 ms would take.
  const expired = syn
    ? sk.retransmits >= host.sysctl.get(sk.state === TCP_SYN_SENT ? 'net.ipv4.tcp_syn_retries' : 'net.ipv4.tcp_synack_retries') +
      (sk.state === TCP_SYN_SENT ? host.sysctl.get('net.ipv4.tcp_syn_linear_timeouts') : 0)
    : sk.retransmits > 0 && sim.now - sk.retransStamp >= tcpModelTimeout(host.sysctl.get('net.ipv4.tcp_retries2'));
  if (expired) {
    // tcp_write_timeout: give up with ETIMEDOUT.
    if (!syn) mib[MIB.TcpExtTCPAbortOnTimeout!]++;
    else mib[MIB.TcpAttemptFails]++;
    sk.err = ETIMEDOUT;
    tcpDone(host, sk, sim.now);
    cpu.end();
    return;
  }
  mib[MIB.TcpExtTCPTimeouts]++;
  if (syn) {
    mib[MIB.TcpExtTCPSynRetrans]++;
  } else {
    // tcp_enter_loss: everything unSACKed is lost, cwnd restarts at one segment, state Loss.
    tcpEnterLoss(host, sk);
  }
  if (sk.retransmits === 0) sk.retransStamp = sk.rtx[0]!.sentAt;
  sk.retransmits++;
  tcpRetransmitSkb(host, cpu, sk, sk.rtx[0]!, 'RTO');
  // Linear for the first tcp_syn_linear_timeouts SYN timeouts (6.5+), else exponential backoff.
  const linear = sk.state === TCP_SYN_SENT && sk.retransmits <= host.sysctl.get('net.ipv4.tcp_syn_linear_timeouts');
  if (!linear) {
    sk.backoff++;
    sk.rto = Math.min(sk.rto * 2, host.sysctl.get('net.ipv4.tcp_rto_max_ms') * 1_000_000, TCP_RTO_MAX);
  }
  tcpArmRto(host, sk, cpu.now);
  cpu.end();
}

/** The RACK reordering timer (ICSK_TIME_REO_TIMEOUT): re-run loss detection when a candidate's window expires. */
export function tcpArmReoTimer(host: Host, sk: TcpSock, t: number): void {
  sk.rackGen++;
  sk.rackArmed = true;
  host.sim.at(t, tcpRackReoTimeout, sk, sk.rackGen);
}

/** tcp_rack_reo_timeout. */
function tcpRackReoTimeout(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.rackGen || !sk.rackArmed || sk.rtx.length === 0 || sk.state === TCP_CLOSE) return;
  sk.rackArmed = false;
  const host = sk.host;
  const cpu = host.cpus[sk.owner?.cpuId ?? 0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  const prior = sk.inFlightSegs;
  const timeout = tcpRackDetectLoss(host, sk);
  if (timeout > 0) tcpArmReoTimer(host, sk, sim.now + timeout);
  if (prior !== sk.inFlightSegs) {
    if (sk.caState !== TCP_CA_Recovery) {
      tcpEnterRecovery(host, cpu, sk);
      tcpCwndReduction(sk, 1, false, 0);
    }
    tcpXmitRetransmitQueue(host, cpu, sk);
  }
  cpu.end();
}

/**
 * tcp_check_probe_timer / tcp_reset_xmit_timer(ICSK_TIME_PROBE0): data is
 * waiting, nothing is in flight and the peer's window is closed.
 */
export function tcpCheckProbeTimer(host: Host, sk: TcpSock, t: number): void {
  if (sk.probeArmed || sk.rtx.length > 0) return;
  sk.probeArmed = true;
  sk.probeGen++;
  sk.probeTimerAt = t + tcpProbe0When(sk);
  host.sim.at(sk.probeTimerAt, tcpProbeTimer, sk, sk.probeGen);
}

/** tcp_probe0_when: the RTO, doubled per probe sent, capped at TCP_RTO_MAX. */
function tcpProbe0When(sk: TcpSock): number {
  return Math.min(sk.rto * 2 ** sk.probesOut, TCP_RTO_MAX);
}

export function tcpClearProbeTimer(sk: TcpSock): void {
  sk.probeArmed = false;
  sk.probeGen++;
  sk.probesOut = 0;
}

/** tcp_probe_timer → tcp_send_probe0: a zero-window probe, or data if the window opened. */
function tcpProbeTimer(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.probeGen || !sk.probeArmed || sk.state === TCP_CLOSE) return;
  sk.probeArmed = false;
  const host = sk.host;
  if (sk.rtx.length > 0 || sk.unsent === 0) {
    sk.probesOut = 0;
    return;
  }
  const cpu = host.cpus[sk.owner?.cpuId ?? 0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  // tcp_probe_timer: give up after tcp_retries2 unanswered probes.
  if (sk.probesOut >= host.sysctl.get('net.ipv4.tcp_retries2')) {
    host.snmp.v[MIB.TcpExtTCPAbortOnTimeout!]++;
    sk.err = ETIMEDOUT;
    tcpDone(host, sk, sim.now);
    cpu.end();
    return;
  }
  tcpSendProbe0(host, cpu, sk);
  sk.probesOut++;
  if (sk.rtx.length === 0) {
    sk.probeArmed = true;
    sk.probeGen++;
    sk.probeTimerAt = cpu.now + tcpProbe0When(sk);
    host.sim.at(sk.probeTimerAt, tcpProbeTimer, sk, sk.probeGen);
  } else {
    sk.probesOut = 0;
  }
  cpu.end();
}

/** Arms the delayed-ACK timer (inet_csk_reset_xmit_timer(ICSK_TIME_DACK)). */
export function tcpArmDelack(host: Host, sk: TcpSock, t: number): void {
  if (sk.delackArmed) return;
  sk.delackArmed = true;
  sk.delackGen++;
  host.sim.at(t + TCP_DELACK_MIN, tcpDelackTimer, sk, sk.delackGen);
}

function tcpDelackTimer(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.delackGen || !sk.delackArmed) return;
  sk.delackArmed = false;
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT && sk.state < 4) return;
  const host = sk.host;
  const cpu = host.cpus[sk.owner?.cpuId ?? 0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  host.snmp.v[MIB.TcpExtDelayedACKs]++;
  tcpSendAck(host, cpu, sk);
  cpu.end();
}

/** tcp_time_wait: the socket lingers 60 s, then is gone. */
export function tcpEnterTimeWait(host: Host, sk: TcpSock, event: number, t: number): void {
  tcpSetState(host, sk, event, t);
  tcpClearRto(sk);
  sk.twStart = t;
  sk.twGen++;
  host.sim.at(t + TCP_TIMEWAIT_LEN, tcpTimeWaitDone, sk, sk.twGen);
}

function tcpTimeWaitDone(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.twGen || sk.state !== TCP_TIME_WAIT) return;
  sk.host.snmp.v[MIB.TcpExtTW]++;
  tcpDone(sk.host, sk, sim.now);
}
