// The forward path (net/ipv4/ip_forward.c, 6.x order): TTL before MTU, the
// DF/MTU check with ICMP fragmentation-needed, TTL decrement, FORWARD, then
// ip_output. IpForwDatagrams is bumped before the FORWARD hook, so it also
// counts packets that FORWARD then drops (observed on 6.18).

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { PACKET_HOST, type Skb } from '../model/skb.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { nfHook } from '../netfilter/nf_hook.js';
import { NF_INET } from '../netfilter/hooks.js';
import type { FibRoute } from './fib.js';
import { icmpSend, ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FRAG_NEEDED, ICMP_TIME_EXCEEDED } from './icmp.js';
import { ipOutput } from './ip_output.js';

/** ip_forward. */
export function ipForward(host: Host, cpu: Cpu, skb: Skb, rt: FibRoute): void {
  const inDev = host.devices[skb.ifindex]!;
  const outDev = rt.dev!;
  const mib = host.snmp.v;
  cpu.charge(host.costs.ip_forward);
  if (skb.lro) {
    // skb_warn_if_lro: an LRO-merged packet cannot be forwarded faithfully.
    host.printk(`${inDev.name}: received packets cannot be forwarded while LRO is enabled`);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.NF_FORWARD, 'ip_forward', DropReason.NOT_SPECIFIED,
      'LRO-merged skb cannot be forwarded (skb_warn_if_lro)', inDev.name);
    return;
  }
  if (skb.pktType !== PACKET_HOST) {
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.NF_FORWARD, 'ip_forward', DropReason.OTHERHOST, 'not addressed to this host at L2', inDev.name);
    return;
  }
  if (skb.ttl <= 1) {
    mib[MIB.IpInHdrErrors]++;
    icmpSend(host, cpu, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.NF_FORWARD, 'ip_forward', DropReason.IP_INHDR,
      `TTL ${skb.ttl} would expire: ICMP time exceeded in transit`, inDev.name);
    return;
  }
  const mtu = outDev.mtu;
  if (ipExceedsMtu(skb, mtu)) {
    mib[MIB.IpFragFails]++;
    icmpSend(host, cpu, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.NF_FORWARD, 'ip_forward', DropReason.PKT_TOO_BIG,
      `${skb.len} bytes with DF set exceed ${outDev.name} MTU ${mtu}: ICMP fragmentation needed (mtu ${mtu})`, inDev.name);
    return;
  }
  // ip_decrease_ttl: the header checksum is fixed up incrementally.
  skb.ttl--;
  mib[MIB.IpForwDatagrams]++;
  if (!nfHook(host, cpu, NF_INET.FORWARD, skb, skb.ifindex, outDev.ifindex, Stage.NF_FORWARD)) return;
  // ip_forward_finish
  mib[MIB.IpExtOutOctets] += skb.len;
  host.world.packets.forwarded++;
  ipOutput(host, cpu, skb, rt);
}

/** ip_exceeds_mtu: too big, DF set, and not a GSO skb whose segments all fit. */
export function ipExceedsMtu(skb: Skb, mtu: number): boolean {
  if (skb.len <= mtu) return false;
  if (!skb.df && !skb.fragMaxSize) return false;
  if (skb.fragMaxSize && skb.fragMaxSize <= mtu) return false;
  if (skb.gsoSize > 0 && skb.gsoSize + (skb.len - skb.payloadLen) <= mtu) return false;
  return true;
}
