// Congestion control (net/ipv4/tcp_cong.c, tcp_cubic.c): Reno's AIMD and
// CUBIC, Linux's default, chosen per socket from
// net.ipv4.tcp_congestion_control when the socket is created.
//
// CUBIC follows bictcp_update with its constants (beta 717/1024, C = 0.4 as
// bic_scale 41 × 10 / 1024, BICTCP_HZ 10, fast convergence and TCP
// friendliness on). Left out: HyStart (the slow-start exit on ACK trains or
// delay increase: slow start ends only at ssthresh here), cubic_root's
// table-and-Newton approximation (Math.cbrt, floored, instead) and the
// cwnd-limited check (tcp_is_cwnd_limited): cwnd grows on every ACK.

import type { CongestionOps, TcpSock } from './tcp_sock.js';
// CUBIC keeps its clock in jiffies.
import { HZ, jiffiesCeilOf, jiffiesOf } from '../model/time.js';

/** BICTCP_BETA_SCALE and beta = 717: cwnd × 717/1024 ≈ 0.7 after a loss. */
const BICTCP_BETA_SCALE = 1024;
const BETA = 717;
/** BICTCP_HZ: t is kept in 1/1024 s. */
const BICTCP_HZ = 10;
/** bic_scale 41: C = 41 × 10 / 1024 ≈ 0.4. */
const BIC_SCALE = 41;
const CUBE_RTT_SCALE = BIC_SCALE * 10;
/** cube_factor = 2^(10 + 3·BICTCP_HZ) / (bic_scale · 10). */
const CUBE_FACTOR = 2 ** (10 + 3 * BICTCP_HZ) / CUBE_RTT_SCALE;
/** beta_scale = 8·(1024 + beta) / 3 / (1024 − beta): TCP friendliness. */
const BETA_SCALE = Math.floor((8 * (BICTCP_BETA_SCALE + BETA)) / 3 / (BICTCP_BETA_SCALE - BETA));
/** snd_cwnd_clamp default. */
const CWND_CLAMP = 0xffffffff;

/** tcp_slow_start: cwnd grows by the segments acknowledged, up to ssthresh; returns what is left over. */
export function tcpSlowStart(sk: TcpSock, acked: number): number {
  const cwnd = Math.min(sk.cwnd + acked, sk.ssthresh);
  acked -= cwnd - sk.cwnd;
  sk.cwnd = Math.min(cwnd, CWND_CLAMP);
  return acked;
}

/** tcp_cong_avoid_ai: one more segment each time `w` segments have been acknowledged. */
export function tcpCongAvoidAi(sk: TcpSock, w: number, acked: number): void {
  if (sk.cwndCnt >= w) {
    sk.cwndCnt = 0;
    sk.cwnd++;
  }
  sk.cwndCnt += acked;
  if (sk.cwndCnt >= w) {
    const delta = Math.floor(sk.cwndCnt / w);
    sk.cwndCnt -= delta * w;
    sk.cwnd += delta;
  }
  sk.cwnd = Math.min(sk.cwnd, CWND_CLAMP);
}

/** tcp_reno_cong_avoid / tcp_reno_ssthresh. */
export class RenoOps implements CongestionOps {
  readonly name = 'reno';
  ssthresh(sk: TcpSock): number {
    return Math.max(sk.cwnd >> 1, 2);
  }
  congAvoid(sk: TcpSock, acked: number): void {
    if (sk.cwnd < sk.ssthresh) {
      acked = tcpSlowStart(sk, acked);
      if (!acked) return;
    }
    tcpCongAvoidAi(sk, sk.cwnd, acked);
  }
  reset(): void {}
}

/** struct bictcp and cubictcp_* (tcp_cubic.c). */
export class CubicOps implements CongestionOps {
  readonly name = 'cubic';
  /** Increase cwnd by one segment after this many ACKed segments. */
  cnt = 0;
  lastMaxCwnd = 0;
  lastCwnd = 0;
  /** Jiffies of the last update and of the epoch's start (0 = no epoch). */
  lastTime = 0;
  epochStart = 0;
  bicOriginPoint = 0;
  /** K, in 1/1024 s. */
  bicK = 0;
  ackCnt = 0;
  /** The cwnd Reno would have (TCP friendliness). */
  tcpCwnd = 0;

  /** bictcp_reset. */
  reset(): void {
    this.cnt = 0;
    this.lastMaxCwnd = 0;
    this.lastCwnd = 0;
    this.lastTime = 0;
    this.epochStart = 0;
    this.bicOriginPoint = 0;
    this.bicK = 0;
    this.ackCnt = 0;
    this.tcpCwnd = 0;
  }

  /** cubictcp_recalc_ssthresh: remember W_max (with fast convergence) and cut to 717/1024. */
  ssthresh(sk: TcpSock): number {
    this.epochStart = 0;
    if (sk.cwnd < this.lastMaxCwnd) this.lastMaxCwnd = Math.floor((sk.cwnd * (BICTCP_BETA_SCALE + BETA)) / (2 * BICTCP_BETA_SCALE));
    else this.lastMaxCwnd = sk.cwnd;
    return Math.max(Math.floor((sk.cwnd * BETA) / BICTCP_BETA_SCALE), 2);
  }

  /** cubictcp_cong_avoid. */
  congAvoid(sk: TcpSock, acked: number, now: number): void {
    if (sk.cwnd < sk.ssthresh) {
      acked = tcpSlowStart(sk, acked);
      if (!acked) return;
    }
    this.update(sk, sk.cwnd, acked, jiffiesOf(now) + 1);
    tcpCongAvoidAi(sk, this.cnt, acked);
  }

  /** bictcp_update: the window the cubic function W(t) = C(t − K)³ + W_max asks for. */
  private update(sk: TcpSock, cwnd: number, acked: number, jiffies: number): void {
    this.ackCnt += acked;
    if (this.lastCwnd === cwnd && jiffies - this.lastTime <= HZ / 32) return;
    if (!(this.epochStart && jiffies === this.lastTime)) {
      this.lastCwnd = cwnd;
      this.lastTime = jiffies;
      if (this.epochStart === 0) {
        this.epochStart = jiffies;
        this.ackCnt = acked;
        this.tcpCwnd = cwnd;
        if (this.lastMaxCwnd <= cwnd) {
          this.bicK = 0;
          this.bicOriginPoint = cwnd;
        } else {
          this.bicK = Math.floor(Math.cbrt(CUBE_FACTOR * (this.lastMaxCwnd - cwnd)));
          this.bicOriginPoint = this.lastMaxCwnd;
        }
      }
      // t: time since the epoch plus the minimum RTT (delay_min), in 1/1024 s.
      const delayMinJiffies = jiffiesCeilOf(sk.minRtt * 1000);
      const t = Math.floor(((jiffies - this.epochStart + delayMinJiffies) * 2 ** BICTCP_HZ) / HZ);
      const offs = t < this.bicK ? this.bicK - t : t - this.bicK;
      const delta = Math.floor((CUBE_RTT_SCALE * offs * offs * offs) / 2 ** (10 + 3 * BICTCP_HZ));
      const target = t < this.bicK ? this.bicOriginPoint - delta : this.bicOriginPoint + delta;
      this.cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
      // The first epoch, with no W_max yet: grow at least like 5% per RTT.
      if (this.lastMaxCwnd === 0 && this.cnt > 20) this.cnt = 20;
    }
    // tcp_friendliness: never slower than Reno would be.
    const d = Math.floor((cwnd * BETA_SCALE) >> 3);
    if (d > 0) {
      while (this.ackCnt > d) {
        this.ackCnt -= d;
        this.tcpCwnd++;
      }
    }
    if (this.tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (this.tcpCwnd - cwnd));
      if (this.cnt > maxCnt) this.cnt = maxCnt;
    }
    this.cnt = Math.max(this.cnt, 2);
  }
}

/** Names `net.ipv4.tcp_congestion_control` accepts, index = the sysctl's stored value. */
export const TCP_CONGESTION_CONTROLS = ['cubic', 'reno'] as const;

/** tcp_assign_congestion_control: a fresh instance of the host's default algorithm. */
export function tcpAssignCongestionControl(index: number): CongestionOps {
  return index === 1 ? new RenoOps() : new CubicOps();
}
