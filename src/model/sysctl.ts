// Per-host sysctls with Linux 6.18 defaults (reference §0). Values are kept as
// numbers or number vectors; `sysctl -w` style writes are validated here.

export type SysctlValue = number | number[];

interface SysctlDef {
  readonly value: SysctlValue;
  readonly min?: number;
  readonly max?: number;
  readonly readonly?: boolean;
  /** A string-valued key (tcp_congestion_control): the stored number indexes these names. */
  readonly names?: readonly string[];
  /** A value computed when read, as a proc handler does (nf_conntrack_count). */
  readonly read?: () => number;
}

/** Defaults, as `sysctl -a` shows them on a 6.18 host with HZ=250. */
export const SYSCTL_DEFAULTS: Record<string, SysctlDef> = {
  'net.core.netdev_budget': { value: 300, min: 1 },
  'net.core.netdev_budget_usecs': { value: 8000, min: 1 },
  'net.core.netdev_max_backlog': { value: 1000, min: 0 },
  'net.core.dev_weight': { value: 64, min: 1 },
  'net.core.gro_normal_batch': { value: 8, min: 1 },
  'net.core.rmem_default': { value: 212992, min: 256 },
  'net.core.wmem_default': { value: 212992, min: 256 },
  'net.core.rmem_max': { value: 4194304, min: 256 },
  'net.core.wmem_max': { value: 4194304, min: 256 },
  'net.core.somaxconn': { value: 4096, min: 0 },
  'net.core.flow_limit_table_len': { value: 4096, min: 0 },
  'net.ipv4.ip_forward': { value: 0, min: 0, max: 1 },
  'net.ipv4.ip_default_ttl': { value: 64, min: 1, max: 255 },
  'net.ipv4.ip_no_pmtu_disc': { value: 0, min: 0, max: 3 },
  'net.ipv4.ip_forward_use_pmtu': { value: 0, min: 0, max: 1 },
  'net.ipv4.route.mtu_expires': { value: 600, min: 0 },
  'net.ipv4.route.min_pmtu': { value: 552, min: 68 },
  'net.ipv4.ipfrag_high_thresh': { value: 4194304, min: 0 },
  'net.ipv4.ipfrag_low_thresh': { value: 3145728, min: 0 },
  'net.ipv4.ipfrag_time': { value: 30, min: 0 },
  'net.ipv4.ipfrag_max_dist': { value: 64, min: 0 },
  'net.ipv4.conf.all.rp_filter': { value: 0, min: 0, max: 2 },
  'net.ipv4.icmp_ratelimit': { value: 1000, min: 0 },
  'net.ipv4.icmp_ratemask': { value: 6168, min: 0 },
  'net.ipv4.icmp_msgs_per_sec': { value: 1000, min: 0 },
  'net.ipv4.icmp_msgs_burst': { value: 50, min: 0 },
  'net.ipv4.tcp_rmem': { value: [4096, 131072, 33554432] },
  'net.ipv4.tcp_wmem': { value: [4096, 16384, 4194304] },
  'net.ipv4.udp_rmem_min': { value: 4096, min: 0 },
  'net.ipv4.udp_wmem_min': { value: 4096, min: 0 },
  'net.ipv4.tcp_syn_retries': { value: 6, min: 1, max: 127 },
  'net.ipv4.tcp_synack_retries': { value: 5, min: 0 },
  'net.ipv4.tcp_syn_linear_timeouts': { value: 4, min: 0 },
  'net.ipv4.tcp_retries1': { value: 3, min: 0 },
  'net.ipv4.tcp_retries2': { value: 15, min: 0 },
  'net.ipv4.tcp_fin_timeout': { value: 60, min: 0 },
  'net.ipv4.tcp_sack': { value: 1, min: 0, max: 1 },
  'net.ipv4.tcp_timestamps': { value: 1, min: 0, max: 2 },
  'net.ipv4.tcp_window_scaling': { value: 1, min: 0, max: 1 },
  'net.ipv4.tcp_moderate_rcvbuf': { value: 1, min: 0, max: 1 },
  'net.ipv4.tcp_max_syn_backlog': { value: 2048, min: 0 },
  'net.ipv4.tcp_syncookies': { value: 1, min: 0, max: 2 },
  'net.ipv4.tcp_rto_min_us': { value: 200000, min: 1 },
  'net.ipv4.tcp_rto_max_ms': { value: 120000, min: 1000 },
  'net.ipv4.tcp_congestion_control': { value: 0, names: ['cubic', 'reno'] },
  'net.ipv4.tcp_reordering': { value: 3, min: 1 },
  'net.ipv4.tcp_recovery': { value: 1, min: 0, max: 7 },
  'net.ipv4.tcp_early_retrans': { value: 3, min: 0, max: 4 },
  'net.ipv4.tcp_min_snd_mss': { value: 48, min: 48 },
  'net.ipv4.tcp_base_mss': { value: 1024, min: 48 },
  'net.ipv4.tcp_mtu_probing': { value: 0, min: 0, max: 2 },
  'net.ipv4.tcp_limit_output_bytes': { value: 4194304, min: 0 },
  'net.ipv4.tcp_pacing_ss_ratio': { value: 200, min: 0, max: 65535 },
  'net.ipv4.tcp_pacing_ca_ratio': { value: 120, min: 0, max: 65535 },
  'net.ipv4.tcp_min_tso_segs': { value: 2, min: 1, max: 255 },
  'net.ipv4.tcp_tso_rtt_log': { value: 9, min: 0, max: 31 },
  'net.ipv4.ip_local_port_range': { value: [32768, 60999] },
};

/** Sysctls the packet path reads per packet, kept as plain fields so it does no string lookup. */
export interface HotSysctls {
  netdevBudget: number;
  netdevBudgetUsecs: number;
  netdevMaxBacklog: number;
  ipDefaultTtl: number;
  rpFilterAll: number;
  tcpLimitOutputBytes: number;
  tcpPacingSsRatio: number;
  tcpPacingCaRatio: number;
  tcpMinTsoSegs: number;
  tcpTsoRttLog: number;
  tcpRtoMinUs: number;
  tcpRtoMaxMs: number;
  tcpEarlyRetrans: number;
  tcpModerateRcvbuf: number;
  /** tcp_wmem[2] and tcp_rmem[2]: the autotuning ceilings. */
  tcpWmemMax: number;
  tcpRmemMax: number;
}

const HOT_KEYS: Record<string, keyof HotSysctls> = {
  'net.core.netdev_budget': 'netdevBudget',
  'net.core.netdev_budget_usecs': 'netdevBudgetUsecs',
  'net.core.netdev_max_backlog': 'netdevMaxBacklog',
  'net.ipv4.ip_default_ttl': 'ipDefaultTtl',
  'net.ipv4.conf.all.rp_filter': 'rpFilterAll',
  'net.ipv4.tcp_limit_output_bytes': 'tcpLimitOutputBytes',
  'net.ipv4.tcp_pacing_ss_ratio': 'tcpPacingSsRatio',
  'net.ipv4.tcp_pacing_ca_ratio': 'tcpPacingCaRatio',
  'net.ipv4.tcp_min_tso_segs': 'tcpMinTsoSegs',
  'net.ipv4.tcp_tso_rtt_log': 'tcpTsoRttLog',
  'net.ipv4.tcp_rto_min_us': 'tcpRtoMinUs',
  'net.ipv4.tcp_rto_max_ms': 'tcpRtoMaxMs',
  'net.ipv4.tcp_early_retrans': 'tcpEarlyRetrans',
  'net.ipv4.tcp_moderate_rcvbuf': 'tcpModerateRcvbuf',
};

/** Vector-valued sysctls mirrored in `hot`: the field and the element. */
const HOT_VECTOR_KEYS: Record<string, [keyof HotSysctls, number]> = {
  'net.ipv4.tcp_wmem': ['tcpWmemMax', 2],
  'net.ipv4.tcp_rmem': ['tcpRmemMax', 2],
};

export class Sysctls {
  private readonly values = new Map<string, SysctlValue>();
  /** Filled from SYSCTL_DEFAULTS by the constructor. */
  readonly hot: HotSysctls = {
    netdevBudget: 0, netdevBudgetUsecs: 0, netdevMaxBacklog: 0, ipDefaultTtl: 0, rpFilterAll: 0,
    tcpLimitOutputBytes: 0, tcpPacingSsRatio: 0, tcpPacingCaRatio: 0, tcpMinTsoSegs: 0, tcpTsoRttLog: 0,
    tcpRtoMinUs: 0, tcpRtoMaxMs: 0, tcpEarlyRetrans: 0, tcpModerateRcvbuf: 0, tcpWmemMax: 0, tcpRmemMax: 0,
  };
  /** Keys other modules add (conntrack, per-interface conf) with their own defaults. */
  private readonly extra = new Map<string, SysctlDef>();

  constructor() {
    for (const [k, d] of Object.entries(SYSCTL_DEFAULTS)) {
      this.values.set(k, d.value);
      this.setHot(k, typeof d.value === 'number' ? [d.value] : d.value);
    }
  }

  private setHot(k: string, nums: readonly number[]): void {
    const hot = HOT_KEYS[k];
    if (hot) this.hot[hot] = nums[0]!;
    const hv = HOT_VECTOR_KEYS[k];
    if (hv) this.hot[hv[0]] = nums[hv[1]] ?? nums[0]!;
  }

  /** Keys whose value is computed on read. */
  private readonly computed = new Map<string, () => number>();

  /** Registers a sysctl owned by another module (e.g. net.netfilter.*). */
  define(key: string, def: SysctlDef): void {
    this.extra.set(key, def);
    if (!this.values.has(key)) this.values.set(key, def.value);
    if (def.read) this.computed.set(key, def.read);
  }

  has(key: string): boolean {
    return this.values.has(normalizeKey(key));
  }

  get(key: string): number {
    if (this.computed.size > 0) {
      const read = this.computed.get(normalizeKey(key));
      if (read) return read();
    }
    const v = this.values.get(key) ?? this.values.get(normalizeKey(key));
    if (v === undefined) throw new Error(`sysctl: cannot stat /proc/sys/${key.replaceAll('.', '/')}: No such file or directory`);
    return typeof v === 'number' ? v : v[0]!;
  }

  getVector(key: string): number[] {
    const read = this.computed.get(normalizeKey(key));
    if (read) return [read()];
    const v = this.values.get(normalizeKey(key));
    if (v === undefined) throw new Error(`sysctl: cannot stat /proc/sys/${key.replaceAll('.', '/')}: No such file or directory`);
    return typeof v === 'number' ? [v] : v;
  }

  /** The value as /proc/sys prints it: a name for string-valued keys, else tab-separated numbers. */
  format(key: string): string {
    const k = normalizeKey(key);
    const names = (SYSCTL_DEFAULTS[k] ?? this.extra.get(k))?.names;
    const v = this.getVector(k);
    return names ? names[v[0]!] ?? String(v[0]) : v.join('\t');
  }

  /**
   * Sets a value, given as numbers or as the text written to /proc/sys;
   * returns an error message (as sysctl prints it) or null.
   */
  set(key: string, value: SysctlValue | string, force = false): string | null {
    const k = normalizeKey(key);
    const def = SYSCTL_DEFAULTS[k] ?? this.extra.get(k);
    if (!def) return `sysctl: cannot stat /proc/sys/${k.replaceAll('.', '/')}: No such file or directory`;
    if (def.readonly && !force) return `sysctl: permission denied on key "${k}"`;
    if (typeof value === 'string') {
      if (def.names) {
        // An unknown algorithm: the kernel cannot load a module of that name (ENOENT).
        const i = def.names.indexOf(value.trim());
        if (i < 0) return `sysctl: setting key "${k}": No such file or directory`;
        value = i;
      } else {
        const nums = value.trim().split(/\s+/).map(Number);
        if (nums.some((n) => !Number.isFinite(n))) return `sysctl: setting key "${k}": Invalid argument`;
        value = nums.length === 1 ? nums[0]! : nums;
      }
    } else if (def.names) {
      return `sysctl: setting key "${k}": No such file or directory`;
    }
    const nums = typeof value === 'number' ? [value] : value;
    for (const n of nums) {
      if (!Number.isInteger(n)) return `sysctl: setting key "${k}": Invalid argument`;
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
        return `sysctl: setting key "${k}": Invalid argument`;
      }
    }
    this.values.set(k, typeof def.value === 'number' ? nums[0]! : nums);
    this.setHot(k, nums);
    return null;
  }

  keys(): string[] {
    return [...this.values.keys()].sort();
  }
}

/** `net/ipv4/ip_forward` and `net.ipv4.ip_forward` name the same key. */
export function normalizeKey(key: string): string {
  return key.replaceAll('/', '.');
}
