// What an L4 tracker needs from the core (include/net/netfilter/nf_conntrack_l4proto.h):
// the sysctls, the clock, timeout refresh with accounting, kill, and the event cache.

import type { Skb } from '../../model/skb.js';
import type { NfConn } from './nf_conn.js';
import type { ConntrackSysctls } from './nf_conntrack_sysctl.js';

/** Tracker return values: a verdict, or its negation for "invalid" (nf_conntrack_handle_packet). */
export const NF_CT_INVALID = -1; // -NF_ACCEPT
export const NF_CT_REPEAT = -4; // -NF_REPEAT

/** enum ip_conntrack_events bits used by the event log (nf_conntrack_ecache.h). */
export const IPCT_NEW = 1 << 0;
export const IPCT_RELATED = 1 << 1;
export const IPCT_DESTROY = 1 << 2;
export const IPCT_REPLY = 1 << 3;
export const IPCT_ASSURED = 1 << 4;
export const IPCT_PROTOINFO = 1 << 5;
export const IPCT_MARK = 1 << 8;

export interface L4Context {
  readonly sysctl: ConntrackSysctls;
  /** nf_tcp_net->timeouts: each TCP state's timeout in jiffies, kept in step with the sysctls (tcpTimeouts). */
  readonly tcpTimeouts: Float64Array;
  /** nfct_time_stamp (jiffies). */
  readonly nowJiffies: number;
  /** nf_ct_refresh_acct: new timeout `extra` jiffies from now (unless FIXED_TIMEOUT), plus accounting. */
  refreshAcct(ct: NfConn, ctinfo: number, skb: Skb, extra: number): void;
  /** nf_ct_kill_acct / nf_ct_kill: removes the entry now; false if it was already dying. */
  kill(ct: NfConn): boolean;
  /** nf_conntrack_event_cache. */
  eventCache(ct: NfConn, events: number): void;
}
