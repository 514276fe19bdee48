// The page's side of the simulation worker: one run at a time; starting a new
// run ends the worker busy with the old one (a stale run is not worth
// finishing). Where a worker cannot start, runs fall back to the page's thread.

import type { RunRequest } from './run_scenario.js';
import type { SimReply, SimRequest } from './sim_protocol.js';

export type RunOutcome = SimReply | { superseded: true };

export class SimClient {
  private worker: Worker | null = null;
  private pending: { id: number; resolve: (r: RunOutcome) => void } | null = null;
  private nextId = 1;
  /** Where the last run happened, for the page's metrics and tests. */
  thread: 'worker' | 'main' = 'worker';

  constructor(private readonly onMain: (req: RunRequest) => SimReply) {}

  run(req: RunRequest): Promise<RunOutcome> {
    const id = this.nextId++;
    this.cancel();
    const worker = this.worker ?? this.spawn();
    if (worker === null) {
      this.thread = 'main';
      return Promise.resolve({ ...this.onMain(req), id });
    }
    this.thread = 'worker';
    return new Promise((resolve) => {
      this.pending = { id, resolve };
      const msg: SimRequest = { ...req, id };
      worker.postMessage(msg);
    });
  }

  /** Ends the run in progress, if any: its promise resolves as superseded. */
  cancel(): void {
    if (this.pending === null) return;
    this.pending.resolve({ superseded: true });
    this.pending = null;
    this.worker?.terminate();
    this.worker = null;
  }

  private spawn(): Worker | null {
    let w: Worker;
    try {
      w = new Worker(new URL('./sim_worker.ts', import.meta.url), { type: 'module' });
    } catch {
      return null;
    }
    w.onmessage = (e: MessageEvent<SimReply>) => {
      if (this.pending?.id !== e.data.id) return;
      const { resolve } = this.pending;
      this.pending = null;
      resolve(e.data);
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const p = this.pending;
      this.pending = null;
      this.worker?.terminate();
      this.worker = null;
      p?.resolve({ id: p.id, ok: false, message: `the simulation worker failed: ${e.message || 'could not load'}` });
    };
    this.worker = w;
    return w;
  }
}
