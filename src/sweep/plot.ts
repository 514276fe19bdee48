// Sweep plots as SVG text, drawn with d3-scale and d3-shape in any JS runtime
// (no DOM): one bar chart per metric, one bar per variant, labelled with the
// variant's grid values. Bars rather than lines because the grid axes are
// categorical (on/off, 1500/9000).

import { line, scaleBand, scaleLinear } from 'd3';
import type { Experiment } from './experiment.js';
import type { MetricName, SweepRow } from './table.js';

export const METRIC_TITLES: Record<MetricName, string> = {
  throughput_gbit_s: 'Throughput (Gbit/s, bytes read by applications)',
  stack_pps: 'Packets per second through the receiver stack (IpInReceives/s)',
  softirq_cpu_s_per_gb: 'Softirq CPU seconds per GB delivered',
  drops: 'Packets dropped (kfree_skb)',
  latency_p50_us: 'Latency p50, skb creation to read() (µs)',
  latency_p99_us: 'Latency p99, skb creation to read() (µs)',
  retransmits: 'TCP retransmitted segments',
};

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function variantLabel(ex: Experiment, r: SweepRow): string {
  return ex.axes.map((a) => `${a.label}=${String(r.params[a.label])}`).join(' ');
}

/** One metric across the variants as a bar chart. */
export function metricSvg(ex: Experiment, rows: SweepRow[], metric: MetricName): string {
  const width = 720;
  const barH = 22;
  const left = 260;
  const top = 40;
  const height = top + rows.length * (barH + 8) + 40;
  const values = rows.map((r) => r.metrics[metric]);
  const max = Math.max(1e-9, ...values);
  const x = scaleLinear().domain([0, max]).nice().range([left, width - 70]);
  const y = scaleBand<number>().domain(rows.map((r) => r.variant)).range([top, top + rows.length * (barH + 8)]).padding(0.2);
  const axis = line<[number, number]>()([[x(0), top - 4], [x(0), top + rows.length * (barH + 8)]]) ?? '';
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(`${ex.name}: ${METRIC_TITLES[metric]}`)}</text>`);
  for (const t of x.ticks(5)) {
    const tx = x(t);
    parts.push(`<path d="${line<[number, number]>()([[tx, top - 4], [tx, top + rows.length * (barH + 8)]])}" stroke="#ddd"/>`);
    parts.push(`<text x="${tx}" y="${top + rows.length * (barH + 8) + 16}" text-anchor="middle" fill="#555">${esc(x.tickFormat(5)(t))}</text>`);
  }
  rows.forEach((r) => {
    const v = r.metrics[metric];
    const by = y(r.variant)!;
    parts.push(`<text x="${left - 8}" y="${by + y.bandwidth() / 2 + 4}" text-anchor="end">${esc(variantLabel(ex, r))}</text>`);
    parts.push(`<rect x="${x(0)}" y="${by}" width="${Math.max(0, x(v) - x(0))}" height="${y.bandwidth()}" fill="#4c78a8"/>`);
    parts.push(`<text x="${x(v) + 4}" y="${by + y.bandwidth() / 2 + 4}" fill="#333">${esc(String(v))}</text>`);
  });
  parts.push(`<path d="${axis}" stroke="#333"/>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
