// The kernel's skb drop reasons (include/net/dropreason-core.h), with the
// numeric values of the 6.18 `skb:kfree_skb` tracepoint format. Every drop in
// the model passes one of these; NOT_SPECIFIED is reserved for tests that
// prove no drop site forgets its reason.

export const DropReason = {
  NOT_SPECIFIED: 2,
  NO_SOCKET: 3,
  PKT_TOO_SMALL: 4,
  TCP_CSUM: 5,
  SOCKET_RCVBUFF: 6,
  UDP_CSUM: 7,
  NETFILTER_DROP: 12,
  OTHERHOST: 13,
  IP_CSUM: 14,
  IP_INHDR: 15,
  IP_RPFILTER: 16,
  IP_NOPROTO: 19,
  PROTO_MEM: 20,
  TCP_MD5NOTFOUND: 21,
  SOCKET_BACKLOG: 29,
  TCP_FLAGS: 30,
  TCP_ZEROWINDOW: 32,
  TCP_OLD_DATA: 33,
  TCP_OVERWINDOW: 34,
  TCP_OFOMERGE: 35,
  TCP_RFC7323_PAWS: 36,
  TCP_INVALID_SEQUENCE: 38,
  TCP_RESET: 39,
  TCP_LISTEN_OVERFLOW: 40,
  TCP_OFO_DROP: 45,
  IP_OUTNOROUTES: 54,
  NEIGH_FAILED: 58,
  NEIGH_QUEUEFULL: 59,
  TC_EGRESS: 62,
  QDISC_DROP: 64,
  CPU_BACKLOG: 71,
  XDP: 72,
  TC_INGRESS: 73,
  UNHANDLED_PROTO: 74,
  SKB_CSUM: 75,
  SKB_GSO_SEG: 76,
  FULL_RING: 80,
  NOMEM: 81,
  IP_INADDRERRORS: 87,
  IP_INNOROUTES: 88,
  IP_INVALID_SOURCE: 90,
  PKT_TOO_BIG: 93,
  DUP_FRAG: 94,
  FRAG_REASM_TIMEOUT: 95,
  FRAG_TOO_FAR: 96,
  RECURSION_LIMIT: 127,
} as const;

export type DropReasonName = keyof typeof DropReason;
export type DropReasonCode = (typeof DropReason)[DropReasonName];

const NAMES: string[] = [];
for (const [name, code] of Object.entries(DropReason)) NAMES[code] = name;

/** `NETFILTER_DROP` for 12; the name without the SKB_DROP_REASON_ prefix. */
export function dropReasonName(code: number): string {
  return NAMES[code] ?? `UNKNOWN_${code}`;
}
