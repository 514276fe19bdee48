// Steps 1-3 of the inbound journey in the NIC: the frame arrives off the wire,
// RSS picks an RX queue, the NIC DMAs it into a free descriptor of that
// queue's ring (none free: the NIC drops it and counts rx_missed_errors), and
// raises the queue's MSI-X interrupt unless it is masked while NAPI polls or
// held back by interrupt coalescing (ethtool -C rx-usecs / rx-frames).

import type { Scheduler } from '../model/scheduler.js';
import {
  CHECKSUM_UNNECESSARY, FLOW_INBOUND, PACKET_BROADCAST, PACKET_HOST, PACKET_OTHERHOST, nfResetCt, type Skb,
} from '../model/skb.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason } from '../model/skb_free.js';
import { toeplitzHash } from './rss.js';
import type { NetDevice, RxQueue } from './net_device.js';
import { napiSchedule, raiseNetRxSoftirq } from './napi.js';

const ETH_BROADCAST = 0xffffffffffff;

/** The last bit of a frame reaches the receiving NIC (event handler). */
export function ethRx(sim: Scheduler, dev: NetDevice, skb: Skb): void {
  const host = dev.host;
  const now = sim.now;
  // A new host: the metadata of the sender's kernel does not cross the wire.
  skb.ifindex = dev.ifindex;
  skb.iif = dev.ifindex;
  nfResetCt(skb);
  skb.sk = null;
  skb.mark = 0;
  skb.flow = FLOW_INBOUND;
  skb.ipSummed = CHECKSUM_UNNECESSARY;
  skb.pktType = skb.ethDst === dev.mac ? PACKET_HOST : skb.ethDst === ETH_BROADCAST ? PACKET_BROADCAST : PACKET_OTHERHOST;

  if (skb.len > dev.mtu && skb.gsoSize === 0) {
    // The MAC refuses frames longer than its configured maximum (rx_length_errors).
    dev.stats.rx_length_errors++;
    dev.stats.rx_errors++;
    if (host.tr.on) host.tr.stage(now, host.name, 0, dev.name, skb, Stage.NIC_RX, `frame of ${skb.frameLen} bytes exceeds ${dev.name} MTU ${dev.mtu}: counted in rx_length_errors`);
    kfreeSkbReason(host, 0, now, skb, Stage.NIC_RX, 'eth_rx', DropReason.PKT_TOO_BIG, `oversize frame dropped by the NIC`, dev.name);
    return;
  }

  skb.hash = toeplitzHash(skb.saddr, skb.daddr, skb.sport, skb.dport);
  const qi = dev.rxQueues.length === 1 ? 0 : skb.hash % dev.rxQueues.length;
  const rxq = dev.rxQueues[qi]!;
  if (host.tr.on) {
    host.tr.stage(now, host.name, rxq.cpu, dev.name, skb, Stage.NIC_RX,
      `frame of ${skb.frameLen} bytes received; RSS hash 0x${skb.hash.toString(16).padStart(8, '0')} → rx queue ${qi} (IRQ affine to CPU ${rxq.cpu})`);
  }

  const readyAt = now + host.lat.dma_rx_ns;
  if (!rxq.ring.push(skb, readyAt)) {
    // No free descriptor: lost inside the NIC; no kfree_skb, no dropwatch event.
    dev.stats.rx_missed_errors++;
    if (host.tr.on) host.tr.stage(now, host.name, rxq.cpu, dev.name, skb, Stage.DMA_RX, `rx ring ${qi} full (${rxq.ring.size} descriptors): frame lost in the NIC, counted in rx_missed_errors`, 'drop', DropReason.FULL_RING);
    const w = host.world.packets;
    w.dropped++;
    w.dropsByReason[DropReason.FULL_RING]++;
    return;
  }
  skb.dmaReadyAt = readyAt;
  rxq.packets++;
  rxq.bytes += skb.frameLen;
  if (host.tr.on) {
    host.tr.stage(readyAt, host.name, rxq.cpu, dev.name, skb, Stage.DMA_RX,
      `DMA into rx ring ${qi} descriptor; ring holds ${rxq.ring.count}/${rxq.ring.size}`);
  }
  rxQueueKickIrq(rxq, readyAt);
}

/** Arms the queue's interrupt for a descriptor written back at `readyAt`, honouring coalescing. */
export function rxQueueKickIrq(rxq: RxQueue, readyAt: number): void {
  if (!rxq.irqEnabled) return;
  const dev = rxq.dev;
  const host = dev.host;
  rxq.framesSinceIrq++;
  if (rxq.irqPending && rxq.framesSinceIrq < dev.rxFrames) return;
  const delay = rxq.framesSinceIrq >= dev.rxFrames ? 0 : dev.rxUsecs * 1000;
  rxq.irqPending = true;
  rxq.irqGen++;
  host.sim.at(readyAt + delay + host.lat.irq_delivery_ns, napiIrq, rxq, rxq.irqGen);
}

/** The queue's MSI-X interrupt: the ISR masks it and schedules NAPI (event handler). */
function napiIrq(sim: Scheduler, rxq: RxQueue, gen: number): void {
  if (gen !== rxq.irqGen || !rxq.irqEnabled) return;
  const host = rxq.dev.host;
  const cpu = host.cpus[rxq.cpu]!;
  rxq.irqPending = false;
  rxq.framesSinceIrq = 0;
  rxq.irqEnabled = false;
  rxq.lastIrqAt = sim.now;
  // Hardirq preempts whatever runs; its cost delays that work.
  cpu.hardirqNs += host.costs.hardirq;
  cpu.busyUntil = Math.max(cpu.busyUntil, sim.now) + host.costs.hardirq;
  if (napiSchedule(host, cpu, rxq.napi)) raiseNetRxSoftirq(host, cpu, sim.now + host.costs.hardirq);
}
