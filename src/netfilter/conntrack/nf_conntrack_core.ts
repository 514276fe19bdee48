// The per-host connection tracking table (net/netfilter/nf_conntrack_core.c):
// a hash table of `nf_conntrack_buckets` chains holding both tuplehash nodes of
// every confirmed entry; `nf_conntrack_in` at PRE_ROUTING/LOCAL_OUT (-200)
// attaches an entry to each packet, creating an unconfirmed one on a miss, and
// `nf_confirm` at LOCAL_IN/POST_ROUTING (INT_MAX) inserts it. A full table
// early-drops unassured entries near the new tuple's bucket or drops the packet.
//
// Model notes:
// - Time is kept in jiffies (HZ=250) like ct->timeout; `conntrack -L` divides by HZ.
// - An unconfirmed entry dies when the last packet holding it lets go without
//   having reached nf_confirm (a drop frees it: nf_ct_put → nf_ct_destroy).
// - Entries leave the table immediately when killed. As in the kernel, an
//   entry's memory (its record's slot, nf_conntrack_cachep) is reused only
//   once no packet holds a reference to it (`use`, taken by nf_ct_set and
//   dropped by nf_reset_ct); one still referenced when it dies is freed when
//   the last packet lets go (nf_conntrack_destroy).

import type { Scheduler } from '../../model/scheduler.js';
import type { RandomStream } from '../../model/random.js';
import { IP, IPPROTO, nfResetCt, type Skb, TCPHDR } from '../../model/skb.js';
import { DropReason } from '../../model/drop_reason.js';
import {
  NF, NF_INET, NF_IP_PRI_CONNTRACK, NF_IP_PRI_CONNTRACK_CONFIRM, type NfHook, type NfHookEntries, type NfHookOps,
  type NfHookState,
} from '../hooks.js';
import { type ConntrackApi, IP_CT, IPS, type NatRange } from '../nf_conntrack_common.js';
import { Ct, nextPastOwn, NfConn, nfConnInit, NfConnStore, packPorts } from './nf_conn.js';
import {
  hashTuple, HZ, icmpIsErr, invertTuple, IP_CT_DIR, jiffiesOf, NfTuple, NR_ICMP_TYPES, nsOfJiffies, reciprocalScale,
  tupleFromSkb,
} from './nf_conntrack_tuple.js';
import { ConntrackStats, type IpConntrackStat } from './nf_conntrack_stat.js';
import { defaultSysctls, type ConntrackSysctls } from './nf_conntrack_sysctl.js';
import { IPCT, type L4Context, NF_CT } from './nf_conntrack_l4proto.js';
import { nfConntrackTcpPacket, tcpCanEarlyDrop, tcpTimeouts } from './nf_conntrack_proto_tcp.js';
import { nfConntrackGenericPacket, nfConntrackUdpPacket } from './nf_conntrack_proto_udp.js';
import { nfConntrackIcmpPacket, quotedTuple } from './nf_conntrack_proto_icmp.js';
import { snapshotEntry, type ConntrackEntry } from './nf_conntrack_entry.js';
import { ConntrackEventLog } from './nf_conntrack_ecache.js';
import { procLine, procStatText } from './nf_conntrack_standalone.js';
import { NfNat } from './nf_nat_core.js';
import { gcWorkerRun, type GcWork } from './nf_conntrack_gc.js';

/** NF_CT_EVICTION_RANGE: buckets early_drop scans, starting at the new tuple's. */
export const NF_CT_EVICTION_RANGE = 8;
/** chainFind's answer when the chain is longer than the insertion allows. */
const CHAIN_TOO_LONG = -2;
/** MIN_CHAINLEN / MAX_CHAINLEN: insertion refuses chains longer than 50 + random(30). */
const MIN_CHAINLEN = 50;
const MAX_CHAINLEN = 80 - MIN_CHAINLEN;
/** net_ratelimit(): 10 messages per 5 s. */
const NET_RATELIMIT_INTERVAL = 5 * HZ;
const NET_RATELIMIT_BURST = 10;

export interface ConntrackOptions {
  /** The host's event queue; the gc worker runs on it. */
  scheduler: Scheduler;
  /** The host's seeded stream for conntrack: hash key, chain limits, NAT port choice. */
  random: RandomStream;
  /** Appends a kernel log line (dmesg). */
  printk: (line: string) => void;
  /** Host name, for messages. */
  hostName: string;
  /** CPUs of the host (per-CPU statistics rows); default 1. */
  ncpus?: number;
  /** Overrides of the net.netfilter.nf_conntrack_* defaults. */
  sysctl?: Partial<ConntrackSysctls>;
  /** Events kept for `conntrack -E` (most recent first dropped); 0 disables the log. Default 4096. */
  eventLogSize?: number;
  /** False for a child network namespace: the table-full message then names the netns. */
  initNet?: boolean;
}

/** Per-host conntrack: the table, the hooks, the sysctls and the statistics. Implements ConntrackApi for rule targets. */
export class Conntrack implements ConntrackApi, L4Context {
  readonly sysctl: ConntrackSysctls;
  readonly tcpTimeouts: Float64Array;
  readonly stats: ConntrackStats;
  readonly events: ConntrackEventLog;
  readonly nat: NfNat;
  readonly hostName: string;
  readonly sched: Scheduler;
  readonly rnd: RandomStream;
  /** net.netfilter.nf_conntrack_count: allocated entries, confirmed or not (cnet->count). */
  count = 0;

  /** The entries' records, and the handles packets hold. */
  readonly store: NfConnStore;
  /** The hash table: each bucket's first node (slot << 1 | dir), or NULLS. */
  heads: Int32Array = new Int32Array(0);
  htableSize = 0;
  private readonly hashSeed: number;

  /** conntrack_gc_work. */
  readonly gc: GcWork = { nextBucket: 0, avgTimeout: 0, count: 0, startTime: 0, earlyDrop: false, gen: 0, running: false };

  private readonly printkFn: (line: string) => void;
  private readonly initNet: boolean;
  private ratelimitBegin = -1;
  private ratelimitPrinted = 0;
  private ratelimitMissed = 0;


  /** nowJiffies' last answer, and the simulated instant it was for. */
  private jiffiesAt = -1;
  private jiffies = 0;
  /** Where findHashed's early loads go, so the JIT keeps them. */
  private prefetched = 0;
  /**
   * Speed only: the node of the REPLY chain findHashed's walk of a miss
   * stopped at; early_drop_list, when the allocation that follows needs it,
   * takes it on one node per node of its own, so that confirm's walk of that
   * chain finds more of it cached.
   */
  private replyAhead = Ct.NULLS;
  /** Direction of the node the last lookup found. */
  private foundDir = 0;
  private readonly t1 = new NfTuple();
  private readonly t2 = new NfTuple();

  // Event cache of the packet being processed (nf_conntrack_event_cache), delivered at confirm:
  // the entry's record and the events.
  private cacheBase = -1;
  private cacheMask = 0;

  private readonly inOps: NfHookOps;
  private readonly confirmOps: NfHookOps;
  private registeredOn: NfHookEntries | null = null;

  constructor(opts: ConntrackOptions) {
    this.sched = opts.scheduler;
    this.rnd = opts.random;
    this.printkFn = opts.printk;
    this.hostName = opts.hostName;
    this.initNet = opts.initNet ?? true;
    this.sysctl = { ...defaultSysctls(), ...opts.sysctl };
    this.tcpTimeouts = tcpTimeouts(this.sysctl);
    this.stats = new ConntrackStats(opts.ncpus ?? 1);
    this.events = new ConntrackEventLog(opts.eventLogSize ?? 4096);
    this.hashSeed = this.rnd.nextU32();
    this.store = new NfConnStore((b) => this.putUnconfirmed(b));
    this.allocTable(this.sysctl.nf_conntrack_buckets);
    this.nat = new NfNat(this);
    const self = this;
    this.inOps = { name: 'nf_conntrack_in', priority: NF_IP_PRI_CONNTRACK, hook: (skb, st) => self.nfConntrackIn(skb, st) };
    this.confirmOps = { name: 'nf_confirm', priority: NF_IP_PRI_CONNTRACK_CONFIRM, hook: (skb, st) => self.nfConfirm(skb, st) };
  }

  /** nfct_time_stamp: jiffies now, worked out once per simulated instant. */
  get nowJiffies(): number {
    const now = this.sched.now;
    if (now !== this.jiffiesAt) {
      this.jiffiesAt = now;
      this.jiffies = jiffiesOf(now);
    }
    return this.jiffies;
  }

  // ---------------------------------------------------------------- hooks

  /** nf_conntrack_register hooks (ipv4_conntrack_ops) and start the gc worker, 1 s later as nf_conntrack_init_start does. */
  register(hooks: NfHookEntries): void {
    if (this.registeredOn) return;
    this.registeredOn = hooks;
    hooks.register(NF_INET.PRE_ROUTING, this.inOps);
    hooks.register(NF_INET.LOCAL_OUT, this.inOps);
    hooks.register(NF_INET.LOCAL_IN, this.confirmOps);
    hooks.register(NF_INET.POST_ROUTING, this.confirmOps);
    this.nat.attach(hooks);
    this.gc.gen++;
    this.gc.running = true;
    this.sched.after(nsOfJiffies(HZ), gcWorkerEvent, this, this.gc.gen);
  }

  unregister(hooks: NfHookEntries): void {
    if (this.registeredOn !== hooks) return;
    hooks.unregister(NF_INET.PRE_ROUTING, this.inOps);
    hooks.unregister(NF_INET.LOCAL_OUT, this.inOps);
    hooks.unregister(NF_INET.LOCAL_IN, this.confirmOps);
    hooks.unregister(NF_INET.POST_ROUTING, this.confirmOps);
    this.nat.detach(hooks);
    this.registeredOn = null;
    this.gc.gen++;
    this.gc.running = false;
  }

  /** nf_nat_register_fn: the iptables nat table's hook ops, consulted only for a connection's first packet. */
  registerNatTable(hook: NfHook, ops: NfHookOps): void {
    this.nat.registerTable(hook, ops);
  }

  unregisterNatTable(hook: NfHook, ops: NfHookOps): void {
    this.nat.unregisterTable(hook, ops);
  }

  // ---------------------------------------------------------------- ConntrackApi

  setupNat(skb: Skb, range: NatRange, manip: number): number {
    return this.nat.setupInfo(skb.nfct as NfConn | null, range, manip);
  }

  notrack(skb: Skb): void {
    nfResetCt(skb);
    skb.ctinfo = IP_CT.UNTRACKED;
  }

  // ---------------------------------------------------------------- nf_conntrack_in

  /** nf_conntrack_in: attach the packet's entry (creating an unconfirmed one on a miss) and run the L4 tracker. */
  nfConntrackIn(skb: Skb, state: NfHookState): number {
    // Previously seen (loopback) or untracked? Ignore.
    if (skb.nfct !== null || skb.ctinfo === IP_CT.UNTRACKED) return NF.ACCEPT;
    const st = this.stats.cpu(skb.cpu);
    // get_l4proto: a non-first fragment has no L4 header (defrag runs first, so this is rare).
    if (skb.fragOff & IP.OFFSET) {
      st.invalid++;
      return NF.ACCEPT;
    }
    if (skb.protocol === IPPROTO.ICMP) {
      const ret = this.handleIcmp(skb);
      if (ret <= 0) {
        st.error++;
        return -ret;
      }
      if (skb.nfct !== null) return NF.ACCEPT;
    }
    for (;;) {
      state.ctLookups++;
      const r = this.resolveNormalCt(skb);
      if (r < 0) {
        // Too stressed to deal.
        st.drop++;
        state.dropReason = DropReason.NETFILTER_DROP;
        state.detail = 'nf_conntrack: table full';
        return NF.DROP;
      }
      const ct = skb.nfct as NfConn | null;
      if (ct === null) {
        // Not a valid part of a connection.
        st.invalid++;
        return NF.ACCEPT;
      }
      const ctinfo = skb.ctinfo;
      if ((ct.status & IPS.CONFIRMED) === 0) state.ctNew++;
      const ret = this.handlePacket(ct, skb, ctinfo);
      if (ret <= 0) {
        const b = ct.base;
        nfResetCt(skb);
        this.putUnconfirmed(b);
        // The TCP tracker killed an entry to let a new SYN reopen it: look up again.
        if (ret === NF_CT.REPEAT) continue;
        st.invalid++;
        if (ret === NF.DROP) st.drop++;
        return ret === NF.DROP ? NF.DROP : -ret;
      }
      if (ctinfo === IP_CT.ESTABLISHED_REPLY && !(ct.status & IPS.SEEN_REPLY)) {
        ct.status |= IPS.SEEN_REPLY;
        this.eventCache(ct, IPCT.REPLY);
      }
      return ret;
    }
  }

  private handlePacket(ct: NfConn, skb: Skb, ctinfo: number): number {
    switch (ct.proto) {
      case IPPROTO.TCP: return nfConntrackTcpPacket(this, ct, skb, ctinfo);
      case IPPROTO.UDP: return nfConntrackUdpPacket(this, ct, skb, ctinfo);
      case IPPROTO.ICMP: return nfConntrackIcmpPacket(this, ct, skb, ctinfo);
      default: return nfConntrackGenericPacket(this, ct, skb, ctinfo);
    }
  }

  /**
   * nf_conntrack_icmpv4_error + nf_conntrack_inet_error: an ICMP error quoting a
   * tracked flow is RELATED to it. Returns NF_ACCEPT, or -NF_ACCEPT (the
   * packet is not tracked and `error` is bumped).
   */
  private handleIcmp(skb: Skb): number {
    if (skb.icmpType > NR_ICMP_TYPES) return -NF.ACCEPT; // invalid icmp type
    if (!icmpIsErr(skb.icmpType)) return NF.ACCEPT;
    const orig = quotedTuple(this.t1, skb);
    if (orig === null) return -NF.ACCEPT;
    // The inner packet travelled the other way: look up its inverse.
    if (!invertTuple(this.t2, orig)) return -NF.ACCEPT;
    const b = this.findHashed(this.t2, this.tupleHash(this.t2), Ct.NULLS);
    if (b < 0) return -NF.ACCEPT;
    const dir = this.foundDir;
    // The error must be heading where the flow's packets in that direction go (tuplehash[dir].tuple.dst).
    const ctDst = this.store.words[b + Ct.TUPLE + 3 * dir + 1];
    if (ctDst !== (skb.daddr | 0)) return -NF.ACCEPT;
    nfCtSet(skb, this.store, b, dir === IP_CT_DIR.REPLY ? IP_CT.RELATED + IP_CT.IS_REPLY : IP_CT.RELATED);
    return NF.ACCEPT;
  }

  /** resolve_normal_ct: 0 with skb.nfct set (or left null: untrackable), or -1 when allocation failed. */
  private resolveNormalCt(skb: Skb): number {
    const tuple = tupleFromSkb(this.t1, skb);
    const hash = this.tupleHash(tuple);
    const reply = this.t2;
    const canInvert = invertTuple(reply, tuple);
    // The REPLY tuple's hash, worked out here only for a packet that may create an entry.
    let replyHash = -1;
    let replyHead = Ct.NULLS;
    if (canInvert && (skb.protocol !== IPPROTO.TCP || skb.tcpFlags & TCPHDR.SYN)) {
      replyHash = this.tupleHash(reply);
      replyHead = this.heads[reciprocalScale(replyHash, this.htableSize)]!;
    }
    let b = this.findHashed(tuple, hash, replyHead);
    let dir = this.foundDir;
    if (b < 0) {
      // init_conntrack
      if (!canInvert) return 0;
      if (replyHash < 0) replyHash = this.tupleHash(reply);
      b = this.alloc(tuple, reply, hash, replyHash, skb.cpu);
      if (b < 0) return -1;
      dir = IP_CT_DIR.ORIGINAL;
    }
    const status = this.store.words[b + Ct.STATUS]!;
    let ctinfo: number;
    if (dir === IP_CT_DIR.REPLY) ctinfo = IP_CT.ESTABLISHED_REPLY;
    else if (status & IPS.SEEN_REPLY) ctinfo = IP_CT.ESTABLISHED;
    else if (status & IPS.EXPECTED) ctinfo = IP_CT.RELATED;
    else ctinfo = IP_CT.NEW;
    nfCtSet(skb, this.store, b, ctinfo);
    return 0;
  }

  // ---------------------------------------------------------------- lookup

  /** nf_conntrack_find_get on a tuple, for a look at the entry (NAT's searches); sets foundDir. */
  find(t: NfTuple): NfConn | null {
    const b = this.findHashed(t, this.tupleHash(t), Ct.NULLS);
    return b < 0 ? null : this.store.view(b);
  }

  /**
   * ____nf_conntrack_find: walks the chain, reaping expired entries on the way
   * (nf_ct_gc_expired). `reply` is a node of another chain, or NULLS, that the
   * walk follows in step (speed only): two chains of dependent misses then
   * overlap instead of running one after the other. Returns the entry's
   * record, or -1.
   */
  private findHashed(t: NfTuple, hash: number, reply: number): number {
    const now = this.nowJiffies;
    const w = this.store.words;
    const ports = packPorts(t.sport, t.dport);
    let n = this.heads[reciprocalScale(hash, this.htableSize)]!;
    while (n !== Ct.NULLS) {
      const b = (n >> 1) << Ct.SHIFT;
      let next = w[b + Ct.NEXT + (n & 1)]!;
      if (reply !== Ct.NULLS) reply = w[((reply >> 1) << Ct.SHIFT) + Ct.NEXT + (reply & 1)]!;
      if (((w[b + Ct.TIMEOUT]! - now) | 0) <= 0) {
        next = nextPastOwn(w, n, next);
        this.gcExpired(b);
      } else if (w[b + Ct.STATUS]! & IPS.CONFIRMED && nodeKeyEqual(w, n, t.src, t.dst, ports, t.proto)) {
        this.foundDir = n & 1;
        this.prefetched ^= reply;
        return b;
      }
      n = next;
    }
    this.replyAhead = reply;
    return -1;
  }

  /** nf_conntrack_tuple_taken: is `t` in use by an entry other than `ignored`? (NAT's uniqueness test.) */
  tupleTaken(t: NfTuple, ignored: NfConn): boolean {
    const now = this.nowJiffies;
    const w = this.store.words;
    const ports = packPorts(t.sport, t.dport);
    const ib = ignored.base;
    let n = this.heads[this.bucketOfTuple(t)]!;
    while (n !== Ct.NULLS) {
      const b = (n >> 1) << Ct.SHIFT;
      let next = w[b + Ct.NEXT + (n & 1)]!;
      if (b !== ib) {
        if (((w[b + Ct.TIMEOUT]! - now) | 0) <= 0) {
          next = nextPastOwn(w, n, next);
          this.gcExpired(b);
        } else if (w[b + Ct.STATUS]! & IPS.CONFIRMED && nodeKeyEqual(w, n, t.src, t.dst, ports, t.proto)) {
          // Identical original tuples are the same flow: clash resolution handles it at confirm.
          if (!(w[b + Ct.TUPLE] === w[ib + Ct.TUPLE] && w[b + Ct.TUPLE + 1] === w[ib + Ct.TUPLE + 1] &&
            w[b + Ct.TUPLE + 2] === w[ib + Ct.TUPLE + 2] && w[b + Ct.PROTO] === w[ib + Ct.PROTO])) {
            return true;
          }
        }
      }
      n = next;
    }
    return false;
  }

  // ---------------------------------------------------------------- alloc / free

  /** __nf_conntrack_alloc: count first, then early_drop or refuse when over nf_conntrack_max. Returns the new record, or -1. */
  private alloc(orig: NfTuple, repl: NfTuple, hash: number, replyHash: number, cpu: number): number {
    const max = this.sysctl.nf_conntrack_max;
    this.count++;
    if (max > 0 && this.count > max) {
      if (!this.earlyDrop(hash, this.stats.cpu(cpu))) {
        this.gc.earlyDrop = true;
        this.count--;
        this.warnRatelimited(this.initNet
          ? 'nf_conntrack: nf_conntrack: table full, dropping packet'
          : `nf_conntrack: nf_conntrack: table full in netns ${this.hostName}, dropping packet`);
        return -1;
      }
    }
    // The lookup's REPLY walk is early_drop's to carry on, or nobody's.
    this.replyAhead = Ct.NULLS;
    const store = this.store;
    const b = store.allocSlot(max) << Ct.SHIFT;
    const w = store.words;
    nfConnInit(
      w, b, orig.proto, orig.src, orig.dst, packPorts(orig.sport, orig.dport), repl.src, repl.dst, packPorts(repl.sport, repl.dport),
    );
    // init_conntrack keeps the ORIGINAL tuple's hash in the unhashed REPLY node's pprev for __nf_conntrack_confirm.
    w[b + Ct.PPREV + IP_CT_DIR.REPLY] = hash;
    w[b + Ct.REPLY_HASH] = replyHash;
    if (this.sysctl.nf_conntrack_acct) store.setAcct(b, [0, 0, 0, 0]);
    return b;
  }

  /** nf_ct_put on an unconfirmed entry: it dies with its packet (nf_ct_destroy, with nf_nat_cleanup_conntrack). */
  private putUnconfirmed(b: number): void {
    const w = this.store.words;
    const status = w[b + Ct.STATUS]!;
    if (status & (IPS.CONFIRMED | IPS.DYING)) return;
    w[b + Ct.STATUS] = status | IPS.DYING;
    // Events of an entry that never got confirmed are never delivered.
    if (this.cacheBase === b) {
      this.cacheBase = -1;
      this.cacheMask = 0;
    }
    if (status & IPS.SRC_NAT_DONE) this.nat.removeBySrc(b);
    this.count--;
    this.store.release(b);
  }

  /** early_drop: scan NF_CT_EVICTION_RANGE buckets from the new tuple's, evicting every unassured entry of the first bucket that has any. */
  private earlyDrop(hash: number, st: IpConntrackStat): boolean {
    let bucket = 0;
    for (let i = 0; i < NF_CT_EVICTION_RANGE; i++) {
      bucket = i === 0 ? reciprocalScale(hash, this.htableSize) : (bucket + 1) % this.htableSize;
      const drops = this.earlyDropList(bucket);
      if (drops > 0) {
        st.early_drop += drops;
        return true;
      }
    }
    return false;
  }

  /** early_drop_list. */
  private earlyDropList(bucket: number): number {
    const now = this.nowJiffies;
    const w = this.store.words;
    let drops = 0;
    let n = this.heads[bucket]!;
    let reply = this.replyAhead;
    while (n !== Ct.NULLS) {
      const b = (n >> 1) << Ct.SHIFT;
      let next = w[b + Ct.NEXT + (n & 1)]!;
      if (reply !== Ct.NULLS) reply = w[((reply >> 1) << Ct.SHIFT) + Ct.NEXT + (reply & 1)]!;
      const status = w[b + Ct.STATUS]!;
      if (((w[b + Ct.TIMEOUT]! - now) | 0) <= 0) {
        next = nextPastOwn(w, n, next);
        this.gcExpired(b);
      } else if (!(status & (IPS.ASSURED | IPS.DYING | IPS.OFFLOAD)) && status & IPS.CONFIRMED) {
        next = nextPastOwn(w, n, next);
        if (this.deleteAt(b)) drops++;
      }
      n = next;
    }
    this.prefetched ^= reply;
    this.replyAhead = reply;
    return drops;
  }

  /** nf_ct_gc_expired: reap the entry at `b`, found expired during a walk. */
  gcExpired(b: number): void {
    const status = this.store.words[b + Ct.STATUS]!;
    if (status & IPS.CONFIRMED && !(status & IPS.DYING)) this.deleteAt(b);
  }

  /**
   * nf_ct_delete: DESTROY event, unlink both nodes, release the NAT binding.
   * False if already dying. `portid` is the netlink port of a userspace
   * request (ctnetlink), 0 when the kernel deletes.
   */
  delete(ct: NfConn, portid = 0): boolean {
    return this.deleteAt(ct.base, portid);
  }

  /** nf_ct_delete of the entry whose record starts at `b`. */
  private deleteAt(b: number, portid = 0): boolean {
    const store = this.store;
    const w = store.words;
    if (w[b + Ct.STATUS]! & IPS.DYING) return false;
    if (this.cacheBase === b) this.flushEvents();
    w[b + Ct.STATUS] |= IPS.DYING;
    if (this.events.enabled) {
      this.events.add(this.sched.now, IPCT.DESTROY, w, b, store.acctOf(b), this.nowJiffies, portid);
    }
    const status = w[b + Ct.STATUS]!;
    if (status & IPS.CONFIRMED) {
      if (!(status & IPS.NAT_CLASH)) this.unlink(b, IP_CT_DIR.ORIGINAL);
      this.unlink(b, IP_CT_DIR.REPLY);
    }
    if (status & IPS.SRC_NAT_DONE) this.nat.removeBySrc(b);
    this.count--;
    store.release(b);
    return true;
  }

  /** nf_ct_kill (L4Context). */
  kill(ct: NfConn): boolean {
    const b = ct.base;
    const status = this.store.words[b + Ct.STATUS]!;
    if (!(status & IPS.CONFIRMED)) {
      if (status & IPS.DYING) return false;
      this.putUnconfirmed(b);
      return true;
    }
    return this.deleteAt(b);
  }

  /** __nf_ct_refresh_acct (L4Context). */
  refreshAcct(ct: NfConn, ctinfo: number, skb: Skb, extra: number): void {
    if (!(ct.status & IPS.FIXED_TIMEOUT)) ct.timeout = ct.status & IPS.CONFIRMED ? this.nowJiffies + extra : extra;
    const a = ct.acct;
    if (a !== null) {
      const i = ctinfo >= IP_CT.IS_REPLY ? 2 : 0;
      a[i]! += 1;
      a[i + 1]! += skb.len;
    }
  }

  /** nf_conntrack_event_cache (L4Context): events of the current packet, delivered at confirm. */
  eventCache(ct: NfConn, events: number): void {
    this.eventCacheAt(ct.base, events);
  }

  private eventCacheAt(b: number, events: number): void {
    if (!this.events.enabled) return;
    if (this.cacheBase !== b) {
      this.flushEvents();
      this.cacheBase = b;
    }
    this.cacheMask |= events;
  }

  /** nf_ct_deliver_cached_events. */
  private flushEvents(): void {
    const b = this.cacheBase;
    const store = this.store;
    const w = store.words;
    if (b >= 0 && this.cacheMask !== 0 && (w[b + Ct.STATUS]! & (IPS.CONFIRMED | IPS.DYING)) === IPS.CONFIRMED) {
      this.events.add(this.sched.now, this.cacheMask, w, b, store.acctOf(b), this.nowJiffies);
    }
    this.cacheBase = -1;
    this.cacheMask = 0;
  }

  // ---------------------------------------------------------------- hash chains

  /** hlist_nulls_add_head_rcu of the `dir` node of the record at `b` on `bucket`. */
  private link(b: number, dir: number, bucket: number): void {
    const w = this.store.words;
    const n = (b >> (Ct.SHIFT - 1)) | dir;
    const head = this.heads[bucket]!;
    w[b + Ct.NEXT + dir] = head;
    w[b + Ct.PPREV + dir] = -2 - bucket;
    if (head !== Ct.NULLS) w[((head >> 1) << Ct.SHIFT) + Ct.PPREV + (head & 1)] = n;
    this.heads[bucket] = n;
  }

  /** hlist_nulls_del_rcu of the `dir` node of the record at `b`: its pprev says where it hangs, so no walk. */
  private unlink(b: number, dir: number): void {
    const w = this.store.words;
    const next = w[b + Ct.NEXT + dir]!;
    const pprev = w[b + Ct.PPREV + dir]!;
    if (pprev === Ct.NULLS) return;
    if (pprev < Ct.NULLS) this.heads[-2 - pprev] = next;
    else w[((pprev >> 1) << Ct.SHIFT) + Ct.NEXT + (pprev & 1)] = next;
    if (next !== Ct.NULLS) w[((next >> 1) << Ct.SHIFT) + Ct.PPREV + (next & 1)] = pprev;
    w[b + Ct.NEXT + dir] = Ct.NULLS;
    w[b + Ct.PPREV + dir] = Ct.NULLS;
  }

  private bucketOf(b: number, dir: number): number {
    const w = this.store.words;
    const k = b + Ct.TUPLE + 3 * dir;
    const ports = w[k + 2]!;
    return reciprocalScale(hashTuple(w[k]!, w[k + 1]!, ports >>> 16, ports & 0xffff, w[b + Ct.PROTO]!, this.hashSeed), this.htableSize);
  }

  private bucketOfTuple(t: NfTuple): number {
    return reciprocalScale(this.tupleHash(t), this.htableSize);
  }

  /** hash_conntrack_raw of a tuple, with this table's seed. */
  private tupleHash(t: NfTuple): number {
    return hashTuple(t.src, t.dst, t.sport, t.dport, t.proto, this.hashSeed);
  }

  private allocTable(size: number): void {
    this.htableSize = Math.max(1, size | 0);
    this.heads = new Int32Array(this.htableSize).fill(Ct.NULLS);
  }

  /** nf_conntrack_hash_resize: rehash every node into a table of `size` buckets. */
  resize(size: number): void {
    const oldHeads = this.heads;
    this.allocTable(size);
    this.sysctl.nf_conntrack_buckets = this.htableSize;
    const w = this.store.words;
    for (let i = 0; i < oldHeads.length; i++) {
      let n = oldHeads[i]!;
      while (n !== Ct.NULLS) {
        const next = w[((n >> 1) << Ct.SHIFT) + Ct.NEXT + (n & 1)]!;
        const b = (n >> 1) << Ct.SHIFT;
        this.link(b, n & 1, this.bucketOf(b, n & 1));
        n = next;
      }
    }
    this.nat.resize(size);
  }

  // ---------------------------------------------------------------- nf_confirm

  /** nf_confirm → nf_conntrack_confirm: insert a new entry, then deliver the packet's cached events. */
  nfConfirm(skb: Skb, _state: NfHookState): number {
    // Only this table stores entries in skb->_nfct (NOTRACK leaves it null).
    const ct = skb.nfct as NfConn | null;
    if (ct === null) return NF.ACCEPT;
    let ret = NF.ACCEPT;
    if (!(ct.status & IPS.CONFIRMED)) ret = this.confirm(skb, ct.base);
    if (ret === NF.ACCEPT && this.cacheBase >= 0) this.flushEvents();
    return ret;
  }

  /** __nf_conntrack_confirm of the entry at `b`, the packet's. */
  private confirm(skb: Skb, b: number): number {
    // REJECT-attached replies are RELATED in the reply direction: nothing to insert.
    if (skb.ctinfo >= IP_CT.IS_REPLY) return NF.ACCEPT;
    const st = this.stats.cpu(skb.cpu);
    const w = this.store.words;
    if (w[b + Ct.STATUS]! & IPS.DYING) {
      st.insert_failed++;
      return NF.DROP;
    }
    const hash = reciprocalScale(w[b + Ct.PPREV + IP_CT_DIR.REPLY]! >>> 0, this.htableSize);
    const replyHash = reciprocalScale(w[b + Ct.REPLY_HASH]! >>> 0, this.htableSize);
    const maxChainlen = MIN_CHAINLEN + Math.floor(this.rnd.next() * MAX_CHAINLEN);
    // See if there's one in the list already, including reverse: if so, we lost a race.
    let clash = this.chainFind(hash, b, IP_CT_DIR.ORIGINAL, maxChainlen);
    if (clash === CHAIN_TOO_LONG) return this.chainTooLong(b, st);
    if (clash < 0) {
      clash = this.chainFind(replyHash, b, IP_CT_DIR.REPLY, maxChainlen);
      if (clash === CHAIN_TOO_LONG) return this.chainTooLong(b, st);
    }
    if (clash >= 0) return this.resolveClash(skb, b, clash, replyHash, st);

    // The timeout is relative to confirmation time.
    w[b + Ct.TIMEOUT] += this.nowJiffies;
    this.link(b, IP_CT_DIR.ORIGINAL, hash);
    this.link(b, IP_CT_DIR.REPLY, replyHash);
    w[b + Ct.STATUS] |= IPS.CONFIRMED;
    this.eventCacheAt(b, IPCT.NEW);
    return NF.ACCEPT;
  }

  /**
   * Walks a chain for a confirmed node equal to the `dir` tuple of the record
   * at `b`: that entry's record, -1 if none, CHAIN_TOO_LONG past maxChainlen.
   */
  private chainFind(bucket: number, b: number, dir: number, maxChainlen: number): number {
    const w = this.store.words;
    const k = b + Ct.TUPLE + 3 * dir;
    const src = w[k]!;
    const dst = w[k + 1]!;
    const ports = w[k + 2]!;
    const proto = w[b + Ct.PROTO]!;
    let chainlen = 0;
    let n = this.heads[bucket]!;
    while (n !== Ct.NULLS) {
      const nb = (n >> 1) << Ct.SHIFT;
      if (w[nb + Ct.STATUS]! & IPS.CONFIRMED && nodeKeyEqual(w, n, src, dst, ports, proto)) {
        this.foundDir = n & 1;
        return nb;
      }
      if (chainlen++ > maxChainlen) return CHAIN_TOO_LONG;
      n = w[nb + Ct.NEXT + (n & 1)]!;
    }
    return -1;
  }

  private chainTooLong(b: number, st: IpConntrackStat): number {
    st.chaintoolong++;
    st.insert_failed++;
    this.putUnconfirmed(b);
    return NF.DROP;
  }

  /** nf_ct_resolve_clash: merge into the winner, or insert the reply direction only (UDP), or drop. Entries by record. */
  private resolveClash(skb: Skb, loser: number, winner: number, replyHash: number, st: IpConntrackStat): number {
    const w = this.store.words;
    // l4proto->allow_clash: UDP only among the modelled protocols.
    if (w[loser + Ct.PROTO] === IPPROTO.UDP) {
      if (canMerge(w, winner, loser)) {
        nfCtSet(skb, this.store, winner, skb.ctinfo);
        this.putUnconfirmed(loser);
        st.clash_resolve++;
        return NF.ACCEPT;
      }
      // nf_ct_resolve_clash_harder: the reply direction must not clash too.
      const other = this.chainFind(replyHash, loser, IP_CT_DIR.REPLY, Infinity);
      if (other >= 0) {
        if (canMerge(w, other, loser)) {
          nfCtSet(skb, this.store, other, skb.ctinfo);
          this.putUnconfirmed(loser);
          st.clash_resolve++;
          return NF.ACCEPT;
        }
      } else {
        // Keep the loser for its reply traffic only, and let it go within a second.
        w[loser + Ct.TIMEOUT] = this.nowJiffies + HZ;
        w[loser + Ct.STATUS] |= IPS.FIXED_TIMEOUT | IPS.NAT_CLASH | IPS.CONFIRMED;
        this.link(loser, IP_CT_DIR.REPLY, replyHash);
        st.clash_resolve++;
        return NF.ACCEPT;
      }
    }
    st.drop++;
    st.insert_failed++;
    this.putUnconfirmed(loser);
    return NF.DROP;
  }

  /** nf_conntrack_alter_reply: NAT rewrote the reply tuple of an unconfirmed entry. */
  alterReply(ct: NfConn, t: NfTuple): void {
    ct.setReply(t.src, t.dst, packPorts(t.sport, t.dport));
    ct.replyHash = this.tupleHash(t) | 0;
  }

  // ---------------------------------------------------------------- logging

  /** net_warn_ratelimited: 10 lines per 5 s, then a "callbacks suppressed" count. */
  private warnRatelimited(line: string): void {
    const now = this.nowJiffies;
    if (this.ratelimitBegin < 0 || now - this.ratelimitBegin >= NET_RATELIMIT_INTERVAL) {
      if (this.ratelimitMissed > 0) this.printkFn(`net_ratelimit: ${this.ratelimitMissed} callbacks suppressed`);
      this.ratelimitBegin = now;
      this.ratelimitPrinted = 0;
      this.ratelimitMissed = 0;
    }
    if (this.ratelimitPrinted < NET_RATELIMIT_BURST) {
      this.ratelimitPrinted++;
      this.printkFn(line);
    } else {
      this.ratelimitMissed++;
    }
  }

  // ---------------------------------------------------------------- views for tools

  /** Every confirmed entry, in table order (bucket by bucket, ORIGINAL nodes), as ctnetlink dumps them. */
  forEach(fn: (ct: NfConn) => void): void {
    const now = this.nowJiffies;
    const w = this.store.words;
    for (let i = 0; i < this.htableSize; i++) {
      for (let n = this.heads[i]!; n !== Ct.NULLS; n = w[((n >> 1) << Ct.SHIFT) + Ct.NEXT + (n & 1)]!) {
        const b = (n >> 1) << Ct.SHIFT;
        if ((n & 1) === IP_CT_DIR.ORIGINAL && !(w[b + Ct.STATUS]! & IPS.DYING) && ((w[b + Ct.TIMEOUT]! - now) | 0) > 0) {
          fn(this.store.view(b));
        }
      }
    }
  }

  /** Snapshots of the live entries, in `conntrack -L` order. */
  entries(): ConntrackEntry[] {
    const out: ConntrackEntry[] = [];
    const now = this.nowJiffies;
    this.forEach((ct) => out.push(snapshotEntry(ct, now)));
    return out;
  }

  /**
   * ctnetlink_del_conntrack over a filter, for the process bound to netlink
   * port `portid`: deletes matching entries, returns their snapshots (taken
   * before deletion).
   */
  deleteWhere(pred: (e: ConntrackEntry) => boolean, portid = 0): ConntrackEntry[] {
    const victims: number[] = [];
    const snaps: ConntrackEntry[] = [];
    const now = this.nowJiffies;
    this.forEach((ct) => {
      const e = snapshotEntry(ct, now);
      if (pred(e)) {
        victims.push(ct.base);
        snaps.push(e);
      }
    });
    for (const b of victims) this.deleteAt(b, portid);
    return snaps;
  }

  /** nf_ct_iterate_cleanup_net with kill-all: `conntrack -F` from netlink port `portid`. */
  flush(portid = 0): number {
    return this.deleteWhere(() => true, portid).length;
  }

  /** Reads a sysctl by its name after `net.netfilter.` (or `net.nf_conntrack_max`); null if unknown. */
  getSysctl(name: string): number | null {
    const key = stripSysctlPrefix(name);
    if (key === 'nf_conntrack_count') return this.count;
    if (key in this.sysctl) return this.sysctl[key as keyof ConntrackSysctls];
    return null;
  }

  /** Writes a sysctl; returns an error message (as sysctl(8) would print after "sysctl: ") or null. */
  setSysctl(name: string, value: number): string | null {
    const key = stripSysctlPrefix(name);
    if (key === 'nf_conntrack_count') return `permission denied on key "${name}"`;
    if (!(key in this.sysctl)) return `cannot stat /proc/sys/${name.replace(/\./g, '/')}: No such file or directory`;
    if (!Number.isInteger(value) || value < 0) return `setting key "${name}": Invalid argument`;
    if (key === 'nf_conntrack_buckets') {
      if (value === 0) return `setting key "${name}": Invalid argument`;
      this.resize(value);
      return null;
    }
    this.sysctl[key as keyof ConntrackSysctls] = value;
    tcpTimeouts(this.sysctl, this.tcpTimeouts);
    return null;
  }

  /** The text of /proc/net/nf_conntrack. */
  procNfConntrack(): string {
    let out = '';
    for (const e of this.entries()) out += procLine(e);
    return out;
  }

  /** The text of /proc/net/stat/nf_conntrack. */
  procStatNfConntrack(): string {
    return procStatText(this.count, this.stats);
  }
}

function stripSysctlPrefix(name: string): string {
  if (name.startsWith('net.netfilter.')) return name.slice('net.netfilter.'.length);
  if (name === 'net.nf_conntrack_max') return 'nf_conntrack_max';
  return name;
}

/** nf_ct_can_merge of the records at `a` and `b`: same tuples, either way round. */
function canMerge(w: Int32Array, a: number, b: number): boolean {
  const t = Ct.TUPLE;
  const same = w[a + t] === w[b + t] && w[a + t + 1] === w[b + t + 1] && w[a + t + 2] === w[b + t + 2] &&
    w[a + t + 3] === w[b + t + 3] && w[a + t + 4] === w[b + t + 4] && w[a + t + 5] === w[b + t + 5];
  const reverse = w[a + t] === w[b + t + 3] && w[a + t + 1] === w[b + t + 4] && w[a + t + 2] === w[b + t + 5] &&
    w[a + t + 3] === w[b + t] && w[a + t + 4] === w[b + t + 1] && w[a + t + 5] === w[b + t + 2];
  return w[a + Ct.PROTO] === w[b + Ct.PROTO] && (same || reverse);
}

/** nf_ct_key_equal of node `n` (slot << 1 | dir) against a tuple, ports packed. */
function nodeKeyEqual(w: Int32Array, n: number, src: number, dst: number, ports: number, proto: number): boolean {
  const b = (n >> 1) << Ct.SHIFT;
  const k = b + Ct.TUPLE + 3 * (n & 1);
  return w[k] === src && w[k + 1] === dst && w[k + 2] === ports && w[b + Ct.PROTO] === proto;
}

/** nf_ct_set: attach the entry at `b` to the packet in place of what it held, taking a reference. */
function nfCtSet(skb: Skb, store: NfConnStore, b: number, ctinfo: number): void {
  nfResetCt(skb);
  skb.nfct = store.hold(b);
  skb.ctinfo = ctinfo;
}

/** Scheduler handler: one run of gc_worker; `gen` discards runs queued before an unregister. */
export function gcWorkerEvent(sim: Scheduler, ct: Conntrack, gen: number): void {
  if (gen !== ct.gc.gen || !ct.gc.running) return;
  const nextRunNs = gcWorkerRun(ct, tcpCanEarlyDrop);
  sim.at(nextRunNs, gcWorkerEvent, ct, gen);
}
