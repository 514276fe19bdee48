// The scrubbable timeline: a range input (keyboard and screen-reader friendly)
// over event positions, above it a strip over simulated time with the event
// density per bin and a ✕ for every bin holding a drop. Clicking or dragging
// the strip seeks to the first event at that time.

import { max, scaleLinear, select, type Selection } from 'd3';
import type { TraceIndex } from '../trace/trace_index.js';
import { formatNs } from '../dom.js';

const BINS = 240;
const W = 960;
const H = 34;

export class TimelineView {
  private readonly strip: Selection<SVGSVGElement, unknown, null, undefined>;
  private cursor!: Selection<SVGLineElement, unknown, null, undefined>;
  private length = 0;
  private t0 = 0;
  private span = 1;
  private times: Float64Array = new Float64Array(0);

  constructor(
    svgEl: SVGSVGElement,
    private readonly range: HTMLInputElement,
    private readonly label: HTMLElement,
    onSeek: (pos: number) => void,
  ) {
    this.strip = select(svgEl).attr('viewBox', `0 0 ${W} ${H}`).attr('preserveAspectRatio', 'none');
    this.range.addEventListener('input', () => onSeek(Number(this.range.value)));
    let dragging = false;
    const seekAt = (e: PointerEvent): void => {
      const r = svgEl.getBoundingClientRect();
      const frac = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
      onSeek(this.firstAtOrAfter(this.t0 + frac * this.span));
    };
    svgEl.addEventListener('pointerdown', (e) => {
      dragging = true;
      svgEl.setPointerCapture(e.pointerId);
      seekAt(e);
    });
    svgEl.addEventListener('pointermove', (e) => dragging && seekAt(e));
    svgEl.addEventListener('pointerup', () => (dragging = false));
  }

  setTrace(index: TraceIndex): void {
    this.length = index.length;
    this.range.min = '-1';
    this.range.max = String(index.length - 1);
    const n = index.length;
    this.times = new Float64Array(n);
    for (let i = 0; i < n; i++) this.times[i] = index.events[i]!.t;
    const t0 = n ? this.times[0]! : 0;
    const span = Math.max(1, (n ? this.times[n - 1]! : 0) - t0);
    this.t0 = t0;
    this.span = span;
    const bin = (t: number): number => Math.min(BINS - 1, Math.floor(((t - t0) / span) * BINS));
    const byTime = new Int32Array(BINS);
    const drops = new Int32Array(BINS);
    for (let i = 0; i < n; i++) byTime[bin(this.times[i]!)]!++;
    for (const d of index.dropAt) drops[bin(this.times[d]!)]!++;
    const y = scaleLinear().domain([0, max(byTime) ?? 1]).range([0, H - 12]);
    const bw = W / BINS;
    this.strip.selectAll('*').remove();
    this.strip.append('g').attr('class', 'density').selectAll('rect')
      .data(Array.from(byTime, (_, k) => k))
      .join('rect')
      .attr('x', (k) => k * bw)
      .attr('width', bw)
      .attr('y', (k) => H - y(byTime[k]!))
      .attr('height', (k) => y(byTime[k]!));
    this.strip.append('g').attr('class', 'drop-ticks').selectAll('text')
      .data(Array.from(drops, (c, k) => [k, c] as const).filter(([, c]) => c > 0))
      .join('text')
      .attr('x', ([k]) => k * bw + bw / 2)
      .attr('y', 10)
      .attr('text-anchor', 'middle')
      .text('✕')
      .append('title')
      .text(([, c]) => `${c} drop(s)`);
    this.cursor = this.strip.append('line').attr('class', 'cursor').attr('y1', 0).attr('y2', H);
  }

  /** The first event at or after simulated time t. */
  private firstAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, this.times.length - 1);
  }

  render(index: TraceIndex, pos: number): void {
    this.range.value = String(pos);
    const x = pos >= 0 ? ((this.times[pos]! - this.t0) / this.span) * W : 0;
    this.cursor.attr('x1', x).attr('x2', x);
    const ev = pos >= 0 ? index.events[pos] : undefined;
    this.label.textContent = ev
      ? `event ${pos + 1} / ${index.length} · t = ${formatNs(ev.t)}`
      : `before the first event · ${index.length} events`;
    this.range.setAttribute('aria-valuetext', this.label.textContent);
  }
}
