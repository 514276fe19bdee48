// Socket buffer autotuning (net/ipv4/tcp_input.c): tcp_init_buffer_space at
// the end of the handshake, the receiver's RTT estimate (tcp_rcv_rtt_measure,
// tcp_rcv_rtt_measure_ts), dynamic right-sizing of sk_rcvbuf once per RTT
// from what the application copied (tcp_rcv_space_adjust, tcp_rcvbuf_grow;
// net.ipv4.tcp_moderate_rcvbuf), the growth of rcv_ssthresh as in-order data
// arrives (tcp_grow_window), and the send buffer following cwnd
// (tcp_sndbuf_expand). SO_RCVBUF / SO_SNDBUF lock their side (SOCK_*BUF_LOCK).

import type { Host } from '../model/host.js';
import { TCP_INIT_CWND, TCPOLEN_TSTAMP_ALIGNED, type TcpSock } from './tcp_sock.js';

/**
 * Per-segment send memory in tcp_sndbuf_expand: MSS + MAX_TCP_HEADER +
 * skb_shared_info rounded up to a power of two (4096), plus the sk_buff (256).
 */
const SNDBUF_PER_MSS = 4096 + 256;

/** The MSS this side advertises, as tcp_sock.advmss (timestamps already taken off). */
function advmss(sk: TcpSock): number {
  return sk.advmss - (sk.tsEnabled ? TCPOLEN_TSTAMP_ALIGNED : 0);
}

/** tcp_space_from_win with the model's 50% scaling ratio: a window needs twice its size in buffer. */
function tcpSpaceFromWin(win: number): number {
  return win * 2;
}

/** tcp_win_from_space: the payload a buffer of `space` bytes can hold. */
export function tcpWinFromSpace(space: number): number {
  return Math.floor(space / 2);
}

/** tcp_sndbuf_expand: room for two windows of max(cwnd, 10, reordering + 1) segments, up to tcp_wmem[2]. */
export function tcpSndbufExpand(host: Host, sk: TcpSock): void {
  if (sk.sndbufLock) return;
  const nrSegs = Math.max(TCP_INIT_CWND, sk.cwnd, sk.reordering + 1);
  const sndmem = 2 * nrSegs * SNDBUF_PER_MSS;
  if (sk.sndbuf < sndmem) sk.sndbuf = Math.min(sndmem, host.sysctl.hot.tcpWmemMax);
}

/**
 * tcp_new_space → tcp_should_expand_sndbuf: an ACK freed send space while
 * the writer was blocked (SOCK_NOSPACE), and cwnd is not yet filled.
 */
export function tcpNewSpace(host: Host, sk: TcpSock): void {
  if (!sk.sndNoSpace) return;
  sk.sndNoSpace = false;
  if (sk.inFlightSegs >= sk.cwnd) return;
  tcpSndbufExpand(host, sk);
}

/** tcp_init_buffer_space (from tcp_init_transfer): the send buffer grows to fit the initial window; DRS starts measuring. */
export function tcpInitBufferSpace(host: Host, sk: TcpSock, now: number): void {
  tcpSndbufExpand(host, sk);
  sk.rcvqSpaceTime = now;
  sk.rcvqSpaceSeq = sk.copiedSeq;
  sk.windowClamp = Math.min(sk.windowClamp, tcpWinFromSpace(sk.rcvbuf));
  sk.rcvSsthresh = Math.min(sk.rcvSsthresh, sk.windowClamp);
  sk.rcvqSpace = Math.min(sk.rcvSsthresh, sk.rcvWnd, TCP_INIT_CWND * advmss(sk));
}

/** tcp_rcv_rtt_update: an EWMA (1/8) of samples, or the minimum for window-based ones; kept as rtt_us << 3. */
function tcpRcvRttUpdate(sk: TcpSock, sampleUs: number, winDep: boolean): void {
  let est = sk.rcvRttUs8;
  if (est !== 0) {
    if (!winDep) est += sampleUs - (est >> 3);
    else if (sampleUs << 3 < est) est = sampleUs << 3;
  } else {
    est = sampleUs << 3;
  }
  sk.rcvRttUs8 = Math.max(1, est);
}

/**
 * The receiver's RTT: from the echoed timestamp of a full-sized segment
 * (tcp_rcv_rtt_measure_ts, ms resolution, at least 1 ms), or without
 * timestamps from the time one window of data takes to arrive (tcp_rcv_rtt_measure).
 */
export function tcpRcvRttMeasure(sk: TcpSock, len: number, tsEcrAgeMs: number, now: number): void {
  if (sk.tsEnabled) {
    if (len >= sk.rcvMss && tsEcrAgeMs >= 0) tcpRcvRttUpdate(sk, Math.max(1, tsEcrAgeMs) * 1000, false);
    return;
  }
  if (sk.rcvRttTime !== 0) {
    if (sk.rcvNxt < sk.rcvRttSeq) return;
    tcpRcvRttUpdate(sk, Math.max(1, Math.floor((now - sk.rcvRttTime) / 1000)), true);
  }
  sk.rcvRttSeq = sk.rcvNxt + sk.rcvWnd;
  sk.rcvRttTime = now;
}

/**
 * tcp_rcv_space_adjust (from tcp_recvmsg): once per receiver RTT, if the
 * application copied more than last time, grow sk_rcvbuf (tcp_rcvbuf_grow)
 * to hold twice that plus 16 segments, plus the growth rate again for a
 * sender in slow start, up to tcp_rmem[2], and let the window clamp follow.
 */
export function tcpRcvSpaceAdjust(host: Host, sk: TcpSock, now: number): void {
  const rttNs = (sk.rcvRttUs8 >> 3) * 1000;
  if (sk.rcvRttUs8 === 0 || now - sk.rcvqSpaceTime < rttNs) return;
  const copied = sk.copiedSeq - sk.rcvqSpaceSeq;
  if (copied > sk.rcvqSpace) {
    if (host.sysctl.hot.tcpModerateRcvbuf && !sk.rcvbufLock) {
      let rcvwin = copied * 2 + 16 * advmss(sk);
      const grow = Math.floor(rcvwin * (copied - sk.rcvqSpace) / sk.rcvqSpace);
      rcvwin += grow * 2;
      const rcvbuf = Math.min(tcpSpaceFromWin(rcvwin), host.sysctl.hot.tcpRmemMax);
      if (rcvbuf > sk.rcvbuf) {
        sk.rcvbuf = rcvbuf;
        sk.windowClamp = tcpWinFromSpace(rcvbuf);
      }
    }
    sk.rcvqSpace = copied;
  }
  sk.rcvqSpaceSeq = sk.copiedSeq;
  sk.rcvqSpaceTime = now;
}

/**
 * tcp_grow_window: in-order data of a well-sized skb lets rcv_ssthresh, the
 * ceiling of the advertised window, grow by two receive MSS toward the
 * window clamp while the buffer has room for it.
 */
export function tcpGrowWindow(sk: TcpSock): void {
  const space = tcpWinFromSpace(sk.rcvbuf - sk.rmemAlloc);
  if (sk.rcvSsthresh < sk.windowClamp && sk.rcvSsthresh < space) {
    sk.rcvSsthresh = Math.min(sk.rcvSsthresh + 2 * sk.rcvMss, sk.windowClamp);
  }
}
