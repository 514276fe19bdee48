import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { scenarioArb } from '../scenario/gen.js';
import { compileOrThrow } from '../scenario/run_helpers.js';
import { simulate, type RunSummary } from '../../src/scenario/simulate.js';
import type { CompiledScenario } from '../../src/scenario/build.js';

interface Peaks {
  ring: number;
  backlog: number;
  qdisc: number;
}

/** Runs `sc`, sampling every RX ring, backlog and qdisc on every trace event; fails on the first overflow. */
function runSampled(sc: CompiledScenario): { peaks: Peaks; summary: RunSummary } {
  const peaks: Peaks = { ring: 0, backlog: 0, qdisc: 0 };
  const hosts = [...sc.world.hosts.values()];
  sc.world.tracer.subscribe(() => {
    for (const h of hosts) {
      const maxBacklog = h.sysctl.get('net.core.netdev_max_backlog');
      for (const c of h.cpus) {
        const len = c.softnet.inputPktQueue.length;
        if (len > maxBacklog + 1) throw new Error(`${h.name} cpu ${c.id} backlog ${len} > netdev_max_backlog ${maxBacklog} + 1`);
        peaks.backlog = Math.max(peaks.backlog, len);
      }
      for (const d of h.devices) {
        if (!d) continue;
        for (const q of d.rxQueues) {
          if (q.ring.count > q.ring.size) throw new Error(`${h.name} ${d.name} rx ring holds ${q.ring.count} > ${q.ring.size}`);
          peaks.ring = Math.max(peaks.ring, q.ring.count);
        }
        if (d.kind !== 'loopback' && d.txq.qdisc.length > d.txqueuelen) throw new Error(`${h.name} ${d.name} qdisc holds ${d.txq.qdisc.length} > txqueuelen ${d.txqueuelen}`);
        peaks.qdisc = Math.max(peaks.qdisc, d.txq.qdisc.length);
      }
    }
  });
  const { summary } = simulate(sc);
  return { peaks, summary };
}

describe('queue bounds under overload', () => {
  it('rx-overload: ring, backlog and qdisc stay within their limits while all three overload counters move', () => {
    const path = 'scenarios/rx-overload.yaml';
    // 5 ms of the flood is enough to overflow every stage.
    const { peaks, summary } = runSampled(compileOrThrow(readFileSync(path, 'utf8').replace('duration: 20ms', 'duration: 5ms'), path));
    const c = summary.hosts['server']!.counters;
    expect(c['softnet.time_squeeze']).toBeGreaterThan(0);
    expect(c['softnet.dropped']).toBeGreaterThan(0);
    expect(c['eth0.rx_missed_errors']).toBeGreaterThan(0);
    // The limits are reached, not merely respected.
    expect(peaks.ring).toBe(256);
    expect(peaks.backlog).toBeGreaterThanOrEqual(1000);
  });

  it('generated floods with small rings, backlogs and txqueuelen never exceed them', () => {
    fc.assert(
      fc.property(scenarioArb({ duration: '3ms', flood: true }), fc.integer({ min: 0, max: 1000 }), (text, seed) => {
        runSampled(compileOrThrow(text, 'flood.yaml', seed));
      }),
      { numRuns: 20, seed: 11 },
    );
  });
});
