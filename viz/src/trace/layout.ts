// The pipeline as the seed draws it: an inbound column (steps 1-11, NIC up to
// recv()) and an outbound column (steps 1-10, send() down to the NIC), with the
// FORWARD hook beside INPUT at step 8 so the forward branch runs from it to
// POSTROUTING. Every trace event is placed in one box of one host; extra stages
// (gro, conntrack, nat, ...) land in the box of the step they happen within.

import { Stage } from '../../../src/model/trace.js';
import type { TraceEvent } from './event.js';

export type Column = 'in' | 'out';

export interface BoxDef {
  /** Stable key within a host: `in:7`, `in:8f`, `out:10`. */
  readonly key: string;
  readonly column: Column;
  readonly step: number;
  /** Short label as in the seed diagram. */
  readonly label: string;
  /** The stage slug whose kernel function the box shows when idle. */
  readonly slug: string;
  readonly fn: string;
}

function box(column: Column, step: number, label: string, slug: string, suffix = ''): BoxDef {
  const def = Object.values(Stage).find((s) => s.slug === slug);
  return { key: `${column}:${step}${suffix}`, column, step, label, slug, fn: def ? def.fn : '' };
}

/** Inbound (seed "Packet Journey: Inbound", steps 1-11). */
export const INBOUND_BOXES: readonly BoxDef[] = [
  box('in', 1, 'NIC receives frame', 'nic-rx'),
  box('in', 2, 'DMA to kernel memory', 'dma-rx'),
  box('in', 3, 'Interrupt fires', 'irq'),
  box('in', 4, 'NAPI poll (softirq)', 'napi-poll'),
  box('in', 5, 'Per-CPU RX queue', 'cpu-backlog'),
  box('in', 6, 'PREROUTING', 'nf-prerouting'),
  box('in', 7, 'Routing decision', 'route-input'),
  box('in', 8, 'INPUT', 'nf-input'),
  box('in', 8, 'FORWARD', 'nf-forward', 'f'),
  box('in', 9, 'Transport (TCP/UDP)', 'l4-rx'),
  box('in', 10, 'Socket receive queue', 'sock-rcvq'),
  box('in', 11, 'Application recv()', 'app-recv'),
];

/** Outbound (seed "Packet Journey: Outbound", steps 1-10). */
export const OUTBOUND_BOXES: readonly BoxDef[] = [
  box('out', 1, 'Application send()', 'app-send'),
  box('out', 2, 'Socket send buffer', 'sock-sndbuf'),
  box('out', 3, 'Transport (TCP/UDP)', 'l4-tx'),
  box('out', 4, 'OUTPUT', 'nf-output'),
  box('out', 5, 'Routing decision', 'route-output'),
  box('out', 6, 'POSTROUTING', 'nf-postrouting'),
  box('out', 7, 'Device queue (qdisc)', 'dev-qdisc'),
  box('out', 8, 'Device driver', 'driver-xmit'),
  box('out', 9, 'DMA to NIC', 'dma-tx'),
  box('out', 10, 'NIC transmits', 'nic-tx'),
];

export const ALL_BOXES: readonly BoxDef[] = [...INBOUND_BOXES, ...OUTBOUND_BOXES];

const BOX_INDEX = new Map<string, number>(ALL_BOXES.map((b, i) => [b.key, i]));

/** Index of a box key in ALL_BOXES, or -1. */
export function boxIndex(key: string): number {
  return BOX_INDEX.get(key) ?? -1;
}

const INBOUND_ONLY = new Set([
  'nic-rx', 'dma-rx', 'irq', 'napi-poll', 'gro', 'cpu-backlog', 'nf-prerouting', 'defrag',
  'route-input', 'nf-input', 'nf-forward', 'l4-rx', 'sock-rcvq', 'app-recv',
]);
const OUTBOUND_ONLY = new Set([
  'app-send', 'sock-sndbuf', 'l4-tx', 'nf-output', 'route-output', 'nf-postrouting', 'fragment',
  'dev-qdisc', 'gso', 'driver-xmit', 'dma-tx', 'nic-tx', 'tx-complete',
]);

/** Where the packet was before this event, for stages that could sit in either column. */
export interface PrevPlacement {
  column: Column;
  step: number;
  slug: string;
}

/**
 * The box an event belongs to. Stages named only on one path go there; the
 * shared ones (conntrack, nat, drop, icmp-error) follow the flow, and on the
 * forward flow follow the packet: once it passed FORWARD it is on the way out
 * (design.md §2: forward = inbound 1-8 then outbound 6-10).
 */
export function placeEvent(ev: TraceEvent, prev: PrevPlacement | undefined): string {
  let column: Column;
  if (ev.stage === 'nf-forward') return 'in:8f';
  if (INBOUND_ONLY.has(ev.stage)) column = 'in';
  else if (OUTBOUND_ONLY.has(ev.stage)) column = 'out';
  else if (ev.flow === 'inbound') column = 'in';
  else if (ev.flow === 'outbound') column = 'out';
  else if (prev === undefined) column = 'in';
  else if (prev.column === 'out' || prev.slug === 'nf-forward' || prev.step >= 8) column = 'out';
  else column = 'in';

  const max = column === 'in' ? 11 : 10;
  let step = ev.step;
  if (!(step >= 1 && step <= max)) step = prev && prev.column === column ? prev.step : 1;
  if (column === 'in' && step === 8) {
    const forwarding = ev.flow === 'forward' || (prev !== undefined && prev.slug === 'nf-forward');
    return forwarding ? 'in:8f' : 'in:8';
  }
  return `${column}:${step}`;
}

/** True when the event records the packet being freed as a drop. */
export function isDrop(ev: TraceEvent): boolean {
  return ev.stage === 'drop' || ev.verdict === 'drop' || (ev.reason !== undefined && ev.reason !== 'SKB_CONSUMED');
}
