// Step 5 of the inbound journey (net/core/dev.c): netif_receive_skb either
// processes the packet inline on the NAPI's CPU or, only when RPS is
// configured, steers it to a CPU's backlog (enqueue_to_backlog, bounded by
// netdev_max_backlog); then __netif_receive_skb_core hands it to capture taps
// and to ip_rcv.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { ETH_P_IP, type Skb } from '../model/skb.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { reciprocalScale } from './rss.js';
import { napiSchedule, raiseNetRxSoftirq } from './napi.js';
import { ipRcv } from '../routing/ip_input.js';

/** Latency of an RPS inter-processor interrupt (IPI), ns. */
const RPS_IPI_NS = 1000;

/** netif_receive_skb_internal: RPS steering, or straight into the core receive path. */
export function netifReceiveSkb(host: Host, cpu: Cpu, skb: Skb): void {
  const dev = host.devices[skb.ifindex]!;
  if (dev.rpsCpus.length > 0) {
    const target = dev.rpsCpus[reciprocalScale(skb.hash, dev.rpsCpus.length)]!;
    enqueueToBacklog(host, cpu, host.cpus[target]!, skb);
    return;
  }
  netifReceiveSkbCore(host, cpu, skb, false);
}

/** enqueue_to_backlog: queues on `target`'s input_pkt_queue or drops when it holds more than netdev_max_backlog. */
export function enqueueToBacklog(host: Host, cpu: Cpu, target: Cpu, skb: Skb): void {
  const sd = target.softnet;
  const dev = host.devices[skb.ifindex]!;
  cpu.charge(host.costs.enqueue_to_backlog);
  const qlen = sd.inputPktQueue.length;
  const max = host.sysctl.hot.netdevMaxBacklog;
  if (qlen > max) {
    sd.dropped++;
    dev.stats.rx_dropped++;
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.CPU_BACKLOG, 'enqueue_to_backlog', DropReason.CPU_BACKLOG,
      `CPU ${target.id} backlog holds ${qlen} > netdev_max_backlog ${max}: dropped (softnet_stat dropped, ${dev.name} rx_dropped)`, dev.name);
    return;
  }
  sd.inputPktQueue.push(skb);
  if (host.tr.on) {
    host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.CPU_BACKLOG,
      `RPS steers flow hash 0x${skb.hash.toString(16).padStart(8, '0')} to CPU ${target.id}: enqueue_to_backlog, input_pkt_queue ${qlen + 1}/${max}`,
      undefined, undefined, 'enqueue_to_backlog');
  }
  if (napiSchedule(host, target, sd.backlog)) {
    if (target === cpu) {
      raiseNetRxSoftirq(host, target, cpu.now);
    } else {
      // The IPI goes out at the end of this net_rx_action (net_rps_send_ipi).
      sd.receivedRps++;
      raiseNetRxSoftirq(host, target, cpu.now + RPS_IPI_NS);
    }
  }
}

/** __netif_receive_skb_core: taps see the packet, then the protocol handler runs. */
export function netifReceiveSkbCore(host: Host, cpu: Cpu, skb: Skb, fromBacklog: boolean): void {
  const sd = cpu.softnet;
  const dev = host.devices[skb.ifindex]!;
  sd.processed++;
  cpu.charge(host.costs.netif_receive_skb);
  if (host.tr.on) {
    host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.CPU_BACKLOG,
      fromBacklog
        ? `process_backlog dequeues it from CPU ${cpu.id}'s backlog into __netif_receive_skb_core`
        : `processed inline on CPU ${cpu.id} in NAPI context (no RPS: the per-CPU backlog is not used); __netif_receive_skb_core`,
      undefined, undefined, fromBacklog ? 'process_backlog' : '__netif_receive_skb_core');
  }
  const taps = host.taps;
  for (let i = 0; i < taps.length; i++) {
    const tap = taps[i]!;
    if (tap.ifindex === 0 || tap.ifindex === dev.ifindex) tap.deliver(host, skb, dev, false, cpu.now);
  }
  if (skb.ethProto !== ETH_P_IP) {
    dev.stats.rx_nohandler++;
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.CPU_BACKLOG, '__netif_receive_skb_core', DropReason.UNHANDLED_PROTO,
      `no handler for ethertype 0x${skb.ethProto.toString(16).padStart(4, '0')}`, dev.name);
    return;
  }
  ipRcv(host, cpu, skb);
}
