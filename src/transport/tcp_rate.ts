// Delivery rate sampling (net/ipv4/tcp_rate.c). Each transmission records
// how much had been delivered, and when, at the moment it left; when it is
// ACKed or SACKed, the rate over that stretch is delivered ÷ max(send phase,
// ACK phase). The socket keeps the last sample that was not application
// limited, or a faster limited one: tcpi_delivery_rate, which `ss -i` shows.

import type { RtxSegment, TcpSock } from './tcp_sock.js';

/** struct rate_sample, for the ACK being processed (the kernel keeps it on the stack). */
class RateSample {
  priorDelivered = 0;
  /** -1: no segment of this ACK carried a send-time record. */
  priorMstamp = -1;
  intervalNs = 0;
  isAppLimited = false;
  lastEndSeq = 0;
}
const rs = new RateSample();

/** tcp_rate_skb_sent: stamp `seg` as it is (re)transmitted at `now` (ns), before it counts in packets_out. */
export function tcpRateSkbSent(sk: TcpSock, seg: RtxSegment, now: number): void {
  // The first segment of a flight starts both phases.
  if (sk.packetsOut === 0) {
    sk.firstTxMstamp = now;
    sk.deliveredMstamp = now;
  }
  seg.txFirstTxMstamp = sk.firstTxMstamp;
  seg.txDeliveredMstamp = sk.deliveredMstamp;
  seg.txDelivered = sk.delivered;
  seg.txAppLimited = sk.appLimited !== 0;
}

/** Starts the sample of a new ACK. */
export function tcpRateSampleReset(): void {
  rs.priorMstamp = -1;
  rs.priorDelivered = 0;
  rs.intervalNs = 0;
}

/** tcp_rate_skb_delivered: `seg` was ACKed or SACKed; the most recently sent one sets the sample. */
export function tcpRateSkbDelivered(sk: TcpSock, seg: RtxSegment): void {
  if (seg.txDeliveredMstamp < 0) return;
  if (rs.priorMstamp < 0 || seg.sentAt > sk.firstTxMstamp || (seg.sentAt === sk.firstTxMstamp && seg.end > rs.lastEndSeq)) {
    rs.priorDelivered = seg.txDelivered;
    rs.priorMstamp = seg.txDeliveredMstamp;
    rs.isAppLimited = seg.txAppLimited;
    rs.lastEndSeq = seg.end;
    sk.firstTxMstamp = seg.sentAt;
    rs.intervalNs = seg.sentAt - seg.txFirstTxMstamp;
  }
  // Once SACKed it must not count again when cumulatively ACKed.
  if (seg.sacked) seg.txDeliveredMstamp = -1;
}

/**
 * tcp_rate_gen, after an ACK that delivered `delivered` segments: the sample's
 * interval is the longer of the send and ACK phases; too short a one (below
 * min_rtt) is dropped.
 */
export function tcpRateGen(sk: TcpSock, delivered: number, now: number): void {
  if (delivered > 0) sk.deliveredMstamp = now;
  if (rs.priorMstamp < 0) return;
  const sampleDelivered = sk.delivered - rs.priorDelivered;
  const intervalUs = Math.floor(Math.max(rs.intervalNs, now - rs.priorMstamp) / 1000);
  if (intervalUs < sk.minRtt || intervalUs <= 0) return;
  // Record the last non-app-limited or the highest app-limited bandwidth.
  if (!rs.isAppLimited || sampleDelivered * sk.rateIntervalUs >= sk.rateDelivered * intervalUs) {
    sk.rateDelivered = sampleDelivered;
    sk.rateIntervalUs = intervalUs;
    sk.rateAppLimited = rs.isAppLimited;
  }
}

/** tcpi_delivery_rate (bytes per second): rate_delivered · mss over rate_interval_us. */
export function tcpDeliveryRate(sk: TcpSock): number {
  if (sk.rateDelivered === 0 || sk.rateIntervalUs === 0) return 0;
  return Math.floor(sk.rateDelivered * sk.mss * 1_000_000 / sk.rateIntervalUs);
}
