// Steps 6-9 of the inbound journey (net/ipv4/ip_input.c, route.c): ip_rcv
// validates and counts, PREROUTING runs, the routing decision sends the
// packet to local delivery, forwarding or ip_error, LOCAL_IN runs, and
// ip_local_deliver_finish hands it to TCP, UDP or ICMP.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { FLOW_FORWARD, IPPROTO, PACKET_OTHERHOST, type Skb } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { formatIpv4 } from '../model/inet.js';
import { nfHook } from '../netfilter/nf_hook.js';
import { NF_INET } from '../netfilter/hooks.js';
import {
  RTN_BLACKHOLE, RTN_BROADCAST, RTN_LOCAL, RTN_PROHIBIT, RTN_UNREACHABLE,
} from '../netfilter/nf_conntrack_common.js';
import { ipForward } from './ip_forward.js';
import {
  icmpSend, icmpRcv, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PKT_FILTERED, ICMP_PROT_UNREACH,
} from './icmp.js';
import { udpRcv } from '../transport/udp.js';
import { tcpV4Rcv } from '../transport/tcp_input.js';
import { formatRoute, type FibRoute } from './fib.js';

/** ip_rcv → ip_rcv_core: counts the packet, then PREROUTING. */
export function ipRcv(host: Host, cpu: Cpu, skb: Skb): void {
  const dev = host.devices[skb.ifindex]!;
  if (skb.pktType === PACKET_OTHERHOST) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.NF_PREROUTING, 'ip_rcv_core', DropReason.OTHERHOST,
      `frame addressed to another host's MAC (PACKET_OTHERHOST)`, dev.name);
    return;
  }
  cpu.charge(host.costs.ip_rcv);
  const mib = host.snmp.v;
  mib[MIB.IpInReceives]++;
  mib[MIB.IpExtInOctets] += skb.len;
  mib[MIB.IpExtInNoECTPkts] += skb.segs;
  if (!nfHook(host, cpu, NF_INET.PRE_ROUTING, skb, skb.ifindex, 0, Stage.NF_PREROUTING)) return;
  ipRcvFinish(host, cpu, skb);
}

/** ip_rcv_finish → ip_route_input_noref: the routing decision (step 7). */
function ipRcvFinish(host: Host, cpu: Cpu, skb: Skb): void {
  const dev = host.devices[skb.ifindex]!;
  cpu.charge(host.costs.fib_lookup);
  const rt = host.fib.lookup(skb.daddr);
  const mib = host.snmp.v;

  if (rt && (rt.type === RTN_LOCAL || rt.type === RTN_BROADCAST)) {
    if (!rpFilterOk(host, skb)) return rpFilterDrop(host, cpu, skb);
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.ROUTE_INPUT,
      `${formatIpv4(skb.daddr)} is ${rt.type === RTN_LOCAL ? 'local' : 'broadcast'} (table local): ip_local_deliver`);
    ipLocalDeliver(host, cpu, skb);
    return;
  }
  if (!dev.forwarding) {
    // ip_route_input_slow turns every failure into -EHOSTUNREACH on a device that
    // does not forward; ip_error then counts InAddrErrors and drops without ICMP.
    mib[MIB.IpInAddrErrors]++;
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.ROUTE_INPUT,
      `${formatIpv4(skb.daddr)} is not local and ${dev.name} does not forward (net.ipv4.ip_forward=0): ip_error`);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.ROUTE_INPUT, 'ip_error', DropReason.IP_INADDRERRORS,
      'not for this host and forwarding is off: InAddrErrors++, no ICMP', dev.name);
    return;
  }
  if (!rt || rt.type === RTN_UNREACHABLE || rt.type === RTN_PROHIBIT || rt.type === RTN_BLACKHOLE) {
    routeErrorDrop(host, cpu, skb, rt);
    return;
  }
  if (!rpFilterOk(host, skb)) return rpFilterDrop(host, cpu, skb);
  skb.flow = FLOW_FORWARD;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.ROUTE_INPUT,
    `${formatIpv4(skb.daddr)} is not local; forwarding is on: route ${formatRoute(rt)} → ip_forward`);
  ipForward(host, cpu, skb, rt);
}

/** ip_error with forwarding on: no route, unreachable, prohibit or blackhole. */
function routeErrorDrop(host: Host, cpu: Cpu, skb: Skb, rt: FibRoute | null): void {
  const dev = host.devices[skb.ifindex]!;
  const mib = host.snmp.v;
  if (rt && rt.type === RTN_BLACKHOLE) {
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.ROUTE_INPUT, `blackhole route ${formatRoute(rt)}`);
    // ip_error leaves the reason NOT_SPECIFIED for -EINVAL (blackhole), as the kernel does.
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.ROUTE_INPUT, 'ip_error', DropReason.NOT_SPECIFIED, 'blackhole route: silently discarded', dev.name);
    return;
  }
  // ip_error: only -ENETUNREACH (no route) has its own counter and reason.
  let code = ICMP_NET_UNREACH;
  let reason: number = DropReason.IP_INNOROUTES;
  if (!rt) {
    mib[MIB.IpExtInNoRoutes]++;
  } else {
    code = rt.type === RTN_UNREACHABLE ? ICMP_HOST_UNREACH : ICMP_PKT_FILTERED;
    reason = DropReason.NOT_SPECIFIED;
  }
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.ROUTE_INPUT,
    rt ? `route ${formatRoute(rt)}: ip_error` : `no route to ${formatIpv4(skb.daddr)}: ip_error`);
  icmpSend(host, cpu, skb, ICMP_DEST_UNREACH, code, 0);
  kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.ROUTE_INPUT, 'ip_error', reason,
    `unroutable: ICMP destination unreachable (code ${code}) sent back`, dev.name);
}

/** fib_validate_source under rp_filter 1 (strict) or 2 (loose). */
function rpFilterOk(host: Host, skb: Skb): boolean {
  const dev = host.devices[skb.ifindex]!;
  const mode = Math.max(host.sysctl.hot.rpFilterAll, dev.rpFilter);
  if (mode === 0) return true;
  const back = host.fib.lookup(skb.saddr);
  if (!back || back.type === RTN_LOCAL && skb.saddr !== 0) return back !== null && back.type !== RTN_LOCAL;
  return mode === 2 || back.dev === dev;
}

function rpFilterDrop(host: Host, cpu: Cpu, skb: Skb): void {
  const dev = host.devices[skb.ifindex]!;
  host.snmp.v[MIB.TcpExtIPReversePathFilter]++;
  kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.ROUTE_INPUT, 'ip_rcv_finish_core', DropReason.IP_RPFILTER,
    `reverse path filter: no route back to ${formatIpv4(skb.saddr)} via ${dev.name}`, dev.name);
}

/** ip_local_deliver: reassembly if needed, then LOCAL_IN (step 8). */
export function ipLocalDeliver(host: Host, cpu: Cpu, skb: Skb): void {
  cpu.charge(host.costs.ip_local_deliver);
  if (skb.isFragment) {
    if (!host.ipDefrag) {
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.NF_INPUT, 'ip_local_deliver', DropReason.NOMEM,
        'fragment received but reassembly is not available on this host', host.devName(skb.ifindex) || undefined);
      return;
    }
    const whole = host.ipDefrag(host, cpu, skb);
    if (!whole) return;
    skb = whole;
  }
  if (!nfHook(host, cpu, NF_INET.LOCAL_IN, skb, skb.ifindex, 0, Stage.NF_INPUT)) return;
  ipLocalDeliverFinish(host, cpu, skb);
}

/** ip_local_deliver_finish → ip_protocol_deliver_rcu: the L4 handler (step 9). */
function ipLocalDeliverFinish(host: Host, cpu: Cpu, skb: Skb): void {
  const mib = host.snmp.v;
  mib[MIB.IpInDelivers]++;
  switch (skb.protocol) {
    case IPPROTO.TCP:
      tcpV4Rcv(host, cpu, skb);
      return;
    case IPPROTO.UDP:
      udpRcv(host, cpu, skb);
      return;
    case IPPROTO.ICMP:
      icmpRcv(host, cpu, skb);
      return;
    default: {
      mib[MIB.IpInUnknownProtos]++;
      mib[MIB.IpInDelivers]--;
      icmpSend(host, cpu, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.L4_RX, 'ip_protocol_deliver_rcu', DropReason.IP_NOPROTO,
        `no handler for IP protocol ${skb.protocol}: ICMP protocol unreachable`, host.devName(skb.ifindex) || undefined);
    }
  }
}
