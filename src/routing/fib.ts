// The IPv4 FIB (net/ipv4/fib_trie.c, fib_rules.c): the local table (255) is
// consulted before main (254), so local and broadcast addresses win whatever
// the prefix length; within a table the longest prefix wins, then the lower
// metric. Routes are kept sorted so a lookup is one linear scan of a short list.

import { formatIpv4, prefixMask } from '../model/inet.js';
import {
  RTN_BLACKHOLE, RTN_BROADCAST, RTN_LOCAL, RTN_PROHIBIT, RTN_UNICAST, RTN_UNREACHABLE,
} from '../netfilter/nf_conntrack_common.js';
import type { NetDevice } from '../nic/net_device.js';

export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;

export interface FibRoute {
  dst: number;
  len: number;
  type: number;
  dev: NetDevice | null;
  /** Next hop, 0 when the destination is on-link. */
  gw: number;
  prefsrc: number;
  metric: number;
  table: number;
  proto: 'kernel' | 'static' | 'boot';
  scope: number;
  /** Route MTU (`ip route add ... mtu N`), 0 when unset. */
  mtu: number;
}

export const RTN_TYPE_NAMES: Record<number, string> = {
  [RTN_UNICAST]: 'unicast', [RTN_LOCAL]: 'local', [RTN_BROADCAST]: 'broadcast',
  [RTN_BLACKHOLE]: 'blackhole', [RTN_UNREACHABLE]: 'unreachable', [RTN_PROHIBIT]: 'prohibit',
};

export class Fib {
  readonly local: FibRoute[] = [];
  readonly main: FibRoute[] = [];

  add(r: FibRoute): void {
    const t = r.table === RT_TABLE_LOCAL ? this.local : this.main;
    t.push(r);
    t.sort((x, y) => y.len - x.len || x.metric - y.metric);
  }

  remove(pred: (r: FibRoute) => boolean): number {
    let n = 0;
    for (const t of [this.local, this.main]) {
      for (let i = t.length - 1; i >= 0; i--) if (pred(t[i]!)) { t.splice(i, 1); n++; }
    }
    return n;
  }

  /** fib_lookup: local table first, then main; null when nothing matches. */
  lookup(daddr: number): FibRoute | null {
    return match(this.local, daddr) ?? match(this.main, daddr);
  }

  /** inet_addr_type: how this host classifies an address. */
  addrType(addr: number): number {
    const r = match(this.local, addr);
    if (r) return r.type;
    if (addr === 0xffffffff) return RTN_BROADCAST;
    if (addr >>> 28 === 0xe) return 5; // RTN_MULTICAST
    return RTN_UNICAST;
  }
}

function match(routes: FibRoute[], daddr: number): FibRoute | null {
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    const m = prefixMask(r.len);
    if (((daddr & m) >>> 0) === r.dst) return r;
  }
  return null;
}

/** A route as `ip route show` prints it. */
export function formatRoute(r: FibRoute): string {
  const parts: string[] = [];
  if (r.type !== RTN_UNICAST) parts.push(RTN_TYPE_NAMES[r.type] ?? String(r.type));
  parts.push(r.len === 0 ? 'default' : r.len === 32 ? formatIpv4(r.dst) : `${formatIpv4(r.dst)}/${r.len}`);
  if (r.gw) parts.push('via', formatIpv4(r.gw));
  if (r.dev) parts.push('dev', r.dev.name);
  if (r.proto !== 'boot') parts.push('proto', r.proto);
  if (r.scope === RT_SCOPE_LINK) parts.push('scope', 'link');
  else if (r.scope === RT_SCOPE_HOST) parts.push('scope', 'host');
  if (r.prefsrc) parts.push('src', formatIpv4(r.prefsrc));
  if (r.metric) parts.push('metric', String(r.metric));
  if (r.mtu) parts.push('mtu', String(r.mtu));
  return parts.join(' ');
}
