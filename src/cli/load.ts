// The file-loading edge of the CLI: reads a scenario and the files it names,
// compiles it, and turns problems into `file:line:column: ...` lines and exit 2.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compileScenario, type CompiledScenario } from '../scenario/build.js';
import { formatDiagnostic } from '../scenario/diagnostics.js';
import '../tools/index.js';

export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export function loadScenarioFile(path: string, seed?: number): CompiledScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read scenario: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const base = dirname(path);
  const res = compileScenario(text, path, {
    ...(seed !== undefined ? { seed } : {}),
    readFile: (p) => {
      try {
        return readFileSync(resolve(base, p));
      } catch {
        return null;
      }
    },
  });
  if (!res.ok) throw new UsageError(res.errors.map(formatDiagnostic).join('\n'));
  return res.scenario;
}
