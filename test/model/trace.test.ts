import { describe, expect, it } from 'vitest';
import { runFile } from '../scenario/run_helpers.js';

describe('trace events', () => {
  it('carry whole-nanosecond times and a known stage with its step', () => {
    for (const f of ['scenarios/inbound-tcp.yaml', 'scenarios/forward-udp.yaml', 'scenarios/outbound-tcp.yaml']) {
      const { trace } = runFile(f);
      expect(trace.length).toBeGreaterThan(0);
      for (const e of trace) {
        expect(Number.isInteger(e.t), `${f}: t ${e.t} of ${e.stage}`).toBe(true);
        expect(e.stage).toMatch(/^[a-z0-9-]+$/);
        expect(e.step).toBeGreaterThanOrEqual(0);
        expect(['inbound', 'outbound', 'forward']).toContain(e.flow);
        if (e.verdict === 'drop') expect(e.reason, `${f}: drop without reason at ${e.fn}`).toBeTruthy();
      }
    }
  });
});
