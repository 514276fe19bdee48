// One tracked connection (include/net/netfilter/nf_conntrack.h `struct nf_conn`).
//
// An entry's fields live in a 32-word record of the table's NfConnStore, two
// 64-byte cache lines. The first holds what a hash-chain walk or an eviction
// reads (status, timeout, protocol, both tuples, both tuplehash nodes' links,
// mark, the packet reference count and the TCP state), so neither touches a
// JS object; the second the TCP tracker's window state, which a new entry's
// first packet writes. The NfConn object owns its record for life, reads it
// through accessors, and keeps what is rare (accounting, the NAT bysource
// link). Addresses, port pairs and TCP sequence numbers are signed 32-bit
// values; the timeout is absolute jiffies compared with wraparound, as
// `ct->timeout` (u32) is in the kernel.
//
// The kernel's two tuplehash nodes (ORIGINAL and REPLY, each on a hash chain)
// are node references `slot << 1 | dir`; hnnode.next and hnnode.pprev are
// record words, with NULLS (-1) ending a chain and `-2 - bucket` as the pprev
// of a bucket's first node.

import type { NfConntrack } from '../../model/skb.js';
import { Ips, type NfConnView } from '../nf_conntrack_common.js';
import type { NfTuple } from './nf_conntrack_tuple.js';

/**
 * enum tcp_conntrack (include/uapi/linux/netfilter/nf_conntrack_tcp.h). Like
 * the other constants the per-packet path reads, a `const enum`: tsc writes
 * each use as a literal, where an imported `const` would cost V8 a load and a
 * hole check at every use.
 */
export const enum TcpConntrack {
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
 * is words[s << Ct.SHIFT ...], owned by objs[s] for life. Dead entries no
 * packet references wait on `free` to be reused with their slot.
 */
export class NfConnStore {
  words: Int32Array;
  objs: NfConn[] = [];
  free: NfConn[] = [];

  constructor(capacity = 256) {
    this.words = new Int32Array(capacity << Ct.SHIFT);
  }

  /** A slot for a new object. Grows by doubling up to `sizeHint` (nf_conntrack_max), then by 1/64. */
  take(obj: NfConn, sizeHint: number): number {
    const slot = this.objs.length;
    const cap = this.words.length >> Ct.SHIFT;
    if (slot === cap) {
      const grown = cap < sizeHint ? Math.min(cap * 2, sizeHint) : cap + Math.max(cap >> 6, 256);
      const words = new Int32Array(grown << Ct.SHIFT);
      words.set(this.words);
      this.words = words;
    }
    this.objs.push(obj);
    return slot;
  }

  /**
   * nf_conntrack_free: a dead entry goes back to the free list once no packet
   * holds it. `base` is its record (a table walk has it without loading `ct`).
   */
  release(ct: NfConn, base: number): void {
    if (this.words[base + Ct.USE] === 0) this.free.push(ct);
  }
}

export class NfConn implements NfConnView, NfConntrack {
  readonly store: NfConnStore;
  /** First word of this entry's record. */
  readonly base: number;
  /** nf_nat_bysource chain (SRC-NATed or null-bound entries). */
  nextBySrc: NfConn | null = null;
  /** nf_conn_acct: [orig packets, orig bytes, reply packets, reply bytes], when acct was on at creation. */
  acct: number[] | null = null;

  /** A new entry with its own record; `init` gives it its tuples. */
  constructor(store: NfConnStore, sizeHint: number) {
    this.store = store;
    this.base = store.take(this, sizeHint) << Ct.SHIFT;
  }

  /**
   * __nf_conntrack_alloc's initialisation, for a new object or one taken back
   * from the table's free list: both tuples set (ports packed, packPorts),
   * unhashed, status, timeout, mark and the proto union zeroed.
   */
  init(proto: number, oSrc: number, oDst: number, oPorts: number, rSrc: number, rDst: number, rPorts: number): void {
    const w = this.store.words;
    const b = this.base;
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
    w[b + Ct.TCP_STATE] = TcpConntrack.NONE;
    for (let i = Ct.TD_END; i <= Ct.REPLY_HASH; i++) w[b + i] = 0;
    this.nextBySrc = null;
    this.acct = null;
  }

  /** nf_conntrack_destroy, reached when the last packet lets go (nf_conntrack_put): a dead entry goes back to the free list. */
  destroy(): void {
    if (this.status & Ips.DYING) this.store.release(this, this.base);
  }

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
  return dir === 0
    ? out.set(ct.oSrc, ct.oDst, ct.oPorts >>> 16, ct.oPorts & 0xffff, ct.proto)
    : out.set(ct.rSrc, ct.rDst, ct.rPorts >>> 16, ct.rPorts & 0xffff, ct.proto);
}

/** proto.udp.stream_ts (jiffies), kept in the union slot it shares with proto.tcp. */
export function udpStreamTs(ct: NfConn): number {
  return ct.tdEnd0;
}

export function setUdpStreamTs(ct: NfConn, jiffies: number): void {
  ct.tdEnd0 = jiffies;
}
