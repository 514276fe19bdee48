// The net.netfilter.nf_conntrack_* sysctls (nf_conntrack_standalone.c
// `nf_ct_sysctl_table`) with their 6.18 defaults. Timeouts are in seconds as
// the sysctl shows them; the trackers convert to jiffies when they use them.

export interface ConntrackSysctls {
  nf_conntrack_max: number;
  nf_conntrack_buckets: number;
  nf_conntrack_tcp_loose: number;
  nf_conntrack_tcp_be_liberal: number;
  nf_conntrack_tcp_ignore_invalid_rst: number;
  nf_conntrack_tcp_max_retrans: number;
  nf_conntrack_acct: number;
  nf_conntrack_checksum: number;
  nf_conntrack_log_invalid: number;
  nf_conntrack_tcp_timeout_syn_sent: number;
  nf_conntrack_tcp_timeout_syn_recv: number;
  nf_conntrack_tcp_timeout_established: number;
  nf_conntrack_tcp_timeout_fin_wait: number;
  nf_conntrack_tcp_timeout_close_wait: number;
  nf_conntrack_tcp_timeout_last_ack: number;
  nf_conntrack_tcp_timeout_time_wait: number;
  nf_conntrack_tcp_timeout_close: number;
  nf_conntrack_tcp_timeout_max_retrans: number;
  nf_conntrack_tcp_timeout_unacknowledged: number;
  nf_conntrack_udp_timeout: number;
  nf_conntrack_udp_timeout_stream: number;
  nf_conntrack_icmp_timeout: number;
  nf_conntrack_generic_timeout: number;
}

/** Defaults: nf_conntrack_proto_{tcp,udp,icmp,generic}.c and §0 of the reference (262144 on a >4 GiB host). */
export function defaultSysctls(): ConntrackSysctls {
  return {
    nf_conntrack_max: 262144,
    nf_conntrack_buckets: 262144,
    nf_conntrack_tcp_loose: 1,
    nf_conntrack_tcp_be_liberal: 0,
    nf_conntrack_tcp_ignore_invalid_rst: 0,
    nf_conntrack_tcp_max_retrans: 3,
    nf_conntrack_acct: 0,
    nf_conntrack_checksum: 1,
    nf_conntrack_log_invalid: 0,
    nf_conntrack_tcp_timeout_syn_sent: 120,
    nf_conntrack_tcp_timeout_syn_recv: 60,
    nf_conntrack_tcp_timeout_established: 432000,
    nf_conntrack_tcp_timeout_fin_wait: 120,
    nf_conntrack_tcp_timeout_close_wait: 60,
    nf_conntrack_tcp_timeout_last_ack: 30,
    nf_conntrack_tcp_timeout_time_wait: 120,
    nf_conntrack_tcp_timeout_close: 10,
    nf_conntrack_tcp_timeout_max_retrans: 300,
    nf_conntrack_tcp_timeout_unacknowledged: 300,
    nf_conntrack_udp_timeout: 30,
    nf_conntrack_udp_timeout_stream: 120,
    nf_conntrack_icmp_timeout: 30,
    nf_conntrack_generic_timeout: 600,
  };
}

/** Sysctls that read back but cannot be written (mode 0444). */
export const READONLY_SYSCTLS = new Set(['nf_conntrack_count']);

/** nf_conntrack_htable_size_user minimum (nf_conntrack_set_hashsize rejects 0). */
export const MIN_BUCKETS = 1;
