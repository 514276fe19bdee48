// TCP output (net/ipv4/tcp_output.c): tcp_transmit_skb builds a segment from
// the socket's state (a fresh skb per transmission, as the kernel transmits
// clones and keeps the original for retransmission); tcp_write_xmit sends
// what cwnd, the receive window and Nagle allow; tcp_send_ack,
// tcp_send_synack and tcp_v4_send_reset build the control segments.

import type { Host } from '../model/host.js';
import { CTX_SOFTIRQ, type Cpu } from '../model/cpu.js';
import type { Scheduler } from '../model/scheduler.js';
import { IP, IPHDR_LEN, IPPROTO, type Skb, TCPHDR, TCPHDR_LEN, TcpOptions, tcpOptionsLen } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { allocLocalSkb } from '../model/skb_alloc.js';
import { formatIpv4 } from '../model/inet.js';
import { ipLocalOut, ipRouteOutput } from '../routing/ip_output.js';
import { txTruesize } from './sock.js';
import { RtxSegment, TCP_CA_Recovery, TcpSock } from './tcp_sock.js';
import {
  TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_LAST_ACK, TCP_STATE_NAMES, TCP_SYN_RECV,
  TCP_SYN_SENT,
} from './tcp_states.js';
import { tcpXmitRetransmitQueue } from './tcp_recovery.js';
import { tcpRateSkbSent } from './tcp_rate.js';
import { TCP_CHRONO_RWND_LIMITED, TCP_CHRONO_SNDBUF_LIMITED, tcpChronoStart, tcpChronoStop } from './tcp_chrono.js';
import { tcpArmRto, tcpCheckProbeTimer, tcpClearProbeTimer, tcpScheduleLossProbe } from './tcp_timer.js';
import { tcpSackOption } from './tcp_sack.js';

/** Default SYN window: 44 × 1460, the unscaled initial window tcp_select_initial_window picks. */
const TCP_SYN_WINDOW = 64240;

export function tcpFlagsString(f: number): string {
  let s = '';
  if (f & TCPHDR.SYN) s += 'S';
  if (f & TCPHDR.FIN) s += 'F';
  if (f & TCPHDR.RST) s += 'R';
  if (f & TCPHDR.PSH) s += 'P';
  if (f & TCPHDR.ACK) s += '.';
  return s || 'none';
}

/** tcp_time_stamp_ms: the TS clock of this socket (ms, with its random offset). */
function tsNow(sk: TcpSock, t: number): number {
  return (Math.floor(t / 1_000_000) + sk.tsOffset) >>> 0;
}

/**
 * __tcp_select_window: the window the free receive space allows, in bytes:
 * free space at the scaling ratio (50% of truesize is payload) up to
 * rcv_ssthresh, zero when
 * less than 1/16 of the buffer or one MSS is free (receiver-side silly
 * window avoidance), else rounded down to the receive MSS.
 */
export function tcpNewWindow(sk: TcpSock): number {
  const full = Math.floor(sk.rcvbuf / 2);
  const free = Math.floor(Math.max(0, sk.rcvbuf - sk.rmemAlloc) / 2);
  if (free < full >> 4 || free < sk.rcvMss) return 0;
  let win = Math.min(free, sk.rcvSsthresh, 65535 * 2 ** sk.rcvWscale);
  win -= win % sk.rcvMss;
  return win;
}

/** tcp_receive_window: what is left of the window last advertised. */
export function tcpReceiveWindow(sk: TcpSock): number {
  return Math.max(0, sk.rcvWup + sk.rcvWnd - sk.rcvNxt);
}

/**
 * tcp_select_window: the window field of an outgoing segment. The window
 * never shrinks (its right edge stays), so a smaller offer keeps the old
 * edge (TCPWantZeroWindowAdv when the offer was zero); reaching and leaving
 * zero are counted (TCPToZeroWindowAdv, TCPFromZeroWindowAdv).
 */
export function tcpSelectWindow(host: Host, sk: TcpSock): number {
  const mib = host.snmp.v;
  const oldWin = sk.rcvWnd;
  const curWin = tcpReceiveWindow(sk);
  let newWin = tcpNewWindow(sk);
  if (newWin < curWin) {
    if (newWin === 0) mib[MIB.TcpExtTCPWantZeroWindowAdv!]++;
    const unit = 2 ** sk.rcvWscale;
    newWin = Math.ceil(curWin / unit) * unit;
  }
  const field = Math.floor(newWin / 2 ** sk.rcvWscale);
  sk.rcvWnd = field * 2 ** sk.rcvWscale;
  sk.rcvWup = sk.rcvNxt;
  if (field === 0) {
    if (oldWin) mib[MIB.TcpExtTCPToZeroWindowAdv!]++;
  } else if (oldWin === 0) {
    mib[MIB.TcpExtTCPFromZeroWindowAdv!]++;
  }
  return field;
}

/**
 * tcp_transmit_skb: one segment of `len` payload bytes at `seq` with `flags`.
 * `writeTime` is when the application wrote the payload (journey steps 1-2).
 * `retrans` names why a segment is sent again ('' for a first transmission):
 * its trace line then starts with `retransmit (<kind>)`.
 */
export function tcpTransmitSkb(
  host: Host, cpu: Cpu, sk: TcpSock, seq: number, len: number, flags: number, retrans: RetransKind, writeTime: number,
  gsoSize = 0,
): void {
  const rt = sk.route ?? ipRouteOutput(host, sk.daddr);
  if (!rt) return;
  sk.route = rt;
  cpu.charge(host.costs.tcp_transmit_skb);
  const skb = allocLocalSkb(host, cpu, sk.saddr, sk.daddr, IPPROTO.TCP);
  skb.sport = sk.sport;
  skb.dport = sk.dport;
  skb.fragOff = IP.DF;
  skb.tcpFlags = flags;
  skb.seq = seq;
  skb.ackSeq = flags & TCPHDR.ACK ? sk.rcvNxt : 0;
  const opts = new TcpOptions();
  if (flags & TCPHDR.SYN) {
    opts.mss = sk.advmss;
    opts.sackOk = sk.sackOk;
    opts.wscale = sk.rcvWscale;
    skb.window = TCP_SYN_WINDOW;
    if (sk.state === TCP_SYN_RECV) skb.window = Math.min(65535, Math.floor(sk.rcvbuf / 2 / sk.rcvMss) * sk.rcvMss) || TCP_SYN_WINDOW;
    // The SYN's window is the first advertisement (never scaled), and rcv_ssthresh starts there (tcp_select_initial_window).
    sk.rcvWnd = skb.window;
    sk.rcvSsthresh = skb.window;
  } else {
    skb.window = tcpSelectWindow(host, sk);
  }
  if (sk.tsEnabled) {
    opts.tsVal = tsNow(sk, cpu.now);
    opts.tsEcr = flags & TCPHDR.SYN && !(flags & TCPHDR.ACK) ? 0 : sk.tsRecent;
  }
  if (flags & TCPHDR.ACK && !(flags & TCPHDR.SYN)) opts.sack = tcpSackOption(sk);
  skb.tcpOpts = opts;
  skb.payloadLen = len;
  skb.len = IPHDR_LEN + TCPHDR_LEN + tcpOptionsLen(opts) + len;
  skb.truesize = txTruesize(skb.len);
  // skb_set_owner_w: the skb counts in sk_wmem_alloc until tcp_wfree (TX completion or a drop).
  skb.sk = sk;
  sk.wmemAlloc += skb.truesize;
  // A TSO/GSO super-packet (tcp_set_skb_tso_segs): gso_size = mss, counted as its segments.
  let pcount = 1;
  if (gsoSize > 0 && len > gsoSize) {
    pcount = Math.ceil(len / gsoSize);
    skb.gsoSize = gsoSize;
    skb.gsoSegs = pcount;
  }
  const mib = host.snmp.v;
  mib[MIB.TcpOutSegs] += pcount;
  if (retrans) {
    mib[MIB.TcpRetransSegs] += pcount;
    sk.totalRetrans += pcount;
    sk.bytesRetrans += len;
  } else if (len > 0 || flags & (TCPHDR.SYN | TCPHDR.FIN)) {
    if (len > 0) mib[MIB.TcpExtTCPOrigDataSent] += pcount;
  }
  if (flags & TCPHDR.RST) mib[MIB.TcpOutRsts]++;
  sk.segsOut += pcount;
  if (len > 0) {
    sk.dataSegsOut += pcount;
    sk.bytesSent += len;
  }
  sk.lastSend = cpu.now;
  if (flags & TCPHDR.ACK) {
    sk.rcvUnacked = 0;
    sk.delackArmed = false;
    sk.delackGen++;
  }
  const tr = host.tr;
  if (tr.on) {
    const who = `${sk.owner?.comm ?? 'app'} (pid ${sk.owner?.pid ?? 0})`;
    if (len > 0 && !retrans) {
      tr.stage(writeTime, host.name, cpu.id, undefined, skb, Stage.APP_SEND,
        `${who} write() queued these ${len} bytes in the socket`, undefined, undefined, 'tcp_sendmsg', sk.owner?.pid);
      tr.stage(cpu.now, host.name, cpu.id, undefined, skb, Stage.SOCK_SNDBUF,
        `in the write queue: sk_wmem_queued ${sk.wmemQueued}/${sk.sndbuf} bytes; cwnd ${sk.cwnd}, ${sk.packetsOut} segments in flight`,
        undefined, undefined, 'tcp_write_xmit');
    }
    tr.stage(cpu.now, host.name, cpu.id, rt.dev?.name, skb, Stage.L4_TX,
      `${retrans ? `retransmit (${retrans}) ` : ''}TCP ${sk.sport} → ${sk.dport} [${tcpFlagsString(flags)}] seq ${seq >>> 0}${flags & TCPHDR.ACK ? ` ack ${sk.rcvNxt >>> 0}` : ''} win ${skb.window} len ${len}${pcount > 1 ? ` as one ${pcount}-segment TSO/GSO skb (gso_size ${gsoSize})` : ''} (${TCP_STATE_NAMES[sk.state]})`);
  }
  ipLocalOut(host, cpu, skb, rt);
}

/** tcp_send_ack: a pure ACK for everything received in order. */
export function tcpSendAck(host: Host, cpu: Cpu, sk: TcpSock): void {
  tcpTransmitSkb(host, cpu, sk, sk.sndNxt, 0, TCPHDR.ACK, '', cpu.now);
}

/** tcp_connect: the SYN. */
export function tcpSendSyn(host: Host, cpu: Cpu, sk: TcpSock, retrans: boolean): void {
  if (!retrans) {
    sk.rtx.push(new RtxSegment(sk.iss, sk.iss + 1, sk.tcpClock, false, true));
    sk.sndNxt = sk.iss + 1;
  }
  tcpTransmitSkb(host, cpu, sk, sk.iss, 0, TCPHDR.SYN, retrans ? 'SYN' : '', cpu.now);
  tcpArmRto(host, sk, cpu.now);
}

/** tcp_v4_send_synack. */
export function tcpSendSynAck(host: Host, cpu: Cpu, sk: TcpSock, retrans: boolean): void {
  if (!retrans) {
    sk.rtx.push(new RtxSegment(sk.iss, sk.iss + 1, sk.tcpClock, false, true));
    sk.sndNxt = sk.iss + 1;
  }
  tcpTransmitSkb(host, cpu, sk, sk.iss, 0, TCPHDR.SYN | TCPHDR.ACK, retrans ? 'SYN-ACK' : '', cpu.now);
  tcpArmRto(host, sk, cpu.now);
}

/** When the application wrote the byte at `seq` (for the journey's step 1). */
function writeTimeOf(sk: TcpSock, seq: number): number {
  const off = seq - sk.iss - 1;
  const w = sk.writeTimes;
  for (let i = 0; i < w.length; i += 2) if (off < w[i]!) return w[i + 1]!;
  return w.length > 0 ? w[w.length - 1]! : 0;
}

/**
 * tcp_write_xmit: sends new segments while the congestion window, the peer's
 * receive window and Nagle allow, then the FIN once the data is out.
 */
export function tcpWriteXmit(host: Host, cpu: Cpu, sk: TcpSock): void {
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT && !(sk.finQueued && !sk.finSent)) return;
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) return;
  // sk_can_gso: with TSO or GSO on the route's device, consecutive segments
  // go down as one super-packet of up to tcpTsoAutosize bytes; without, one MSS each.
  const r = tcpWriteSegments(host, cpu, sk, tcpXmitSizeGoal(sk));
  const sent = (r & XMIT_SENT) !== 0;
  const now = sk.tcpClock;
  if (r & XMIT_RWND_LIMITED) tcpChronoStart(sk, TCP_CHRONO_RWND_LIMITED, now);
  else tcpChronoStop(sk, TCP_CHRONO_RWND_LIMITED, now);
  // tcp_cwnd_validate: the network is fed, nothing waits to be sent, and the writer waits for send buffer.
  if (sent && sk.inFlightSegs < sk.cwnd && sk.unsent === 0 && sk.sndNoSpace &&
    (sk.state === TCP_ESTABLISHED || sk.state === TCP_CLOSE_WAIT)) {
    tcpChronoStart(sk, TCP_CHRONO_SNDBUF_LIMITED, now);
  }
  if (sent) {
    // tcp_event_new_data_sent rearms the RTO (first data in flight, or a probe was pending); then one loss probe per tail.
    if (!sk.rtoArmed) tcpArmRto(host, sk, cpu.now);
    tcpScheduleLossProbe(host, sk, cpu.now, false);
    tcpClearProbeTimer(sk);
  }
  // tcp_check_probe_timer: data waits for a window while nothing is in flight.
  else if (sk.unsent > 0 && sk.rtx.length === 0) tcpCheckProbeTimer(host, sk, cpu.now);
}

/**
 * Moves `len` new bytes at snd_nxt (and the FIN when they are the last) into
 * the retransmit queue, as tcp_event_new_data_sent accounts a new segment.
 * Returns whether the FIN goes with them.
 */
function tcpQueueNewSegment(sk: TcpSock, len: number): boolean {
  const seq = sk.sndNxt;
  const fin = len === sk.unsent && sk.finQueued && !sk.finSent;
  const seg = new RtxSegment(seq, seq + len + (fin ? 1 : 0), sk.tcpClock, fin, false);
  tcpRateSkbSent(sk, seg, seg.sentAt);
  sk.rtx.push(seg);
  sk.sndNxt = seq + len + (fin ? 1 : 0);
  if (fin) sk.finSent = true;
  return fin;
}

/**
 * tcp_write_xmit(push_one = 2) for a loss probe: one new segment the
 * peer's window allows, whatever cwnd says. Returns whether it went out.
 */
export function tcpPushOneSegment(host: Host, cpu: Cpu, sk: TcpSock): boolean {
  const len = Math.min(sk.mss, sk.unsent);
  if (len <= 0 || sk.sndNxt + len > sk.sndUna + sk.sndWnd) return false;
  const seq = sk.sndNxt;
  const last = len === sk.unsent;
  const fin = tcpQueueNewSegment(sk, len);
  tcpTransmitSkb(host, cpu, sk, seq, len, TCPHDR.ACK | (last ? TCPHDR.PSH : 0) | (fin ? TCPHDR.FIN : 0), '', writeTimeOf(sk, seq));
  return true;
}

/**
 * tcp_send_probe0 → tcp_write_wakeup: if the peer's window has room, send
 * what fits; else tcp_xmit_probe_skb, a bare ACK with seq snd_una − 1 the
 * peer must answer with its window (TCPWinProbe).
 */
export function tcpSendProbe0(host: Host, cpu: Cpu, sk: TcpSock): void {
  const room = sk.sndUna + sk.sndWnd - sk.sndNxt;
  if (room > 0 && sk.unsent > 0) {
    const len = Math.min(sk.mss, room, sk.unsent);
    const seq = sk.sndNxt;
    const fin = tcpQueueNewSegment(sk, len);
    tcpTransmitSkb(host, cpu, sk, seq, len, TCPHDR.ACK | TCPHDR.PSH | (fin ? TCPHDR.FIN : 0), '', writeTimeOf(sk, seq));
    if (!sk.rtoArmed) tcpArmRto(host, sk, cpu.now);
    return;
  }
  host.snmp.v[MIB.TcpExtTCPWinProbe!]++;
  tcpTransmitSkb(host, cpu, sk, sk.sndUna - 1, 0, TCPHDR.ACK, '', cpu.now);
}

/** GSO_LEGACY_MAX_SIZE: a TSO/GSO skb's IP length stays below 64 KB (dev->gso_max_size). */
const GSO_MAX_SIZE = 65536;

/**
 * tcp_tso_autosize, in bytes: about 1 ms at the pacing rate (sk_pacing_shift),
 * plus gso_max_size >> (min_rtt_us >> tcp_tso_rtt_log) so that short paths
 * still build big skbs, at most what fits in gso_max_size and at least
 * tcp_min_tso_segs segments. 0 when the device can do neither TSO nor GSO
 * (sk_can_gso). The cwnd and the receive window still cap each burst.
 */
export function tcpTsoAutosize(sk: TcpSock): number {
  const dev = sk.route?.dev;
  const f = dev?.features as { tso: boolean; gso: boolean } | null | undefined;
  if (!f || !(f.tso || f.gso)) return 0;
  const hot = sk.host.sysctl.hot;
  const gsoMaxSize = GSO_MAX_SIZE - 1 - (IPHDR_LEN + TCPHDR_LEN + (sk.tsEnabled ? 12 : 0));
  let bytes = Math.floor(tcpPacingRate(sk.host, sk) / (1 << SK_PACING_SHIFT));
  const r = sk.minRtt >> hot.tcpTsoRttLog;
  if (r < 32) bytes += gsoMaxSize >> r;
  const segs = Math.max(Math.floor(Math.min(bytes, gsoMaxSize) / sk.mss), hot.tcpMinTsoSegs);
  return segs * sk.mss;
}

/** What tcpWriteSegments did: sent something; stopped by the peer's receive window. */
const XMIT_SENT = 1;
const XMIT_RWND_LIMITED = 2;

/**
 * The segment loop of tcp_write_xmit: each MSS is admitted by cwnd, the
 * peer's window and Nagle exactly as one by one, and consecutive ones go
 * down in skbs of up to `goal` bytes (one MSS when the device cannot
 * segment); then the FIN, once the data is out.
 */
function tcpWriteSegments(host: Host, cpu: Cpu, sk: TcpSock, goal: number): number {
  let sent = false;
  let rwndLimited = false;
  let batchSeq = 0;
  let batchLen = 0;
  let batchFlags = 0;
  while (sk.unsent > 0) {
    if (sk.inFlightSegs >= sk.cwnd) break;
    const len = Math.min(sk.mss, sk.unsent);
    if (sk.sndNxt + len > sk.sndUna + sk.sndWnd) {
      rwndLimited = true;
      break;
    }
    // Nagle (tcp_nagle_check): hold a small segment while data is unacknowledged.
    if (len < sk.mss && sk.packetsOut > 0 && !sk.finQueued) break;
    const seq = sk.sndNxt;
    const last = len === sk.unsent;
    if (batchLen > 0 && batchLen + len > goal) {
      tcpTransmitSkb(host, cpu, sk, batchSeq, batchLen, batchFlags, '', writeTimeOf(sk, batchSeq), sk.mss);
      batchLen = 0;
      sent = true;
    }
    if (batchLen === 0) {
      if (tcpSmallQueueCheck(host, sk, Math.min(goal, sk.unsent), 0)) break;
      batchSeq = seq;
    }
    const fin = tcpQueueNewSegment(sk, len);
    if (sk.caState === TCP_CA_Recovery) sk.prrOut++;
    batchLen += len;
    // tcp_gso_segment keeps PSH and FIN for the last segment: the skb carries the last one's flags.
    batchFlags = TCPHDR.ACK | (last ? TCPHDR.PSH : 0) | (fin ? TCPHDR.FIN : 0);
  }
  if (batchLen > 0) {
    tcpTransmitSkb(host, cpu, sk, batchSeq, batchLen, batchFlags, '', writeTimeOf(sk, batchSeq), sk.mss);
    sent = true;
  }
  if (sk.unsent === 0 && sk.finQueued && !sk.finSent && sk.inFlightSegs < sk.cwnd) {
    const seq = sk.sndNxt;
    tcpQueueNewSegment(sk, 0);
    tcpTransmitSkb(host, cpu, sk, seq, 0, TCPHDR.ACK | TCPHDR.FIN, '', cpu.now);
    sent = true;
  }
  return (sent ? XMIT_SENT : 0) | (rwndLimited ? XMIT_RWND_LIMITED : 0);
}

/**
 * tcp_update_pacing_rate (tcp_input.c): sk_pacing_rate in bytes per second,
 * mss·max(cwnd, packets_out)/srtt scaled by tcp_pacing_ss_ratio in slow start
 * (cwnd below half of ssthresh) or tcp_pacing_ca_ratio after. Unlimited (~0UL)
 * until an RTT has been measured.
 */
export function tcpPacingRate(host: Host, sk: TcpSock): number {
  if (sk.srtt === 0) return Infinity;
  const hot = host.sysctl.hot;
  const ratio = sk.cwnd < sk.ssthresh / 2 ? hot.tcpPacingSsRatio : hot.tcpPacingCaRatio;
  // srtt is srtt_us << 3: (USEC_PER_SEC / 100) << 3 per percent.
  return Math.floor(sk.mss * 80_000 * ratio * Math.max(sk.cwnd, sk.packetsOut) / sk.srtt);
}

/** sk_pacing_shift: TSQ allows about 1/1024 s (~1 ms) of data at the pacing rate. */
const SK_PACING_SHIFT = 10;

/** tcp_xmit_size_goal: bytes per skb, one MSS when the device can do neither TSO nor GSO. */
export function tcpXmitSizeGoal(sk: TcpSock): number {
  return Math.max(sk.route ? tcpTsoAutosize(sk) : 0, sk.mss);
}

/**
 * tcp_small_queue_check (TCP Small Queues): true when the socket already has
 * enough bytes in the qdisc and the driver — max(two skbs of `payload` bytes,
 * ~1 ms at the pacing rate), at most tcp_limit_output_bytes, doubled
 * `factor` times (once for retransmissions) — so the sender stops and
 * TSQ_THROTTLED waits for tcp_wfree. A socket whose retransmit queue holds
 * at most one skb (here: no more in flight than one skb of the size goal)
 * always sends.
 */
export function tcpSmallQueueCheck(host: Host, sk: TcpSock, payload: number, factor: number): boolean {
  const truesize = txTruesize(IPHDR_LEN + TCPHDR_LEN + payload);
  const limit = Math.min(Math.max(2 * truesize, Math.floor(tcpPacingRate(host, sk) / (1 << SK_PACING_SHIFT))),
    host.sysctl.hot.tcpLimitOutputBytes) * (1 << factor);
  if (sk.wmemAlloc <= limit) return false;
  if (sk.sndNxt - sk.sndUna <= tcpXmitSizeGoal(sk)) return false;
  sk.tsqThrottled = true;
  return true;
}

/**
 * tcp_tasklet_func → tcp_tsq_write: TX completions made room, so a throttled
 * socket repairs lost segments the window allows, then sends new data.
 */
export function tcpTsqTasklet(sim: Scheduler, sk: TcpSock): void {
  sk.tsqQueued = false;
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT && sk.state !== TCP_FIN_WAIT1 &&
    sk.state !== TCP_CLOSING && sk.state !== TCP_LAST_ACK) return;
  const host = sk.host;
  const cpu = host.cpus[sk.owner?.cpuId ?? 0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  if (sk.lostOut > sk.retransOut && sk.cwnd > sk.inFlightSegs) tcpXmitRetransmitQueue(host, cpu, sk);
  tcpWriteXmit(host, cpu, sk);
  cpu.end();
}

/** Why a segment is sent again; '' for a first transmission. */
export type RetransKind = '' | 'RTO' | 'fast' | 'slow-start' | 'TLP' | 'SYN' | 'SYN-ACK' | 'simple';

/**
 * tcp_retransmit_skb: sends `seg` again and marks it TCPCB_SACKED_RETRANS
 * (in flight again, retrans_out) and TCPCB_EVER_RETRANS. A loss probe calls
 * __tcp_retransmit_skb directly (`markRetrans` false): the segment is not
 * counted in retrans_out.
 */
export function tcpRetransmitSkb(
  host: Host, cpu: Cpu, sk: TcpSock, seg: RtxSegment, kind: RetransKind = 'simple', markRetrans = true,
): void {
  markRetransmitted(sk, seg, markRetrans);
  const len = seg.end - seg.seq - (seg.fin ? 1 : 0) - (seg.syn ? 1 : 0);
  let flags = TCPHDR.ACK;
  if (seg.syn) flags = sk.state === TCP_SYN_SENT ? TCPHDR.SYN : TCPHDR.SYN | TCPHDR.ACK;
  if (seg.fin) flags |= TCPHDR.FIN;
  if (len > 0) flags |= TCPHDR.PSH;
  tcpTransmitSkb(host, cpu, sk, seg.seq, len, flags, seg.syn ? (sk.state === TCP_SYN_SENT ? 'SYN' : 'SYN-ACK') : kind, cpu.now);
}

/**
 * __tcp_retransmit_skb for a run of `n` contiguous lost segments from
 * sk.rtx[first]: they go again as one skb, a TSO/GSO super-packet when there
 * are several, as the kernel resends an rtx-queue skb whole.
 */
export function tcpRetransmitRun(host: Host, cpu: Cpu, sk: TcpSock, first: number, n: number, kind: RetransKind): void {
  const head = sk.rtx[first]!;
  const last = sk.rtx[first + n - 1]!;
  for (let i = first; i < first + n; i++) markRetransmitted(sk, sk.rtx[i]!, true);
  const len = last.end - head.seq - (last.fin ? 1 : 0);
  const flags = TCPHDR.ACK | (len > 0 ? TCPHDR.PSH : 0) | (last.fin ? TCPHDR.FIN : 0);
  tcpTransmitSkb(host, cpu, sk, head.seq, len, flags, kind, cpu.now, n > 1 ? sk.mss : 0);
}

/** TCPCB_EVER_RETRANS, and TCPCB_SACKED_RETRANS (in flight again, retrans_out) unless a loss probe. */
function markRetransmitted(sk: TcpSock, seg: RtxSegment, markRetrans: boolean): void {
  seg.retrans++;
  seg.sentAt = sk.tcpClock;
  tcpRateSkbSent(sk, seg, seg.sentAt);
  if (markRetrans && !seg.retransOut && !seg.syn) {
    seg.retransOut = true;
    sk.retransOut++;
  }
}

/**
 * The RST that answers `inSkb` (tcp_v4_send_reset's header, which netfilter's
 * nf_reject_ip_tcphdr_put mirrors): seq = the segment's ack when it carried
 * one, else RST|ACK acknowledging everything it occupied.
 */
export function tcpResetReply(host: Host, cpu: Cpu, inSkb: Skb): Skb {
  const skb = allocLocalSkb(host, cpu, inSkb.daddr, inSkb.saddr, IPPROTO.TCP);
  skb.sport = inSkb.dport;
  skb.dport = inSkb.sport;
  skb.fragOff = IP.DF;
  if (inSkb.tcpFlags & TCPHDR.ACK) {
    skb.tcpFlags = TCPHDR.RST;
    skb.seq = inSkb.ackSeq;
  } else {
    skb.tcpFlags = TCPHDR.RST | TCPHDR.ACK;
    skb.seq = 0;
    skb.ackSeq = (inSkb.seq + inSkb.payloadLen + (inSkb.tcpFlags & TCPHDR.SYN ? 1 : 0) + (inSkb.tcpFlags & TCPHDR.FIN ? 1 : 0)) >>> 0;
  }
  skb.len = IPHDR_LEN + TCPHDR_LEN;
  return skb;
}

/**
 * tcp_v4_send_reset: the stack's answer to a segment no socket wants. It
 * has no socket: RST with seq = the segment's ack, or RST|ACK acknowledging it.
 */
export function tcpV4SendReset(host: Host, cpu: Cpu, inSkb: Skb): void {
  if (inSkb.tcpFlags & TCPHDR.RST) return;
  const rt = ipRouteOutput(host, inSkb.saddr);
  if (!rt) return;
  cpu.charge(host.costs.tcp_transmit_skb);
  const skb = tcpResetReply(host, cpu, inSkb);
  host.snmp.v[MIB.TcpOutSegs]++;
  host.snmp.v[MIB.TcpOutRsts]++;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, rt.dev?.name, skb, Stage.L4_TX,
    `tcp_v4_send_reset: RST to ${formatIpv4(skb.daddr)}:${skb.dport} [${tcpFlagsString(skb.tcpFlags)}] (TcpOutRsts++)`, undefined, undefined, 'tcp_v4_send_reset');
  ipLocalOut(host, cpu, skb, rt);
}
