// One CPU of a host. `now` is the CPU's own clock while it runs a stretch of
// kernel code: each stage charges its cost to it, and trace events carry it.
// `busyUntil` is when the CPU is next free; work that arrives earlier waits.

import { SoftnetData } from './softnet.js';

export class Cpu {
  readonly softnet: SoftnetData;
  /** The clock of the code running on this CPU now. */
  now = 0;
  busyUntil = 0;
  // Time accounting, in ns (the /proc/stat irq, softirq and system columns).
  hardirqNs = 0;
  softirqNs = 0;
  processNs = 0;
  /** What is running: 0 idle, 1 hardirq, 2 softirq, 3 process. */
  context = 0;

  constructor(readonly id: number, devWeight: number) {
    this.softnet = new SoftnetData(id, devWeight);
  }

  /** Starts a stretch of work at `t` (or when the CPU frees up) in the given context. */
  begin(t: number, context: number): void {
    this.now = t > this.busyUntil ? t : this.busyUntil;
    this.context = context;
  }

  /** Charges `ns` of CPU time to the current context, rounded to whole nanoseconds. */
  charge(cost: number): void {
    const ns = Math.round(cost);
    this.now += ns;
    if (this.context === 2) this.softirqNs += ns;
    else if (this.context === 3) this.processNs += ns;
    else if (this.context === 1) this.hardirqNs += ns;
  }

  /** Ends the stretch: the CPU is busy until its clock. */
  end(): void {
    if (this.now > this.busyUntil) this.busyUntil = this.now;
    this.context = 0;
  }
}

export const CTX_HARDIRQ = 1;
export const CTX_SOFTIRQ = 2;
export const CTX_PROCESS = 3;
