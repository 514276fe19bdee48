// The journey as people read it: one line per stage, numbered as in the
// seed's inbound (1-11) and outbound (1-10) flows, with time, host, CPU,
// kernel function and what happened.

import type { TraceEvent } from '../model/trace.js';

const FLOW_TAG: Record<string, string> = { inbound: 'in', outbound: 'out', forward: 'fwd' };

export function formatJourney(scenario: string, seed: number, skb: number, events: TraceEvent[]): string {
  const rows = events.map((e) => [
    `${FLOW_TAG[e.flow]} ${e.step || '-'}`,
    (e.t / 1e9).toFixed(9),
    e.host,
    String(e.cpu),
    e.dev ?? '-',
    e.stage,
    e.fn,
    e.detail + (e.verdict && e.verdict !== 'accept' ? ` [${e.verdict}${e.reason ? `: ${e.reason}` : ''}]` : ''),
  ]);
  const head = ['step', 'time (s)', 'host', 'cpu', 'dev', 'stage', 'kernel function', 'what happened'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  widths[widths.length - 1] = 0;
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [`Journey of skb ${skb} in ${scenario} (seed ${seed}): ${events.length} stages`, '', line(head)];
  for (const r of rows) out.push(line(r));
  return out.join('\n') + '\n';
}

/** The packet a journey shows by default: the first one an application read, else the first traced. */
export function defaultJourneySkb(events: TraceEvent[]): number | null {
  const read = events.find((e) => e.stage === 'app-recv');
  if (read) return read.skb;
  return events.length > 0 ? events[0]!.skb : null;
}

/** Every event of one packet in time order (stable for equal times). */
export function journeyEvents(events: TraceEvent[], skb: number): TraceEvent[] {
  return events.filter((e) => e.skb === skb).map((e, i) => [e, i] as const).sort((a, b) => a[0].t - b[0].t || a[1] - b[1]).map(([e]) => e);
}
