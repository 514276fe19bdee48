// One tracked connection (include/net/netfilter/nf_conntrack.h `struct nf_conn`).
// Every field is a small integer or a reference, so V8 stores the object with
// no boxed numbers: 31 fields, 272 bytes per entry on 64-bit Node 20 (no
// pointer compression: 3 header words + 8 bytes a field). Addresses, port
// pairs and TCP sequence numbers are kept as signed 32-bit values; the timeout
// is absolute jiffies, as `ct->timeout` is in the kernel.
//
// The fields a hash-chain walk reads (status, timeout, the two tuples and the
// links) come first, so a walk touches the first two cache lines of an entry.
//
// The two tuplehash nodes of the kernel (ORIGINAL and REPLY, each on a hash
// chain) are represented without extra objects: `nextO` continues the chain
// after this entry's ORIGINAL node, `nextR` after its REPLY node, and
// `linkDirs` says which node of the next entry each link points at.

import type { NfConntrack } from '../../model/skb.js';
import type { NfConnView } from '../nf_conntrack_common.js';
import type { NfTuple } from './nf_conntrack_tuple.js';

/** enum tcp_conntrack (include/uapi/linux/netfilter/nf_conntrack_tcp.h). */
export const TCP_CONNTRACK_NONE = 0;
export const TCP_CONNTRACK_SYN_SENT = 1;
export const TCP_CONNTRACK_SYN_RECV = 2;
export const TCP_CONNTRACK_ESTABLISHED = 3;
export const TCP_CONNTRACK_FIN_WAIT = 4;
export const TCP_CONNTRACK_CLOSE_WAIT = 5;
export const TCP_CONNTRACK_LAST_ACK = 6;
export const TCP_CONNTRACK_TIME_WAIT = 7;
export const TCP_CONNTRACK_CLOSE = 8;
export const TCP_CONNTRACK_SYN_SENT2 = 9;
export const TCP_CONNTRACK_MAX = 10;
export const TCP_CONNTRACK_IGNORE = 11;
export const TCP_CONNTRACK_RETRANS = 12;
export const TCP_CONNTRACK_UNACK = 13;

export const TCP_CONNTRACK_NAMES = [
  'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2',
] as const;

export class NfConn implements NfConnView, NfConntrack {
  /** enum ip_conntrack_status bits. */
  status = 0;
  /** Absolute expiry in jiffies once confirmed; relative (a duration) before, as in the kernel. */
  timeout = 0;
  proto = 0;
  // tuplehash[IP_CT_DIR_ORIGINAL].tuple; ports as sport << 16 | dport (see packPorts).
  oSrc = 0;
  oDst = 0;
  oPorts = 0;
  // tuplehash[IP_CT_DIR_REPLY].tuple
  rSrc = 0;
  rDst = 0;
  rPorts = 0;
  /** Hash chain links, see the file comment. */
  nextO: NfConn | null = null;
  nextR: NfConn | null = null;
  linkDirs = 0;
  mark = 0;
  /** nf_nat_bysource chain (SRC-NATed or null-bound entries). */
  nextBySrc: NfConn | null = null;
  /** nf_conn_acct: [orig packets, orig bytes, reply packets, reply bytes], when acct was on at creation. */
  acct: number[] | null = null;

  // union nf_conntrack_proto. struct ip_ct_tcp (proto.tcp); seen[0] is the ORIGINAL
  // sender, seen[1] the REPLY sender. UDP's proto.udp.stream_ts overlays
  // seen[0].td_end (tdEnd0) as in the kernel's union: see udpStreamTs.
  tcpState = TCP_CONNTRACK_NONE;
  tdEnd0 = 0;
  tdEnd1 = 0;
  tdMaxend0 = 0;
  tdMaxend1 = 0;
  tdMaxwin0 = 0;
  tdMaxwin1 = 0;
  /** IP_CT_TCP_FLAG_* in bits 0-7, td_scale in bits 8-11, td_maxack in tdMaxack. */
  tdFlags0 = 0;
  tdFlags1 = 0;
  tdMaxack0 = 0;
  tdMaxack1 = 0;
  /** last_dir (bit 0), last_index (bits 1-3), last_wscale (bits 4-7), last_flags (bits 8-15), retrans (bits 16-23). */
  lastInfo = 0;
  lastSeq = 0;
  lastAck = 0;
  lastEnd = 0;
  lastWin = 0;
  /** ct_general.use: references held by packets (the table's own reference is implied while the entry is not dying). */
  use = 0;

  /** __nf_conntrack_alloc's initialisation: both tuples set, status, timeout and the proto union zeroed. Ports packed (packPorts). */
  constructor(proto: number, oSrc: number, oDst: number, oPorts: number, rSrc: number, rDst: number, rPorts: number) {
    this.proto = proto;
    this.oSrc = oSrc;
    this.oDst = oDst;
    this.oPorts = oPorts;
    this.rSrc = rSrc;
    this.rDst = rDst;
    this.rPorts = rPorts;
  }

  /**
   * The same initialisation on an entry taken back from the table's free
   * list (kmem_cache_alloc from nf_conntrack_cachep reuses freed objects):
   * every field as the constructor leaves it.
   */
  reinit(proto: number, oSrc: number, oDst: number, oPorts: number, rSrc: number, rDst: number, rPorts: number): void {
    this.status = 0;
    this.timeout = 0;
    this.proto = proto;
    this.oSrc = oSrc;
    this.oDst = oDst;
    this.oPorts = oPorts;
    this.rSrc = rSrc;
    this.rDst = rDst;
    this.rPorts = rPorts;
    this.nextO = null;
    this.nextR = null;
    this.linkDirs = 0;
    this.mark = 0;
    this.nextBySrc = null;
    this.acct = null;
    this.tcpState = TCP_CONNTRACK_NONE;
    this.tdEnd0 = 0;
    this.tdEnd1 = 0;
    this.tdMaxend0 = 0;
    this.tdMaxend1 = 0;
    this.tdMaxwin0 = 0;
    this.tdMaxwin1 = 0;
    this.tdFlags0 = 0;
    this.tdFlags1 = 0;
    this.tdMaxack0 = 0;
    this.tdMaxack1 = 0;
    this.lastInfo = 0;
    this.lastSeq = 0;
    this.lastAck = 0;
    this.lastEnd = 0;
    this.lastWin = 0;
    this.use = 0;
  }
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

let skipDirOut = 0;

/**
 * When an entry's two nodes sit next to each other on a chain and the entry is
 * about to be unlinked, a walk standing on the first must continue after the
 * second: returns that node (its direction in skipDirOut).
 */
export function skipOwn(c: NfConn, ownDir: number): NfConn | null {
  const next = ownDir === 0 ? c.nextO : c.nextR;
  skipDirOut = ownDir === 0 ? c.linkDirs & 1 : (c.linkDirs >>> 1) & 1;
  return next;
}

/** Direction of the node the last skipOwn call returned. */
export function skipOwnDir(): number {
  return skipDirOut;
}
