// The pipeline: for each host the seed's inbound column (NIC at the bottom up to
// recv()) and outbound column (send() down to the NIC), FORWARD between them
// with the forward branch on to POSTROUTING, hosts side by side and joined by
// their links under the NIC rows. Boxes show step, label and kernel function;
// the followed packet moves along the edges; drops are marked where they happen.

// Importing interrupt from d3 keeps d3-transition, which adds selection.transition().
import { interrupt, select, type Selection } from 'd3';
import { ALL_BOXES, type BoxDef } from '../trace/layout.js';
import type { LinkDef } from '../model/model_api.js';
import type { Frame } from './frame.js';
import { OKABE_ITO } from '../palette.js';

const BOX_W = 148;
const BOX_H = 30;
const ROW = 37;
const MID = 104;
const FWD_W = MID - 20;
const HOST_W = BOX_W * 2 + MID;
const HOST_GAP = 56;
const TOP = 44;
const NIC_Y = TOP + 10 * ROW + BOX_H;

interface Geom {
  x: number;
  y: number;
  w: number;
}

function boxGeom(b: BoxDef, hostX: number): Geom {
  if (b.key === 'in:8f') return { x: hostX + BOX_W + 10, y: TOP + 3 * ROW, w: FWD_W };
  if (b.column === 'in') return { x: hostX, y: TOP + (11 - b.step) * ROW, w: BOX_W };
  return { x: hostX + BOX_W + MID, y: TOP + b.step * ROW, w: BOX_W };
}

/** Edges of one host's pipeline: [from, to] box keys. */
const EDGES: [string, string][] = [
  ['in:1', 'in:2'], ['in:2', 'in:3'], ['in:3', 'in:4'], ['in:4', 'in:5'], ['in:5', 'in:6'], ['in:6', 'in:7'],
  ['in:7', 'in:8'], ['in:7', 'in:8f'], ['in:8', 'in:9'], ['in:9', 'in:10'], ['in:10', 'in:11'],
  ['out:1', 'out:2'], ['out:2', 'out:3'], ['out:3', 'out:4'], ['out:4', 'out:5'], ['out:5', 'out:6'],
  ['out:6', 'out:7'], ['out:7', 'out:8'], ['out:8', 'out:9'], ['out:9', 'out:10'],
  ['in:8f', 'out:6'],
];

type GSel = Selection<SVGGElement, unknown, null, undefined>;

interface BoxNodes {
  g: SVGGElement;
  count: SVGTextElement;
  drop: SVGTextElement;
  gauge: SVGRectElement;
  gaugeTitle: SVGTitleElement;
  title: SVGTitleElement;
  geom: Geom;
}

export class PipelineView {
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private boxes = new Map<string, BoxNodes>();
  private hostCallouts = new Map<string, SVGTextElement>();
  private hostX = new Map<string, number>();
  private packet!: Selection<SVGGElement, unknown, null, undefined>;
  private others!: GSel;
  private lastPacketBox = '';

  constructor(svgEl: SVGSVGElement) {
    this.svg = select(svgEl);
  }

  /** Draws the static part: hosts, boxes, edges and links. */
  setTopology(hosts: readonly string[], links: readonly LinkDef[]): void {
    const svg = this.svg;
    svg.selectAll('*').remove();
    this.boxes.clear();
    this.hostCallouts.clear();
    this.hostX.clear();
    this.lastPacketBox = '';
    const width = Math.max(1, hosts.length) * (HOST_W + HOST_GAP) - HOST_GAP + 20;
    const height = NIC_Y + 30 + 26 * Math.max(1, links.length) + 10;
    svg.attr('viewBox', `-10 0 ${width} ${height}`).attr('role', 'img');
    svg.attr('aria-label', `Packet pipeline of ${hosts.length} host(s)`);

    const defs = svg.append('defs');
    for (const [id, colour] of [['arrow', '#555'], ['arrow-fwd', OKABE_ITO.purple], ['arrow-link', '#333']] as const) {
      defs.append('marker').attr('id', id).attr('viewBox', '0 0 10 10').attr('refX', 9).attr('refY', 5)
        .attr('markerWidth', 7).attr('markerHeight', 7).attr('orient', 'auto-start-reverse')
        .append('path').attr('d', 'M0,0 L10,5 L0,10 z').attr('fill', colour);
    }

    hosts.forEach((host, hi) => {
      const hx = hi * (HOST_W + HOST_GAP);
      this.hostX.set(host, hx);
      const g = svg.append('g').attr('class', 'host').attr('data-host', host);
      g.append('rect').attr('class', 'host-frame').attr('x', hx - 6).attr('y', 2)
        .attr('width', HOST_W + 12).attr('height', NIC_Y + 8).attr('rx', 8);
      g.append('text').attr('class', 'host-name').attr('x', hx).attr('y', 20).text(host);
      g.append('text').attr('class', 'col-label').attr('x', hx).attr('y', 36).text('inbound ↑');
      g.append('text').attr('class', 'col-label').attr('x', hx + BOX_W + MID).attr('y', 36).text('outbound ↓');
      this.hostCallouts.set(host, g.append('text').attr('class', 'callout').attr('x', hx + HOST_W).attr('y', 20)
        .attr('text-anchor', 'end').node()!);

      const geoms = new Map<string, Geom>();
      for (const b of ALL_BOXES) geoms.set(b.key, boxGeom(b, hx));
      const edges = g.append('g').attr('class', 'edges');
      for (const [from, to] of EDGES) {
        const a = geoms.get(from)!;
        const b = geoms.get(to)!;
        edges.append('path').attr('class', from === 'in:8f' ? 'edge edge-fwd' : 'edge')
          .attr('d', edgePath(from, to, a, b))
          .attr('marker-end', from === 'in:8f' ? 'url(#arrow-fwd)' : 'url(#arrow)');
      }
      for (const b of ALL_BOXES) this.drawBox(g, host, b, geoms.get(b.key)!);
    });

    links.forEach((l, li) => this.drawLink(l, li));
    this.others = svg.append('g').attr('class', 'others');
    this.packet = svg.append('g').attr('class', 'packet').attr('data-box', '').style('display', 'none');
    this.packet.append('circle').attr('r', 8);
    this.packet.append('title');
  }

  private drawBox(host: GSel, hostName: string, b: BoxDef, geo: Geom): void {
    const g = host.append('g').attr('class', 'box').attr('data-box', b.key).attr('data-stage', b.slug)
      .attr('transform', `translate(${geo.x},${geo.y})`);
    const title = g.append<SVGTitleElement>('title');
    g.append('rect').attr('class', 'box-rect').attr('width', geo.w).attr('height', BOX_H).attr('rx', 4);
    const narrow = geo.w < BOX_W;
    g.append('text').attr('class', 'box-step').attr('x', 5).attr('y', 12).text(String(b.step));
    g.append('text').attr('class', 'box-label').attr('x', narrow ? 16 : 20).attr('y', 12)
      .text(narrow ? b.label.toUpperCase() : b.label);
    g.append('text').attr('class', 'box-fn').attr('x', narrow ? 5 : 20).attr('y', 25).text(b.fn);
    const count = g.append('text').attr('class', 'box-count').attr('x', geo.w - 4).attr('y', 12)
      .attr('text-anchor', 'end');
    // Drop marks sit outside the box, in the lane between the columns.
    const outside = b.column === 'out' && b.key !== 'in:8f';
    const drop = g.append('text').attr('class', 'box-drop').attr('x', outside ? -4 : geo.w + 4).attr('y', 19)
      .attr('text-anchor', outside ? 'end' : 'start');
    const gauge = g.append('rect').attr('class', 'box-gauge').attr('x', 0).attr('y', BOX_H - 3)
      .attr('height', 3).attr('width', 0);
    const gaugeTitle = gauge.append<SVGTitleElement>('title');
    this.boxes.set(`${hostName}|${b.key}`, {
      g: g.node()!, count: count.node()!, drop: drop.node()!, gauge: gauge.node()!,
      gaugeTitle: gaugeTitle.node()!, title: title.node()!, geom: geo,
    });
  }

  private drawLink(l: LinkDef, li: number): void {
    const ax = this.hostX.get(l.a);
    const bx = this.hostX.get(l.b);
    if (ax === undefined || bx === undefined) return;
    const g = this.svg.append('g').attr('class', 'link').attr('data-link', `${l.a}:${l.aDev}-${l.b}:${l.bDev}`);
    const depth = NIC_Y + 18 + li * 26;
    // a transmits (out:10, right column) to b's NIC (in:1, left column) and back.
    const aOut = ax + BOX_W + MID + BOX_W / 2;
    const aIn = ax + BOX_W / 2;
    const bOut = bx + BOX_W + MID + BOX_W / 2;
    const bIn = bx + BOX_W / 2;
    g.append('path').attr('class', 'link-path').attr('marker-end', 'url(#arrow-link)')
      .attr('d', `M${aOut},${NIC_Y} V${depth} H${bIn} V${NIC_Y + 2}`);
    g.append('path').attr('class', 'link-path link-back').attr('marker-end', 'url(#arrow-link)')
      .attr('d', `M${bOut},${NIC_Y} V${depth + 8} H${aIn} V${NIC_Y + 2}`);
    g.append('text').attr('class', 'link-label').attr('x', (aOut + bIn) / 2).attr('y', depth - 3)
      .attr('text-anchor', 'middle').text(`${l.a}:${l.aDev} ⇄ ${l.b}:${l.bDev}${l.label ? ` · ${l.label}` : ''}`);
  }

  render(f: Frame): void {
    const { index, pos, state } = f;
    const cur = f.ev;
    const curKey = cur ? `${cur.host}|${index.boxKey(pos)}` : '';
    const trail = new Set<string>();
    if (f.skb !== null) {
      const list = index.eventsOf(f.skb);
      for (let k = 0; k < list.length && list[k]! <= pos; k++) {
        trail.add(`${index.events[list[k]!]!.host}|${index.boxKey(list[k]!)}`);
      }
    }
    const dropNow = cur !== null && index.dropAt.length > 0 && isDropAt(index, pos);

    for (const [key, n] of this.boxes) {
      const bar = key.indexOf('|');
      const host = key.slice(0, bar);
      const boxKey = key.slice(bar + 1);
      const hs = state.hosts[host];
      const passed = hs?.passed[boxKey] ?? 0;
      const drops = hs?.drops[boxKey];
      let dropTotal = 0;
      const reasons: string[] = [];
      if (drops) for (const [r, c] of Object.entries(drops)) { dropTotal += c; reasons.push(`${r} ×${c}`); }
      n.count.textContent = passed > 0 ? `×${passed}` : '';
      n.drop.textContent = dropTotal > 0 ? `✕${dropTotal}` : '';
      const cls = ['box'];
      if (passed > 0) cls.push('seen');
      if (trail.has(key)) cls.push('trail');
      if (key === curKey) cls.push('current');
      if (key === curKey && dropNow) cls.push('drop-now');
      if (dropTotal > 0) cls.push('has-drops');
      n.g.setAttribute('class', cls.join(' '));
      const def = ALL_BOXES.find((b) => b.key === boxKey)!;
      n.title.textContent = `${def.step} ${def.label} (${def.fn}): ${passed} event(s)` +
        (reasons.length ? `; drops: ${reasons.join(', ')}` : '');
      const gauge = hs ? firstGauge(hs.gauges, boxKey) : null;
      if (gauge) {
        n.gauge.setAttribute('width', String(Math.max(1, (n.geom.w * Math.min(gauge.value, gauge.max)) / gauge.max)));
        n.gaugeTitle.textContent = `${gauge.label} ${gauge.value}/${gauge.max}`;
      } else {
        n.gauge.setAttribute('width', '0');
        n.gaugeTitle.textContent = '';
      }
      if (cur && key === curKey && cur.fn) {
        (n.g.querySelector('.box-fn') as SVGTextElement).textContent = cur.fn;
      } else {
        (n.g.querySelector('.box-fn') as SVGTextElement).textContent = def.fn;
      }
    }

    for (const [host, t] of this.hostCallouts) {
      t.textContent = dropNow && cur && cur.host === host ? `✕ ${cur.reason ?? 'dropped'} at ${labelOf(index.boxKey(pos))}` : '';
    }
    this.renderPacket(f);
    this.renderOthers(f);
  }

  private renderPacket(f: Frame): void {
    const { index, pos } = f;
    const at = f.skb !== null ? index.latestOfSkb(f.skb, pos) : -1;
    if (at < 0) {
      this.packet.style('display', 'none').attr('data-box', '');
      this.lastPacketBox = '';
      return;
    }
    const ev = index.events[at]!;
    const key = `${ev.host}|${index.boxKey(at)}`;
    const n = this.boxes.get(key);
    if (!n) return;
    const x = n.geom.x + n.geom.w - 14;
    const y = n.geom.y + BOX_H / 2;
    this.packet.style('display', null).attr('data-box', key).attr('data-skb', String(f.skb));
    this.packet.classed('dropped', isDropAt(index, at));
    this.packet.select('title').text(`packet ${f.skb} at ${ev.stage} on ${ev.host}`);
    interrupt(this.packet.node()!);
    if (f.animate && this.lastPacketBox !== '' && this.lastPacketBox !== key) {
      this.packet.transition().duration(f.moveMs).attr('transform', `translate(${x},${y})`);
    } else {
      this.packet.attr('transform', `translate(${x},${y})`);
    }
    this.lastPacketBox = key;
  }

  private renderOthers(f: Frame): void {
    const { index, pos } = f;
    const skbs = pos >= 0 ? index.inFlight(pos, 4000, 200).filter((s) => s !== f.skb) : [];
    const perBox = new Map<string, number>();
    const dots: { skb: number; x: number; y: number }[] = [];
    for (const skb of skbs) {
      const at = index.latestOfSkb(skb, pos);
      const ev = index.events[at]!;
      const key = `${ev.host}|${index.boxKey(at)}`;
      const n = this.boxes.get(key);
      if (!n) continue;
      const k = perBox.get(key) ?? 0;
      perBox.set(key, k + 1);
      if (k >= 6) continue;
      dots.push({ skb, x: n.geom.x + n.geom.w - 34 - k * 8, y: n.geom.y + BOX_H / 2 });
    }
    this.others.selectAll<SVGCircleElement, { skb: number; x: number; y: number }>('circle')
      .data(dots, (d) => String(d.skb))
      .join('circle')
      .attr('class', 'other-packet')
      .attr('r', 3.5)
      .attr('cx', (d) => d.x)
      .attr('cy', (d) => d.y)
      .attr('data-skb', (d) => String(d.skb));
  }
}

function isDropAt(index: Frame['index'], i: number): boolean {
  const a = index.dropAt;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  return lo < a.length && a[lo] === i;
}

function labelOf(boxKey: string): string {
  const b = ALL_BOXES.find((x) => x.key === boxKey);
  return b ? `${b.step} ${b.label}` : boxKey;
}

function firstGauge(gauges: Record<string, { box: string; label: string; value: number; max: number }>, box: string) {
  for (const g of Object.values(gauges)) if (g.box === box) return g;
  return null;
}

function edgePath(from: string, to: string, a: Geom, b: Geom): string {
  const acx = a.x + a.w / 2;
  const bcx = b.x + b.w / 2;
  if (from === 'in:8f') {
    // forward branch: out of FORWARD's right side down into POSTROUTING's left side
    const x0 = a.x + a.w;
    const y0 = a.y + BOX_H / 2;
    const x1 = b.x;
    const y1 = b.y + BOX_H / 2;
    return `M${x0},${y0} C${x0 + 20},${y0} ${x1 - 30},${y1} ${x1 - 1},${y1}`;
  }
  if (to === 'in:8f') {
    const x0 = a.x + a.w;
    const y0 = a.y + BOX_H / 2;
    return `M${x0},${y0} C${bcx},${y0} ${bcx},${y0} ${bcx},${b.y + BOX_H + 1}`;
  }
  if (from.startsWith('in')) return `M${acx},${a.y} V${b.y + BOX_H + 1}`;
  return `M${acx},${a.y + BOX_H} V${b.y - 1}`;
}
