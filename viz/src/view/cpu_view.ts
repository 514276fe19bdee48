// Per-CPU timeline: one lane per (host, CPU) over the simulated time around the
// current event, each event a mark coloured by the context it runs in (NIC,
// hard IRQ, NET_RX/NET_TX softirq, process). Shapes differ too, not only colour.

import { scaleLinear, select, type Selection } from 'd3';
import type { TraceIndex } from '../trace/trace_index.js';
import { CONTEXT_COLOUR, stageContext } from '../palette.js';
import { formatNs } from '../dom.js';

const HALF_WINDOW = 60;
const LANE = 18;
const LEFT = 96;
const W = 960;

interface Mark {
  i: number;
  lane: number;
  t: number;
  ctx: ReturnType<typeof stageContext>;
}

export class CpuView {
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private lanes = new Map<string, number>();
  private marks!: Selection<SVGGElement, unknown, null, undefined>;
  private axis!: Selection<SVGTextElement, unknown, null, undefined>;
  private axisEnd!: Selection<SVGTextElement, unknown, null, undefined>;

  constructor(svgEl: SVGSVGElement) {
    this.svg = select(svgEl);
  }

  setTrace(index: TraceIndex): void {
    this.lanes.clear();
    const labels: string[] = [];
    for (const h of index.hosts) {
      for (const c of index.cpus.get(h) ?? []) {
        this.lanes.set(`${h}/${c}`, labels.length);
        labels.push(`${h} cpu${c}`);
      }
    }
    const height = labels.length * LANE + 22;
    this.svg.selectAll('*').remove();
    this.svg.attr('viewBox', `0 0 ${W} ${height}`);
    this.svg.append('g').attr('class', 'lane-labels').selectAll('text').data(labels).join('text')
      .attr('x', 4).attr('y', (_, k) => k * LANE + 13).text((d) => d);
    this.svg.append('g').attr('class', 'lane-lines').selectAll('line').data(labels).join('line')
      .attr('x1', LEFT).attr('x2', W).attr('y1', (_, k) => k * LANE + LANE - 1).attr('y2', (_, k) => k * LANE + LANE - 1);
    this.marks = this.svg.append('g').attr('class', 'marks');
    this.axis = this.svg.append('text').attr('class', 'axis').attr('x', LEFT).attr('y', height - 6);
    this.axisEnd = this.svg.append('text').attr('class', 'axis').attr('x', W - 4).attr('y', height - 6)
      .attr('text-anchor', 'end');
  }

  render(index: TraceIndex, pos: number): void {
    const lo = Math.max(0, pos - HALF_WINDOW);
    const hi = Math.min(index.length - 1, Math.max(pos, 0) + HALF_WINDOW);
    const marks: Mark[] = [];
    for (let i = lo; i <= hi; i++) {
      const ev = index.events[i]!;
      marks.push({ i, lane: this.lanes.get(`${ev.host}/${ev.cpu}`) ?? 0, t: ev.t, ctx: stageContext(ev.stage) });
    }
    if (marks.length === 0) return;
    const t0 = marks[0]!.t;
    const t1 = Math.max(t0 + 1, marks[marks.length - 1]!.t);
    const x = scaleLinear().domain([t0, t1]).range([LEFT + 6, W - 8]);
    this.marks.selectAll<SVGPathElement, Mark>('path')
      .data(marks, (d) => String(d.i))
      .join('path')
      .attr('d', (d) => shape(d.ctx))
      .attr('transform', (d) => `translate(${x(d.t)},${d.lane * LANE + LANE / 2})`)
      .attr('fill', (d) => CONTEXT_COLOUR[d.ctx])
      .attr('class', (d) => (d.i === pos ? 'mark current' : d.i > pos ? 'mark future' : 'mark'));
    this.axis.text(formatNs(t0));
    this.axisEnd.text(formatNs(t1));
  }
}

/** A distinct glyph per context: square NIC, triangle hardirq, circle softirq, diamond process. */
function shape(ctx: Mark['ctx']): string {
  switch (ctx) {
    case 'device':
      return 'M-4,-4 H4 V4 H-4 Z';
    case 'hardirq':
      return 'M0,-5 L5,4 L-5,4 Z';
    case 'process':
      return 'M0,-5 L5,0 L0,5 L-5,0 Z';
    default:
      return 'M-4,0 A4,4 0 1,0 4,0 A4,4 0 1,0 -4,0';
  }
}
