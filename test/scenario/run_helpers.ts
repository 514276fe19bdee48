// Compiles and runs scenario text or files for the scenario tests.

import { readFileSync } from 'node:fs';
import { compileScenario, type CompiledScenario } from '../../src/scenario/build.js';
import { simulate, type RunOptions, type RunResult } from '../../src/scenario/simulate.js';

export function compileOrThrow(text: string, file: string, seed?: number): CompiledScenario {
  const r = compileScenario(text, file, seed === undefined ? {} : { seed });
  if (!r.ok) throw new Error(`${file} does not compile:\n${r.errors.map((e) => `${e.line}:${e.column}: ${e.path}: ${e.message}`).join('\n')}`);
  return r.scenario;
}

export function runText(text: string, seed?: number, opts: RunOptions = { collectTrace: true }): RunResult {
  return simulate(compileOrThrow(text, 'generated.yaml', seed), opts);
}

export function runFile(path: string, opts: RunOptions = { collectTrace: true }): RunResult {
  return simulate(compileOrThrow(readFileSync(path, 'utf8'), path), opts);
}
