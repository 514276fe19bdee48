// NAPI and the NET_RX softirq (net/core/dev.c): napi_schedule puts a NAPI
// context on its CPU's poll list; net_rx_action polls the list with
// netdev_budget (300) packets and netdev_budget_usecs of time, each NAPI at
// most its weight (64) per poll; running out of either counts time_squeeze
// and re-raises the softirq. A NAPI that does less than its weight completes
// and re-enables its interrupt.
//
// One event runs one napi_poll, then the run continues in a new event at the
// CPU's clock, so frames that arrive while a poll runs are seen by the next
// poll, as on a real machine.

import type { Scheduler } from '../model/scheduler.js';
import type { Host } from '../model/host.js';
import { CTX_SOFTIRQ, type Cpu } from '../model/cpu.js';
import { NAPI_KIND_DRIVER, type NapiStruct } from './net_device.js';
import { Stage } from '../model/trace.js';
import { netifReceiveSkb, netifReceiveSkbCore } from './dev.js';
import { rxQueueKickIrq } from './eth_rx.js';
import { GRO_HELD, GRO_MERGED_FREE, GroState, napiGroFlush, napiGroReceive } from './gro.js';
import type { NetdevFeatures } from './netdev_features.js';
import { IPPROTO, type Skb } from '../model/skb.js';

/** napi_schedule: adds `napi` to the CPU's poll list; true if it was not already there. */
export function napiSchedule(_host: Host, cpu: Cpu, napi: NapiStruct): boolean {
  if (napi.scheduled) return false;
  napi.scheduled = true;
  cpu.softnet.pollList.push(napi);
  return true;
}

/** raise_softirq(NET_RX_SOFTIRQ) on `cpu` at time `t`. */
export function raiseNetRxSoftirq(host: Host, cpu: Cpu, t: number): void {
  const sd = cpu.softnet;
  if (sd.rxSoftirqPending) return;
  sd.rxSoftirqPending = true;
  host.sim.at(t, netRxAction, host, cpu);
}

/** net_rx_action: one napi_poll of the run in progress (event handler). */
function netRxAction(sim: Scheduler, host: Host, cpu: Cpu): void {
  const sd = cpu.softnet;
  cpu.begin(sim.now, CTX_SOFTIRQ);
  if (!sd.rxRunning) {
    sd.rxRunning = true;
    sd.rxBudget = host.sysctl.hot.netdevBudget;
    sd.rxTimeLimit = cpu.now + host.sysctl.hot.netdevBudgetUsecs * 1000;
  }
  const napi = sd.pollList.shift();
  if (napi) {
    const work = napiPoll(host, cpu, napi);
    sd.rxBudget -= work;
    if (work >= napi.weight) {
      // Still has work: stays scheduled, goes to the tail of the list (repoll).
      sd.pollList.push(napi);
    } else {
      napiCompleteDone(cpu, napi);
    }
  }
  if (sd.pollList.length === 0) {
    sd.rxRunning = false;
    sd.rxSoftirqPending = false;
    cpu.end();
    return;
  }
  if (sd.rxBudget <= 0 || cpu.now >= sd.rxTimeLimit) {
    // Budget or time exhausted with work left: time_squeeze, re-raise (ksoftirqd).
    sd.timeSqueeze++;
    sd.rxRunning = false;
  }
  cpu.end();
  sim.at(cpu.now, netRxAction, host, cpu);
}

/** napi_complete_done: leaves the poll list; a driver NAPI re-enables its IRQ. */
function napiCompleteDone(cpu: Cpu, napi: NapiStruct): void {
  napi.scheduled = false;
  const rxq = napi.rxq;
  if (napi.kind !== NAPI_KIND_DRIVER || !rxq) return;
  rxq.irqEnabled = true;
  rxq.framesSinceIrq = 0;
  // Descriptors written while the IRQ was masked raise it again at once.
  if (rxq.ring.count > 0) rxQueueKickIrq(rxq, Math.max(cpu.now, rxq.ring.headReadyAt()));
}

/** napi_poll → the NAPI's ->poll: the driver's ring reap or process_backlog. */
function napiPoll(host: Host, cpu: Cpu, napi: NapiStruct): number {
  const work = napi.kind === NAPI_KIND_DRIVER ? driverPoll(host, cpu, napi) : processBacklog(host, cpu, napi);
  napi.lastWork = work;
  return work;
}

/** The driver's poll (e.g. ixgbe_clean_rx_irq): reap up to `weight` descriptors. */
function driverPoll(host: Host, cpu: Cpu, napi: NapiStruct): number {
  const rxq = napi.rxq!;
  const dev = rxq.dev;
  const ring = rxq.ring;
  const tr = host.tr;
  // netif_elide_gro: GRO only runs when the device has it on. LRO merges in
  // the NIC by the same rules but keeps no exact headers: its merged skbs are
  // marked (skb_is_lro) so that ip_forward refuses them (skb_warn_if_lro).
  const f = dev.features as NetdevFeatures | null;
  const lro = f !== null && f.lro;
  const gro = f !== null && (f.gro || lro) ? ((napi.gro ??= new GroState()) as GroState) : null;
  const out: Skb[] | null = gro ? [] : null;
  let work = 0;
  while (work < napi.weight) {
    const skb = ring.pop(cpu.now);
    if (!skb) break;
    work++;
    skb.cpu = cpu.id;
    if (tr.on) {
      if (rxq.lastIrqAt >= skb.dmaReadyAt) {
        tr.stage(rxq.lastIrqAt, host.name, cpu.id, dev.name, skb, Stage.IRQ,
          `MSI-X interrupt for rx queue ${rxq.index}: ISR masks the queue's IRQ and calls napi_schedule, raising NET_RX_SOFTIRQ on CPU ${cpu.id}`);
      } else {
        tr.stage(skb.dmaReadyAt, host.name, cpu.id, dev.name, skb, Stage.IRQ,
          `no interrupt: rx queue ${rxq.index}'s IRQ stays masked while its NAPI is scheduled; the next poll picks this frame up`);
      }
    }
    cpu.charge(host.costs.driver_rx);
    dev.stats.rx_packets++;
    dev.stats.rx_bytes += skb.frameLen;
    if (tr.on) {
      tr.stage(cpu.now, host.name, cpu.id, dev.name, skb, Stage.NAPI_POLL,
        `NET_RX softirq: napi_poll on rx queue ${rxq.index}, packet ${work} of weight ${napi.weight}, budget left ${cpu.softnet.rxBudget - work}; driver builds the skb (eth_type_trans)`);
    }
    if (gro) napiGroReceiveOne(host, cpu, gro, skb, out!, lro);
    else netifReceiveSkb(host, cpu, skb);
  }
  // napi_complete_done / the end of __napi_poll: gro_flush_normal hands every
  // held skb up (HZ < 1000, so the flush is not limited to old ones).
  if (gro && gro.held > 0) {
    napiGroFlush(gro, out!);
    groDeliver(host, cpu, out!, true, lro);
  }
  return work;
}

/** napi_gro_receive for one skb, then what GRO released goes up the stack (gro_normal_list). */
function napiGroReceiveOne(host: Host, cpu: Cpu, gro: GroState, skb: Skb, out: Skb[], lro = false): void {
  // LRO is the NIC's work: no CPU is charged for it.
  if (!lro) cpu.charge(host.costs.gro);
  if (skb.protocol !== IPPROTO.TCP) {
    // inet_gro_receive has nothing to merge it with (GRO_NORMAL): straight up the stack.
    netifReceiveSkb(host, cpu, skb);
    return;
  }
  const res = napiGroReceive(gro, skb, out);
  const tr = host.tr;
  if (res === GRO_MERGED_FREE) {
    // napi_skb_free_stolen_head: the payload now lives in the held skb; this head is freed (consume_skb).
    host.world.packets.delivered++;
    if (tr.on) {
      const p = findMergedInto(gro, skb, out);
      tr.stage(cpu.now, host.name, cpu.id, host.devName(skb.ifindex), skb, Stage.GRO,
        p ? `merged into skb ${p.id}: ${p.gsoSegs} segments, ${p.payloadLen} bytes` : `merged into a held skb of its flow`,
        'consume', undefined, 'dev_gro_receive');
    }
  } else if (res === GRO_HELD && tr.on) {
    tr.stage(cpu.now, host.name, cpu.id, host.devName(skb.ifindex), skb, Stage.GRO,
      `held by GRO as the head of a ${skb.payloadLen}-byte-segment train (${gro.held} skb${gro.held === 1 ? '' : 's'} held on this NAPI)`,
      undefined, undefined, 'dev_gro_receive');
  }
  groDeliver(host, cpu, out, false, lro);
}

/** The held skb whose parts end with `skb` (still held, or just flushed to `out`). */
function findMergedInto(gro: GroState, skb: Skb, out: Skb[]): Skb | null {
  const b = gro.buckets[skb.hash & (gro.buckets.length - 1)]!;
  for (const p of b.list) if (p.parts !== null && p.parts[p.parts.length - 1] === skb.id) return p;
  for (const p of out) if (p.parts !== null && p.parts[p.parts.length - 1] === skb.id) return p;
  return null;
}

/** napi_gro_complete → netif_receive_skb_list_internal for what GRO let go, in order. */
function groDeliver(host: Host, cpu: Cpu, out: Skb[], atFlush: boolean, lro = false): void {
  if (out.length === 0) return;
  const tr = host.tr;
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    if (lro && p.gsoSegs > 1) p.lro = true;
    if (tr.on && (p.gsoSegs > 1 || atFlush || p.parts !== null)) {
      tr.stage(cpu.now, host.name, cpu.id, host.devName(p.ifindex), p, Stage.GRO,
        p.gsoSegs > 1
          ? `napi_gro_complete: ${p.gsoSegs} segments (skbs ${p.parts!.join(', ')}) go up as one ${p.len}-byte skb, gso_size ${p.gsoSize}${atFlush ? ' (flushed at the end of the poll)' : ''}`
          : `flushed from GRO at the end of the poll: nothing merged with it`,
        undefined, undefined, 'napi_gro_complete');
    }
    netifReceiveSkb(host, cpu, p);
  }
  out.length = 0;
}

/** process_backlog: drains this CPU's backlog queue, up to dev_weight packets. */
function processBacklog(host: Host, cpu: Cpu, napi: NapiStruct): number {
  const sd = cpu.softnet;
  let work = 0;
  while (work < napi.weight) {
    let skb = sd.processQueue.shift();
    if (!skb) {
      // Splice input_pkt_queue onto process_queue, as process_backlog does under the lock.
      let moved = sd.inputPktQueue.shift();
      if (!moved) break;
      while (moved) {
        sd.processQueue.push(moved);
        moved = sd.inputPktQueue.shift();
      }
      skb = sd.processQueue.shift()!;
    }
    work++;
    skb.cpu = cpu.id;
    netifReceiveSkbCore(host, cpu, skb, true);
  }
  return work;
}
