// How long a connection has been busy, and limited by the peer's window or
// its own send buffer (tcp_chrono_* in net/ipv4/tcp_output.c): one state at a
// time, the most limiting wins, time kept in jiffies. tcp_get_info reports the
// three as tcpi_busy_time (their sum), tcpi_rwnd_limited and
// tcpi_sndbuf_limited, which `ss -i` prints as busy:, rwnd_limited: and
// sndbuf_limited:.

import type { TcpSock } from './tcp_sock.js';
import { NSEC_PER_JIFFY, jiffiesOf } from '../model/time.js';

/** enum tcp_chrono. */
export const TCP_CHRONO_UNSPEC = 0;
export const TCP_CHRONO_BUSY = 1;
export const TCP_CHRONO_RWND_LIMITED = 2;
export const TCP_CHRONO_SNDBUF_LIMITED = 3;


/** tcp_chrono_set: close the current state's stretch and open `type`'s. */
function tcpChronoSet(sk: TcpSock, type: number, now: number): void {
  const j = jiffiesOf(now);
  if (sk.chronoType > TCP_CHRONO_UNSPEC) sk.chronoStat[sk.chronoType - 1]! += j - sk.chronoStart;
  sk.chronoStart = j;
  sk.chronoType = type;
}

/** tcp_chrono_start: a more limiting state takes over. */
export function tcpChronoStart(sk: TcpSock, type: number, now: number): void {
  if (type > sk.chronoType) tcpChronoSet(sk, type, now);
}

/** tcp_chrono_stop: idle once nothing is queued or in flight, else back to merely busy. */
export function tcpChronoStop(sk: TcpSock, type: number, now: number): void {
  // tcp_rtx_and_write_queues_empty (unsent is -1 once the FIN is out).
  if (sk.unsent <= 0 && sk.rtx.length === 0) tcpChronoSet(sk, TCP_CHRONO_UNSPEC, now);
  else if (type === sk.chronoType) tcpChronoSet(sk, TCP_CHRONO_BUSY, now);
}

/** tcp_get_info_chrono_stats: [busy (all three), rwnd_limited, sndbuf_limited] in microseconds. */
export function tcpChronoStats(sk: TcpSock, now: number): [number, number, number] {
  const us = [0, 0, 0];
  for (let i = TCP_CHRONO_BUSY; i <= TCP_CHRONO_SNDBUF_LIMITED; i++) {
    let j = sk.chronoStat[i - 1]!;
    if (i === sk.chronoType) j += jiffiesOf(now) - sk.chronoStart;
    us[i - 1] = j * (NSEC_PER_JIFFY / 1000);
  }
  return [us[0]! + us[1]! + us[2]!, us[1]!, us[2]!];
}
