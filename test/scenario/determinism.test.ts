import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { scenarioArb } from './gen.js';
import { runText } from './run_helpers.js';

describe('determinism', () => {
  it('the same scenario text and seed give byte-identical summary and trace', () => {
    fc.assert(
      fc.property(scenarioArb({ duration: '20ms', flood: false }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (text, seed) => {
        const a = runText(text, seed);
        const b = runText(text, seed);
        expect(a.trace.length).toBeGreaterThan(0);
        expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
        expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
      }),
      { numRuns: 20, seed: 20240611 },
    );
  });

  it('floods that overflow rings and backlogs are deterministic too', () => {
    fc.assert(
      fc.property(scenarioArb({ duration: '5ms', flood: true }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (text, seed) => {
        const a = runText(text, seed);
        const b = runText(text, seed);
        expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
        expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
      }),
      { numRuns: 10, seed: 7 },
    );
  });

  it('the CLI prints identical JSON for rx-overload twice', () => {
    const run = (): string => execFileSync('node', ['bin/pktpath.js', 'run', 'scenarios/rx-overload.yaml', '--format', 'json'], { encoding: 'utf8' });
    const first = run();
    expect(JSON.parse(first).scenario).toBe('rx-overload');
    expect(run()).toBe(first);
  });
});
