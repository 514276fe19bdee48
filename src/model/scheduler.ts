// The discrete-event core: an array-backed binary heap of events ordered by
// (time_ns, insertion sequence), and a run loop bounded by a time and an
// event cap. Events carry a top-level handler function and two arguments, so
// scheduling never allocates a closure; the heap keeps parallel arrays so an
// event costs no object either.

import type { Nanos } from './time.js';

/** A handler is a module-level function; `a` and `b` are its arguments. */
export type EventFn = (sim: Scheduler, a: any, b: any) => void;

export type StopReason = 'idle' | 'until' | 'event-cap' | 'stopped';

export class Scheduler {
  /** Current simulated time. Never moves backwards. */
  now: Nanos = 0;
  /** Events dispatched so far. */
  dispatched = 0;

  private times: number[] = [];
  private seqs: number[] = [];
  private fns: EventFn[] = [];
  private as: unknown[] = [];
  private bs: unknown[] = [];
  private size = 0;
  private nextSeq = 0;
  private stopRequested = false;

  get pending(): number {
    return this.size;
  }

  /** Schedules `fn(sim, a, b)` at absolute time `t` (clamped to now). */
  at(t: Nanos, fn: EventFn, a?: unknown, b?: unknown): void {
    if (t < this.now) t = this.now;
    // Time is whole nanoseconds; a fractional cost from a scenario rounds up here.
    else if (t % 1 !== 0) t = Math.ceil(t);
    let i = this.size++;
    const seq = this.nextSeq++;
    // Sift up, moving parents down into the hole.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.times[p]!;
      if (pt < t || (pt === t && this.seqs[p]! < seq)) break;
      this.move(p, i);
      i = p;
    }
    this.times[i] = t;
    this.seqs[i] = seq;
    this.fns[i] = fn;
    this.as[i] = a;
    this.bs[i] = b;
  }

  /** Schedules `fn(sim, a, b)` after `delay` nanoseconds. */
  after(delay: Nanos, fn: EventFn, a?: unknown, b?: unknown): void {
    this.at(this.now + delay, fn, a, b);
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTime(): Nanos {
    return this.size > 0 ? this.times[0]! : Infinity;
  }

  /** Asks the run loop to stop after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs events in order until none is left, the next would be later than
   * `until`, or `maxEvents` have been dispatched in this call.
   */
  run(until: Nanos = Infinity, maxEvents = Infinity): StopReason {
    this.stopRequested = false;
    let budget = maxEvents;
    while (this.size > 0) {
      if (this.times[0]! > until) {
        this.now = until;
        return 'until';
      }
      if (budget-- <= 0) return 'event-cap';
      const t = this.times[0]!;
      const fn = this.fns[0]!;
      const a = this.as[0];
      const b = this.bs[0];
      this.popRoot();
      this.now = t;
      this.dispatched++;
      fn(this, a, b);
      if (this.stopRequested) return 'stopped';
    }
    if (until !== Infinity && this.now < until) this.now = until;
    return 'idle';
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.fns[to] = this.fns[from]!;
    this.as[to] = this.as[from];
    this.bs[to] = this.bs[from];
  }

  private popRoot(): void {
    const last = --this.size;
    if (last === 0) {
      this.as[0] = this.bs[0] = undefined;
      return;
    }
    const t = this.times[last]!;
    const seq = this.seqs[last]!;
    const fn = this.fns[last]!;
    const a = this.as[last];
    const b = this.bs[last];
    this.as[last] = this.bs[last] = undefined;
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < last && (this.times[r]! < this.times[c]! || (this.times[r] === this.times[c] && this.seqs[r]! < this.seqs[c]!))) c = r;
      const ct = this.times[c]!;
      if (t < ct || (t === ct && seq < this.seqs[c]!)) break;
      this.move(c, i);
      i = c;
    }
    this.times[i] = t;
    this.seqs[i] = seq;
    this.fns[i] = fn;
    this.as[i] = a;
    this.bs[i] = b;
  }
}
