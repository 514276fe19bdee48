// Messages between the page and the simulation worker (sim_worker.ts).

import type { TraceEvent } from '../trace/event.js';
import type { RunRequest } from './run_scenario.js';

export interface SimRequest extends RunRequest {
  id: number;
}

export type SimReply =
  | { id: number; ok: true; events: TraceEvent[]; /** Wall time of the run in the worker, ms. */ ms: number }
  | { id: number; ok: false; message: string };
