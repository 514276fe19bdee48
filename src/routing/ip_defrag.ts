// IPv4 reassembly (net/ipv4/ip_fragment.c: ip_defrag, ip_frag_queue,
// ip_frag_reasm, ip_expire, ip_frag_too_far; net/ipv4/inet_fragment.c:
// inet_frag_find, inet_frag_queue_insert), one instance per network namespace.
//
// API:
//   const defrag = new IpDefrag(sim, mib, host)      host: DefragHost callbacks
//   defrag.defrag(skb, user) → Skb | FRAG_QUEUED | DropReasonCode
//     Skb           the rebuilt datagram (new id, parts = fragment ids in offset
//                   order, fragMaxSize = largest fragment)
//     FRAG_QUEUED   (0) held, waiting for the rest
//     a reason      the caller frees `skb` with it (kfree_skb_reason)
//   Fragments that leave a queue later (timeout, overlap, ipfrag_max_dist)
//   are reported through host.fragDropped; an expired queue whose fragment 0
//   arrived asks host.sendTimeExceeded(head) for ICMP 11/1.
//   Tunables (per netns sysctls) are plain fields: highThresh, timeoutNs, maxDist.
//
// Counters (Ip group): ReasmReqds per fragment, ReasmOKs per datagram,
// ReasmFails per failure, ReasmTimeout per expired queue, IpExt ReasmOverlaps.
// Queues are keyed by (saddr, daddr, id, protocol, user) through a numeric
// hash with exact-match chaining. Memory is the sum of queued truesizes plus
// each queue's own size, checked against ipfrag_high_thresh on every fragment.
// The timer is one scheduler event per queue (module-level handler; a
// generation number voids events of a queue that was completed or restarted).

import { DropReason, type DropReasonCode } from '../model/drop_reason.js';
import type { Scheduler } from '../model/scheduler.js';
import { IP, IPHDR_LEN, type Skb } from '../model/skb.js';
import { MIB, type SnmpCounters } from '../model/snmp.js';
import { NSEC_PER_SEC, type Nanos } from '../model/time.js';

/** enum ip_defrag_users (include/net/ip.h). */
export const IP_DEFRAG_LOCAL_DELIVER = 0;
export const IP_DEFRAG_CALL_RA_CHAIN = 1;
export const IP_DEFRAG_CONNTRACK_IN = 2;
export const IP_DEFRAG_CONNTRACK_OUT = IP_DEFRAG_CONNTRACK_IN + 65535 + 1;

/** ip_defrag's "held, not complete" answer (-EINPROGRESS). */
export const FRAG_QUEUED = 0;

/** net.ipv4.ipfrag_high_thresh default: 4 MiB per netns. */
export const IPFRAG_HIGH_THRESH = 4 * 1024 * 1024;
/** net.ipv4.ipfrag_time default: 30 s. */
export const IPFRAG_TIME_NS = 30 * NSEC_PER_SEC;
/** net.ipv4.ipfrag_max_dist default: 64 fragments from the same peer. */
export const IPFRAG_MAX_DIST = 64;

/** sizeof(struct ipq) on x86_64 (inet_frag_alloc charges it), approximate. */
const IPQ_SIZE = 192;
/** sk_buff + skb_shared_info + headroom, for fragments whose truesize the NIC did not set [approx]. */
const SKB_TRUESIZE_OVERHEAD = 768;

const INET_FRAG_FIRST_IN = 1;
const INET_FRAG_LAST_IN = 2;

export interface DefragHost {
  /** A fragment freed from a queue after the call that queued it (timeout, overlap discard, too far). */
  fragDropped(skb: Skb, reason: DropReasonCode): void;
  /** ip_expire: the queue timed out with fragment 0 present; send ICMP 11/1 quoting it. */
  sendTimeExceeded(head: Skb): void;
}

class FragQueue {
  /** Fragments sorted by offset; offsets[i] and ends[i] in bytes of IP payload. */
  frags: Skb[] = [];
  offsets: number[] = [];
  ends: number[] = [];
  flags = 0;
  /** Total payload length once known (q.len). */
  len = 0;
  /** Bytes received so far (q.meat). */
  meat = 0;
  /** Largest fragment and largest DF fragment, IP total length (q.max_size, max_df_size). */
  maxSize = 0;
  maxDfSize = 0;
  /** Truesize charged to the netns. */
  mem = 0;
  /** Peer fragment counter at this queue's last fragment (qp->rid). */
  rid = 0;
  gen = 0;
  dead = false;
  next: FragQueue | null = null;

  constructor(
    readonly hash: number,
    readonly saddr: number,
    readonly daddr: number,
    readonly id: number,
    readonly protocol: number,
    readonly user: number,
    readonly owner: IpDefrag,
  ) {}
}

function fragTruesize(skb: Skb): number {
  return skb.truesize > 0 ? skb.truesize : skb.len + SKB_TRUESIZE_OVERHEAD;
}

function keyHash(saddr: number, daddr: number, id: number, protocol: number, user: number): number {
  let h = Math.imul(saddr ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ daddr, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ((id << 8) | protocol), 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ user, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/** ip_expire: the queue's ipfrag_time passed (a module-level handler; no per-queue closure). */
function ipExpire(_sim: Scheduler, q: FragQueue, gen: number): void {
  if (q.dead || q.gen !== gen) return;
  q.owner.expire(q);
}

export class IpDefrag {
  highThresh = IPFRAG_HIGH_THRESH;
  timeoutNs: Nanos = IPFRAG_TIME_NS;
  maxDist = IPFRAG_MAX_DIST;
  /** frag_mem_limit(fqdir): bytes held by all queues of this netns. */
  mem = 0;

  private readonly table = new Map<number, FragQueue>();
  /** inet_peer rid counters: fragments seen per source address. */
  private readonly peerRid = new Map<number, number>();
  private queueCount = 0;

  constructor(
    private readonly sim: Scheduler,
    private readonly mib: SnmpCounters,
    private readonly host: DefragHost,
  ) {}

  /** Queues currently open. */
  get queues(): number {
    return this.queueCount;
  }

  /** ip_defrag: queue `skb` (a fragment) and return the datagram once complete. */
  defrag(skb: Skb, user: number): Skb | number {
    const v = this.mib.v;
    v[MIB.IpReasmReqds]++;
    const q = this.find(skb, user);
    if (!q) {
      v[MIB.IpReasmFails]++;
      return DropReason.NOMEM;
    }
    return this.queue(q, skb);
  }

  /** inet_frag_find: look up or create the queue; null above ipfrag_high_thresh. */
  private find(skb: Skb, user: number): FragQueue | null {
    if (this.highThresh === 0 || this.mem > this.highThresh) return null;
    const h = keyHash(skb.saddr, skb.daddr, skb.ipId, skb.protocol, user);
    let q = this.table.get(h) ?? null;
    for (let c = q; c; c = c.next) {
      if (c.saddr === skb.saddr && c.daddr === skb.daddr && c.id === skb.ipId && c.protocol === skb.protocol && c.user === user) return c;
    }
    const n = new FragQueue(h, skb.saddr, skb.daddr, skb.ipId, skb.protocol, user, this);
    n.next = q;
    this.table.set(h, n);
    this.queueCount++;
    this.mem += IPQ_SIZE;
    this.sim.at(this.sim.now + this.timeoutNs, ipExpire, n, n.gen);
    return n;
  }

  /** ip_frag_queue. */
  private queue(q: FragQueue, skb: Skb): Skb | number {
    const v = this.mib.v;
    if (this.tooFar(q)) this.reinit(q);

    const offset = (skb.fragOff & IP.OFFSET) << 3;
    let end = offset + skb.len - IPHDR_LEN;
    if ((skb.fragOff & IP.MF) === 0) {
      // The final fragment: bits beyond its end, or a different end, mean corruption.
      if (end < q.len || ((q.flags & INET_FRAG_LAST_IN) !== 0 && end !== q.len)) return this.discard(q, DropReason.NOT_SPECIFIED);
      q.flags |= INET_FRAG_LAST_IN;
      q.len = end;
    } else {
      end &= ~7;
      if (end > q.len) {
        if ((q.flags & INET_FRAG_LAST_IN) !== 0) return this.discard(q, DropReason.NOT_SPECIFIED);
        q.len = end;
      }
    }
    if (end === offset) return this.discard(q, DropReason.NOT_SPECIFIED);

    // inet_frag_queue_insert: a fragment inside a contiguous run of queued
    // fragments is a duplicate; any other overlap kills the queue (RFC 5722).
    let i = q.offsets.length;
    while (i > 0 && q.offsets[i - 1]! >= end) i--;
    let first = i;
    while (first > 0 && q.ends[first - 1]! > offset) first--;
    if (first < i) {
      let covered = q.offsets[first]! <= offset;
      for (let k = first + 1; k < i && covered; k++) covered = q.offsets[k] === q.ends[k - 1];
      if (covered && q.ends[i - 1]! >= end) return DropReason.DUP_FRAG;
      v[MIB.IpExtReasmOverlaps]++;
      return this.discard(q, DropReason.NOT_SPECIFIED);
    }
    q.frags.splice(i, 0, skb);
    q.offsets.splice(i, 0, offset);
    q.ends.splice(i, 0, end);

    q.meat += end - offset;
    const ts = fragTruesize(skb);
    q.mem += ts;
    this.mem += ts;
    if (offset === 0) q.flags |= INET_FRAG_FIRST_IN;
    const fragsize = skb.len;
    if (fragsize > q.maxSize) q.maxSize = fragsize;
    if ((skb.fragOff & IP.DF) !== 0 && fragsize > q.maxDfSize) q.maxDfSize = fragsize;

    if (q.flags === (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN) && q.meat === q.len) return this.reasm(q, skb);
    return FRAG_QUEUED;
  }

  /** ip_frag_too_far: more than ipfrag_max_dist fragments from this peer since the queue last grew. */
  private tooFar(q: FragQueue): boolean {
    if (this.maxDist === 0) return false;
    const start = q.rid;
    const end = (this.peerRid.get(q.saddr) ?? 0) + 1;
    this.peerRid.set(q.saddr, end);
    q.rid = end;
    const rc = q.frags.length > 0 && end - start > this.maxDist;
    if (rc) this.mib.v[MIB.IpReasmFails]++;
    return rc;
  }

  /** ip_frag_reinit: drop what the queue holds (FRAG_TOO_FAR) and restart it and its timer. */
  private reinit(q: FragQueue): void {
    for (const f of q.frags) this.host.fragDropped(f, DropReason.FRAG_TOO_FAR);
    this.mem -= q.mem;
    q.frags = [];
    q.offsets = [];
    q.ends = [];
    q.flags = 0;
    q.len = 0;
    q.meat = 0;
    q.maxSize = 0;
    q.maxDfSize = 0;
    q.mem = 0;
    q.gen++;
    this.sim.at(this.sim.now + this.timeoutNs, ipExpire, q, q.gen);
  }

  /** discard_qp: kill the queue, ReasmFails, and drop the arriving fragment with `reason`. */
  private discard(q: FragQueue, reason: DropReasonCode): number {
    this.kill(q, DropReason.FRAG_REASM_TIMEOUT);
    this.mib.v[MIB.IpReasmFails]++;
    return reason;
  }

  /**
   * inet_frag_kill + inet_frag_destroy: unhash the queue, void its timer and
   * free what it still holds (inet_frag_rbtree_purge's reason).
   */
  private kill(q: FragQueue, purgeReason: DropReasonCode): void {
    q.dead = true;
    let c = this.table.get(q.hash) ?? null;
    let prev: FragQueue | null = null;
    for (; c && c !== q; c = c.next) prev = c;
    if (prev) prev.next = q.next;
    else if (q.next) this.table.set(q.hash, q.next);
    else this.table.delete(q.hash);
    this.queueCount--;
    this.mem -= q.mem + IPQ_SIZE;
    for (const f of q.frags) this.host.fragDropped(f, purgeReason);
    q.frags = [];
  }

  /** ip_expire: ReasmFails + ReasmTimeout, and ICMP 11/1 if fragment 0 arrived. */
  expire(q: FragQueue): void {
    const v = this.mib.v;
    v[MIB.IpReasmFails]++;
    v[MIB.IpReasmTimeout]++;
    if ((q.flags & INET_FRAG_FIRST_IN) !== 0 && q.offsets[0] === 0) {
      const head = q.frags.shift()!;
      q.offsets.shift();
      q.ends.shift();
      this.host.sendTimeExceeded(head);
      this.host.fragDropped(head, DropReason.FRAG_REASM_TIMEOUT);
    }
    this.kill(q, DropReason.FRAG_REASM_TIMEOUT);
  }

  /** ip_frag_reasm: one datagram from the queue's fragments, in offset order. */
  private reasm(q: FragQueue, last: Skb): Skb {
    const head = q.frags[0]!;
    const whole = head.copyHeaders();
    whole.len = IPHDR_LEN + q.len;
    whole.payloadLen = q.len - whole.l4HeaderLen;
    whole.fragOff = q.maxDfSize === q.maxSize ? IP.DF : 0;
    whole.fragMaxSize = Math.max(q.maxDfSize, q.maxSize);
    whole.parts = q.frags.map((f) => f.id);
    whole.ifindex = last.ifindex;
    whole.iif = last.iif;
    whole.tstamp = last.tstamp;
    whole.truesize = q.mem;
    if (q.frags.some((f) => f.data)) whole.data = joinData(q, whole.l4HeaderLen);
    // The fragments now live on inside `whole`: nothing to free.
    q.frags = [];
    this.kill(q, DropReason.FRAG_REASM_TIMEOUT);
    this.mib.v[MIB.IpReasmOKs]++;
    return whole;
  }
}

/** The datagram's application bytes from the fragments' slices (zeros where a fragment had none). */
function joinData(q: FragQueue, l4h: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, q.len - l4h));
  for (let i = 0; i < q.frags.length; i++) {
    const d = q.frags[i]!.data;
    if (d) out.set(d.subarray(0, Math.min(d.length, out.length)), Math.max(0, q.offsets[i]! - l4h));
  }
  return out;
}
