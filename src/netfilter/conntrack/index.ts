// Connection tracking and NAT for one simulated host.
//
//   const ct = new Conntrack({ scheduler, random: streams.get('host:conntrack'), printk, hostName });
//   ct.register(host.nfHooks);            // nf_conntrack_in, nf_confirm, gc worker
//   ct.registerNatTable(hook, natOps);    // the iptables nat table (only first packets reach it)
//   rules call ct.setupNat(skb, range, manip) / ct.notrack(skb) through ConntrackApi.

export { Conntrack, NF_CT_EVICTION_RANGE, type ConntrackOptions } from './nf_conntrack_core.js';
export { NfConn, TCP_CONNTRACK_NAMES } from './nf_conn.js';
export type { ConntrackEntry, ConntrackTupleView } from './nf_conntrack_entry.js';
export type { ConntrackEvent, ConntrackEventType } from './nf_conntrack_ecache.js';
export type { ConntrackSysctls } from './nf_conntrack_sysctl.js';
export { defaultSysctls } from './nf_conntrack_sysctl.js';
export { ConntrackStats, IpConntrackStat, CT_STAT_FIELDS } from './nf_conntrack_stat.js';
export { ctLine, ctStatsText, procLine, procStatText, protoName, type CtFormatOptions } from './nf_conntrack_standalone.js';
export { HZ, jiffiesOf } from './nf_conntrack_tuple.js';
