// The sweep's results as a table: one row per variant in variant order (so the
// output is the same whatever --jobs is), the grid values first, then the
// metrics. CSV quotes as RFC 4180; JSON is one document.

import type { Experiment } from './experiment.js';
import type { VariantMetrics } from './metrics.js';

export const METRIC_COLUMNS = [
  'throughput_gbit_s', 'stack_pps', 'softirq_cpu_s_per_gb', 'drops', 'latency_p50_us', 'latency_p99_us', 'retransmits',
] as const;

export type MetricName = (typeof METRIC_COLUMNS)[number];

export interface SweepRow {
  variant: number;
  /** Each axis's value as labelled in the experiment. */
  params: Record<string, string>;
  metrics: VariantMetrics;
}

export function sweepRows(ex: Experiment, results: VariantMetrics[]): SweepRow[] {
  const byIndex = [...results].sort((a, b) => a.index - b.index);
  return byIndex.map((m) => {
    const v = ex.variants[m.index]!;
    const params: SweepRow['params'] = {};
    ex.axes.forEach((a, i) => { params[a.label] = a.valueLabels[a.values.indexOf(v.params[i]!)]!; });
    return { variant: m.index, params, metrics: m };
  });
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function reasons(m: VariantMetrics): string {
  return Object.entries(m.drops_by_reason).map(([k, n]) => `${k}:${n}`).join(' ');
}

export function formatCsv(ex: Experiment, rows: SweepRow[]): string {
  const head = ['variant', ...ex.axes.map((a) => a.label), ...METRIC_COLUMNS, 'drops_by_reason'];
  const out = [head.map(csvField).join(',')];
  for (const r of rows) {
    out.push([String(r.variant), ...ex.axes.map((a) => String(r.params[a.label])), ...METRIC_COLUMNS.map((c) => String(r.metrics[c])), reasons(r.metrics)]
      .map(csvField).join(','));
  }
  return out.join('\n') + '\n';
}

export function formatJson(ex: Experiment, rows: SweepRow[]): string {
  return JSON.stringify({
    experiment: ex.name,
    axes: ex.axes.map((a) => ({ key: a.key, label: a.label, values: a.values })),
    receiver: ex.receiver,
    rows: rows.map((r) => ({ variant: r.variant, ...r.params, ...r.metrics, index: undefined })),
  }, null, 2) + '\n';
}

/** A Markdown table, for the README and the terminal. */
export function formatMarkdown(ex: Experiment, rows: SweepRow[]): string {
  const head = ['#', ...ex.axes.map((a) => a.label), 'Gbit/s', 'stack pps', 'softirq s/GB', 'drops', 'p50 µs', 'p99 µs', 'retrans'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const m = r.metrics;
    lines.push(`| ${[r.variant, ...ex.axes.map((a) => r.params[a.label]), m.throughput_gbit_s, m.stack_pps, m.softirq_cpu_s_per_gb, m.drops, m.latency_p50_us, m.latency_p99_us, m.retransmits].join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
