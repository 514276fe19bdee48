// A run as a Chrome trace / Perfetto timeline (the Trace Event Format that
// ui.perfetto.dev and chrome://tracing open): one process per host, one
// thread per CPU with complete events for the context the work ran in
// (hardirq, NET_RX softirq, process context) and the packet-path stage
// inside it, a thread per NIC for the wire and DMA side, and each packet's
// stages linked by flow events (s → t → f) so selecting one shows its path.

import type { TraceEvent } from '../model/trace.js';

export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'M' | 's' | 't' | 'f';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  args?: Record<string, unknown>;
}

/** The CPU context a stage runs in: hardirq for the IRQ, softirq for NAPI and the RX stack, else the sending process. */
function contextOf(ev: TraceEvent): string | null {
  switch (ev.stage) {
    case 'nic-rx': case 'dma-rx': case 'dma-tx': case 'nic-tx':
      return null; // the NIC's side, not a CPU
    case 'irq':
      return 'hardirq';
    case 'app-send': case 'sock-sndbuf': case 'app-recv':
      return 'process';
    case 'napi-poll': case 'gro': case 'cpu-backlog': case 'nf-prerouting': case 'defrag': case 'route-input':
    case 'nf-input': case 'nf-forward': case 'l4-rx': case 'sock-rcvq': case 'tx-complete':
      return 'NET_RX softirq';
    default:
      // Output stages run in the context that started them: softirq for forwarded packets and TCP's ACKs from RX.
      return ev.flow === 'outbound' ? 'process' : 'NET_RX softirq';
  }
}

const US = 1000;

export function chromeTrace(events: readonly TraceEvent[], hostNames: readonly string[]): { traceEvents: ChromeTraceEvent[]; displayTimeUnit: 'ns' } {
  const out: ChromeTraceEvent[] = [];
  const pidOf = new Map(hostNames.map((h, i) => [h, i + 1]));
  const nicTid = new Map<string, number>();
  const lanes = new Map<string, { pid: number; tid: number; evs: { ev: TraceEvent; ctx: string | null }[] }>();
  const threadNames = new Map<string, string>();
  for (const ev of events) {
    const pid = pidOf.get(ev.host) ?? 0;
    const ctx = contextOf(ev);
    let tid: number;
    let tname: string;
    if (ctx === null || ev.cpu < 0) {
      const key = `${ev.host}/${ev.dev ?? 'nic'}`;
      if (!nicTid.has(key)) nicTid.set(key, 1000 + nicTid.size);
      tid = nicTid.get(key)!;
      tname = `${ev.dev ?? 'nic'} (NIC)`;
    } else {
      tid = ev.cpu + 1;
      tname = `CPU ${ev.cpu}`;
    }
    const key = `${pid}/${tid}`;
    threadNames.set(key, tname);
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = { pid, tid, evs: [] }));
    lane.evs.push({ ev, ctx: ctx === null || ev.cpu < 0 ? 'nic' : ctx });
  }
  for (const [h, pid] of pidOf) out.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: h } });
  for (const [key, name] of threadNames) {
    const [pid, tid] = key.split('/').map(Number) as [number, number];
    out.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
    out.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } });
  }
  // Where each trace event's stage slice lies, for binding its flow event.
  const placed = new Map<TraceEvent, { pid: number; tid: number; ts: number }>();
  for (const lane of lanes.values()) {
    const evs = lane.evs.slice().sort((a, b) => a.ev.t - b.ev.t);
    for (let i = 0; i < evs.length;) {
      let j = i;
      while (j + 1 < evs.length && evs[j + 1]!.ctx === evs[i]!.ctx) j++;
      const start = evs[i]!.ev.t;
      const end = evs[j]!.ev.t;
      if (evs[i]!.ctx !== 'nic') out.push({ name: evs[i]!.ctx!, cat: 'context', ph: 'X', pid: lane.pid, tid: lane.tid, ts: start / US, dur: Math.max(end - start, 1) / US });
      for (let k = i; k <= j; k++) {
        const { ev } = evs[k]!;
        const next = k < j ? evs[k + 1]!.ev.t : ev.t + 1;
        out.push({
          name: ev.stage, cat: 'stage', ph: 'X', pid: lane.pid, tid: lane.tid, ts: ev.t / US, dur: Math.max(next - ev.t, 1) / US,
          args: { skb: ev.skb, fn: ev.fn, detail: ev.detail, ...(ev.dev ? { dev: ev.dev } : {}), ...(ev.verdict ? { verdict: ev.verdict } : {}), ...(ev.reason ? { reason: ev.reason } : {}) },
        });
        placed.set(ev, { pid: lane.pid, tid: lane.tid, ts: ev.t / US });
      }
      i = j + 1;
    }
  }
  const bySkb = new Map<number, TraceEvent[]>();
  for (const ev of events) {
    let l = bySkb.get(ev.skb);
    if (!l) bySkb.set(ev.skb, (l = []));
    l.push(ev);
  }
  for (const [skb, evs] of bySkb) {
    if (evs.length < 2) continue;
    evs.forEach((ev, i) => {
      const p = placed.get(ev)!;
      const ph = i === 0 ? 's' : i === evs.length - 1 ? 'f' : 't';
      out.push({ name: `skb ${skb}`, cat: 'packet', ph, id: skb, pid: p.pid, tid: p.tid, ts: p.ts, ...(ph === 'f' ? { bp: 'e' as const } : {}) });
    });
  }
  return { traceEvents: out, displayTimeUnit: 'ns' };
}
