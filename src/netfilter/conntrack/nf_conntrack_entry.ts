// A plain snapshot of one entry, for the visualiser, the `conntrack` tool and
// the event log. Built from an NfConn when asked for; never on the packet path.

import { IPPROTO_ICMP } from '../../model/skb.js';
import { TCP_CONNTRACK_NAMES, TCP_CONNTRACK_NONE, portsDport, portsSport, type NfConn } from './nf_conn.js';
import { HZ } from './nf_conntrack_tuple.js';

export interface ConntrackTupleView {
  /** IPv4 addresses as unsigned numbers. */
  src: number;
  dst: number;
  /** Ports, or for ICMP: sport = echo id, dport = type<<8 | code. */
  sport: number;
  dport: number;
}

export interface ConntrackEntry {
  /** Layer 4 protocol number. */
  proto: number;
  orig: ConntrackTupleView;
  reply: ConntrackTupleView;
  /** TCP state name (SYN_SENT, ESTABLISHED, ...), null for other protocols. */
  state: string | null;
  /** enum ip_conntrack_status bits. */
  status: number;
  /** Seconds until expiry as `conntrack -L` shows it (nf_ct_expires / HZ); -1 when not carried. */
  timeout: number;
  mark: number;
  /** [orig packets, orig bytes, reply packets, reply bytes] when nf_conntrack_acct was on. */
  acct: readonly number[] | null;
}

/** Snapshot of `ct` at jiffies `nowJ`. */
export function snapshotEntry(ct: NfConn, nowJ: number, withTimeout = true): ConntrackEntry {
  const expires = Math.max((ct.timeout - nowJ) | 0, 0);
  return {
    proto: ct.proto,
    orig: { src: ct.oSrc >>> 0, dst: ct.oDst >>> 0, sport: portsSport(ct.oPorts), dport: portsDport(ct.oPorts) },
    reply: { src: ct.rSrc >>> 0, dst: ct.rDst >>> 0, sport: portsSport(ct.rPorts), dport: portsDport(ct.rPorts) },
    state: ct.proto === 6 && ct.tcpState !== TCP_CONNTRACK_NONE ? TCP_CONNTRACK_NAMES[ct.tcpState]! : ct.proto === 6 ? 'NONE' : null,
    status: ct.status,
    timeout: withTimeout ? Math.floor(expires / HZ) : -1,
    mark: ct.mark >>> 0,
    acct: ct.acct ? ct.acct.slice() : null,
  };
}

/** ICMP type/code/id of a tuple view (only meaningful when proto is ICMP). */
export function icmpFields(t: ConntrackTupleView): { type: number; code: number; id: number } {
  return { type: t.dport >>> 8, code: t.dport & 0xff, id: t.sport };
}

export function isIcmp(e: ConntrackEntry): boolean {
  return e.proto === IPPROTO_ICMP;
}
