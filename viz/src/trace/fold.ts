// The visualiser's state at a moment: a pure fold of trace events 0..i into
// per-host aggregates (packets through each box, drops by box and reason,
// netfilter verdicts, the latest queue gauges). Time travel is this fold from
// a frozen checkpoint, so any earlier moment is rebuilt exactly.

import type { TraceEvent } from './event.js';
import { isDrop } from './layout.js';
import { parseGauges } from './gauge.js';

export interface Gauge {
  box: string;
  label: string;
  value: number;
  max: number;
  /** Index of the event that last set it. */
  at: number;
}

export interface HostState {
  /** Events placed in each box. */
  passed: Record<string, number>;
  /** Drops per box, by reason. */
  drops: Record<string, Record<string, number>>;
  dropReasons: Record<string, number>;
  /** `<stage> <verdict>` → count, e.g. `nf-input accept`. */
  verdicts: Record<string, number>;
  /** Events per stage slug. */
  stages: Record<string, number>;
  /** `<box>|<label>` → the latest reading. */
  gauges: Record<string, Gauge>;
}

export interface VizState {
  /** Number of events folded in: the state after events[0 .. applied-1]. */
  applied: number;
  t: number;
  totalDrops: number;
  hosts: Record<string, HostState>;
}

export function initialState(hostNames: readonly string[]): VizState {
  const hosts: Record<string, HostState> = {};
  for (const h of hostNames) hosts[h] = emptyHost();
  return { applied: 0, t: 0, totalDrops: 0, hosts };
}

function emptyHost(): HostState {
  return { passed: {}, drops: {}, dropReasons: {}, verdicts: {}, stages: {}, gauges: {} };
}

/** A mutable deep copy of a (frozen) state, to fold further events into. */
export function cloneState(s: VizState): VizState {
  const hosts: Record<string, HostState> = {};
  for (const [name, h] of Object.entries(s.hosts)) {
    const drops: Record<string, Record<string, number>> = {};
    for (const [box, byReason] of Object.entries(h.drops)) drops[box] = { ...byReason };
    const gauges: Record<string, Gauge> = {};
    for (const [k, g] of Object.entries(h.gauges)) gauges[k] = { ...g };
    hosts[name] = {
      passed: { ...h.passed }, drops, dropReasons: { ...h.dropReasons }, verdicts: { ...h.verdicts },
      stages: { ...h.stages }, gauges,
    };
  }
  return { applied: s.applied, t: s.t, totalDrops: s.totalDrops, hosts };
}

/** Freezes a state all the way down, so a snapshot cannot be changed by accident. */
export function freezeState(s: VizState): VizState {
  for (const h of Object.values(s.hosts)) {
    for (const byReason of Object.values(h.drops)) Object.freeze(byReason);
    for (const g of Object.values(h.gauges)) Object.freeze(g);
    Object.freeze(h.passed); Object.freeze(h.drops); Object.freeze(h.dropReasons);
    Object.freeze(h.verdicts); Object.freeze(h.stages); Object.freeze(h.gauges); Object.freeze(h);
  }
  Object.freeze(s.hosts);
  return Object.freeze(s);
}

/** Folds one event (index `i`, placed in `box`) into a mutable state. */
export function applyEvent(d: VizState, ev: TraceEvent, box: string, i: number): void {
  d.applied = i + 1;
  d.t = ev.t;
  let h = d.hosts[ev.host];
  if (h === undefined) {
    d.hosts[ev.host] = emptyHost();
    h = d.hosts[ev.host]!;
  }
  h.passed[box] = (h.passed[box] ?? 0) + 1;
  h.stages[ev.stage] = (h.stages[ev.stage] ?? 0) + 1;
  if (ev.verdict !== undefined) {
    const k = `${ev.stage} ${ev.verdict}`;
    h.verdicts[k] = (h.verdicts[k] ?? 0) + 1;
  }
  if (isDrop(ev)) {
    const reason = ev.reason ?? 'NOT_SPECIFIED';
    d.totalDrops++;
    const byBox = (h.drops[box] ??= {});
    byBox[reason] = (byBox[reason] ?? 0) + 1;
    h.dropReasons[reason] = (h.dropReasons[reason] ?? 0) + 1;
  }
  for (const g of parseGauges(ev.detail)) {
    h.gauges[`${box}|${g.label}`] = { box, label: g.label, value: g.value, max: g.max, at: i };
  }
}
