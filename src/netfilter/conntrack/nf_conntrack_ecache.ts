// The conntrack event log (net/netfilter/nf_conntrack_ecache.c as seen through
// `conntrack -E`): NEW, UPDATE and DESTROY events with their simulated times
// and the entry as it was. A bounded ring: the oldest events are dropped.
//
// An event is recorded on the packet path (every NEW and DESTROY of a flood),
// so the ring keeps the entry's record fields in typed arrays, as
// ctnetlink_conntrack_event copies them into a netlink message, and builds
// ConntrackEntry objects only when `conntrack -E` reads the log. It keeps
// what that message carries: a DESTROY has the counters and, unless it is 0
// (an expired entry), the timeout; NEW and UPDATE have the timeout and no
// counters.

import { entryOf, expiresSeconds, type ConntrackEntry } from './nf_conntrack_entry.js';
import { Ct } from './nf_conn.js';
import { IPCT } from './nf_conntrack_l4proto.js';

export type ConntrackEventType = 'NEW' | 'UPDATE' | 'DESTROY';

export interface ConntrackEvent {
  /** Simulated time (ns). */
  t: number;
  type: ConntrackEventType;
  /** The IPCT_* bits delivered together. */
  mask: number;
  /** Netlink port of the process whose request deleted the entry (`conntrack -D`, `-F`); 0 when the kernel did. */
  portid: number;
  entry: ConntrackEntry;
}

/** Words of one event in `words`. */
const enum Ev {
  MASK = 0,
  PROTO = 1,
  /** oSrc, oDst, oPorts, rSrc, rDst, rPorts. */
  TUPLES = 2,
  TCP_STATE = 8,
  STATUS = 9,
  TIMEOUT = 10,
  MARK = 11,
  HAS_ACCT = 12,
  PORTID = 13,
  WORDS = 14,
}
/** The ring's first allocation; it doubles up to `capacity` as events arrive. */
const INITIAL_SLOTS = 64;

export class ConntrackEventLog {
  private t = new Float64Array(0);
  private words = new Int32Array(0);
  private acct = new Float64Array(0);
  /** Events held, at most `capacity`. */
  private length = 0;
  /** Slot of the oldest event once the ring has wrapped. */
  private start = 0;

  constructor(readonly capacity: number) {}

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /**
   * Records events `mask` of the entry whose record starts at `b` in `w`, with
   * its counters `acct` (null if it has none), at simulated time `t` (ns) and
   * jiffies `nowJ`; `portid` as in ConntrackEvent. Only the record is read, so
   * an eviction's DESTROY needs no handle on the evicted entry.
   */
  add(t: number, mask: number, w: Int32Array, b: number, acct: readonly number[] | null, nowJ: number, portid = 0): void {
    let slot: number;
    if (this.length < this.capacity) {
      slot = this.length++;
      if (slot === this.t.length) this.grow();
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.t[slot] = t;
    const e = this.words;
    const k = slot * Ev.WORDS;
    e[k + Ev.MASK] = mask;
    e[k + Ev.PROTO] = w[b + Ct.PROTO]!;
    for (let i = 0; i < 6; i++) e[k + Ev.TUPLES + i] = w[b + Ct.TUPLE + i]!;
    e[k + Ev.TCP_STATE] = w[b + Ct.TCP_STATE]!;
    e[k + Ev.STATUS] = w[b + Ct.STATUS]!;
    const destroy = (mask & IPCT.DESTROY) !== 0;
    const timeout = expiresSeconds(w[b + Ct.TIMEOUT]!, nowJ);
    // ctnetlink_dump_timeout(..., skip_zero = destroy).
    e[k + Ev.TIMEOUT] = destroy && timeout === 0 ? -1 : timeout;
    e[k + Ev.MARK] = w[b + Ct.MARK]!;
    // ctnetlink_dump_acct: DESTROY only.
    const a = destroy ? acct : null;
    e[k + Ev.HAS_ACCT] = a === null ? 0 : 1;
    if (a !== null) this.acct.set(a, slot * 4);
    e[k + Ev.PORTID] = portid;
  }

  /** Events at or after `since` (ns), oldest first. */
  since(since = 0): ConntrackEvent[] {
    const out: ConntrackEvent[] = [];
    const n = this.length;
    for (let i = 0; i < n; i++) {
      const slot = (this.start + i) % n;
      if (this.t[slot]! >= since) out.push(this.event(slot));
    }
    return out;
  }

  private event(slot: number): ConntrackEvent {
    const w = this.words;
    const k = slot * Ev.WORDS;
    const mask = w[k + Ev.MASK]!;
    const acct = w[k + Ev.HAS_ACCT] ? Array.from(this.acct.subarray(slot * 4, slot * 4 + 4)) : null;
    const entry = entryOf(
      w[k + Ev.PROTO]!, w[k + Ev.TUPLES]!, w[k + Ev.TUPLES + 1]!, w[k + Ev.TUPLES + 2]!, w[k + Ev.TUPLES + 3]!,
      w[k + Ev.TUPLES + 4]!, w[k + Ev.TUPLES + 5]!, w[k + Ev.TCP_STATE]!, w[k + Ev.STATUS]!, w[k + Ev.TIMEOUT]!,
      w[k + Ev.MARK]!, acct,
    );
    // ctnetlink_conntrack_event's NEW / DESTROY / UPDATE classification.
    const type: ConntrackEventType = mask & IPCT.DESTROY ? 'DESTROY' : mask & (IPCT.NEW | IPCT.RELATED) ? 'NEW' : 'UPDATE';
    return { t: this.t[slot]!, type, mask, portid: w[k + Ev.PORTID]! >>> 0, entry };
  }

  private grow(): void {
    const slots = Math.min(this.capacity, Math.max(INITIAL_SLOTS, this.t.length * 2));
    const t = new Float64Array(slots);
    t.set(this.t);
    const words = new Int32Array(slots * Ev.WORDS);
    words.set(this.words);
    const acct = new Float64Array(slots * 4);
    acct.set(this.acct);
    this.t = t;
    this.words = words;
    this.acct = acct;
  }
}
