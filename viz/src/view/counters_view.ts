// Counters at the current moment, per host, nstat-style: the value and its
// change since the previous event. They are folded from the trace (drops by
// reason, hook verdicts, queue gauges); conntrack count against max is the
// gauge named in the conntrack stage's detail. The model's own SNMP counters
// at the end of a run are listed below when the run provides them.

import type { HostState, VizState } from '../trace/fold.js';
import { ALL_BOXES } from '../trace/layout.js';
import { el, fill } from '../dom.js';

export class CountersView {
  private final: Record<string, Record<string, number>> | null = null;

  constructor(private readonly root: HTMLElement) {}

  /** Counters of each host at the end of the run, from the model's world (optional). */
  setFinal(counters: Record<string, Record<string, number>> | null): void {
    this.final = counters;
  }

  render(state: VizState, prev: VizState | null, hosts: readonly string[]): void {
    const sections: HTMLElement[] = [];
    for (const h of hosts) {
      const hs = state.hosts[h];
      if (!hs) continue;
      const ps = prev?.hosts[h];
      sections.push(
        el('section', { class: 'host-counters', 'data-host': h },
          el('h4', {}, h),
          conntrackLine(hs),
          counterTable('Drops (kfree_skb reason)', hs.dropReasons, ps?.dropReasons, 'drops'),
          counterTable('Hook verdicts', hs.verdicts, ps?.verdicts, 'verdicts'),
          gaugeTable(hs),
          this.final?.[h] ? finalTable(this.final[h]!) : null,
        ),
      );
    }
    fill(this.root, ...sections);
  }
}

function counterTable(
  title: string,
  now: Record<string, number>,
  before: Record<string, number> | undefined,
  kind: string,
): HTMLElement {
  const keys = Object.keys(now).sort();
  if (keys.length === 0) return el('p', { class: 'empty', 'data-counters': kind }, `${title}: none`);
  return el('table', { class: 'counters', 'data-counters': kind },
    el('caption', {}, title),
    el('tr', {}, el('th', { scope: 'col' }, 'name'), el('th', { scope: 'col' }, 'value'), el('th', { scope: 'col' }, 'Δ')),
    ...keys.map((k) => {
      const d = now[k]! - (before?.[k] ?? 0);
      return el('tr', { class: d !== 0 ? 'changed' : '' },
        el('td', {}, k), el('td', { class: 'num' }, now[k]!), el('td', { class: 'num' }, d !== 0 ? `+${d}` : ''));
    }));
}

function gaugeTable(hs: HostState): HTMLElement | null {
  const gauges = Object.values(hs.gauges);
  if (gauges.length === 0) return null;
  return el('table', { class: 'counters', 'data-counters': 'queues' },
    el('caption', {}, 'Queues (latest occupancy)'),
    ...gauges.map((g) => {
      const box = ALL_BOXES.find((b) => b.key === g.box);
      return el('tr', {},
        el('td', {}, `${box ? box.label : g.box}: ${g.label}`),
        el('td', { class: 'num' }, `${g.value}/${g.max}`),
        el('td', {}, el('meter', { min: 0, max: g.max, value: g.value, high: g.max * 0.8 })));
    }));
}

/** Conntrack table count against max, from a gauge set at the conntrack stage (e.g. "count 3/262144"). */
function conntrackLine(hs: HostState): HTMLElement | null {
  const g = Object.values(hs.gauges).find((x) => /conntrack|^ct|count/i.test(x.label) && x.box === 'in:6')
    ?? Object.values(hs.gauges).find((x) => /conntrack/i.test(x.label));
  if (!g) return null;
  return el('p', { class: 'conntrack', 'data-conntrack': `${g.value}/${g.max}` },
    `conntrack: ${g.value} / ${g.max} entries `,
    el('meter', { min: 0, max: g.max, value: g.value, high: g.max * 0.9 }));
}

function finalTable(counters: Record<string, number>): HTMLElement {
  const keys = Object.keys(counters).filter((k) => counters[k] !== 0);
  return el('details', { class: 'final-counters' },
    el('summary', {}, `Model counters at the end of the run (${keys.length} non-zero)`),
    el('table', { class: 'counters' }, ...keys.map((k) => el('tr', {}, el('td', {}, k), el('td', { class: 'num' }, counters[k]!)))));
}
