// Sweep results as `pktpath sweep --json` writes them (formatJson) are read
// back and grouped for the charts: every row becomes exactly one bar of each
// metric, in the first axis's group, with its own value.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { METRIC_COLUMNS } from '../../src/sweep/table.js';
import { groupedBars, parseSweepJson } from '../../viz/src/sweep/sweep_data.js';
import { sweepJson } from './sweep_fixture.js';

describe('parseSweepJson', () => {
  it('reads formatJson output and puts every row in one bar of each metric', () => {
    fc.assert(fc.property(fc.nat(1000), (seed) => {
      const text = sweepJson(seed);
      const d = parseSweepJson(text);
      if (typeof d === 'string') throw new Error(d);
      expect(d.metrics).toEqual([...METRIC_COLUMNS]);
      const rows = JSON.parse(text).rows as Record<string, number | string>[];
      for (const m of d.metrics) {
        const { groups, series } = groupedBars(d, m);
        expect(groups.map((g) => g.group)).toEqual(['1500', '9000']);
        expect(series).toEqual(['gro=on', 'gro=off']);
        const bars = groups.flatMap((g) => g.bars.map((b) => [g.group, b.series, b.value]));
        expect(bars).toEqual(rows.map((r) => [String(r.mtu), `gro=${r.gro}`, r[m]]));
      }
    }));
  });

  it('names the field at fault in a file that is not a sweep', () => {
    expect(parseSweepJson('{')).toMatch(/^not JSON: /);
    expect(parseSweepJson('[]')).toBe('expected a JSON object (pktpath sweep --json)');
    expect(parseSweepJson('{"experiment":"x","axes":[{"key":"a","label":"a","values":[1]}],"rows":[{"b":1}]}'))
      .toBe('rows[0] has no value for axis "a"');
    expect(parseSweepJson('{"experiment":"x","axes":[{"key":"a","label":"a","values":[1]}],"rows":[{"a":1}]}'))
      .toMatch(/^no row carries the metrics/);
  });
});
