// One tracked connection (include/net/netfilter/nf_conntrack.h `struct nf_conn`).
//
// An entry's fields live in a 32-word record of the table's NfConnStore, two
// 64-byte cache lines. The first holds what a hash-chain walk or an eviction
// reads (status, timeout, protocol, both tuples, both tuplehash nodes' links,
// mark, the packet reference count and the TCP state), so neither touches a
// JS object; the second the TCP tracker's window state, which a new entry's
// first packet writes. An NfConn is a handle that reads a record through
// accessors (see NfConnStore). Addresses, port pairs and TCP sequence
// numbers are signed 32-bit values; the timeout is absolute jiffies compared
// with wraparound, as `ct->timeout` (u32) is in the kernel.
//
// The kernel's two tuplehash nodes (ORIGINAL and REPLY, each on a hash chain)
// are node references `slot << 1 | dir`; hnnode.next and hnnode.pprev are
// record words, with NULLS (-1) ending a chain and `-2 - bucket` as the pprev
// of a bucket's first node.

import type { NfConntrack } from '../../model/skb.js';
import { IPS, type NfConnView } from '../nf_conntrack_common.js';
import type { NfTuple } from './nf_conntrack_tuple.js';

/**
 * enum tcp_conntrack (include/uapi/linux/netfilter/nf_conntrack_tcp.h). Like
 * the other constants the per-packet path reads, a `const enum`: tsc writes
 * each use as a literal, where an imported `const` would cost V8 a load and a
 * hole check at every use.
 */
export const enum TCP_CONNTRACK {
  NONE = 0,
  SYN_SENT = 1,
  SYN_RECV = 2,
  ESTABLISHED = 3,
  FIN_WAIT = 4,
  CLOSE_WAIT = 5,
  LAST_ACK = 6,
  TIME_WAIT = 7,
  CLOSE = 8,
  SYN_SENT2 = 9,
  MAX = 10,
  IGNORE = 11,
  RETRANS = 12,
  UNACK = 13,
}

export const TCP_CONNTRACK_NAMES = [
  'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2',
] as const;

/** The words of an entry's record, and the end-of-chain node. */
export const enum Ct {
  /** log2 of the words in an entry's record. */
  SHIFT = 5,
  // The first cache line: what a hash-chain walk or an eviction reads.
  STATUS = 0,
  TIMEOUT = 1,
  PROTO = 2,
  /** tuplehash[dir].tuple: src, dst, ports at TUPLE + 3 * dir (+0, +1, +2); ports as sport << 16 | dport (packPorts). */
  TUPLE = 3,
  /** tuplehash[dir].hnnode.next at NEXT + dir: a node reference, or NULLS. */
  NEXT = 9,
  /** tuplehash[dir].hnnode.pprev at PPREV + dir: the previous node, `-2 - bucket` for a bucket's first node, NULLS when unhashed. */
  PPREV = 11,
  MARK = 13,
  /** ct_general.use: references held by packets (the table's own reference is implied while the entry is not dying). */
  USE = 14,
  /** proto.tcp.state (enum tcp_conntrack): on the first line so that an eviction's DESTROY event reads it there. */
  TCP_STATE = 15,
  // The second: struct ip_ct_tcp, which a new entry's first packet writes. seen[dir] at +dir;
  // UDP's proto.udp.stream_ts overlays seen[0].td_end as in the kernel's union (udpStreamTs).
  TD_END = 16,
  TD_MAXEND = 18,
  TD_MAXWIN = 20,
  /** IP_CT_TCP_FLAG_* in bits 0-7, td_scale in bits 8-11. */
  TD_FLAGS = 22,
  TD_MAXACK = 24,
  /** last_dir (bit 0), last_index (bits 1-3), last_wscale (bits 4-7), last_flags (bits 8-15), retrans (bits 16-23). */
  LAST_INFO = 26,
  LAST_SEQ = 27,
  LAST_ACK = 28,
  LAST_END = 29,
  LAST_WIN = 30,
  /**
   * Speed only, no kernel field: the REPLY tuple's hash while the entry is
   * unconfirmed, worked out once at lookup for confirm.
   */
  REPLY_HASH = 31,
  /** The end of a hash chain (the kernel's hlist_nulls marker): a node value, not a word. */
  NULLS = -1,
}

/**
 * The records of one table's entries (the nf_conntrack_cachep slab): slot s
 * is words[s << Ct.SHIFT ...]. A dead entry's slot, once no packet holds it,
 * goes on a free stack and is reused last in, first out, as the slab hands
 * out the object just freed: the entry early_drop evicts makes room for the
 * one being created, in memory the eviction has just read.
 *
 * NfConn objects are handles onto records. A slot has one bound while packets
 * hold references to it (ct_general.use above 0), as skb->_nfct points at the
 * entry; handles come from a small pool, so a new entry's first packet touches
 * no cold JS object.
 */
export class NfConnStore {
  words: Int32Array;
  /** handles[s]: the handle bound to slot s while its use count is above 0, else null. */
  readonly handles: (NfConn | null)[] = [];
  /** nf_conn_acct of each slot ([orig packets, orig bytes, reply packets, reply bytes]) when acct was on at creation. */
  readonly acct: (number[] | null)[] = [];
  /** Whether any entry was ever given counters: until then, freeing a slot need not clear them. */
  acctSeen = false;
  /** Slots ever used: live, dying or free. */
  nslots = 0;
  private freeStack = new Int32Array(256);
  private nfree = 0;
  private readonly pool: NfConn[] = [];

  /**
   * `putUnconfirmed` is the table's nf_ct_destroy of an entry never
   * confirmed, called when the last packet holding it lets go.
   */
  constructor(private readonly putUnconfirmed: (b: number) => void = () => {}, capacity = 256) {
    this.words = new Int32Array(capacity << Ct.SHIFT);
  }

  /**
   * A slot for a new entry: the last one freed, or a new one. Grows by
   * doubling up to `sizeHint` (nf_conntrack_max), then by 1/64.
   */
  allocSlot(sizeHint: number): number {
    if (this.nfree > 0) return this.freeStack[--this.nfree]!;
    const slot = this.nslots++;
    const cap = this.words.length >> Ct.SHIFT;
    if (slot === cap) {
      const grown = cap < sizeHint ? Math.min(cap * 2, sizeHint) : cap + Math.max(cap >> 6, 256);
      const words = new Int32Array(grown << Ct.SHIFT);
      words.set(this.words);
      this.words = words;
    }
    this.handles.push(null);
    this.acct.push(null);
    return slot;
  }

  /** The free stack, the next slot allocSlot hands out last. */
  freeSlots(): Int32Array {
    return this.freeStack.subarray(0, this.nfree);
  }

  /**
   * nf_conntrack_free: a dead entry's slot (record at `b`) goes back once no
   * packet holds it; otherwise the last packet to let go frees it (put).
   */
  release(b: number): void {
    if (this.words[b + Ct.USE] === 0) this.freeSlot(b >> Ct.SHIFT);
  }

  private freeSlot(slot: number): void {
    if (this.nfree === this.freeStack.length) {
      const grown = new Int32Array(this.nfree * 2);
      grown.set(this.freeStack);
      this.freeStack = grown;
    }
    this.freeStack[this.nfree++] = slot;
    if (this.acctSeen) this.acct[slot] = null;
  }

  /** The counters of the entry at `b`, or null; until any entry has had some, without reading the slot's. */
  acctOf(b: number): number[] | null {
    return this.acctSeen ? this.acct[b >> Ct.SHIFT]! : null;
  }

  /** Gives the entry at `b` its counters (nf_ct_acct_ext_add), or takes them away. */
  setAcct(b: number, v: number[] | null): void {
    this.acct[b >> Ct.SHIFT] = v;
    if (v !== null) this.acctSeen = true;
  }

  /**
   * nf_conntrack_get on the entry at `b` for a packet (nf_ct_set): takes a
   * reference and returns the slot's handle, binding one from the pool when
   * the slot had none.
   */
  hold(b: number): NfConn {
    const w = this.words;
    let h: NfConn;
    if (w[b + Ct.USE]! > 0) {
      h = this.handles[b >> Ct.SHIFT]!;
    } else {
      h = this.pool.pop() ?? new NfConn(this, b);
      h.base = b;
      this.handles[b >> Ct.SHIFT] = h;
    }
    w[b + Ct.USE]++;
    return h;
  }

  /**
   * The last reference went (nf_ct_put → nf_ct_destroy): unbind the handle;
   * free a dead entry's slot, and destroy an entry never confirmed.
   */
  put(h: NfConn): void {
    const b = h.base;
    this.handles[b >> Ct.SHIFT] = null;
    this.pool.push(h);
    const status = this.words[b + Ct.STATUS]!;
    if (status & IPS.DYING) this.freeSlot(b >> Ct.SHIFT);
    else if (!(status & IPS.CONFIRMED)) this.putUnconfirmed(b);
  }

  /**
   * A handle for reading or changing the entry at `b` outside a packet's
   * reference (tools, NAT's searches): the bound one, or a new unbound one,
   * valid until the entry dies.
   */
  view(b: number): NfConn {
    return this.handles[b >> Ct.SHIFT] ?? new NfConn(this, b);
  }
}

/**
 * __nf_conntrack_alloc's initialisation of the record at `b`: both tuples set
 * (ports packed, packPorts), unhashed, status, timeout, mark, use and the
 * proto union zeroed.
 */
export function nfConnInit(
  w: Int32Array, b: number, proto: number, oSrc: number, oDst: number, oPorts: number, rSrc: number, rDst: number, rPorts: number,
): void {
  w[b + Ct.STATUS] = 0;
  w[b + Ct.TIMEOUT] = 0;
  w[b + Ct.PROTO] = proto;
  w[b + Ct.TUPLE] = oSrc;
  w[b + Ct.TUPLE + 1] = oDst;
  w[b + Ct.TUPLE + 2] = oPorts;
  w[b + Ct.TUPLE + 3] = rSrc;
  w[b + Ct.TUPLE + 4] = rDst;
  w[b + Ct.TUPLE + 5] = rPorts;
  w[b + Ct.NEXT] = Ct.NULLS;
  w[b + Ct.NEXT + 1] = Ct.NULLS;
  w[b + Ct.PPREV] = Ct.NULLS;
  w[b + Ct.PPREV + 1] = Ct.NULLS;
  w[b + Ct.MARK] = 0;
  w[b + Ct.USE] = 0;
  w[b + Ct.TCP_STATE] = TCP_CONNTRACK.NONE;
  for (let i = Ct.TD_END; i <= Ct.REPLY_HASH; i++) w[b + i] = 0;
}

/** A handle onto one entry's record (see NfConnStore); what skb.nfct holds. */
export class NfConn implements NfConnView, NfConntrack {
  readonly store: NfConnStore;
  /** First word of the record this handle reads. */
  base: number;

  constructor(store: NfConnStore, base: number) {
    this.store = store;
    this.base = base;
  }

  /** nf_conntrack_destroy, reached when the last packet lets go (nf_conntrack_put). */
  destroy(): void {
    this.store.put(this);
  }

  /** The entry's slot in its store. */
  get slot(): number { return this.base >> Ct.SHIFT; }
  /** nf_conn_acct, or null when the entry has none. */
  get acct(): number[] | null { return this.store.acctOf(this.base); }
  set acct(v: number[] | null) { this.store.setAcct(this.base, v); }
  /** enum ip_conntrack_status bits. */
  get status(): number { return this.store.words[this.base + Ct.STATUS]!; }
  set status(v: number) { this.store.words[this.base + Ct.STATUS] = v; }
  /** Absolute expiry in jiffies once confirmed; relative (a duration) before, as in the kernel. */
  get timeout(): number { return this.store.words[this.base + Ct.TIMEOUT]!; }
  set timeout(v: number) { this.store.words[this.base + Ct.TIMEOUT] = v; }
  get proto(): number { return this.store.words[this.base + Ct.PROTO]!; }
  get oSrc(): number { return this.store.words[this.base + Ct.TUPLE]!; }
  get oDst(): number { return this.store.words[this.base + Ct.TUPLE + 1]!; }
  get oPorts(): number { return this.store.words[this.base + Ct.TUPLE + 2]!; }
  get rSrc(): number { return this.store.words[this.base + Ct.TUPLE + 3]!; }
  get rDst(): number { return this.store.words[this.base + Ct.TUPLE + 4]!; }
  get rPorts(): number { return this.store.words[this.base + Ct.TUPLE + 5]!; }
  get mark(): number { return this.store.words[this.base + Ct.MARK]!; }
  set mark(v: number) { this.store.words[this.base + Ct.MARK] = v; }
  get use(): number { return this.store.words[this.base + Ct.USE]!; }
  set use(v: number) { this.store.words[this.base + Ct.USE] = v; }
  get tcpState(): number { return this.store.words[this.base + Ct.TCP_STATE]!; }
  set tcpState(v: number) { this.store.words[this.base + Ct.TCP_STATE] = v; }
  // union nf_conntrack_proto: struct ip_ct_tcp, seen[0] the ORIGINAL sender's, seen[1] the REPLY sender's.
  get tdEnd0(): number { return this.store.words[this.base + Ct.TD_END]!; }
  set tdEnd0(v: number) { this.store.words[this.base + Ct.TD_END] = v; }
  get tdEnd1(): number { return this.store.words[this.base + Ct.TD_END + 1]!; }
  set tdEnd1(v: number) { this.store.words[this.base + Ct.TD_END + 1] = v; }
  get tdMaxend0(): number { return this.store.words[this.base + Ct.TD_MAXEND]!; }
  set tdMaxend0(v: number) { this.store.words[this.base + Ct.TD_MAXEND] = v; }
  get tdMaxend1(): number { return this.store.words[this.base + Ct.TD_MAXEND + 1]!; }
  set tdMaxend1(v: number) { this.store.words[this.base + Ct.TD_MAXEND + 1] = v; }
  get tdMaxwin0(): number { return this.store.words[this.base + Ct.TD_MAXWIN]!; }
  set tdMaxwin0(v: number) { this.store.words[this.base + Ct.TD_MAXWIN] = v; }
  get tdMaxwin1(): number { return this.store.words[this.base + Ct.TD_MAXWIN + 1]!; }
  set tdMaxwin1(v: number) { this.store.words[this.base + Ct.TD_MAXWIN + 1] = v; }
  get tdFlags0(): number { return this.store.words[this.base + Ct.TD_FLAGS]!; }
  set tdFlags0(v: number) { this.store.words[this.base + Ct.TD_FLAGS] = v; }
  get tdFlags1(): number { return this.store.words[this.base + Ct.TD_FLAGS + 1]!; }
  set tdFlags1(v: number) { this.store.words[this.base + Ct.TD_FLAGS + 1] = v; }
  get tdMaxack0(): number { return this.store.words[this.base + Ct.TD_MAXACK]!; }
  set tdMaxack0(v: number) { this.store.words[this.base + Ct.TD_MAXACK] = v; }
  get tdMaxack1(): number { return this.store.words[this.base + Ct.TD_MAXACK + 1]!; }
  set tdMaxack1(v: number) { this.store.words[this.base + Ct.TD_MAXACK + 1] = v; }
  get lastInfo(): number { return this.store.words[this.base + Ct.LAST_INFO]!; }
  set lastInfo(v: number) { this.store.words[this.base + Ct.LAST_INFO] = v; }
  get lastSeq(): number { return this.store.words[this.base + Ct.LAST_SEQ]!; }
  set lastSeq(v: number) { this.store.words[this.base + Ct.LAST_SEQ] = v; }
  get lastAck(): number { return this.store.words[this.base + Ct.LAST_ACK]!; }
  set lastAck(v: number) { this.store.words[this.base + Ct.LAST_ACK] = v; }
  get lastEnd(): number { return this.store.words[this.base + Ct.LAST_END]!; }
  set lastEnd(v: number) { this.store.words[this.base + Ct.LAST_END] = v; }
  get lastWin(): number { return this.store.words[this.base + Ct.LAST_WIN]!; }
  set lastWin(v: number) { this.store.words[this.base + Ct.LAST_WIN] = v; }
  get replyHash(): number { return this.store.words[this.base + Ct.REPLY_HASH]!; }
  set replyHash(v: number) { this.store.words[this.base + Ct.REPLY_HASH] = v; }

  /** nf_conntrack_alter_reply's write of the reply tuple. */
  setReply(src: number, dst: number, ports: number): void {
    const w = this.store.words;
    w[this.base + Ct.TUPLE + 3] = src;
    w[this.base + Ct.TUPLE + 4] = dst;
    w[this.base + Ct.TUPLE + 5] = ports;
  }
}

/**
 * The node a walk continues with when the entry of node `n` is about to be
 * deleted: `next`, unless that is the same entry's other node, which goes too.
 */
export function nextPastOwn(w: Int32Array, n: number, next: number): number {
  return next !== Ct.NULLS && next >> 1 === n >> 1 ? w[((n >> 1) << Ct.SHIFT) + Ct.NEXT + (next & 1)]! : next;
}

/** A tuple's two 16-bit ports (or ICMP id, type<<8|code) in one signed 32-bit value. */
export function packPorts(sport: number, dport: number): number {
  return (sport << 16) | (dport & 0xffff);
}

export function portsSport(ports: number): number {
  return ports >>> 16;
}

export function portsDport(ports: number): number {
  return ports & 0xffff;
}

/** Copies tuplehash[dir].tuple of `ct` into `out` (nf_ct_tuple). */
export function nfCtTuple(ct: NfConn, dir: number, out: NfTuple): NfTuple {
  return recordTuple(ct.store.words, ct.base, dir, out);
}

/** nf_ct_tuple of the entry whose record starts at `b`. */
export function recordTuple(w: Int32Array, b: number, dir: number, out: NfTuple): NfTuple {
  const k = b + Ct.TUPLE + 3 * dir;
  const ports = w[k + 2]!;
  return out.set(w[k]!, w[k + 1]!, ports >>> 16, ports & 0xffff, w[b + Ct.PROTO]!);
}

/** proto.udp.stream_ts (jiffies), kept in the union slot it shares with proto.tcp. */
export function udpStreamTs(ct: NfConn): number {
  return ct.tdEnd0;
}

export function setUdpStreamTs(ct: NfConn, jiffies: number): void {
  ct.tdEnd0 = jiffies;
}
