// Generic receive offload for TCP over IPv4 (net/core/gro.c: dev_gro_receive,
// napi_gro_complete, __napi_gro_flush_chain; net/ipv4/af_inet.c:
// inet_gro_receive; net/ipv4/tcp_offload.c: tcp_gro_receive; include/net/gro.h:
// inet_gro_flush).
//
// API (one GroState per NAPI context):
//   const gro = new GroState()                 gro_max_size 65536 unless given
//   napiGroReceive(gro, skb, out) → GroResult  packets ready for the stack are
//                                              appended to `out` in delivery order
//   napiGroFlush(gro, out)                     napi_gro_flush at the end of a poll
//                                              (napi_complete_done)
// Results (enum gro_result): GRO_MERGED_FREE (skb folded into a held one),
// GRO_HELD (skb now held), GRO_NORMAL (skb appended to `out` unmerged).
// The caller skips GRO entirely when the device's `gro` feature is off
// (netif_elide_gro) and batches `out` per gro_normal_batch.
//
// A held skb keeps its own id; each merge appends the segment's id to
// `parts` (the first entry is the held skb's own id) and grows len and
// payloadLen. A delivered merge carries gsoSize (the first segment's payload)
// and gsoSegs (the count); a lone held skb is delivered with both 0.
//
// What merges and what flushes follows reference §8: same flow and L2
// header; same TTL/TOS/DF; IP ID incrementing by the merge count (or fixed
// with DF, decided on the second segment); same ack_seq, window and TCP flags
// apart from CWR/FIN/PSH; identical TCP options (TS value included); seq
// equal to the held end; payload no larger than the first. A merged or held
// train is flushed by a segment shorter than the first, by PSH/URG/RST/SYN/
// FIN, by reaching gro_max_size, by any mismatch, and by napi_gro_flush.
// Fragments and non-TCP packets pass through (UDP GRO needs a UDP_GRO socket
// or rx-udp-gro-forwarding, off by default).

import { ETH_P_IP, IP, IPPROTO, type Skb, TCPHDR, type TcpOptions } from '../model/skb.js';

/** GRO_HASH_BUCKETS (include/net/gro.h). */
export const GRO_HASH_BUCKETS = 8;
/** MAX_GRO_SKBS: held skbs per bucket before the oldest is flushed. */
export const MAX_GRO_SKBS = 8;
/** GRO_LEGACY_MAX_SIZE: the default gro_max_size of a device. */
export const GRO_MAX_SIZE = 65536;

/** enum gro_result. */
export const GRO_MERGED = 0;
export const GRO_MERGED_FREE = 1;
export const GRO_HELD = 2;
export const GRO_NORMAL = 3;
export type GroResult = typeof GRO_MERGED | typeof GRO_MERGED_FREE | typeof GRO_HELD | typeof GRO_NORMAL;

const FINAL_FLUSH_FLAGS = TCPHDR.URG | TCPHDR.PSH | TCPHDR.RST | TCPHDR.SYN | TCPHDR.FIN;
const IGNORED_FLAG_DIFF = TCPHDR.CWR | TCPHDR.FIN | TCPHDR.PSH;

class GroBucket {
  /** Held skbs, newest first (list_add puts new ones at the head). */
  readonly list: Skb[] = [];
  /** NAPI_GRO_CB(p)->ip_fixedid of each held skb, aligned with `list`. */
  readonly fixedId: boolean[] = [];
}

export class GroState {
  readonly buckets: GroBucket[] = [];
  /** Skbs held across all buckets (gro->bitmask's population, counted). */
  held = 0;

  constructor(readonly maxSize = GRO_MAX_SIZE) {
    for (let i = 0; i < GRO_HASH_BUCKETS; i++) this.buckets.push(new GroBucket());
  }
}

function sameOptions(a: TcpOptions | null, b: TcpOptions | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.mss !== b.mss || a.wscale !== b.wscale || a.sackOk !== b.sackOk || a.tsVal !== b.tsVal || a.tsEcr !== b.tsEcr) return false;
  const sa = a.sack;
  const sb = b.sack;
  if (!sa || !sb) return sa === sb || (sa?.length ?? 0) + (sb?.length ?? 0) === 0;
  if (sa.length !== sb.length) return false;
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return false;
  return true;
}

/** gro_list_prepare + inet_gro_receive + tcp_gro_receive's port match: the same flow. */
function sameFlow(p: Skb, skb: Skb): boolean {
  return p.ifindex === skb.ifindex && p.ethSrc === skb.ethSrc && p.ethDst === skb.ethDst && p.ethProto === skb.ethProto &&
    p.saddr === skb.saddr && p.daddr === skb.daddr && p.protocol === skb.protocol &&
    p.sport === skb.sport && p.dport === skb.dport;
}

/** napi_gro_complete → tcp_gro_complete: a lone skb loses gso_size; a train carries its count. */
function groComplete(p: Skb, out: Skb[]): void {
  if (p.gsoSegs <= 1) {
    p.gsoSize = 0;
    p.gsoSegs = 0;
  }
  out.push(p);
}

function removeAt(gro: GroState, b: GroBucket, i: number): Skb {
  const p = b.list[i]!;
  b.list.splice(i, 1);
  b.fixedId.splice(i, 1);
  gro.held--;
  return p;
}

/** napi_gro_receive → dev_gro_receive for one skb. */
export function napiGroReceive(gro: GroState, skb: Skb, out: Skb[]): GroResult {
  // inet_gro_receive: fragments flush; only TCP has a gro_receive that can merge here.
  if (skb.ethProto !== ETH_P_IP || skb.protocol !== IPPROTO.TCP || (skb.fragOff & (IP.MF | IP.OFFSET)) !== 0 || skb.gsoSize !== 0) {
    out.push(skb);
    return GRO_NORMAL;
  }
  const b = gro.buckets[skb.hash & (GRO_HASH_BUCKETS - 1)]!;
  const len = skb.payloadLen;

  let pi = -1;
  for (let i = 0; i < b.list.length; i++) {
    if (sameFlow(b.list[i]!, skb)) {
      pi = i;
      break;
    }
  }

  let merged = false;
  let mss = 1;
  if (pi >= 0) {
    const p = b.list[pi]!;
    const count = p.gsoSegs;
    // inet_gro_flush: all IP fields must match except length, checksum and an incrementing ID.
    let flush = p.ttl !== skb.ttl || p.tos !== skb.tos || ((p.fragOff ^ skb.fragOff) & IP.DF) !== 0;
    if (!flush) {
      const ipidOffset = (skb.ipId - p.ipId) & 0xffff;
      const df = (skb.fragOff & IP.DF) !== 0;
      if (count === 1 && df && ipidOffset === 0) b.fixedId[pi] = true;
      flush = ipidOffset !== (b.fixedId[pi] ? 0 : count);
    }
    // tcp_gro_receive
    flush ||= (skb.tcpFlags & TCPHDR.CWR) !== 0;
    flush ||= ((skb.tcpFlags ^ p.tcpFlags) & ~IGNORED_FLAG_DIFF) !== 0 || skb.window !== p.window;
    flush ||= skb.ackSeq !== p.ackSeq;
    flush ||= !sameOptions(skb.tcpOpts, p.tcpOpts);
    const pmss = p.gsoSize;
    flush ||= len === 0 || len > pmss;
    flush ||= ((p.seq + p.payloadLen) >>> 0) !== skb.seq;
    // skb_gro_receive refuses to grow past gro_max_size (-E2BIG).
    if (!flush && p.len + len < gro.maxSize) {
      if (count === 1) p.parts = [p.id];
      p.parts!.push(skb.id);
      if (skb.data || p.data) p.data = joinPayload(p, skb);
      p.len += len;
      p.payloadLen += len;
      p.gsoSegs = count + 1;
      p.tcpFlags |= skb.tcpFlags & (TCPHDR.FIN | TCPHDR.PSH);
      merged = true;
      mss = pmss;
    }
  }

  // out_check_final
  const flush = len < mss || (skb.tcpFlags & FINAL_FLUSH_FLAGS) !== 0;
  if (pi >= 0 && (!merged || flush)) groComplete(removeAt(gro, b, pi), out);
  if (merged) return GRO_MERGED_FREE;
  if (flush) {
    out.push(skb);
    return GRO_NORMAL;
  }

  // Hold it: a full bucket first gives up its oldest (gro_flush_oldest).
  if (b.list.length >= MAX_GRO_SKBS) groComplete(removeAt(gro, b, b.list.length - 1), out);
  skb.gsoSize = len;
  skb.gsoSegs = 1;
  b.list.unshift(skb);
  b.fixedId.unshift(false);
  gro.held++;
  return GRO_HELD;
}

/** napi_gro_flush(napi, false): every bucket in order, oldest first within each. */
export function napiGroFlush(gro: GroState, out: Skb[]): void {
  if (gro.held === 0) return;
  for (const b of gro.buckets) {
    for (let i = b.list.length - 1; i >= 0; i--) groComplete(removeAt(gro, b, i), out);
  }
}

function joinPayload(p: Skb, skb: Skb): Uint8Array {
  const d = new Uint8Array(p.payloadLen + skb.payloadLen);
  if (p.data) d.set(p.data.subarray(0, p.payloadLen));
  if (skb.data) d.set(skb.data.subarray(0, skb.payloadLen), p.payloadLen);
  return d;
}
