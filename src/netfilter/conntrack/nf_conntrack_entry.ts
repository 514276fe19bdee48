// A plain snapshot of one entry, for the visualiser, the `conntrack` tool and
// the event log. Built from an NfConn when asked for; never on the packet path.

import { IPPROTO } from '../../model/skb.js';
import { TCP_CONNTRACK_NAMES, portsDport, portsSport, type NfConn } from './nf_conn.js';
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
  return entryOf(
    ct.proto, ct.oSrc, ct.oDst, ct.oPorts, ct.rSrc, ct.rDst, ct.rPorts, ct.tcpState, ct.status,
    withTimeout ? expiresSeconds(ct.timeout, nowJ) : -1, ct.mark, ct.acct ? ct.acct.slice() : null,
  );
}

/** nf_ct_expires / HZ: whole seconds an entry expiring at jiffies `timeout` has left at jiffies `nowJ`. */
export function expiresSeconds(timeout: number, nowJ: number): number {
  return Math.floor(Math.max((timeout - nowJ) | 0, 0) / HZ);
}

/** An entry from its record's fields (ports packed as packPorts, addresses signed). */
export function entryOf(
  proto: number, oSrc: number, oDst: number, oPorts: number, rSrc: number, rDst: number, rPorts: number,
  tcpState: number, status: number, timeout: number, mark: number, acct: readonly number[] | null,
): ConntrackEntry {
  return {
    proto,
    orig: { src: oSrc >>> 0, dst: oDst >>> 0, sport: portsSport(oPorts), dport: portsDport(oPorts) },
    reply: { src: rSrc >>> 0, dst: rDst >>> 0, sport: portsSport(rPorts), dport: portsDport(rPorts) },
    state: proto === IPPROTO.TCP ? TCP_CONNTRACK_NAMES[tcpState] ?? 'NONE' : null,
    status,
    timeout,
    mark: mark >>> 0,
    acct,
  };
}

/** ICMP type/code/id of a tuple view (only meaningful when proto is ICMP). */
export function icmpFields(t: ConntrackTupleView): { type: number; code: number; id: number } {
  return { type: t.dport >>> 8, code: t.dport & 0xff, id: t.sport };
}

export function isIcmp(e: ConntrackEntry): boolean {
  return e.proto === IPPROTO.ICMP;
}
