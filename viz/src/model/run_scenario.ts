// Compiling and running a scenario with the files it names (a pcap dropped on
// the page) supplied from memory: src/index.ts's simulate() with
// CompileOptions.readFile. The Web Worker runs it for the trace; the page runs
// it again up to a moment for the terminal and the counters there.

import type { compileScenario, simulateCompiled } from '../../../src/index.js';
import type { TraceEvent } from '../trace/event.js';

/** The two model entry points a run needs (src/index.ts exports both). */
export interface ScenarioModel {
  compileScenario: typeof compileScenario;
  simulateCompiled: typeof simulateCompiled;
}

export interface RunRequest {
  text: string;
  fileName: string;
  seed: number;
  /** Files the scenario names (`file:` of pcap traffic), by the name it uses. */
  files: ReadonlyMap<string, Uint8Array>;
  /** Stop at this simulated time (ns); the whole run when absent. */
  untilNs?: number;
}

export interface RunResult {
  events: TraceEvent[];
  world: unknown;
}

/** Compiles and runs; throws with every diagnostic (file:line:column) on bad input, as simulate() does. */
export function runScenario(model: ScenarioModel, req: RunRequest): RunResult {
  const r = model.compileScenario(req.text, req.fileName, { seed: req.seed, readFile: (p) => req.files.get(p) ?? null });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`).join('\n'));
  const res = model.simulateCompiled(r.scenario, { collectTrace: true, ...(req.untilNs !== undefined ? { untilNs: req.untilNs } : {}) });
  return { events: res.trace, world: r.scenario.world };
}
