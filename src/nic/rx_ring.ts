// The RX descriptor ring of one NIC queue: a fixed number of pre-posted
// buffers the NIC DMAs frames into. A frame that finds no free descriptor is
// lost inside the NIC (rx_missed_errors); the kernel never sees it.

import type { Skb } from '../model/skb.js';

export class RxRing {
  readonly size: number;
  private readonly skbs: (Skb | null)[];
  /** Time each descriptor's DMA write-back completes (the driver may reap it then). */
  private readonly ready: Float64Array;
  private head = 0;
  count = 0;

  constructor(size: number) {
    this.size = size;
    this.skbs = new Array(size).fill(null);
    this.ready = new Float64Array(size);
  }

  get full(): boolean {
    return this.count === this.size;
  }

  /** Posts a frame into the next free descriptor; false if the ring is full. */
  push(skb: Skb, readyAt: number): boolean {
    if (this.count === this.size) return false;
    const i = (this.head + this.count) % this.size;
    this.skbs[i] = skb;
    this.ready[i] = readyAt;
    this.count++;
    return true;
  }

  /** Time the oldest descriptor becomes reapable, or Infinity if empty. */
  headReadyAt(): number {
    return this.count > 0 ? this.ready[this.head]! : Infinity;
  }

  /** Reaps the oldest descriptor if its DMA has completed by `now`. */
  pop(now: number): Skb | null {
    if (this.count === 0 || this.ready[this.head]! > now) return null;
    const skb = this.skbs[this.head]!;
    this.skbs[this.head] = null;
    this.head = (this.head + 1) % this.size;
    this.count--;
    return skb;
  }

  /** Descriptors whose DMA completed by `now` (work the next poll would find). */
  readyCount(now: number): number {
    let n = 0;
    for (let k = 0; k < this.count; k++) {
      if (this.ready[(this.head + k) % this.size]! > now) break;
      n++;
    }
    return n;
  }
}
