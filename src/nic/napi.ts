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
    sd.rxBudget = host.sysctl.get('net.core.netdev_budget');
    sd.rxTimeLimit = cpu.now + host.sysctl.get('net.core.netdev_budget_usecs') * 1000;
  }
  const napi = sd.pollList.shift();
  if (napi) {
    const work = napiPoll(host, cpu, napi);
    sd.rxBudget -= work;
    if (work >= napi.weight) {
      // Still has work: stays scheduled, goes to the tail of the list (repoll).
      sd.pollList.push(napi);
    } else {
      napiCompleteDone(host, cpu, napi);
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
function napiCompleteDone(host: Host, cpu: Cpu, napi: NapiStruct): void {
  napi.scheduled = false;
  const rxq = napi.rxq;
  if (napi.kind !== NAPI_KIND_DRIVER || !rxq) return;
  rxq.irqEnabled = true;
  rxq.framesSinceIrq = 0;
  // Descriptors written while the IRQ was masked raise it again at once.
  if (rxq.ring.count > 0) rxQueueKickIrq(rxq, Math.max(cpu.now, rxq.ring.headReadyAt()));
  void host;
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
    netifReceiveSkb(host, cpu, skb);
  }
  return work;
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
