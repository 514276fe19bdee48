import { describe, expect, it } from 'vitest';
import { Sysctls } from '../../src/model/sysctl.js';

describe('Sysctls', () => {
  it('starts at the Linux 6.18 defaults', () => {
    const s = new Sysctls();
    expect(s.get('net.core.netdev_budget')).toBe(300);
    expect(s.get('net.core.netdev_max_backlog')).toBe(1000);
    expect(s.getVector('net.ipv4.tcp_rmem')).toEqual([4096, 131072, 33554432]);
  });

  it('keeps the hot-path fields in step with every write', () => {
    const s = new Sysctls();
    expect(s.set('net.core.netdev_max_backlog', 2000)).toBeNull();
    expect(s.hot.netdevMaxBacklog).toBe(2000);
    expect(s.set('net/ipv4/conf/all/rp_filter', 2)).toBeNull();
    expect(s.hot.rpFilterAll).toBe(2);
    expect(s.get('net.ipv4.conf.all.rp_filter')).toBe(2);
    expect(s.set('net.ipv4.tcp_wmem', '4096 16384 8388608')).toBeNull();
    expect(s.hot.tcpWmemMax).toBe(8388608);
  });

  it('starts every hot-path field at its key\'s default', () => {
    const s = new Sysctls();
    expect(s.hot).toMatchObject({
      netdevBudget: s.get('net.core.netdev_budget'), tcpRtoMinUs: s.get('net.ipv4.tcp_rto_min_us'),
      tcpLimitOutputBytes: 4194304, tcpRmemMax: s.getVector('net.ipv4.tcp_rmem')[2], tcpWmemMax: s.getVector('net.ipv4.tcp_wmem')[2],
    });
    // Every field but rp_filter (default 0) was set from its key.
    for (const [k, v] of Object.entries(s.hot)) if (k !== 'rpFilterAll') expect(v, k).toBeGreaterThan(0);
  });

  it('refuses unknown keys and out-of-range values as sysctl reports them', () => {
    const s = new Sysctls();
    expect(s.set('net.core.nope', 1)).toBe('sysctl: cannot stat /proc/sys/net/core/nope: No such file or directory');
    expect(s.set('net.ipv4.ip_forward', 7)).toBe('sysctl: setting key "net.ipv4.ip_forward": Invalid argument');
    expect(s.get('net.ipv4.ip_forward')).toBe(0);
  });
});
