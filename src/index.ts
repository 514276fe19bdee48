// The public, browser-safe entry point: compile and run scenarios, run tool
// commands on a simulated host. The CLI and the visualiser both use it.

import { compileScenario, type CompileOptions, type CompiledScenario } from './scenario/build.js';
import { simulate as simulateCompiled, type RunOptions, type RunSummary } from './scenario/simulate.js';
import { parseTime } from './model/time.js';
import type { TraceEvent } from './model/trace.js';
import type { World } from './model/world.js';
import { runCommand as runToolCommand, type CommandResult } from './tools/runner.js';
import './tools/index.js';

export { compileScenario, simulateCompiled };
export type { CompiledScenario, CompileOptions, RunOptions, RunSummary, TraceEvent, World, CommandResult };
export { formatDiagnostic, type Diagnostic } from './scenario/diagnostics.js';
export { Stage } from './model/trace.js';

export type ParseResult =
  | { ok: true; scenario: CompiledScenario }
  | { ok: false; errors: { line: number; column: number; path: string; message: string }[] };

/** Validates a scenario's text; errors carry line, column and key path. */
export function parseScenario(text: string, fileName: string, opts: CompileOptions = {}): ParseResult {
  const r = compileScenario(text, fileName, opts);
  if (r.ok) return { ok: true, scenario: r.scenario };
  return { ok: false, errors: r.errors.map((e) => ({ line: e.line, column: e.column, path: e.path, message: e.message })) };
}

/** Compiles and runs a scenario, keeping every trace event. Throws with the diagnostics on bad input. */
export function simulate(
  text: string, fileName: string, opts: { seed?: number; until?: string; maxEvents?: number } = {},
): { events: TraceEvent[]; summary: RunSummary; world: World; scenario: CompiledScenario } {
  const r = compileScenario(text, fileName, opts.seed !== undefined ? { seed: opts.seed } : {});
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`).join('\n'));
  const untilNs = opts.until !== undefined && opts.until !== 'end' ? parseTime(opts.until) ?? undefined : undefined;
  const res = simulateCompiled(r.scenario, { collectTrace: true, ...(untilNs !== undefined ? { untilNs } : {}), ...(opts.maxEvents ? { maxEvents: opts.maxEvents } : {}) });
  return { events: res.trace, summary: res.summary, world: r.scenario.world, scenario: r.scenario };
}

/** Runs one command line (`ss -tan`, `sysctl net.core.netdev_budget`) on a host of a simulated world. */
export function runCommand(world: World, host: string, line: string): CommandResult {
  return runToolCommand(world, host, line);
}
