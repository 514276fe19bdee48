// Constants shared by conntrack, NAT and the rule matches that read them
// (include/uapi/linux/netfilter/nf_conntrack_common.h), and the narrow
// interface through which iptables targets reach conntrack and NAT.

import type { Skb } from '../model/skb.js';

/**
 * enum ip_conntrack_info, as stored in skb.ctinfo (-1: no conntrack attached).
 * These enums are `const enum`s, read on the per-packet path: tsc writes each
 * use as a literal, where an imported `const` costs V8 a load and a hole check.
 */
export const enum IP_CT {
  ESTABLISHED = 0,
  RELATED = 1,
  NEW = 2,
  IS_REPLY = 3,
  ESTABLISHED_REPLY = ESTABLISHED + IS_REPLY,
  RELATED_REPLY = RELATED + IS_REPLY,
  /** Set by `CT --notrack`: the packet is UNTRACKED. */
  UNTRACKED = 7,
}

/** enum ip_conntrack_status bits. */
export const enum IPS {
  EXPECTED = 1 << 0,
  SEEN_REPLY = 1 << 1,
  ASSURED = 1 << 2,
  CONFIRMED = 1 << 3,
  SRC_NAT = 1 << 4,
  DST_NAT = 1 << 5,
  SEQ_ADJUST = 1 << 6,
  SRC_NAT_DONE = 1 << 7,
  DST_NAT_DONE = 1 << 8,
  DYING = 1 << 9,
  FIXED_TIMEOUT = 1 << 10,
  TEMPLATE = 1 << 11,
  NAT_CLASH = 1 << 12,
  HELPER = 1 << 13,
  OFFLOAD = 1 << 14,
  NAT_MASK = DST_NAT | SRC_NAT,
}

/** What a rule match may read from the conntrack entry attached to a packet. */
export interface NfConnView {
  status: number;
  mark: number;
}

/** enum nf_nat_manip_type. */
export const NF_NAT_MANIP_SRC = 0;
export const NF_NAT_MANIP_DST = 1;

/** struct nf_nat_range2 flags. */
export const NF_NAT_RANGE_MAP_IPS = 1 << 0;
export const NF_NAT_RANGE_PROTO_SPECIFIED = 1 << 1;
export const NF_NAT_RANGE_PROTO_RANDOM = 1 << 2;
export const NF_NAT_RANGE_PERSISTENT = 1 << 3;
export const NF_NAT_RANGE_PROTO_RANDOM_FULLY = 1 << 4;

export interface NatRange {
  flags: number;
  minAddr: number;
  maxAddr: number;
  minPort: number;
  maxPort: number;
}

/**
 * What the iptables NAT and CT targets need from a host's conntrack. The
 * conntrack module implements it; targets call it with the packet's entry.
 */
export interface ConntrackApi {
  /** nf_nat_setup_info: binds the NAT mapping to the packet's (unconfirmed) entry; returns an NF_ verdict. */
  setupNat(skb: Skb, range: NatRange, manip: number): number;
  /** CT --notrack / NOTRACK: marks the packet UNTRACKED before conntrack sees it. */
  notrack(skb: Skb): void;
}

/** Address types for `-m addrtype` (RTN_* of include/uapi/linux/rtnetlink.h). */
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_THROW = 9;
export const RTN_NAT = 10;
export const RTN_XRESOLVE = 11;

/**
 * The host services rule targets and matches call: logging to the kernel
 * ring buffer, address types, REJECT's replies, ipsets and seeded randomness.
 */
export interface RuleHost {
  readonly name: string;
  now(): number;
  /** Appends a kernel log line (read by `dmesg`). */
  printk(line: string): void;
  /** RTN_* type of `addr` on this host (local, broadcast, multicast, unicast). */
  addrType(addr: number, ifname?: string): number;
  /** Primary IPv4 address of a device, for MASQUERADE; null if it has none. */
  devAddr(ifname: string): number | null;
  /** REJECT: icmp_send(skb, ICMP_DEST_UNREACH, code). */
  sendUnreach(skb: Skb, code: number, inIfindex: number): void;
  /** REJECT --reject-with tcp-reset: nf_send_reset. */
  sendReset(skb: Skb, inIfindex: number): void;
  /** Named ipset membership for `-m set`; undefined if no such set. */
  ipsetTest(name: string, skb: Skb, dirs: readonly ('src' | 'dst')[]): boolean | undefined;
  /** A uniform [0,1) draw from the host's seeded stream for `-m statistic`. */
  random(): number;
  /** Conntrack and NAT, or null while conntrack is not loaded on the host. */
  readonly conntrack: ConntrackApi | null;
  /** Asks the host to load conntrack (a ruleset used a ct/state match or NAT). */
  requireConntrack(): void;
}
