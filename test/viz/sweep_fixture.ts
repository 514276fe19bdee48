// Sweep results for the visualiser's chart tests, written by the sweep
// command's own formatter (src/sweep/table.ts formatJson).

import { formatJson, METRIC_COLUMNS, type SweepRow } from '../../src/sweep/table.js';
import type { Experiment } from '../../src/sweep/experiment.js';
import type { VariantMetrics } from '../../src/sweep/metrics.js';

/** A two-axis experiment (mtu × gro) and its rows, as the sweep command would print them. */
export function sweepJson(seed: number): string {
  const mtus = [1500, 9000];
  const gro = ['on', 'off'];
  const ex = {
    name: 'mtu-offloads', receiver: 'server',
    axes: [{ key: 'hosts.server.nics.eth0.mtu', label: 'mtu', values: mtus }, { key: 'gro', label: 'gro', values: gro }],
  } as unknown as Experiment;
  const rows: SweepRow[] = [];
  let i = 0;
  for (const m of mtus) {
    for (const g of gro) {
      const metrics = { index: i, sim_time_s: 0.01, bytes_delivered: 1000, drops_by_reason: {}, events: 10 } as Record<string, unknown>;
      METRIC_COLUMNS.forEach((c, k) => { metrics[c] = ((seed + i * 7 + k * 13) % 50) / 4; });
      rows.push({ variant: i, params: { mtu: m, gro: g }, metrics: metrics as unknown as VariantMetrics });
      i++;
    }
  }
  return formatJson(ex, rows);
}
