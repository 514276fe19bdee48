// The conntrack event log (net/netfilter/nf_conntrack_ecache.c as seen through
// `conntrack -E`): NEW, UPDATE and DESTROY events with their simulated times
// and a snapshot of the entry. A bounded ring: the oldest events are dropped.

import type { ConntrackEntry } from './nf_conntrack_entry.js';
import { IPCT_DESTROY, IPCT_NEW, IPCT_RELATED } from './nf_conntrack_l4proto.js';

export type ConntrackEventType = 'NEW' | 'UPDATE' | 'DESTROY';

export interface ConntrackEvent {
  /** Simulated time (ns). */
  t: number;
  type: ConntrackEventType;
  /** The IPCT_* bits delivered together. */
  mask: number;
  entry: ConntrackEntry;
}

export class ConntrackEventLog {
  private readonly ring: ConntrackEvent[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Records events `mask` (ctnetlink_conntrack_event's NEW / DESTROY / UPDATE classification). */
  add(t: number, mask: number, entry: ConntrackEntry): void {
    const type: ConntrackEventType = mask & IPCT_DESTROY ? 'DESTROY' : mask & (IPCT_NEW | IPCT_RELATED) ? 'NEW' : 'UPDATE';
    const ev: ConntrackEvent = { t, type, mask, entry };
    if (this.ring.length < this.capacity) {
      this.ring.push(ev);
    } else {
      this.ring[this.start] = ev;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Events at or after `since` (ns), oldest first. */
  since(since = 0): ConntrackEvent[] {
    const out: ConntrackEvent[] = [];
    const n = this.ring.length;
    for (let i = 0; i < n; i++) {
      const ev = this.ring[(this.start + i) % n]!;
      if (ev.t >= since) out.push(ev);
    }
    return out;
  }
}
