// What an L4 tracker needs from the core (include/net/netfilter/nf_conntrack_l4proto.h):
// the sysctls, the clock, timeout refresh with accounting, kill, and the event cache.

import type { Skb } from '../../model/skb.js';
import { NF } from '../hooks.js';
import type { NfConn } from './nf_conn.js';
import type { ConntrackSysctls } from './nf_conntrack_sysctl.js';

/**
 * Tracker return values besides a verdict: a verdict's negation
 * (nf_conntrack_handle_packet), for "invalid" and "look up again".
 */
export const enum NF_CT {
  INVALID = -NF.ACCEPT,
  REPEAT = -NF.REPEAT,
}

/** enum ip_conntrack_events bits used by the event log (nf_conntrack_ecache.h). */
export const enum IPCT {
  NEW = 1 << 0,
  RELATED = 1 << 1,
  DESTROY = 1 << 2,
  REPLY = 1 << 3,
  ASSURED = 1 << 4,
  PROTOINFO = 1 << 5,
  MARK = 1 << 8,
}

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
