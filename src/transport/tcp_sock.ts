// struct tcp_sock: the connection's sequence space, windows, congestion and
// RTT state, and its queues. Segments in flight are kept in the retransmit
// queue as (seq, end, sent time, retransmitted) rows.

import { IPPROTO, type Skb } from '../model/skb.js';
import { Sock } from './sock.js';
import { TCP_CLOSE } from './tcp_states.js';
import { tcpTsqTasklet } from './tcp_output.js';
import type { Host } from '../model/host.js';
import type { FibRoute } from '../routing/fib.js';

/** struct tcp_congestion_ops, the parts this model uses (tcp_cong.c). */
export interface CongestionOps {
  readonly name: string;
  /** .ssthresh: the new slow-start threshold after a loss. */
  ssthresh(sk: TcpSock): number;
  /** .cong_avoid: grow cwnd for `acked` newly acknowledged segments at time `now` (ns). */
  congAvoid(sk: TcpSock, acked: number, now: number): void;
  /** .set_state on entering Loss, and .cwnd_event on restart: forget the epoch. */
  reset(sk: TcpSock): void;
}

/** TCP_TIMEOUT_INIT: 1 s initial RTO. */
export const TCP_TIMEOUT_INIT = 1_000_000_000;
/** TCP_RTO_MAX: 120 s. */
export const TCP_RTO_MAX = 120_000_000_000;
/** TCP_TIMEWAIT_LEN: 60 s, not a sysctl. */
export const TCP_TIMEWAIT_LEN = 60_000_000_000;
/** TCP_DELACK_MIN = HZ/25: 40 ms. */
export const TCP_DELACK_MIN = 40_000_000;
/** TCP_INIT_CWND. */
export const TCP_INIT_CWND = 10;
/** TCP_MAX_QUICKACKS. */
export const TCP_MAX_QUICKACKS = 16;
/** Bytes of options in every segment once timestamps are on (nop, nop, TS). */
export const TCPOLEN_TSTAMP_ALIGNED = 12;

/** icsk_ca_state (include/net/inet_connection_sock.h, enum tcp_ca_state). */
export const TCP_CA_Open = 0;
export const TCP_CA_Disorder = 1;
export const TCP_CA_CWR = 2;
export const TCP_CA_Recovery = 3;
export const TCP_CA_Loss = 4;
export const TCP_CA_STATE_NAMES = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'] as const;

/**
 * One MSS-sized segment of the retransmit queue and its scoreboard bits
 * (TCP_SKB_CB(skb)->sacked: TCPCB_SACKED_ACKED, TCPCB_LOST,
 * TCPCB_SACKED_RETRANS, TCPCB_EVER_RETRANS).
 */
export class RtxSegment {
  /** Times retransmitted; non-zero is TCPCB_EVER_RETRANS. */
  retrans = 0;
  /** TCPCB_SACKED_ACKED: the receiver holds it (a SACK block covered it). */
  sacked = false;
  /** TCPCB_LOST: marked lost by RACK, dupthresh or an RTO. */
  lost = false;
  /** TCPCB_SACKED_RETRANS: a retransmission of it is in flight. */
  retransOut = false;
  // tcp_skb_cb.tx (tcp_rate.c): the delivery state when it was last sent.
  txFirstTxMstamp = 0;
  /** -1 until sent, and once SACKed, so a later cumulative ACK does not sample it again. */
  txDeliveredMstamp = -1;
  txDelivered = 0;
  txAppLimited = false;
  constructor(
    public seq: number,
    public end: number,
    public sentAt: number,
    /** The FIN occupies the last sequence number. */
    public fin: boolean,
    public syn: boolean,
  ) {}
}

export class TcpSock extends Sock {
  readonly protocol = IPPROTO.TCP;
  state = TCP_CLOSE;
  host: Host;
  route: FibRoute | null = null;
  /** The listener this child came from, until accept(). */
  parent: TcpSock | null = null;
  /** Established children waiting for accept(). */
  readonly acceptQueue: TcpSock[] = [];
  backlog = 0;

  // send side
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Bytes written by the application: the write queue ends at iss + 1 + written. */
  written = 0;
  sndWnd = 0;
  sndWscale = 0;
  /** Segment size used for sending (mss_cache), payload bytes. */
  mss = 536;
  advmss = 1460;
  pmtu = 1500;
  cwnd = TCP_INIT_CWND;
  ssthresh = 0x7fffffff;
  /** Congestion-avoidance ACK counter (snd_cwnd_cnt). */
  cwndCnt = 0;
  dupAcks = 0;
  /** In fast recovery until snd_una passes this (high_seq). */
  recoverySeq = -1;
  /** icsk_ca_state: Open, Disorder, CWR, Recovery or Loss. */
  caState = TCP_CA_Open;
  /** high_seq: snd_nxt when recovery or loss began; leaving it needs snd_una ≥ this. */
  highSeq = 0;
  /** Scoreboard counts (sacked_out, lost_out, retrans_out), in segments. */
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;
  /** Highest end sequence a SACK block covered (tcp_highest_sack). */
  highestSack = 0;
  /** tp->reordering: the dupthresh, grown when reordering is seen (net.ipv4.tcp_reordering). */
  reordering = 3;
  /** tp->reord_seen: reordering events seen. */
  reordSeen = 0;
  /** tp->dsack_dups: DSACK blocks received. */
  dsackDups = 0;
  /** PRR (RFC 6937) state: prior_cwnd, prr_delivered, prr_out. */
  priorCwnd = 0;
  prrDelivered = 0;
  prrOut = 0;
  /** RACK (tcp_recovery.c): send time, end and RTT of the most recently sent delivered segment. */
  rackMstamp = 0;
  rackEndSeq = 0;
  rackRttUs = 0;
  /** rack.advanced: a delivery since the last loss scan. */
  rackAdvanced = false;
  rackGen = 0;
  rackArmed = false;
  /** Zero-window probes sent since the window closed (icsk_probes_out). */
  probesOut = 0;
  probeGen = 0;
  probeArmed = false;
  /** TLP: snd_nxt when the outstanding loss probe went out (tp->tlp_high_seq; 0: none), and its timer. */
  tlpHighSeq = 0;
  /** tp->tlp_retrans: the probe was a retransmission (not new data). */
  tlpRetrans = false;
  tlpGen = 0;
  /** icsk_pending == ICSK_TIME_LOSS_PROBE: the retransmit timer is set for a loss probe. */
  tlpArmed = false;
  /** Congestion control (net.ipv4.tcp_congestion_control at socket creation): 'cubic' or 'reno'. */
  ca: CongestionOps | null = null;
  finQueued = false;
  finSent = false;
  finAcked = false;
  readonly rtx: RtxSegment[] = [];
  /** Times application writes queued data: [endSeqOffset, time] pairs for the journey. */
  readonly writeTimes: number[] = [];

  // receive side
  irs = 0;
  rcvNxt = 0;
  /** rcv_wup: rcv_nxt when the window was last advertised; the right edge is rcvWup + rcvWnd. */
  rcvWup = 0;
  /** copied_seq: the next sequence number the application reads. */
  copiedSeq = 0;
  /** SACK blocks to send, most recent first, as [start0, end0, start1, end1, ...] (tp->selective_acks). */
  readonly sackBlocks: number[] = [];
  /** A DSACK block for the next ACK (tp->duplicate_sack), or start < 0 for none. */
  dsackStart = -1;
  dsackEnd = -1;
  rcvWscale = 0;
  rcvWnd = 0;
  rcvMss = 536;
  /** Bytes received in order and not yet acknowledged / since the last ACK. */
  rcvUnacked = 0;
  quickAck = 0;
  delackArmed = false;
  delackGen = 0;
  /** rcv_ssthresh: the current ceiling of the advertised window, grown by tcp_grow_window. */
  rcvSsthresh = 0x7fffffff;
  /** window_clamp: the largest window the buffer can ever offer (tcp_win_from_space(rcvbuf)). */
  windowClamp = 0x7fffffff;
  /** rcvq_space (DRS): bytes copied in the last measured RTT, and where/when that measurement began. */
  rcvqSpace = 0;
  rcvqSpaceSeq = 0;
  rcvqSpaceTime = 0;
  /** rcv_rtt_est: the receiver's RTT estimate, us << 3, and the window-based measurement's state. */
  rcvRttUs8 = 0;
  rcvRttSeq = 0;
  rcvRttTime = 0;
  /** SOCK_RCVBUF_LOCK / SOCK_SNDBUF_LOCK: SO_RCVBUF / SO_SNDBUF set the size; no autotuning. */
  rcvbufLock = false;
  sndbufLock = false;
  /** SOCK_NOSPACE: a write found the send buffer full. */
  sndNoSpace = false;
  /** Out-of-order segments waiting for the hole to fill, sorted by seq. */
  readonly ofo: Skb[] = [];
  finReceived = false;

  // options
  tsEnabled = true;
  sackOk = true;
  tsOffset = 0;
  tsRecent = 0;

  // RTT and RTO (tcp_rtt_estimator), ns
  /** srtt_us << 3, mdev_us << 2, rttvar_us, mdev_max_us, as tcp_sock keeps them. */
  srtt = 0;
  rttvar = 0;
  mdev = 0;
  mdevMax = 0;
  rttSeq = 0;
  /** Minimum RTT seen, us. */
  minRtt = 0;
  rto = TCP_TIMEOUT_INIT;
  backoff = 0;
  retransmits = 0;
  /** retrans_stamp: when the segment first retransmitted by the RTO was sent. */
  retransStamp = 0;
  rtoGen = 0;
  rtoArmed = false;
  /** icsk_timeout: when the retransmit timer (RTO or loss probe) or the zero-window probe timer expires, ns. */
  xmitTimerAt = 0;
  probeTimerAt = 0;
  twGen = 0;
  /** When TIME_WAIT began (the timewait timer runs TCP_TIMEWAIT_LEN from here). */
  twStart = 0;

  // statistics for ss -i (struct tcp_info)
  bytesSent = 0;
  bytesRetrans = 0;
  bytesAcked = 0;
  bytesReceived = 0;
  segsOut = 0;
  segsIn = 0;
  dataSegsOut = 0;
  dataSegsIn = 0;
  totalRetrans = 0;
  lost = 0;
  /** tp->delivered: segments delivered (cumulatively ACKed or SACKed, each once), the SYN included. */
  delivered = 0;
  /** tp->app_limited: nonzero while the sender is application-limited, until `delivered` passes it (tcp_init_sock: ~0U). */
  appLimited = 0xffffffff;
  /** tp->rate_app_limited: the latest delivery rate sample was application-limited (tcp_init_sock: 1). */
  rateAppLimited = true;
  /** tp->rate_delivered / rate_interval_us: the delivery rate sample tcp_info reports (tcp_rate.c). */
  rateDelivered = 0;
  rateIntervalUs = 0;
  /** tp->first_tx_mstamp, tp->delivered_mstamp (ns): where the current send and ACK phases began. */
  firstTxMstamp = 0;
  deliveredMstamp = 0;
  /** tp->chrono_type, chrono_start (jiffies) and chrono_stat[] (jiffies per state): see tcp_chrono.ts. */
  chronoType = 0;
  chronoStart = 0;
  readonly chronoStat = [0, 0, 0];
  lastSend = 0;
  lastRecv = 0;
  lastAck = 0;
  /** Data queued for the application and not yet read, bytes. */
  rcvQueued = 0;
  /** The application has called close(). */
  closedByApp = false;
  /** Error reported to the application (ECONNREFUSED, ETIMEDOUT, ECONNRESET). */
  err = 0;

  /** TSQ_THROTTLED: tcp_small_queue_check stopped tcp_write_xmit until TX completions free some sk_wmem_alloc. */
  tsqThrottled = false;
  /** TSQ_QUEUED: the TSQ tasklet is scheduled for this socket. */
  tsqQueued = false;

  constructor(host: Host, rcvbuf: number, sndbuf: number) {
    super(rcvbuf, sndbuf);
    this.host = host;
  }

  /**
   * tcp_wfree, the destructor of every skb TCP sends: its truesize leaves
   * sk_wmem_alloc, and a throttled socket gets the TSQ tasklet. Send-buffer
   * space (sk_wmem_queued) is freed by ACKs, not here.
   */
  override wfree(truesize: number, t: number): void {
    this.wmemAlloc -= truesize;
    if (!this.tsqThrottled || this.tsqQueued) return;
    this.tsqThrottled = false;
    this.tsqQueued = true;
    this.host.sim.at(t, tcpTsqTasklet, this);
  }

  /**
   * tcp_clock_cache: TCP stamps sends and measures RTTs on the host's clock
   * (the event time), not on a CPU's charged clock, which runs ahead while
   * that CPU is busy. Send times then follow the order skbs reach the qdisc,
   * which RACK relies on.
   */
  get tcpClock(): number {
    return this.host.sim.now;
  }

  /** Bytes sent and not yet acknowledged. */
  get inFlight(): number {
    return this.sndNxt - this.sndUna;
  }

  /** Segments sent and not cumulatively acknowledged (packets_out). */
  get packetsOut(): number {
    return this.rtx.length;
  }

  /** tcp_packets_in_flight: packets_out − (sacked_out + lost_out) + retrans_out. */
  get inFlightSegs(): number {
    return this.rtx.length - (this.sackedOut + this.lostOut) + this.retransOut;
  }

  /** Bytes written and not yet sent. */
  get unsent(): number {
    return this.iss + 1 + this.written - this.sndNxt;
  }

  /** sk_wmem_queued: everything in the write and retransmit queues. */
  get wmemQueued(): number {
    return this.iss + 1 + this.written - this.sndUna;
  }
}
