// The visualiser's state at a moment: a pure fold of trace events 0..i into
// per-host aggregates (packets through each box, drops by box and reason,
// netfilter verdicts, the latest queue gauges). Time travel is this fold from
// a checkpoint, so any earlier moment is rebuilt exactly.

import type { Draft } from 'immer';
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

/** Folds one event (index `i`, placed in `box`) into the draft. */
export function applyEvent(d: Draft<VizState>, ev: TraceEvent, box: string, i: number): void {
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
