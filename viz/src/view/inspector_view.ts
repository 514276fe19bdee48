// Inspectors for the followed packet at the current moment: the fields of its
// latest event (with the key=value pairs of `detail`), the netfilter verdict,
// routing decision and conntrack/NAT step that applied to it so far, and its
// journey up to now. All strings go into text nodes.

import type { TraceEvent } from '../trace/event.js';
import type { TraceIndex } from '../trace/trace_index.js';
import { parseFields } from '../trace/gauge.js';
import { ALL_BOXES, isDrop } from '../trace/layout.js';
import { elixirUrl, sourceIdent } from '../tour/notes.js';
import { el, fill, formatNs } from '../dom.js';
import type { Frame } from './frame.js';

const JOURNEY_SHOWN = 60;

export class InspectorView {
  constructor(
    private readonly packetEl: HTMLElement,
    private readonly decisionEl: HTMLElement,
    private readonly journeyEl: HTMLElement,
    private readonly onSeek: (pos: number) => void,
  ) {}

  render(f: Frame): void {
    const { index, pos } = f;
    const at = f.skb !== null ? index.latestOfSkb(f.skb, pos) : -1;
    if (at < 0) {
      fill(this.packetEl, el('p', { class: 'empty' }, f.skb === null ? 'No packet yet: step forward.' : `Packet ${f.skb} has not appeared yet.`));
      fill(this.decisionEl, el('p', { class: 'empty' }, '—'));
      fill(this.journeyEl);
      return;
    }
    const ev = index.events[at]!;
    this.renderPacket(ev, at, index, pos);
    this.renderDecisions(index, f.skb!, pos);
    this.renderJourney(index, f.skb!, pos);
  }

  private renderPacket(ev: TraceEvent, at: number, index: TraceIndex, pos: number): void {
    const box = ALL_BOXES[index.boxOf[at]!]!;
    const ident = sourceIdent(ev.stage, ev.fn);
    const rows: [string, Node | string][] = [
      ['skb', String(ev.skb)],
      ['t', formatNs(ev.t)],
      ['host', ev.host],
      ['cpu', String(ev.cpu)],
      ['dev', ev.dev ?? '—'],
      ['flow', ev.flow],
      ['step', `${ev.step} (${box.column === 'in' ? 'inbound' : 'outbound'} box ${box.step}: ${box.label})`],
      ['stage', ev.stage],
      ['fn', el('a', { href: elixirUrl(ident), target: '_blank', rel: 'noopener', class: 'fn-link' }, ev.fn)],
    ];
    if (ev.verdict !== undefined) rows.push(['verdict', ev.verdict]);
    if (ev.reason !== undefined) rows.push(['reason', ev.reason]);
    rows.push(['detail', ev.detail || '—']);
    const dl = el('dl', { class: 'fields' });
    for (const [k, v] of rows) dl.append(el('dt', {}, k), el('dd', { 'data-field': k }, v));
    const fields = parseFields(ev.detail);
    const detailTable = fields.length
      ? el('table', { class: 'detail-fields' },
          el('caption', {}, 'detail fields'),
          ...fields.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', { 'data-detail': k }, v))))
      : null;
    const stale = at !== pos ? el('p', { class: 'note' }, `Latest event of this packet: #${at + 1} (now showing #${pos + 1}).`) : null;
    fill(this.packetEl, stale, dl, detailTable);
  }

  private renderDecisions(index: TraceIndex, skb: number, pos: number): void {
    let nf: TraceEvent | null = null;
    let route: TraceEvent | null = null;
    let ct: TraceEvent | null = null;
    let drop: TraceEvent | null = null;
    const list = index.eventsOf(skb);
    for (let k = 0; k < list.length && list[k]! <= pos; k++) {
      const ev = index.events[list[k]!]!;
      if (ev.stage.startsWith('nf-')) nf = ev;
      else if (ev.stage.startsWith('route-')) route = ev;
      else if (ev.stage === 'conntrack' || ev.stage === 'nat') ct = ev;
      if (isDrop(ev)) drop = ev;
    }
    const row = (label: string, key: string, ev: TraceEvent | null, extra = ''): HTMLElement =>
      el('div', { class: 'decision', 'data-decision': key },
        el('h4', {}, label),
        ev
          ? el('p', {}, el('span', { class: 'where' }, `${ev.host} ${ev.stage}${extra ? ` · ${extra}` : ''}`), el('br'),
              el('span', { class: 'what' }, ev.detail || '—'))
          : el('p', { class: 'empty' }, 'not reached yet'));
    fill(
      this.decisionEl,
      row('Netfilter rule and verdict', 'netfilter', nf, nf?.verdict ? `verdict ${nf.verdict}` : ''),
      row('Routing decision', 'route', route),
      row('Conntrack / NAT', 'conntrack', ct),
      drop ? row('Dropped', 'drop', drop, drop.reason ?? 'NOT_SPECIFIED') : null,
    );
  }

  private renderJourney(index: TraceIndex, skb: number, pos: number): void {
    const list = index.eventsOf(skb);
    let end = 0;
    while (end < list.length && list[end]! <= pos) end++;
    const start = Math.max(0, end - JOURNEY_SHOWN);
    const ol = el('ol', { class: 'journey', start: start + 1 });
    for (let k = start; k < end; k++) {
      const i = list[k]!;
      const ev = index.events[i]!;
      const b = el('button', { type: 'button', class: isDrop(ev) ? 'drop' : '', 'data-pos': i },
        `${ev.host} · ${ev.flow} ${ev.step} · ${ev.stage}${isDrop(ev) ? ` ✕ ${ev.reason ?? ''}` : ''}`);
      b.addEventListener('click', () => this.onSeek(i));
      ol.append(el('li', {}, b));
    }
    const remaining = list.length - end;
    fill(this.journeyEl, ol, remaining > 0 ? el('p', { class: 'note' }, `${remaining} more event(s) ahead.`) : null);
  }
}
