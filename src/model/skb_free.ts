// The two ways an skb's life ends on a host: kfree_skb_reason (a drop, with
// the kernel's reason, counted per reason and per code location for
// dropwatch) and consume_skb (normal consumption). Every drop site passes a
// reason; the trace's `drop` stage carries the step it happened within.

import type { Host } from './host.js';
import { nfResetCt, type Skb } from './skb.js';
import type { StageDef } from './trace.js';
import { DropReason } from './drop_reason.js';

const dropStages: StageDef[] = [];
function dropStage(step: number): StageDef {
  return (dropStages[step] ??= { slug: 'drop', step, fn: 'kfree_skb_reason' });
}

/**
 * kfree_skb_reason: the packet dies at `fn` (the kernel function that frees
 * it) during step `where.step`. `devName` is the device it is on, if any.
 */
export function kfreeSkbReason(
  host: Host, cpuId: number, t: number, skb: Skb, where: StageDef, fn: string,
  reason: number, detail: string, devName?: string,
): void {
  skbOrphan(skb, t);
  const w = host.world.packets;
  w.dropped++;
  w.dropsByReason[reason]++;
  host.dropLocations.set(fn, (host.dropLocations.get(fn) ?? 0) + 1);
  let site = host.dropSites.get(fn);
  if (!site) host.dropSites.set(fn, (site = new Float64Array(256)));
  site[reason]++;
  if (host.tr.on) {
    host.tr.stage(t, host.name, cpuId, devName, skb, dropStage(where.step), detail, 'drop', reason, fn);
  }
  // skb_release_head_state.
  nfResetCt(skb);
}

/** The socket an outgoing skb is charged to: freeing the skb uncharges its truesize (sock_wfree, tcp_wfree). */
export interface SkbOwner {
  wfree(truesize: number, t: number): void;
}

/** skb_orphan: run the skb's destructor, uncharging its socket, and detach it. */
export function skbOrphan(skb: Skb, t: number): void {
  if (skb.sk === null) return;
  (skb.sk as SkbOwner).wfree(skb.truesize, t);
  skb.sk = null;
}

/** Guard used by tests: a drop without a specific reason is a bug. */
export const UNSPECIFIED = DropReason.NOT_SPECIFIED;
