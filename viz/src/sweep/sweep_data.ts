// A sweep's results as `pktpath sweep --json` writes them (src/sweep/table.ts
// formatJson): the experiment, its grid axes and one row per variant with the
// axis values under their labels and the metrics. Read from disk, checked
// field by field, and grouped for the charts: groups by the first axis, one bar
// per combination of the other axes.

import { METRIC_COLUMNS } from '../../../src/sweep/table.js';

export type Cell = string | number | boolean;

export interface SweepAxis {
  key: string;
  label: string;
  values: Cell[];
}

export interface SweepData {
  experiment: string;
  axes: SweepAxis[];
  rows: Record<string, unknown>[];
  /** Metric columns present in every row, in the table's order. */
  metrics: string[];
}

const isCell = (v: unknown): v is Cell => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Parses and checks a sweep JSON document; the message names the field at fault. */
export function parseSweepJson(text: string): SweepData | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const o = doc as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'expected a JSON object (pktpath sweep --json)';
  if (typeof o.experiment !== 'string') return '"experiment" must be a string';
  if (!Array.isArray(o.axes) || o.axes.length === 0) return '"axes" must be a non-empty array';
  const axes: SweepAxis[] = [];
  for (const [i, a] of (o.axes as unknown[]).entries()) {
    const ax = a as Record<string, unknown> | null;
    if (ax === null || typeof ax !== 'object' || typeof ax.key !== 'string' || typeof ax.label !== 'string'
      || !Array.isArray(ax.values) || !ax.values.every(isCell)) {
      return `axes[${i}] must have a string "key" and "label" and "values" of strings, numbers or booleans`;
    }
    axes.push({ key: ax.key, label: ax.label, values: ax.values });
  }
  if (!Array.isArray(o.rows) || o.rows.length === 0) return '"rows" must be a non-empty array';
  const rows = o.rows as Record<string, unknown>[];
  for (const [i, r] of rows.entries()) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return `rows[${i}] must be an object`;
    for (const a of axes) if (!isCell(r[a.label])) return `rows[${i}] has no value for axis "${a.label}"`;
  }
  const metrics = METRIC_COLUMNS.filter((m) => rows.every((r) => typeof r[m] === 'number' && Number.isFinite(r[m])));
  if (metrics.length === 0) return `no row carries the metrics (${METRIC_COLUMNS.join(', ')})`;
  return { experiment: o.experiment, axes, rows, metrics };
}

export interface BarGroup {
  /** The first axis's value, as text. */
  group: string;
  bars: { series: string; value: number; variant: number }[];
}

/** Bars of one metric: grouped by the first axis (in its grid order), one series per other-axis combination. */
export function groupedBars(d: SweepData, metric: string): { groups: BarGroup[]; series: string[] } {
  const [first, ...rest] = d.axes;
  const seriesOf = (r: Record<string, unknown>): string =>
    rest.length ? rest.map((a) => `${a.label}=${String(r[a.label])}`).join(', ') : metric;
  const series: string[] = [];
  const groups: BarGroup[] = first!.values.map((v) => ({ group: String(v), bars: [] }));
  for (const [i, r] of d.rows.entries()) {
    const s = seriesOf(r);
    if (!series.includes(s)) series.push(s);
    const g = groups.find((x) => x.group === String(r[first!.label]));
    g?.bars.push({ series: s, value: r[metric] as number, variant: typeof r.variant === 'number' ? r.variant : i });
  }
  return { groups: groups.filter((g) => g.bars.length > 0), series };
}
