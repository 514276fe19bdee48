// Steps 7-10 of the outbound journey (net/core/dev.c, net/sched/sch_generic.c):
// __dev_queue_xmit enqueues on the device's qdisc (pfifo_fast, limit
// txqueuelen; full → QDISC_DROP) or bypasses an empty one; __qdisc_run
// dequeues while the driver's TX ring has room (quota dev_tx_weight 64);
// dev_hard_start_xmit runs the capture tap (dev_queue_xmit_nit) and the
// driver, which posts a descriptor and stops the queue when the ring fills.
// The NIC then DMAs each frame and serializes it onto the link; the TX
// completion frees the skb and wakes a stopped queue.

import type { Scheduler } from '../model/scheduler.js';
import type { Host } from '../model/host.js';
import { CTX_SOFTIRQ, type Cpu } from '../model/cpu.js';
import type { Skb } from '../model/skb.js';
import { Stage } from '../model/trace.js';
import { DropReason } from '../model/drop_reason.js';
import { kfreeSkbReason, skbOrphan, type SkbOwner } from '../model/skb_free.js';
import type { NetDevice, TxQueue } from './net_device.js';
import { ethRx } from './eth_rx.js';
import { enqueueToBacklog } from './dev.js';
import { formatTime } from '../model/time.js';
import { skbGsoSegment } from './gso.js';

/** NET_XMIT_* return codes of dev_queue_xmit. */
export const NET_XMIT_SUCCESS = 0;
export const NET_XMIT_DROP = 1;

/** dev_tx_weight: packets one __qdisc_run may send before yielding. */
const QDISC_QUOTA = 64;

/** __dev_queue_xmit. Returns NET_XMIT_SUCCESS or NET_XMIT_DROP. */
export function devQueueXmit(host: Host, cpu: Cpu, dev: NetDevice, skb: Skb): number {
  cpu.charge(host.costs.dev_queue_xmit);
  skb.ifindex = dev.ifindex;
  if (dev.kind === 'loopback') return loopbackXmit(host, cpu, dev, skb);
  const txq = dev.txq;
  if (dev.noqueue) {
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.DEV_QDISC, `qdisc noqueue: straight to the driver`);
    if (txq.ring.length >= txq.ringSize) {
      dev.stats.tx_dropped++;
      kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.DEV_QDISC, '__dev_queue_xmit', DropReason.QDISC_DROP,
        `noqueue device ${dev.name} is busy: dropped`, dev.name);
      return NET_XMIT_DROP;
    }
    devHardStartXmit(host, cpu, txq, skb);
    return NET_XMIT_SUCCESS;
  }
  const q = txq.qdisc;
  if (q.length === 0 && !txq.stopped && txq.ring.length < txq.ringSize) {
    // TCQ_F_CAN_BYPASS: an empty pfifo_fast sends directly (sch_direct_xmit).
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.DEV_QDISC,
      `qdisc pfifo_fast empty: bypass, sch_direct_xmit`);
    txq.qdiscPackets++;
    txq.qdiscBytes += skb.frameLen;
    devHardStartXmit(host, cpu, txq, skb);
    return NET_XMIT_SUCCESS;
  }
  if (q.length >= dev.txqueuelen) {
    txq.qdiscDrops++;
    kfreeSkbReason(host, cpu.id, cpu.now, skb, Stage.DEV_QDISC, '__dev_queue_xmit', DropReason.QDISC_DROP,
      `pfifo_fast holds txqueuelen ${dev.txqueuelen} packets: dropped (tc -s qdisc "dropped", not ip -s link)`, dev.name);
    return NET_XMIT_DROP;
  }
  q.push(skb);
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.DEV_QDISC,
    `enqueued on pfifo_fast: ${q.length}/${dev.txqueuelen} packets${txq.stopped ? '; TX queue stopped (driver ring full)' : ''}`);
  qdiscRun(host, cpu, txq);
  return NET_XMIT_SUCCESS;
}

/** __qdisc_run: dequeue while the driver can take packets, up to the quota. */
export function qdiscRun(host: Host, cpu: Cpu, txq: TxQueue): void {
  let quota = QDISC_QUOTA;
  while (quota-- > 0 && !txq.stopped) {
    const skb = txq.qdisc.shift();
    if (!skb) return;
    txq.qdiscPackets++;
    txq.qdiscBytes += skb.frameLen;
    devHardStartXmit(host, cpu, txq, skb);
  }
  // Quota used with packets left: __netif_schedule raises NET_TX_SOFTIRQ.
  if (!txq.stopped && txq.qdisc.length > 0) host.sim.at(cpu.now, netTxAction, host, txq);
}

/** net_tx_action: runs the qdisc again in softirq context (event handler). */
function netTxAction(sim: Scheduler, host: Host, txq: TxQueue): void {
  const cpu = host.cpus[0]!;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  qdiscRun(host, cpu, txq);
  cpu.end();
}

/** dev_hard_start_xmit → xmit_one: the TX tap, then the driver's ndo_start_xmit. */
function devHardStartXmit(host: Host, cpu: Cpu, txq: TxQueue, skb: Skb): void {
  const dev = txq.dev;
  const segs = host.validateXmitSkb ? host.validateXmitSkb(host, cpu, dev, skb) : null;
  if (segs) {
    for (const s of segs) driverXmit(host, cpu, txq, s);
    return;
  }
  driverXmit(host, cpu, txq, skb);
}

function driverXmit(host: Host, cpu: Cpu, txq: TxQueue, skb: Skb): void {
  const dev = txq.dev;
  const taps = host.taps;
  for (let i = 0; i < taps.length; i++) {
    const tap = taps[i]!;
    if (tap.ifindex === 0 || tap.ifindex === dev.ifindex) tap.deliver(host, skb, dev, true, cpu.now);
  }
  cpu.charge(host.costs.driver_xmit);
  txq.ring.push(skb);
  skb.dmaReadyAt = cpu.now + host.lat.dma_tx_ns;
  if (txq.ring.length >= txq.ringSize) txq.stopped = true;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.DRIVER_XMIT,
    `ndo_start_xmit posts a TX descriptor: ring ${txq.ring.length}/${txq.ringSize}${txq.stopped ? ', ring full: netif_tx_stop_queue' : ''}; doorbell`);
  if (!txq.engineBusy) {
    txq.engineBusy = true;
    host.sim.at(Math.max(skb.dmaReadyAt, txq.engineFreeAt), nicTxEngine, txq, null);
  }
}

/**
 * The NIC's transmit engine (event handler): completes the frame that just
 * left the wire, then fetches the next descriptor and serializes it.
 */
function nicTxEngine(sim: Scheduler, txq: TxQueue, done: Skb | null): void {
  const dev = txq.dev;
  const host = dev.host;
  if (done) {
    // A TSO descriptor completes with the last of its frames.
    if (txq.tsoFrames === null) {
      txComplete(host, txq, done, sim.now);
    } else {
      txq.sending = false;
      if (txq.tsoNext === txq.tsoFrames.length) {
        txq.tsoFrames = null;
        // The first frame (the descriptor's skb) is already at the receiver: the completion is told on the last one.
        txComplete(host, txq, txq.ring.peek()!, sim.now, done);
      }
    }
  }
  const desc = txq.ring.peek();
  if (!desc || txq.sending) {
    txq.engineBusy = txq.sending;
    return;
  }
  if (desc.dmaReadyAt > sim.now) {
    sim.at(desc.dmaReadyAt, nicTxEngine, txq, null);
    return;
  }
  const end = dev.linkEnd;
  const tr = host.tr;
  let skb = desc;
  if (txq.tsoFrames !== null) {
    skb = txq.tsoFrames[txq.tsoNext++]!;
    if (tr.on) tr.stage(sim.now, host.name, txq.cpu, dev.name, skb, Stage.DMA_TX,
      `TSO frame ${txq.tsoNext} of ${txq.tsoFrames.length} cut from skb ${desc.id}: seq ${skb.seq >>> 0}, ${skb.frameLen} bytes`);
  } else if (desc.gsoSize > 0 && dev.kind === 'physical') {
    tsoCut(host, txq, desc, sim.now);
    skb = desc;
  } else if (tr.on) {
    tr.stage(sim.now, host.name, txq.cpu, dev.name, skb, Stage.DMA_TX, `NIC fetched descriptor and frame by DMA (${skb.frameLen} bytes)`);
  }
  if (!end || !dev.up) {
    txq.sending = true;
    txq.engineFreeAt = sim.now;
    if (tr.on) tr.stage(sim.now, host.name, txq.cpu, dev.name, skb, Stage.NIC_TX, `${dev.name} has no carrier: frame not sent`, 'drop');
    dev.stats.tx_carrier_errors++;
    dev.stats.tx_errors++;
    sim.at(sim.now, nicTxEngine, txq, skb);
    return;
  }
  const link = end.link;
  const wire = link.wireTimeNs(skb.frameLen);
  const start = Math.max(sim.now, end.busyUntil);
  const finish = start + wire;
  end.busyUntil = finish;
  end.framesSent++;
  dev.stats.tx_packets++;
  dev.stats.tx_bytes += skb.frameLen;
  host.world.packets.transmitted++;
  txq.sending = true;
  txq.engineFreeAt = finish;
  const down = link.down.length > 0 && link.isDown(start);
  const lost = down || (link.loss > 0 && link.random.chance(link.loss));
  const jitter = link.jitterNs > 0 ? link.random.int(0, link.jitterNs) : 0;
  const arrive = finish + link.delayNs + jitter;
  if (tr.on) tr.stage(start, host.name, txq.cpu, dev.name, skb, Stage.NIC_TX,
    lost
      ? `serialized in ${formatTime(wire)} and lost on the wire (${down ? 'link down' : `link loss ${link.loss}`})`
      : `serialized onto the wire in ${formatTime(wire)}; reaches ${end.to.host.name}:${end.to.name} at ${formatTime(arrive)}`,
    lost ? 'lost' : undefined);
  if (lost) {
    end.framesLost++;
    host.world.packets.lostOnWire++;
  }
  // The frame is on the wire: the receiver gets its own copy (the skb object continues there).
  sim.at(finish, nicTxEngine, txq, skb);
  if (!lost) sim.at(arrive, ethRx, end.to, skb);
}

/**
 * TSO in the NIC: the super-packet is cut into MSS-sized frames, each with
 * its own IP and TCP header (what tcp_gso_segment does in software). The
 * first frame keeps the descriptor's skb, so the packet the journey follows
 * goes on to the receiver; the others are new packets. The descriptor is
 * completed, and the socket uncharged, after the last frame leaves.
 */
function tsoCut(host: Host, txq: TxQueue, desc: Skb, t: number): void {
  const frames = skbGsoSegment(desc) ?? [desc];
  const superLen = desc.frameLen;
  const segs = frames.length;
  const first = frames[0]!;
  if (first !== desc) {
    desc.len = first.len;
    desc.payloadLen = first.payloadLen;
    desc.tcpFlags = first.tcpFlags;
    desc.data = first.data;
    desc.gsoSize = 0;
    desc.gsoSegs = 0;
    frames[0] = desc;
  }
  for (let i = 1; i < segs; i++) {
    frames[i]!.sk = null;
    frames[i]!.truesize = 0;
  }
  // The descriptor's skb goes on with the first frame; the queue keeps its socket charge until the last is out.
  if (segs > 1 && desc.sk !== null) {
    txq.tsoOwner = desc.sk as SkbOwner;
    txq.tsoTruesize = desc.truesize;
    desc.sk = null;
  }
  host.world.packets.injected += segs - 1;
  txq.tsoFrames = segs > 1 ? frames : null;
  txq.tsoNext = 1;
  if (host.tr.on) host.tr.stage(t, host.name, txq.cpu, txq.dev.name, desc, Stage.DMA_TX,
    `NIC fetched the ${superLen}-byte TSO super-packet by DMA and cuts it into ${segs} frames` +
    (segs > 1 ? ` (this skb is frame 1, ${desc.frameLen} bytes; skbs ${frames[1]!.id}-${frames[segs - 1]!.id} follow)` : ''));
}

/** TX completion: napi_consume_skb frees the skb; a stopped queue wakes when the ring has room. */
function txComplete(host: Host, txq: TxQueue, skb: Skb, t: number, traced: Skb = skb): void {
  txq.ring.shift();
  txq.sending = false;
  const cpu = host.cpus[txq.cpu]!;
  cpu.softirqNs += host.costs.tx_completion;
  if (host.tr.on) host.tr.stage(t, host.name, txq.cpu, txq.dev.name, traced, Stage.TX_COMPLETE,
    traced === skb
      ? `TX completion: the descriptor is clean, napi_consume_skb frees the sender's skb (consume_skb)`
      : `TX completion: the last TSO frame of skb ${skb.id} is out; napi_consume_skb frees the super-packet`);
  if (traced === skb) skbOrphan(skb, t);
  else if (txq.tsoOwner !== null) {
    txq.tsoOwner.wfree(txq.tsoTruesize, t);
    txq.tsoOwner = null;
  }
  if (txq.stopped && txq.ring.length < txq.ringSize) {
    txq.stopped = false;
    if (txq.qdisc.length > 0) host.sim.at(t, netTxAction, host, txq);
  }
}

/** loopback_xmit: the packet re-enters the stack through netif_rx, i.e. the backlog. */
function loopbackXmit(host: Host, cpu: Cpu, dev: NetDevice, skb: Skb): number {
  dev.stats.tx_packets++;
  dev.stats.tx_bytes += skb.frameLen;
  dev.stats.rx_packets++;
  dev.stats.rx_bytes += skb.frameLen;
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.DRIVER_XMIT, `loopback_xmit: netif_rx puts it on CPU ${cpu.id}'s backlog`);
  skb.iif = dev.ifindex;
  skb.pktType = 0;
  skbOrphan(skb, cpu.now);
  enqueueToBacklog(host, cpu, cpu, skb);
  return NET_XMIT_SUCCESS;
}
