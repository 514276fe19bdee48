// Experiment charts from a sweep: one grouped bar chart per metric (d3), the
// first grid axis along x, one bar per combination of the other axes, each bar
// labelled with its value so colour is never the only cue (Okabe-Ito series).

import { axisBottom, axisLeft, max, scaleBand, scaleLinear, scaleOrdinal, select } from 'd3';
import { groupedBars, type SweepData } from '../sweep/sweep_data.js';
import { OKABE_ITO } from '../palette.js';
import { el, fill } from '../dom.js';

const SERIES_COLOURS = [OKABE_ITO.blue, OKABE_ITO.orange, OKABE_ITO.green, OKABE_ITO.vermillion, OKABE_ITO.skyBlue,
  OKABE_ITO.purple, OKABE_ITO.yellow, OKABE_ITO.black];
const W = 420;
const H = 220;
const M = { top: 24, right: 8, bottom: 36, left: 64 };
const SVG_NS = 'http://www.w3.org/2000/svg';

export class SweepView {
  constructor(private readonly root: HTMLElement) {}

  render(d: SweepData, fileName: string): void {
    const legendSeries = groupedBars(d, d.metrics[0]!).series;
    const colour = scaleOrdinal<string, string>().domain(legendSeries).range(SERIES_COLOURS);
    const legend = el('ul', { class: 'sweep-legend' },
      ...legendSeries.map((s) => el('li', { 'data-series': s }, el('span', { class: 'swatch', style: `background:${colour(s)}` }), s)));
    const charts = d.metrics.map((m) => this.chart(d, m, colour));
    fill(this.root,
      el('p', { class: 'sweep-title', 'data-experiment': d.experiment },
        `${d.experiment} (${fileName}): ${d.rows.length} variants over ${d.axes.map((a) => a.label).join(' × ')}`),
      legend, ...charts);
  }

  private chart(d: SweepData, metric: string, colour: (s: string) => string): HTMLElement {
    const { groups, series } = groupedBars(d, metric);
    const x = scaleBand<string>().domain(groups.map((g) => g.group)).range([M.left, W - M.right]).padding(0.2);
    const inner = scaleBand<string>().domain(series).range([0, x.bandwidth()]).padding(0.08);
    const top = max(groups, (g) => max(g.bars, (b) => b.value)) ?? 0;
    const y = scaleLinear().domain([0, top > 0 ? top : 1]).nice().range([H - M.bottom, M.top]);
    const svgEl = document.createElementNS(SVG_NS, 'svg');
    const svg = select(svgEl).attr('viewBox', `0 0 ${W} ${H}`).attr('class', 'sweep-chart')
      .attr('data-metric', metric).attr('role', 'img').attr('aria-label', `${metric} by ${d.axes[0]!.label}`);
    svg.append('text').attr('class', 'chart-title').attr('x', M.left).attr('y', 14).text(metric);
    svg.append('g').attr('transform', `translate(0,${H - M.bottom})`).call(axisBottom(x));
    svg.append('g').attr('transform', `translate(${M.left},0)`).call(axisLeft(y).ticks(5));
    svg.append('text').attr('class', 'axis-label').attr('x', (M.left + W - M.right) / 2).attr('y', H - 4)
      .attr('text-anchor', 'middle').text(d.axes[0]!.label);
    const g = svg.selectAll('g.group').data(groups).join('g').attr('class', 'group')
      .attr('data-group', (gr) => gr.group).attr('transform', (gr) => `translate(${x(gr.group)},0)`);
    const bar = g.selectAll('g.bar').data((gr) => gr.bars).join('g').attr('class', 'bar')
      .attr('data-series', (b) => b.series).attr('data-variant', (b) => b.variant).attr('data-value', (b) => b.value);
    bar.append('rect').attr('x', (b) => inner(b.series)!).attr('width', inner.bandwidth())
      .attr('y', (b) => y(b.value)).attr('height', (b) => y(0) - y(b.value)).attr('fill', (b) => colour(b.series));
    bar.append('text').attr('class', 'bar-value').attr('x', (b) => inner(b.series)! + inner.bandwidth() / 2)
      .attr('y', (b) => y(b.value) - 2).attr('text-anchor', 'middle').text((b) => String(b.value));
    bar.append('title').text((b) => `variant ${b.variant}: ${b.series}: ${metric} ${b.value}`);
    return el('figure', { class: 'sweep-figure' }, svgEl as unknown as HTMLElement);
  }
}
