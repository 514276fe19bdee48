import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { simulate } from '../../src/index.js';
import { chromeTrace } from '../../src/scenario/perfetto.js';

const text = readFileSync(new URL('../../scenarios/forward-udp.yaml', import.meta.url), 'utf8');

describe('Perfetto / Chrome trace export', () => {
  const r = simulate(text, 'forward-udp.yaml');
  const { traceEvents } = chromeTrace(r.events, [...r.world.hosts.keys()]);

  it('names a process per host and a thread per CPU', () => {
    const procs = traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!['name']);
    expect(procs).toEqual([...r.world.hosts.keys()]);
    expect(traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.args!['name'] === 'CPU 0')).toBe(true);
  });

  it('has hardirq, NET_RX softirq and process context slices, and every slice nests in its thread', () => {
    const ctx = new Set(traceEvents.filter((e) => e.cat === 'context').map((e) => e.name));
    expect([...ctx].sort()).toEqual(['NET_RX softirq', 'hardirq', 'process']);
    const byThread = new Map<string, { ts: number; end: number }[]>();
    for (const e of traceEvents) {
      if (e.ph !== 'X') continue;
      expect(e.dur!).toBeGreaterThan(0);
      const k = `${e.pid}/${e.tid}`;
      if (!byThread.has(k)) byThread.set(k, []);
      byThread.get(k)!.push({ ts: e.ts!, end: e.ts! + e.dur! });
    }
    const eps = 1e-9;
    for (const slices of byThread.values()) {
      slices.sort((a, b) => a.ts - b.ts || b.end - a.end);
      const stack: { end: number }[] = [];
      for (const s of slices) {
        while (stack.length && stack[stack.length - 1]!.end <= s.ts + eps) stack.pop();
        if (stack.length) expect(s.end).toBeLessThanOrEqual(stack[stack.length - 1]!.end + eps);
        stack.push(s);
      }
    }
  });

  it('links each packet\'s stages with one flow start and one flow end in time order', () => {
    const flows = new Map<number, string[]>();
    let last = new Map<number, number>();
    for (const e of traceEvents.filter((x) => x.cat === 'packet')) {
      if (!flows.has(e.id!)) flows.set(e.id!, []);
      flows.get(e.id!)!.push(e.ph);
      expect(e.ts!).toBeGreaterThanOrEqual(last.get(e.id!) ?? 0);
      last.set(e.id!, e.ts!);
    }
    expect(flows.size).toBeGreaterThan(0);
    for (const phs of flows.values()) {
      expect(phs[0]).toBe('s');
      expect(phs[phs.length - 1]).toBe('f');
      expect(phs.slice(1, -1).every((p) => p === 't')).toBe(true);
    }
  });
});
