// Steps 4-7 of the outbound journey (net/ipv4/ip_output.c): ip_local_out
// counts and runs OUTPUT, dst_output sends the packet along the route chosen
// before OUTPUT (re-routed if OUTPUT changed it), ip_output runs POSTROUTING,
// ip_finish_output fragments what exceeds the MTU, and ip_finish_output2
// resolves the neighbour and calls dev_queue_xmit. Forwarded packets join at
// ip_output.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import type { Skb } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { formatIpv4 } from '../model/inet.js';
import { nfHook } from '../netfilter/nf_hook.js';
import { NF_INET } from '../netfilter/hooks.js';
import { RTN_LOCAL, RTN_UNICAST } from '../netfilter/nf_conntrack_common.js';
import { formatRoute, type FibRoute } from './fib.js';
import { devQueueXmit, NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../nic/dev_queue_xmit.js';
import type { NetDevice } from '../nic/net_device.js';

/** A netfilter drop of a local packet reaches the sender as -EPERM. */
const EPERM = 1;

/** ip_route_output_key: the route for a locally generated packet; null means EHOSTUNREACH/ENETUNREACH. */
export function ipRouteOutput(host: Host, daddr: number): FibRoute | null {
  const rt = host.fib.lookup(daddr);
  if (!rt || (rt.type !== RTN_UNICAST && rt.type !== RTN_LOCAL && rt.type !== 3)) return null;
  return rt;
}

/** Source address for a route (the route's prefsrc or the device's first address). */
export function routeSource(host: Host, rt: FibRoute, daddr: number): number {
  if (rt.prefsrc) return rt.prefsrc;
  if (rt.type === RTN_LOCAL) return daddr;
  return rt.dev?.primaryAddr() ?? 0;
}

/** ip_local_out → OUTPUT (step 4) → dst_output (step 5) → ip_output. */
export function ipLocalOut(host: Host, cpu: Cpu, skb: Skb, rt: FibRoute): number {
  const mib = host.snmp.v;
  cpu.charge(host.costs.ip_output);
  mib[MIB.IpOutRequests]++;
  const outIf = rt.dev?.ifindex ?? 0;
  if (!nfHook(host, cpu, NF_INET.LOCAL_OUT, skb, 0, outIf, Stage.NF_OUTPUT)) return -EPERM;
  if (host.hooks.state.rerouteNeeded) {
    // ip_route_me_harder: OUTPUT changed the destination or the mark.
    cpu.charge(host.costs.fib_lookup);
    const again = ipRouteOutput(host, skb.daddr);
    if (!again) {
      mib[MIB.IpOutNoRoutes]++;
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.ROUTE_OUTPUT, 'ip_route_me_harder', DropReason.IP_OUTNOROUTES,
        `re-route after OUTPUT: no route to ${formatIpv4(skb.daddr)}`, rt.dev?.name);
      return NET_XMIT_DROP;
    }
    rt = again;
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, rt.dev?.name, skb, Stage.ROUTE_OUTPUT,
      `OUTPUT changed the packet: ip_route_me_harder re-routes via ${formatRoute(rt)}`, undefined, undefined, 'ip_route_me_harder');
  } else if (host.tr.on) {
    host.tr.stage(cpu.now, host.name, cpu.id, rt.dev?.name, skb, Stage.ROUTE_OUTPUT,
      `dst_output along the route ip_route_output_key chose before OUTPUT: ${formatRoute(rt)}`);
  }
  return ipOutput(host, cpu, skb, rt);
}

/** ip_output → POSTROUTING (step 6) → ip_finish_output. */
export function ipOutput(host: Host, cpu: Cpu, skb: Skb, rt: FibRoute): number {
  const dev = rt.dev!;
  skb.ifindex = dev.ifindex;
  if (!nfHook(host, cpu, NF_INET.POST_ROUTING, skb, 0, dev.ifindex, Stage.NF_POSTROUTING)) return skb.flow === 2 ? NET_XMIT_DROP : -EPERM;
  return ipFinishOutput(host, cpu, skb, rt, dev);
}

/** ip_finish_output → __ip_finish_output: fragment when too big, else straight on. */
function ipFinishOutput(host: Host, cpu: Cpu, skb: Skb, rt: FibRoute, dev: NetDevice): number {
  const mtu = ipSkbDstMtu(host, skb, rt, dev);
  if (skb.gsoSize === 0 && (skb.len > mtu || (skb.fragMaxSize > 0 && skb.len > skb.fragMaxSize))) {
    if (!host.ipFragment) {
      host.snmp.v[MIB.IpFragFails]++;
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.FRAGMENT, 'ip_fragment', DropReason.PKT_TOO_BIG,
        `${skb.len} bytes exceed MTU ${mtu} and fragmentation is not available`, dev.name);
      return NET_XMIT_DROP;
    }
    const frags = host.ipFragment(host, cpu, skb, mtu, dev);
    if (!frags) return NET_XMIT_DROP;
    let rc = NET_XMIT_SUCCESS;
    for (const f of frags) rc |= ipFinishOutput2(host, cpu, f, rt, dev);
    return rc;
  }
  return ipFinishOutput2(host, cpu, skb, rt, dev);
}

/** ip_skb_dst_mtu: the device MTU, lowered by a route MTU or a learned path MTU for local traffic. */
export function ipSkbDstMtu(host: Host, skb: Skb, rt: FibRoute, dev: NetDevice): number {
  let mtu = dev.mtu;
  if (rt.mtu && rt.mtu < mtu) mtu = rt.mtu;
  if (skb.flow !== 2 && host.pmtuLookup) {
    const p = host.pmtuLookup(host, skb.daddr);
    if (p > 0 && p < mtu) mtu = p;
  }
  return mtu;
}

/** ip_finish_output2: OutTransmits, neighbour output, dev_queue_xmit. */
export function ipFinishOutput2(host: Host, cpu: Cpu, skb: Skb, rt: FibRoute, dev: NetDevice): number {
  const nexthop = rt.gw || skb.daddr;
  const mac = neighResolve(dev, nexthop);
  if (mac < 0) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.NF_POSTROUTING, 'neigh_resolve_output', DropReason.NEIGH_FAILED,
      `no neighbour answers for ${formatIpv4(nexthop)} on ${dev.name}`, dev.name);
    return NET_XMIT_DROP;
  }
  host.snmp.v[MIB.IpOutTransmits]++;
  skb.ethSrc = dev.mac;
  skb.ethDst = mac;
  return devQueueXmit(host, cpu, dev, skb);
}

/**
 * Neighbour resolution. ARP is not modelled: a neighbour resolves when the
 * device at the other end of the link owns the address (as a permanent ARP
 * entry would), and fails otherwise.
 */
export function neighResolve(dev: NetDevice, nexthop: number): number {
  if (dev.kind === 'loopback') return 0;
  const peer = dev.linkEnd?.to;
  if (!peer) return -1;
  if (peer.hasAddr(nexthop) || peer.host.proxyAll) return peer.mac;
  return -1;
}
