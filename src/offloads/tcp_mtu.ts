// What a TCP socket does when its path MTU drops (net/ipv4/tcp_ipv4.c:
// tcp_v4_mtu_reduced; net/ipv4/tcp_output.c: tcp_sync_mss,
// tcp_simple_retransmit): the socket's pmtu and mss shrink, queued segments
// larger than the new mss are split, and the lost ones are sent again at once
// instead of waiting for the RTO.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { RtxSegment, TCPOLEN_TSTAMP_ALIGNED, type TcpSock } from '../transport/tcp_sock.js';
import { tcpMssFromMtu } from '../transport/tcp.js';
import { tcpRetransmitSkb } from '../transport/tcp_output.js';
import { TCP_CLOSE, TCP_LISTEN } from '../transport/tcp_states.js';

/** tcp_v4_mtu_reduced: adopt `mtu` if smaller than the socket's pmtu; true when the mss changed. */
export function tcpPmtuReduced(host: Host, cpu: Cpu, sk: TcpSock, mtu: number): boolean {
  if (sk.state === TCP_LISTEN || sk.state === TCP_CLOSE) return false;
  if (mtu >= sk.pmtu) return false;
  const oldMss = sk.mss;
  sk.pmtu = mtu;
  // tcp_sync_mss: the mss follows the new pmtu (never above what the peer allowed).
  const mss = tcpMssFromMtu(mtu) - (sk.tsEnabled ? TCPOLEN_TSTAMP_ALIGNED : 0);
  if (mss < sk.mss) sk.mss = mss;
  if (sk.mss === oldMss) return false;
  tcpSimpleRetransmit(host, cpu, sk);
  return true;
}

/**
 * tcp_simple_retransmit: every queued segment larger than the new mss was
 * dropped on the path; split them to mss and retransmit them now.
 */
function tcpSimpleRetransmit(host: Host, cpu: Cpu, sk: TcpSock): void {
  const mss = sk.mss;
  const rtx = sk.rtx;
  const lost: RtxSegment[] = [];
  for (let i = 0; i < rtx.length; i++) {
    const seg = rtx[i]!;
    const len = seg.end - seg.seq - (seg.fin ? 1 : 0) - (seg.syn ? 1 : 0);
    if (seg.syn || len <= mss) continue;
    // tcp_fragment: cut the segment at mss boundaries; FIN stays on the last piece.
    const pieces: RtxSegment[] = [];
    for (let off = 0; off < len; off += mss) {
      const n = Math.min(mss, len - off);
      const last = off + n >= len;
      const p = new RtxSegment(seg.seq + off, seg.seq + off + n + (last && seg.fin ? 1 : 0), seg.sentAt, last && seg.fin, false);
      p.retrans = seg.retrans;
      p.txFirstTxMstamp = seg.txFirstTxMstamp;
      p.txDeliveredMstamp = seg.txDeliveredMstamp;
      p.txDelivered = seg.txDelivered;
      p.txAppLimited = seg.txAppLimited;
      pieces.push(p);
    }
    rtx.splice(i, 1, ...pieces);
    i += pieces.length - 1;
    for (const p of pieces) lost.push(p);
  }
  for (const seg of lost) tcpRetransmitSkb(host, cpu, sk, seg);
}
