import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseExperiment } from '../../src/sweep/experiment.js';
import { runVariant } from '../../src/sweep/metrics.js';
import { formatCsv, sweepRows } from '../../src/sweep/table.js';
import { metricSvg } from '../../src/sweep/plot.js';
import { LatencyHistogram } from '../../src/model/latency_histogram.js';
import fc from 'fast-check';

const small = readFileSync('test/fixtures/sweep/small.yaml', 'utf8');
const noFiles = () => null;

describe('experiment files', () => {
  it('expands the grid in order, the first key varying slowest, one value to all comma-joined paths', () => {
    const r = parseExperiment(small, 'small.yaml', noFiles);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const ex = r.experiment;
    expect(ex.variants.map((v) => v.params)).toEqual([[1500, 1400], [1500, 4000], [9000, 1400], [9000, 4000]]);
    expect(ex.variants[2]!.text).toMatch(/mtu: 9000[\s\S]*mtu: 9000/);
    expect(ex.axes.map((a) => a.label)).toEqual(['mtu', 'size']);
  });

  it('reports a path that is not in the base scenario at the grid key\'s line and column', () => {
    const bad = small.replace('traffic.0.size', 'hosts.c.nics.eth0.mtu');
    const r = parseExperiment(bad, 'x.yaml', noFiles);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ file: 'x.yaml', line: 15, column: 3, message: 'hosts.c: no such key in the base scenario' });
  });

  it('reports an unknown experiment key and a grid value that makes the scenario invalid, with positions', () => {
    const r1 = parseExperiment(small.replace('receiver: b', 'reciever: b'), 'x.yaml', noFiles);
    expect(!r1.ok && r1.errors[0]).toMatchObject({ line: 2, column: 1, message: expect.stringContaining('unknown key "reciever"') });
    const r2 = parseExperiment(small.replace('[1500, 9000]', '[1500, 40]'), 'x.yaml', noFiles);
    expect(r2.ok).toBe(false);
    if (r2.ok) return;
    expect(r2.errors[0]!.line).toBe(14);
    expect(r2.errors[0]!.message).toMatch(/^variant 2 \(mtu=40 size=1400\): hosts\.a\.nics\.eth0\.mtu: /);
  });

  it('names a missing or mistyped key and refuses a document that is not a mapping', () => {
    const errors = (text: string): string[] => {
      const r = parseExperiment(text, 'x.yaml', noFiles);
      return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
    };
    expect(errors('name: x\ngrid: {}\n')).toEqual(['1:1: missing required key "base"']);
    expect(errors('name: x\nbase: 5\ngrid: {}\n')).toEqual(['2:7: base: has the wrong type (number (5))']);
    expect(errors('- a\n- b\n')).toEqual(['1:1: an experiment is a mapping with at least `name`, `base` and `grid`']);
  });

  it('measures each variant: bigger datagrams deliver more bytes, and the table and plot list every variant', () => {
    const r = parseExperiment(small, 'small.yaml', noFiles);
    if (!r.ok) throw new Error('bad');
    const ex = r.experiment;
    const res = ex.variants.map((v) => runVariant({ index: v.index, text: v.text, file: 'small', receiver: ex.receiver }));
    expect(res[1]!.bytes_delivered).toBeGreaterThan(res[0]!.bytes_delivered);
    expect(res[0]!.latency_p50_us).toBeGreaterThan(0);
    expect(res[0]!.latency_p99_us).toBeGreaterThanOrEqual(res[0]!.latency_p50_us);
    // 4000-byte datagrams at MTU 1500 are fragmented: three fragments reach the stack per datagram.
    expect(res[1]!.stack_pps).toBeGreaterThan(2 * res[3]!.stack_pps);
    const rows = sweepRows(ex, [...res].reverse());
    expect(rows.map((x) => x.variant)).toEqual([0, 1, 2, 3]);
    expect(formatCsv(ex, rows).split('\n')[0]).toBe('variant,mtu,size,throughput_gbit_s,stack_pps,softirq_cpu_s_per_gb,drops,latency_p50_us,latency_p99_us,retransmits,drops_by_reason');
    const svg = metricSvg(ex, rows, 'throughput_gbit_s');
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<rect x=/g) ?? []).length).toBe(4);
  });
});

describe('LatencyHistogram', () => {
  it('percentiles are within 1/32 above the exact order statistic', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1e10 }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (xs, p) => {
      const h = new LatencyHistogram();
      for (const x of xs) h.record(x, 1);
      const sorted = [...xs].sort((a, b) => a - b);
      const exact = sorted[Math.max(1, Math.ceil(p * xs.length)) - 1]!;
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact + Math.max(1, exact / 32));
    }));
  });
});
