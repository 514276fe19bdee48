// Counters at the current moment, per host, with their change since the
// previous event: folded from the trace (drops by reason, hook verdicts, queue
// gauges). Below them, for a scenario run in the page, the model's own SNMP
// counters and conntrack table at this moment, nstat-style: non-zero values
// and their delta since the moment viewed before.

import type { HostState, VizState } from '../trace/fold.js';
import { ALL_BOXES } from '../trace/layout.js';
import { el, fill } from '../dom.js';

export interface MomentCounters {
  /** When: "t = 1.234 ms". */
  label: string;
  snmp: Record<string, Record<string, number>>;
  /** The previously viewed moment's counters, for deltas. */
  before: Record<string, Record<string, number>> | null;
  /** `sysctl -n net.netfilter.nf_conntrack_count` / `_max` per host where conntrack is loaded. */
  conntrack: Record<string, { count: number; max: number }>;
}

export class CountersView {
  constructor(
    private readonly root: HTMLElement,
    private readonly modelRoot: HTMLElement,
  ) {}

  /** The model's counters at the shown moment; null clears (trace files, or not computed yet). */
  renderMoment(m: MomentCounters | null, note = ''): void {
    if (m === null) {
      fill(this.modelRoot, note ? el('p', { class: 'note' }, note) : null);
      return;
    }
    const sections: HTMLElement[] = [el('p', { class: 'note' }, `Model counters at ${m.label} (nstat: non-zero, Δ since the last moment viewed)`)];
    for (const [host, counters] of Object.entries(m.snmp)) {
      const ct = m.conntrack[host];
      const nonZero: Record<string, number> = {};
      for (const [k, v] of Object.entries(counters)) if (v !== 0 || (m.before?.[host]?.[k] ?? 0) !== 0) nonZero[k] = v;
      sections.push(el('section', { class: 'host-counters', 'data-host': host },
        el('h4', {}, host),
        ct ? el('p', { class: 'conntrack', 'data-conntrack': `${ct.count}/${ct.max}` },
          `nf_conntrack_count ${ct.count} / nf_conntrack_max ${ct.max} `,
          el('meter', { min: 0, max: ct.max, value: ct.count, high: ct.max * 0.9 })) : null,
        counterTable('SNMP / netstat counters', nonZero, m.before?.[host], 'snmp')));
    }
    fill(this.modelRoot, ...sections);
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
        el('td', {}, k), el('td', { class: 'num' }, now[k]!), el('td', { class: 'num' }, d !== 0 ? (d > 0 ? `+${d}` : String(d)) : ''));
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

/** Conntrack table count against max, from a gauge a conntrack stage's detail names (e.g. "count 3/262144"). */
function conntrackLine(hs: HostState): HTMLElement | null {
  const g = Object.values(hs.gauges).find((x) => /conntrack|^ct|count/i.test(x.label) && x.box === 'in:6')
    ?? Object.values(hs.gauges).find((x) => /conntrack/i.test(x.label));
  if (!g) return null;
  return el('p', { class: 'conntrack', 'data-conntrack': `${g.value}/${g.max}` },
    `conntrack: ${g.value} / ${g.max} entries `,
    el('meter', { min: 0, max: g.max, value: g.value, high: g.max * 0.9 }));
}
