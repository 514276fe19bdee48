// A loaded trace, indexed once for the player: each event's box, the drops,
// each packet's events, and the fold of events 0..i on demand. Checkpoints
// every CHECKPOINT events bound the cost of any jump; the last state served is
// reused so stepping forward folds one event.

import type { TraceEvent } from './event.js';
import { ALL_BOXES, boxIndex, isDrop, placeEvent, type PrevPlacement } from './layout.js';
import { applyEvent, cloneState, freezeState, initialState, type VizState } from './fold.js';

/** Events between stored snapshots: a jump folds at most this many events. */
export const CHECKPOINT = 512;
const RECENT = 16;

export class TraceIndex {
  readonly events: readonly TraceEvent[];
  /** Per event: index into ALL_BOXES. */
  readonly boxOf: Uint8Array;
  /** Event indices of drops, ascending. */
  readonly dropAt: Int32Array;
  /** Hosts in order of first appearance (or the scenario's order when given). */
  readonly hosts: readonly string[];
  /** CPUs seen per host, ascending. */
  readonly cpus: ReadonlyMap<string, readonly number[]>;
  private readonly skbEvents: Map<number, Int32Array>;
  private readonly checkpoints: VizState[];
  /** Recently served states by `applied`, so stepping back and forth refolds nothing. */
  private readonly recent = new Map<number, VizState>();
  private cache: VizState;

  constructor(events: readonly TraceEvent[], hostOrder: readonly string[] = []) {
    this.events = events;
    const n = events.length;
    this.boxOf = new Uint8Array(n);
    const drops: number[] = [];
    const perSkb = new Map<number, number[]>();
    const prev = new Map<number, PrevPlacement>();
    const hosts = [...hostOrder];
    const hostId = new Map<string, number>(hosts.map((h, k) => [h, k]));
    const cpus = new Map<string, Set<number>>();
    for (let i = 0; i < n; i++) {
      const ev = events[i]!;
      let hid = hostId.get(ev.host);
      if (hid === undefined) {
        hostId.set(ev.host, (hid = hosts.length));
        hosts.push(ev.host);
      }
      // The same packet id on another host is a new arrival there, so
      // placement history is kept per (skb, host).
      const pkey = ev.skb * 1024 + hid;
      const key = placeEvent(ev, prev.get(pkey));
      const bi = boxIndex(key);
      this.boxOf[i] = bi;
      const b = ALL_BOXES[bi]!;
      prev.set(pkey, { column: b.column, step: b.step, slug: ev.stage });
      if (isDrop(ev)) drops.push(i);
      let list = perSkb.get(ev.skb);
      if (list === undefined) perSkb.set(ev.skb, (list = []));
      list.push(i);
      let cs = cpus.get(ev.host);
      if (cs === undefined) cpus.set(ev.host, (cs = new Set()));
      cs.add(ev.cpu);
    }
    this.dropAt = Int32Array.from(drops);
    this.hosts = hosts;
    this.skbEvents = new Map();
    for (const [skb, list] of perSkb) this.skbEvents.set(skb, Int32Array.from(list));
    const cpuLists = new Map<string, number[]>();
    for (const h of hosts) cpuLists.set(h, [...(cpus.get(h) ?? [])].sort((a, b) => a - b));
    this.cpus = cpuLists;
    this.checkpoints = [freezeState(initialState(hosts))];
    this.cache = this.checkpoints[0]!;
  }

  get length(): number {
    return this.events.length;
  }

  boxKey(i: number): string {
    return ALL_BOXES[this.boxOf[i]!]!.key;
  }

  /** The state after events[0..i]; i = -1 is the state before any event. */
  stateAt(i: number): VizState {
    const want = Math.max(0, Math.min(i + 1, this.events.length));
    const hit = this.recent.get(want);
    if (hit !== undefined) return (this.cache = hit);
    const k = Math.floor(want / CHECKPOINT);
    this.fillCheckpoints(k);
    let base = this.checkpoints[k]!;
    if (this.cache.applied <= want && this.cache.applied >= base.applied) base = this.cache;
    this.cache = base.applied === want ? base : this.foldRange(base, want);
    this.recent.set(want, this.cache);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
    return this.cache;
  }

  /**
   * Builds checkpoints ahead of need for at most `budgetMs` of wall time, so a
   * later far jump is cheap. Returns true once every checkpoint exists.
   */
  warm(budgetMs: number): boolean {
    const last = Math.floor(this.events.length / CHECKPOINT);
    const t0 = performance.now();
    while (this.checkpoints.length <= last) {
      this.fillCheckpoints(this.checkpoints.length);
      if (performance.now() - t0 > budgetMs) break;
    }
    return this.checkpoints.length > last;
  }

  private fillCheckpoints(k: number): void {
    while (this.checkpoints.length <= k) {
      const last = this.checkpoints[this.checkpoints.length - 1]!;
      this.checkpoints.push(this.foldRange(last, last.applied + CHECKPOINT));
    }
  }

  private foldRange(base: VizState, upTo: number): VizState {
    const events = this.events;
    const d = cloneState(base);
    for (let j = base.applied; j < upTo; j++) applyEvent(d, events[j]!, ALL_BOXES[this.boxOf[j]!]!.key, j);
    return freezeState(d);
  }

  /** Event indices of one packet, ascending (empty if unknown). */
  eventsOf(skb: number): Int32Array {
    return this.skbEvents.get(skb) ?? EMPTY;
  }

  /** The packet's first event after i, or -1. */
  nextOfSkb(skb: number, i: number): number {
    const list = this.eventsOf(skb);
    const j = upperBound(list, i);
    return j < list.length ? list[j]! : -1;
  }

  /** The packet's last event before i, or -1. */
  prevOfSkb(skb: number, i: number): number {
    const list = this.eventsOf(skb);
    const j = lowerBound(list, i) - 1;
    return j >= 0 ? list[j]! : -1;
  }

  /** The packet's latest event at or before i, or -1. */
  latestOfSkb(skb: number, i: number): number {
    const list = this.eventsOf(skb);
    const j = upperBound(list, i) - 1;
    return j >= 0 ? list[j]! : -1;
  }

  /** The first drop after i, or -1. */
  nextDrop(i: number): number {
    const j = upperBound(this.dropAt, i);
    return j < this.dropAt.length ? this.dropAt[j]! : -1;
  }

  /** The last drop before i, or -1. */
  prevDrop(i: number): number {
    const j = lowerBound(this.dropAt, i) - 1;
    return j >= 0 ? this.dropAt[j]! : -1;
  }

  /**
   * Packets in flight at i among those seen in the last `window` events: their
   * latest event is at or before i and they have a later one. At most `limit`.
   */
  inFlight(i: number, window: number, limit: number): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    for (let j = i; j >= 0 && j > i - window && out.length < limit; j--) {
      const skb = this.events[j]!.skb;
      if (seen.has(skb)) continue;
      seen.add(skb);
      if (this.nextOfSkb(skb, i) >= 0) out.push(skb);
    }
    return out;
  }
}

const EMPTY = new Int32Array(0);

/** First index with a[index] > x. */
function upperBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a[index] >= x. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
