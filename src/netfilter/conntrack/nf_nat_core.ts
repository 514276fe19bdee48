// NAT bound to conntrack entries (net/netfilter/nf_nat_core.c, nf_nat_proto.c).
// The nat table's rules see only a connection's first packet: `setupInfo`
// (nf_nat_setup_info, called by SNAT/DNAT/MASQUERADE/REDIRECT through
// ConntrackApi.setupNat) picks a unique tuple and rewrites the entry's reply
// tuple; the hook ops (nf_nat_ipv4_fn at the NAT priorities) then rewrite
// every packet of the connection in both directions. A first packet that
// passes a NAT hook with no rule binding it gets a null binding, so later
// rule changes leave the flow alone.
//
// The iptables nat table registers with `registerTable` (nf_nat_register_fn),
// not directly on the hook: its chains run inside nf_nat_inet_fn, and only
// for packets whose entry is not yet bound for that manip type. The NAT hook
// ops are registered on the host when the first nat table appears.

import type { Skb } from '../../model/skb.js';
import { IPPROTO } from '../../model/skb.js';
import {
  NF, NF_INET, NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC, type NfHook, type NfHookEntries, type NfHookOps, type NfHookState,
} from '../hooks.js';
import {
  IP_CT, IPS, type NatRange, NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC, NF_NAT_RANGE_MAP_IPS, NF_NAT_RANGE_PERSISTENT,
  NF_NAT_RANGE_PROTO_RANDOM, NF_NAT_RANGE_PROTO_RANDOM_FULLY, NF_NAT_RANGE_PROTO_SPECIFIED,
} from '../nf_conntrack_common.js';
import { Ct, type NfConn, nfCtTuple, packPorts, portsSport, recordTuple, TCP_CONNTRACK } from './nf_conn.js';
import { hashTuple, invertTuple, IP_CT_DIR, NfTuple, reciprocalScale } from './nf_conntrack_tuple.js';
import type { Conntrack } from './nf_conntrack_core.js';

/** NF_NAT_MAX_ATTEMPTS / NF_NAT_HARDER_THRESH. */
const NF_NAT_MAX_ATTEMPTS = 128;
const NF_NAT_HARDER_THRESH = NF_NAT_MAX_ATTEMPTS / 4;
const NF_NAT_RANGE_PROTO_RANDOM_ALL = NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PROTO_RANDOM_FULLY;
/** CONNTRACK_LOCKS: the bysource table is never smaller. */
const CONNTRACK_LOCKS = 1024;

/** HOOK2MANIP: SNAT at POST_ROUTING and LOCAL_IN, DNAT at PRE_ROUTING and LOCAL_OUT. */
export function hook2manip(hook: number): number {
  return hook !== NF_INET.POST_ROUTING && hook !== NF_INET.LOCAL_IN ? NF_NAT_MANIP_DST : NF_NAT_MANIP_SRC;
}

/** nf_nat_initialized. */
export function natInitialized(ct: NfConn, manip: number): boolean {
  return (ct.status & (manip === NF_NAT_MANIP_SRC ? IPS.SRC_NAT_DONE : IPS.DST_NAT_DONE)) !== 0;
}

export class NfNat {
  /** nf_nat_bysource: each chain's first entry record, or -1; the links are bysrcNext, by slot. */
  private bysrcHeads = new Int32Array(0);
  private bysrcNext = new Int32Array(0);
  private bysrcSize = 0;
  private readonly tables: NfHookOps[][] = [[], [], [], [], []];
  private hooks: NfHookEntries | null = null;
  private opsRegistered = false;
  private readonly ops: NfHookOps[];
  private readonly bysrcSeed: number;
  private readonly curr = new NfTuple();
  private readonly cand = new NfTuple();
  private readonly tmp = new NfTuple();
  private readonly tmp2 = new NfTuple();

  constructor(private readonly ct: Conntrack) {
    this.bysrcSeed = ct.rnd.nextU32();
    this.resize(ct.htableSize);
    const self = this;
    this.ops = [
      { name: 'nf_nat_ipv4_pre_routing', priority: NF_IP_PRI_NAT_DST, hook: (skb, st) => self.natIn(skb, st) },
      { name: 'nf_nat_ipv4_local_in', priority: NF_IP_PRI_NAT_SRC, hook: (skb, st) => self.natFn(skb, st) },
      { name: 'nf_nat_ipv4_fn', priority: 0, hook: () => NF.ACCEPT },
      { name: 'nf_nat_ipv4_local_fn', priority: NF_IP_PRI_NAT_DST, hook: (skb, st) => self.natIn(skb, st) },
      { name: 'nf_nat_ipv4_out', priority: NF_IP_PRI_NAT_SRC, hook: (skb, st) => self.natFn(skb, st) },
    ];
  }

  // ---------------------------------------------------------------- registration

  attach(hooks: NfHookEntries): void {
    this.hooks = hooks;
    if (this.hasTables()) this.registerOps();
  }

  detach(hooks: NfHookEntries): void {
    if (this.opsRegistered) {
      for (const h of NAT_HOOKS) hooks.unregister(h, this.ops[h]!);
      this.opsRegistered = false;
    }
    this.hooks = null;
  }

  registerTable(hook: NfHook, ops: NfHookOps): void {
    const list = this.tables[hook]!;
    let i = list.length;
    while (i > 0 && list[i - 1]!.priority > ops.priority) i--;
    list.splice(i, 0, ops);
    if (this.hooks && !this.opsRegistered) this.registerOps();
  }

  unregisterTable(hook: NfHook, ops: NfHookOps): void {
    const list = this.tables[hook]!;
    const i = list.indexOf(ops);
    if (i >= 0) list.splice(i, 1);
    if (!this.hasTables() && this.hooks) this.detach(this.hooks);
  }

  /** Registers the NAT hook ops even with no nat table (as loading nf_nat with an nft nat chain does). */
  enable(): void {
    if (this.hooks && !this.opsRegistered) this.registerOps();
  }

  private hasTables(): boolean {
    return this.tables.some((t) => t.length > 0);
  }

  private registerOps(): void {
    for (const h of NAT_HOOKS) this.hooks!.register(h, this.ops[h]!);
    this.opsRegistered = true;
  }

  // ---------------------------------------------------------------- hooks

  /** nf_nat_ipv4_pre_routing / nf_nat_ipv4_local_fn: a changed destination needs a new route. */
  private natIn(skb: Skb, state: NfHookState): number {
    const daddr = skb.daddr;
    const ret = this.natFn(skb, state);
    if (ret === NF.ACCEPT && daddr !== skb.daddr) state.rerouteNeeded = true;
    return ret;
  }

  /** nf_nat_ipv4_fn → nf_nat_inet_fn. */
  private natFn(skb: Skb, state: NfHookState): number {
    // Only the conntrack table stores entries in skb->_nfct (NOTRACK leaves it null).
    const ct = skb.nfct as NfConn | null;
    if (ct === null) return NF.ACCEPT;
    const ctinfo = skb.ctinfo;
    if ((ctinfo === IP_CT.RELATED || ctinfo === IP_CT.RELATED_REPLY) && skb.protocol === IPPROTO.ICMP) {
      return this.icmpReplyTranslation(skb, ct, ctinfo, state.hook) ? NF.ACCEPT : NF.DROP;
    }
    const manip = hook2manip(state.hook);
    if (ctinfo === IP_CT.RELATED || ctinfo === IP_CT.RELATED_REPLY || ctinfo === IP_CT.NEW) {
      if (!natInitialized(ct, manip)) {
        const lookups = this.tables[state.hook]!;
        let bound = false;
        for (let i = 0; i < lookups.length; i++) {
          const ret = lookups[i]!.hook(skb, state);
          if (ret !== NF.ACCEPT) return ret;
          if (natInitialized(ct, manip)) {
            bound = true;
            break;
          }
        }
        if (!bound) {
          const ret = this.allocNullBinding(ct, manip);
          if (ret !== NF.ACCEPT) return ret;
        }
      }
    }
    return this.natPacket(ct, ctinfo, manip, skb);
  }

  /** nf_nat_packet: rewrite if this direction's status bit says the entry is translated. */
  private natPacket(ct: NfConn, ctinfo: number, manip: number, skb: Skb): number {
    const dir = ctinfo >= IP_CT.IS_REPLY ? IP_CT_DIR.REPLY : IP_CT_DIR.ORIGINAL;
    let statusbit = manip === NF_NAT_MANIP_SRC ? IPS.SRC_NAT : IPS.DST_NAT;
    if (dir === IP_CT_DIR.REPLY) statusbit ^= IPS.NAT_MASK;
    if (ct.status & statusbit) this.manipPkt(skb, ct, manip, dir);
    return NF.ACCEPT;
  }

  /** nf_nat_manip_pkt: the packet takes the inverse of the other direction's tuple. */
  private manipPkt(skb: Skb, ct: NfConn, manip: number, dir: number): void {
    const target = this.tmp;
    invertTuple(target, nfCtTuple(ct, 1 - dir, this.tmp2));
    if (manip === NF_NAT_MANIP_SRC) {
      skb.saddr = target.src >>> 0;
      if (skb.protocol === IPPROTO.TCP || skb.protocol === IPPROTO.UDP) skb.sport = target.sport;
    } else {
      skb.daddr = target.dst >>> 0;
      if (skb.protocol === IPPROTO.TCP || skb.protocol === IPPROTO.UDP) skb.dport = target.dport;
    }
    // icmp_manip_pkt: queries carry the id in both manip types.
    if (skb.protocol === IPPROTO.ICMP && isIcmpQuery(skb.icmpType)) skb.icmpId = target.sport;
  }

  /** nf_nat_icmp_reply_translation: an ICMP error about a NATed flow gets its quote and outer header translated. */
  private icmpReplyTranslation(skb: Skb, ct: NfConn, ctinfo: number, hook: number): boolean {
    const manip = hook2manip(hook);
    const dir = ctinfo >= IP_CT.IS_REPLY ? IP_CT_DIR.REPLY : IP_CT_DIR.ORIGINAL;
    let statusbit = manip === NF_NAT_MANIP_SRC ? IPS.SRC_NAT : IPS.DST_NAT;
    if (dir === IP_CT_DIR.REPLY) statusbit ^= IPS.NAT_MASK;
    if (!(ct.status & statusbit)) return true;
    const q = skb.quoted;
    if (!q) return false;
    // Inner: make the quote look like the packet as its sender saw it (the opposite manip).
    const t = nfCtTuple(ct, 1 - dir, this.tmp2);
    const inner = { ...q };
    if (manip === NF_NAT_MANIP_DST) {
      inner.saddr = t.src >>> 0;
      if (q.protocol === IPPROTO.ICMP) inner.l4word = ((t.sport << 16) | (q.l4word & 0xffff)) >>> 0;
      else inner.sport = t.sport;
    } else {
      inner.daddr = t.dst >>> 0;
      if (q.protocol === IPPROTO.ICMP) inner.l4word = ((t.sport << 16) | (q.l4word & 0xffff)) >>> 0;
      else inner.dport = t.dport;
    }
    skb.quoted = inner;
    // Outer: addresses only.
    const target = invertTuple(this.tmp, t) ? this.tmp : this.tmp.set(t.dst, t.src, 0, 0, t.proto);
    if (manip === NF_NAT_MANIP_SRC) skb.saddr = target.src >>> 0;
    else skb.daddr = target.dst >>> 0;
    return true;
  }

  // ---------------------------------------------------------------- binding

  /** nf_nat_setup_info. */
  setupInfo(ct: NfConn | null, range: NatRange, manip: number): number {
    // Can't set up NAT for a confirmed (or missing) entry.
    if (ct === null || ct.status & IPS.CONFIRMED) return NF.ACCEPT;
    if (natInitialized(ct, manip)) return NF.DROP;
    // What we've got looks like the inverse of the reply tuple.
    const curr = this.curr;
    invertTuple(curr, nfCtTuple(ct, IP_CT_DIR.REPLY, this.tmp));
    const nt = this.cand;
    this.getUniqueTuple(nt, curr, range, ct, manip);
    if (!nt.equals(curr)) {
      invertTuple(this.tmp, nt);
      this.ct.alterReply(ct, this.tmp);
      ct.status |= manip === NF_NAT_MANIP_SRC ? IPS.SRC_NAT : IPS.DST_NAT;
    }
    if (manip === NF_NAT_MANIP_SRC) this.addBySrc(ct.base);
    ct.status |= manip === NF_NAT_MANIP_DST ? IPS.DST_NAT_DONE : IPS.SRC_NAT_DONE;
    return NF.ACCEPT;
  }

  /** __nf_nat_alloc_null_binding: map to the address the entry already has, proto part left to get_unique_tuple. */
  allocNullBinding(ct: NfConn, manip: number): number {
    const ip = (manip === NF_NAT_MANIP_SRC ? ct.rDst : ct.rSrc) >>> 0;
    return this.setupInfo(ct, { flags: NF_NAT_RANGE_MAP_IPS, minAddr: ip, maxAddr: ip, minPort: 0, maxPort: 0 }, manip);
  }

  /** get_unique_tuple. */
  private getUniqueTuple(out: NfTuple, orig: NfTuple, range: NatRange, ct: NfConn, manip: number): void {
    // 1) Source mappings: keep the original, or an existing mapping of this source, when unique.
    if (manip === NF_NAT_MANIP_SRC && !(range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
      if (inRange(orig, range)) {
        if (!this.usedTupleNew(orig, ct)) {
          out.copyFrom(orig);
          return;
        }
      } else if (this.findAppropriateSrc(orig, out, range)) {
        if (!this.usedTuple(out, ct)) return;
      }
    }
    // 2) Select the IP in range.
    out.copyFrom(orig);
    this.findBestIps(out, range, manip);
    // 3) Only map the proto part if not already in range and unique.
    if (!(range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
      if (range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
        if (l4protoInRange(out, manip, range.minPort, range.maxPort) &&
          (range.minPort === range.maxPort || !this.usedTuple(out, ct))) return;
      } else if (!this.usedTuple(out, ct)) {
        return;
      }
    }
    this.l4protoUniqueTuple(out, range, manip, ct);
  }

  /** nf_nat_used_tuple: would the reply of `t` collide with another entry? */
  private usedTuple(t: NfTuple, ignored: NfConn): boolean {
    const reply = new NfTuple();
    invertTuple(reply, t);
    return this.ct.tupleTaken(reply, ignored);
  }

  /** nf_nat_used_tuple_new: as usedTuple, but a UDP reverse-direction twin is left to clash resolution. */
  private usedTupleNew(t: NfTuple, ignored: NfConn): boolean {
    if (!this.usedTuple(t, ignored)) return false;
    if (ignored.proto !== IPPROTO.UDP) return true;
    if (ignored.status & (IPS.NAT_MASK | IPS.SEQ_ADJUST)) return true;
    let other = this.ct.find(t);
    let dir = 0;
    if (other) {
      dir = IP_CT_DIR.REPLY === lastFoundDir(this.ct, t, other) ? IP_CT_DIR.REPLY : IP_CT_DIR.ORIGINAL;
    } else {
      const reply = new NfTuple();
      invertTuple(reply, t);
      other = this.ct.find(reply);
      if (!other) return false;
      dir = lastFoundDir(this.ct, reply, other);
    }
    if (dir !== IP_CT_DIR.REPLY) return true;
    if (other.status & IPS.NAT_MASK) return true;
    const same = other.oSrc === ignored.rSrc && other.oDst === ignored.rDst && other.oPorts === ignored.rPorts &&
      other.rSrc === ignored.oSrc && other.rDst === ignored.oDst && other.rPorts === ignored.oPorts;
    return !same;
  }

  /** nf_nat_used_tuple_harder: in the last attempts, a TIME_WAIT SNAT entry with older sequence numbers may be evicted. */
  private usedTupleHarder(t: NfTuple, ignored: NfConn, attemptsLeft: number): boolean {
    const reply = new NfTuple();
    invertTuple(reply, t);
    if (attemptsLeft > NF_NAT_HARDER_THRESH || t.proto !== IPPROTO.TCP || ignored.tcpState !== TCP_CONNTRACK.SYN_SENT) {
      return this.ct.tupleTaken(reply, ignored);
    }
    const other = this.ct.find(reply);
    if (!other) return false;
    if (lastFoundDir(this.ct, reply, other) === IP_CT_DIR.ORIGINAL || other.base === ignored.base) return true;
    // nf_nat_may_kill + nf_seq_has_advanced
    if (other.tcpState < TCP_CONNTRACK.TIME_WAIT || other.status & (IPS.FIXED_TIMEOUT | IPS.DYING) || !(other.status & IPS.SRC_NAT)) return true;
    if (((ignored.tdEnd0 - other.tdEnd0) | 0) <= 0) return true;
    return !this.ct.kill(other);
  }

  /** find_best_ips_proto: a hash of the addresses picks the IP in a multi-address range (stable per client). */
  private findBestIps(t: NfTuple, range: NatRange, manip: number): void {
    if (!(range.flags & NF_NAT_RANGE_MAP_IPS)) return;
    const min = range.minAddr >>> 0;
    const max = range.maxAddr >>> 0;
    let ip: number;
    if (min === max) {
      ip = min;
    } else {
      // jhash2(src, PERSISTENT ? 0 : dst): a seeded numeric hash stands in for jhash.
      const j = hashTuple(t.src, 0, 0, 0, 0, range.flags & NF_NAT_RANGE_PERSISTENT ? 0 : t.dst);
      ip = min + reciprocalScale(j, max - min + 1);
    }
    if (manip === NF_NAT_MANIP_SRC) t.src = ip | 0;
    else t.dst = ip | 0;
  }

  /** nf_nat_l4proto_unique_tuple: search the port (or ICMP id) range from a random offset. */
  private l4protoUniqueTuple(t: NfTuple, range: NatRange, manip: number, ct: NfConn): void {
    let min: number;
    let rangeSize: number;
    const isIcmp = t.proto === IPPROTO.ICMP;
    if (isIcmp) {
      if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
        min = 0;
        rangeSize = 65536;
      } else {
        min = range.minPort;
        rangeSize = range.maxPort - range.minPort + 1;
      }
    } else if (t.proto === IPPROTO.TCP || t.proto === IPPROTO.UDP) {
      const key = manip === NF_NAT_MANIP_SRC ? t.sport : t.dport;
      if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
        // If it's a dst rewrite, can't change the port.
        if (manip === NF_NAT_MANIP_DST) return;
        if (key < 1024) {
          // Loose convention: >> 512 is credential passing.
          if (key < 512) { min = 1; rangeSize = 511; } else { min = 600; rangeSize = 1023 - 600 + 1; }
        } else {
          min = 1024;
          rangeSize = 65535 - 1024 + 1;
        }
      } else {
        let lo = range.minPort;
        let hi = range.maxPort;
        if (hi < lo) [lo, hi] = [hi, lo];
        min = lo;
        rangeSize = hi - lo + 1;
      }
    } else {
      return;
    }
    let off = range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL || manip !== NF_NAT_MANIP_DST ? this.randomU16() : 0;
    let attempts = Math.min(rangeSize, NF_NAT_MAX_ATTEMPTS);
    for (;;) {
      for (let i = 0; i < attempts; i++, off = (off + 1) & 0xffff) {
        const port = min + (off % rangeSize);
        if (isIcmp || manip === NF_NAT_MANIP_SRC) t.sport = port;
        else t.dport = port;
        if (!this.usedTupleHarder(t, ct, attempts - i)) return;
      }
      if (attempts >= rangeSize || attempts < 16) return;
      attempts = Math.floor(attempts / 2);
      off = this.randomU16();
    }
  }

  /** get_random_u16, from the host's seeded stream. */
  private randomU16(): number {
    return this.ct.rnd.nextU32() & 0xffff;
  }

  // ---------------------------------------------------------------- bysource hash

  /** hash_by_src: original source address, port and protocol. */
  private hashBySrc(src: number, sport: number, proto: number): number {
    return reciprocalScale(hashTuple(src, 0, sport, 0, proto, this.bysrcSeed), this.bysrcSize);
  }

  /** hash_by_src of the entry at `b`: its original source. */
  private bySrcBucketOf(b: number): number {
    const w = this.ct.store.words;
    return this.hashBySrc(w[b + Ct.TUPLE]!, portsSport(w[b + Ct.TUPLE + 2]!), w[b + Ct.PROTO]!);
  }

  private addBySrc(b: number): void {
    const h = this.bySrcBucketOf(b);
    const slot = b >> Ct.SHIFT;
    if (slot >= this.bysrcNext.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.bysrcNext.length * 2));
      grown.set(this.bysrcNext);
      this.bysrcNext = grown;
    }
    this.bysrcNext[slot] = this.bysrcHeads[h]!;
    this.bysrcHeads[h] = b;
  }

  /** nf_nat_cleanup_conntrack of the entry at `b`. */
  removeBySrc(b: number): void {
    const h = this.bySrcBucketOf(b);
    const next = this.bysrcNext[b >> Ct.SHIFT]!;
    let c = this.bysrcHeads[h]!;
    if (c === b) {
      this.bysrcHeads[h] = next;
    } else {
      while (c >= 0 && this.bysrcNext[c >> Ct.SHIFT] !== b) c = this.bysrcNext[c >> Ct.SHIFT]!;
      if (c >= 0) this.bysrcNext[c >> Ct.SHIFT] = next;
    }
    this.bysrcNext[b >> Ct.SHIFT] = -1;
  }

  /** find_appropriate_src: reuse the mapping another connection from this source already has, if in range. */
  private findAppropriateSrc(t: NfTuple, result: NfTuple, range: NatRange): boolean {
    const w = this.ct.store.words;
    for (let c = this.bysrcHeads[this.hashBySrc(t.src, t.sport, t.proto)]!; c >= 0; c = this.bysrcNext[c >> Ct.SHIFT]!) {
      if (w[c + Ct.PROTO] === t.proto && w[c + Ct.TUPLE] === t.src && portsSport(w[c + Ct.TUPLE + 2]!) === t.sport &&
        !(w[c + Ct.STATUS]! & IPS.DYING)) {
        // Copy the source part from the reply tuple.
        invertTuple(result, recordTuple(w, c, IP_CT_DIR.REPLY, this.tmp2));
        result.dst = t.dst;
        result.dport = t.dport;
        if (inRange(result, range)) return true;
      }
    }
    return false;
  }

  resize(size: number): void {
    const entries: number[] = [];
    for (const head of this.bysrcHeads) for (let c = head; c >= 0; c = this.bysrcNext[c >> Ct.SHIFT]!) entries.push(c);
    this.bysrcSize = Math.max(size, CONNTRACK_LOCKS);
    this.bysrcHeads = new Int32Array(this.bysrcSize).fill(-1);
    for (let i = entries.length - 1; i >= 0; i--) this.addBySrc(entries[i]!);
  }
}

const NAT_HOOKS: readonly NfHook[] = [NF_INET.PRE_ROUTING, NF_INET.LOCAL_IN, NF_INET.LOCAL_OUT, NF_INET.POST_ROUTING];

function isIcmpQuery(type: number): boolean {
  return type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18;
}

/** nf_in_range: the source address (and port, if specified) of `t` fall in the range. */
function inRange(t: NfTuple, range: NatRange): boolean {
  if (range.flags & NF_NAT_RANGE_MAP_IPS) {
    const a = t.src >>> 0;
    if (a < range.minAddr >>> 0 || a > range.maxAddr >>> 0) return false;
  }
  if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) return true;
  return l4protoInRange(t, NF_NAT_MANIP_SRC, range.minPort, range.maxPort);
}

/** l4proto_in_range. */
function l4protoInRange(t: NfTuple, manip: number, min: number, max: number): boolean {
  if (t.proto === IPPROTO.ICMP) return t.sport >= min && t.sport <= max;
  if (t.proto === IPPROTO.TCP || t.proto === IPPROTO.UDP) {
    const port = manip === NF_NAT_MANIP_SRC ? t.sport : t.dport;
    return port >= min && port <= max;
  }
  return true;
}

/** The direction of the node through which `t` matched `ct`. */
function lastFoundDir(_c: Conntrack, t: NfTuple, ct: NfConn): number {
  return ct.oSrc === t.src && ct.oDst === t.dst && ct.oPorts === packPorts(t.sport, t.dport) ? IP_CT_DIR.ORIGINAL : IP_CT_DIR.REPLY;
}
