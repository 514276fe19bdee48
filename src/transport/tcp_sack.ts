// Selective acknowledgements (RFC 2018, RFC 2883; net/ipv4/tcp_input.c).
// The receiver keeps the blocks of out-of-order data it holds, most recent
// first (tcp_sack_new_ofo_skb, tcp_sack_remove), and reports a duplicate
// once as a DSACK block (tcp_dsack_set). The sender marks the segments the
// blocks cover in its retransmit queue (tcp_sacktag_write_queue), notices
// DSACKs (tcp_check_dsack) and reordering (tcp_check_sack_reordering).

import type { Host } from '../model/host.js';
import { MIB } from '../model/snmp.js';
import type { RtxSegment, TcpSock } from './tcp_sock.js';
import { tcpRackAdvance } from './tcp_recovery.js';
import { tcpRateSkbDelivered } from './tcp_rate.js';

/** TCP_NUM_SACKS: the receiver remembers at most four blocks. */
export const TCP_NUM_SACKS = 4;
/** net.ipv4.tcp_max_reordering default. */
const TCP_MAX_REORDERING = 300;

/** tcp_sack_new_ofo_skb: [seq, end) arrived out of order; its (merged) block goes first. */
export function tcpSackNewOfo(sk: TcpSock, seq: number, end: number): void {
  const b = sk.sackBlocks;
  let start = seq;
  let stop = end;
  // Blocks this one touches or overlaps merge into it (tcp_sack_extend / tcp_sack_maybe_coalesce).
  for (let i = 0; i < b.length; ) {
    if (b[i]! <= stop && b[i + 1]! >= start) {
      if (b[i]! < start) start = b[i]!;
      if (b[i + 1]! > stop) stop = b[i + 1]!;
      b.splice(i, 2);
    } else {
      i += 2;
    }
  }
  b.unshift(start, stop);
  // The oldest block falls off when there are too many (the data stays in the OFO queue).
  if (b.length > 2 * TCP_NUM_SACKS) b.length = 2 * TCP_NUM_SACKS;
}

/** tcp_sack_remove: blocks rcv_nxt has passed are gone. */
export function tcpSackRemove(sk: TcpSock): void {
  const b = sk.sackBlocks;
  for (let i = 0; i < b.length; ) {
    if (b[i + 1]! <= sk.rcvNxt) b.splice(i, 2);
    else i += 2;
  }
}

/** tcp_dsack_set: report [seq, end) as received twice on the next ACK. */
export function tcpDsackSet(host: Host, sk: TcpSock, seq: number, end: number): void {
  if (!sk.sackOk) return;
  host.snmp.v[seq < sk.rcvNxt ? MIB.TcpExtTCPDSACKOldSent! : MIB.TcpExtTCPDSACKOfoSent!]++;
  sk.dsackStart = seq;
  sk.dsackEnd = end;
}

/**
 * The SACK option of the next ACK (tcp_established_options): the DSACK block
 * first, then the blocks most recent first, as many as fit in the 40 option
 * bytes (3 with timestamps, 4 without). Clears the DSACK; null when empty.
 */
export function tcpSackOption(sk: TcpSock): number[] | null {
  if (!sk.sackOk) return null;
  const max = sk.tsEnabled ? 3 : 4;
  const b = sk.sackBlocks;
  if (b.length === 0 && sk.dsackStart < 0) return null;
  const out: number[] = [];
  if (sk.dsackStart >= 0) {
    out.push(sk.dsackStart, sk.dsackEnd);
    sk.dsackStart = -1;
    sk.dsackEnd = -1;
  }
  for (let i = 0; i < b.length && out.length < 2 * max; i += 2) out.push(b[i]!, b[i + 1]!);
  return out;
}

/** What one ACK's SACK blocks did to the scoreboard. */
export interface SackTagResult {
  /** Segments newly marked SACKed. */
  newlySacked: number;
  /** A DSACK block was present. */
  dsack: boolean;
  /** Lowest start of a never-retransmitted segment newly SACKed below the highest SACK (state->reord). */
  reord: number;
}

const result: SackTagResult = { newlySacked: 0, dsack: false, reord: Infinity };

/**
 * tcp_sacktag_write_queue: marks the segments the blocks cover. Each newly
 * SACKed segment feeds RACK its send time (tcp_rack_advance).
 */
export function tcpSacktagWriteQueue(host: Host, sk: TcpSock, blocks: number[], ack: number): SackTagResult {
  const mib = host.snmp.v;
  result.newlySacked = 0;
  result.dsack = false;
  result.reord = Infinity;
  let first = 0;
  // tcp_check_dsack: a first block below the cumulative ACK, or inside the second, is a DSACK.
  const s0 = blocks[0]!;
  const e0 = blocks[1]!;
  if (s0 < ack || (blocks.length >= 4 && s0 >= blocks[2]! && e0 <= blocks[3]!)) {
    result.dsack = true;
    sk.dsackDups++;
    mib[s0 < ack ? MIB.TcpExtTCPDSACKRecv! : MIB.TcpExtTCPDSACKOfoRecv!]++;
    mib[MIB.TcpExtTCPDSACKRecvSegs!] += Math.max(1, Math.ceil((e0 - s0) / sk.mss));
    first = 2;
  }
  const rtx = sk.rtx;
  const highestBefore = sk.highestSack;
  for (let k = first; k < blocks.length; k += 2) {
    const start = blocks[k]!;
    const end = blocks[k + 1]!;
    if (end <= ack || start >= sk.sndNxt || end <= start) {
      if (k > first || !result.dsack) mib[MIB.TcpExtTCPSACKDiscard!]++;
      continue;
    }
    for (let i = lowerBound(rtx, start); i < rtx.length; i++) {
      const seg = rtx[i]!;
      if (seg.seq >= end) break;
      if (seg.sacked || seg.seq < start || seg.end > end) continue;
      seg.sacked = true;
      sk.sackedOut++;
      if (seg.lost) {
        seg.lost = false;
        sk.lostOut--;
      }
      if (seg.retransOut) {
        seg.retransOut = false;
        sk.retransOut--;
      }
      result.newlySacked++;
      if (seg.retrans === 0 && seg.seq < highestBefore && seg.seq < result.reord) result.reord = seg.seq;
      if (seg.end > sk.highestSack) sk.highestSack = seg.end;
      tcpRackAdvance(sk, seg);
      tcpRateSkbDelivered(sk, seg);
    }
  }
  return result;
}

/** tcp_check_sack_reordering: a hole below the highest SACK (`fack`) filled without a retransmission. */
export function tcpCheckSackReordering(host: Host, sk: TcpSock, lowSeq: number, fack: number): void {
  if (lowSeq >= fack) return;
  const metric = fack - lowSeq;
  if (metric > sk.reordering * sk.mss && sk.mss > 0) {
    sk.reordering = Math.min(Math.ceil(metric / sk.mss), TCP_MAX_REORDERING);
  }
  sk.reordSeen++;
  host.snmp.v[MIB.TcpExtTCPSACKReorder!]++;
}

/** First index whose segment ends after `seq` (the queue is sorted by sequence). */
function lowerBound(rtx: RtxSegment[], seq: number): number {
  let lo = 0;
  let hi = rtx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rtx[mid]!.end <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
