// Per-CPU conntrack statistics (include/linux/netfilter/nf_conntrack_common.h
// `struct ip_conntrack_stat`), bumped on the CPU handling the packet, read by
// `conntrack -S` and /proc/net/stat/nf_conntrack.

export class IpConntrackStat {
  found = 0;
  invalid = 0;
  insert = 0;
  insert_failed = 0;
  drop = 0;
  early_drop = 0;
  error = 0;
  expect_new = 0;
  expect_create = 0;
  expect_delete = 0;
  search_restart = 0;
  clash_resolve = 0;
  chaintoolong = 0;
}

/** The field order `conntrack -S` prints (ctnetlink_ct_stat_cpu_fill_info). */
export const CT_STAT_FIELDS = [
  'found', 'invalid', 'insert', 'insert_failed', 'drop', 'early_drop', 'error', 'search_restart', 'clash_resolve', 'chaintoolong',
] as const;

export class ConntrackStats {
  private readonly cpus: IpConntrackStat[] = [];

  constructor(ncpus: number) {
    for (let i = 0; i < ncpus; i++) this.cpus.push(new IpConntrackStat());
  }

  /** The counters of `cpu` (NF_CT_STAT_INC's this_cpu_ptr); grows if a CPU beyond the configured count appears. */
  cpu(cpu: number): IpConntrackStat {
    while (this.cpus.length <= cpu) this.cpus.push(new IpConntrackStat());
    return this.cpus[cpu]!;
  }

  get ncpus(): number {
    return this.cpus.length;
  }

  all(): readonly IpConntrackStat[] {
    return this.cpus;
  }

  /** Sum over CPUs of one counter. */
  total(field: keyof IpConntrackStat): number {
    let n = 0;
    for (const c of this.cpus) n += c[field];
    return n;
  }
}
