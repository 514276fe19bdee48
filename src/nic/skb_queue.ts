// A FIFO of skbs backed by a growable circular array (struct sk_buff_head):
// O(1) enqueue and dequeue without per-packet allocation.

import type { Skb } from '../model/skb.js';

export class SkbQueue {
  private buf: (Skb | null)[];
  private head = 0;
  length = 0;
  /** Sum of skb.len over queued skbs (qdisc backlog bytes). */
  bytes = 0;

  constructor(initial = 16) {
    this.buf = new Array(initial).fill(null);
  }

  push(skb: Skb): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) % this.buf.length] = skb;
    this.length++;
    this.bytes += skb.len;
  }

  /** Puts an skb back at the head (dev_requeue_skb). */
  unshift(skb: Skb): void {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = skb;
    this.length++;
    this.bytes += skb.len;
  }

  shift(): Skb | null {
    if (this.length === 0) return null;
    const skb = this.buf[this.head]!;
    this.buf[this.head] = null;
    this.head = (this.head + 1) % this.buf.length;
    this.length--;
    this.bytes -= skb.len;
    return skb;
  }

  peek(): Skb | null {
    return this.length > 0 ? this.buf[this.head]! : null;
  }

  at(i: number): Skb {
    return this.buf[(this.head + i) % this.buf.length]!;
  }

  private grow(): void {
    const next: (Skb | null)[] = new Array(this.buf.length * 2).fill(null);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) % this.buf.length]!;
    this.buf = next;
    this.head = 0;
  }
}
