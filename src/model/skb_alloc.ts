// alloc_skb for a packet this host originates (an application's datagram, a
// TCP segment, an ICMP message, a RST): the one place that counts it as
// injected and fills what every locally built IPv4 packet starts with.

import type { Host } from './host.js';
import type { Cpu } from './cpu.js';
import { FLOW_OUTBOUND, Skb } from './skb.js';

export function allocLocalSkb(host: Host, cpu: Cpu, saddr: number, daddr: number, protocol: number): Skb {
  const skb = new Skb();
  host.world.packets.injected++;
  skb.flow = FLOW_OUTBOUND;
  skb.tstamp = cpu.now;
  skb.cpu = cpu.id;
  skb.saddr = saddr;
  skb.daddr = daddr;
  skb.protocol = protocol;
  skb.ttl = host.sysctl.hot.ipDefaultTtl;
  skb.ipId = host.ipIdNext++ & 0xffff;
  return skb;
}
