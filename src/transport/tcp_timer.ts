// TCP timers (net/ipv4/tcp_timer.c): the retransmission timer with
// exponential backoff (SYNs: linear for the first tcp_syn_linear_timeouts
// gaps since 6.5), the delayed-ACK timer, and TIME_WAIT's 60 s.

import type { Scheduler } from '../model/scheduler.js';
import type { Host } from '../model/host.js';
import { CTX_SOFTIRQ } from '../model/cpu.js';
import { MIB } from '../model/snmp.js';
import { TCP_RTO_MAX, TCP_TIMEWAIT_LEN, TCP_DELACK_MIN, type TcpSock } from './tcp_sock.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT } from './tcp_states.js';
import { tcpRetransmitSkb, tcpSendAck } from './tcp_output.js';
import { tcpSetState, tcpDone } from './tcp.js';

export const ETIMEDOUT = 110;

/** inet_csk_reset_xmit_timer(ICSK_TIME_RETRANS): (re)arms the RTO from `t`. */
export function tcpArmRto(host: Host, sk: TcpSock, t: number): void {
  sk.rtoGen++;
  sk.rtoArmed = true;
  host.sim.at(t + sk.rto, tcpRetransmitTimer, sk, sk.rtoGen);
}

export function tcpClearRto(sk: TcpSock): void {
  sk.rtoGen++;
  sk.rtoArmed = false;
}

/** tcp_retransmit_timer (event handler). */
function tcpRetransmitTimer(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.rtoGen || sk.rtx.length === 0 || sk.state === TCP_CLOSE) return;
  const host = sk.host;
  const cpu = host.cpus[sk.owner?.cpuId ?? 0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  const mib = host.snmp.v;
  const syn = sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV;
  const limit = syn
    ? host.sysctl.get(sk.state === TCP_SYN_SENT ? 'net.ipv4.tcp_syn_retries' : 'net.ipv4.tcp_synack_retries') +
      (sk.state === TCP_SYN_SENT ? host.sysctl.get('net.ipv4.tcp_syn_linear_timeouts') : 0)
    : host.sysctl.get('net.ipv4.tcp_retries2');
  if (sk.retransmits >= limit) {
    // tcp_write_timeout: give up with ETIMEDOUT.
    if (!syn) mib[MIB.TcpExtTCPAbortOnTimeout!]++;
    else mib[MIB.TcpAttemptFails]++;
    sk.err = ETIMEDOUT;
    tcpDone(host, sk, sim.now);
    cpu.end();
    return;
  }
  mib[MIB.TcpExtTCPTimeouts]++;
  if (syn) mib[MIB.TcpExtTCPSynRetrans]++;
  else mib[MIB.TcpExtTCPSlowStartRetrans]++;
  // tcp_enter_loss: ssthresh halves, cwnd restarts at one segment.
  if (!syn) {
    sk.ssthresh = Math.max(2, sk.packetsOut >> 1);
    sk.cwnd = 1;
    sk.cwndCnt = 0;
    sk.lost += sk.rtx.length;
  }
  sk.retransmits++;
  tcpRetransmitSkb(host, cpu, sk, sk.rtx[0]!);
  const linear = sk.state === TCP_SYN_SENT && sk.retransmits <= host.sysctl.get('net.ipv4.tcp_syn_linear_timeouts');
  if (!linear) {
    sk.backoff++;
    sk.rto = Math.min(sk.rto * 2, TCP_RTO_MAX);
  }
  tcpArmRto(host, sk, cpu.now);
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
  sk.twGen++;
  host.sim.at(t + TCP_TIMEWAIT_LEN, tcpTimeWaitDone, sk, sk.twGen);
}

function tcpTimeWaitDone(sim: Scheduler, sk: TcpSock, gen: number): void {
  if (gen !== sk.twGen || sk.state !== TCP_TIME_WAIT) return;
  sk.host.snmp.v[MIB.TcpExtTW]++;
  tcpDone(sk.host, sk, sim.now);
}
