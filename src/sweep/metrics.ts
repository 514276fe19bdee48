// One sweep variant: compile its scenario, run it with the app-recv latency
// histogram on and the tracer off, and measure what the what-if questions ask:
//   throughput      application bytes read ÷ simulated time
//   stack pps       IpInReceives on the receiver ÷ simulated time (a GRO
//                   super-packet counts once, as in the kernel's MIB)
//   softirq per GB  softirq CPU time on every host ÷ GB read by applications
//   drops           kfree_skb drops, total and by reason
//   latency         p50/p99 of skb.tstamp (creation) → read() by the application
//   retransmits     TcpRetransSegs over every host
// Browser-safe; the worker pool (src/cli/sweep_node.ts) calls runVariant.

import { compileScenario } from '../scenario/build.js';
import { simulate } from '../scenario/simulate.js';
import { LatencyHistogram } from '../model/latency_histogram.js';
import { dropReasonName } from '../model/drop_reason.js';

export interface VariantMetrics {
  index: number;
  sim_time_s: number;
  bytes_delivered: number;
  throughput_gbit_s: number;
  stack_pps: number;
  softirq_cpu_s_per_gb: number;
  drops: number;
  drops_by_reason: Record<string, number>;
  latency_p50_us: number;
  latency_p99_us: number;
  retransmits: number;
  events: number;
}

export interface VariantJob {
  index: number;
  text: string;
  file: string;
  receiver: string;
  maxEvents?: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function runVariant(job: VariantJob): VariantMetrics {
  const r = compileScenario(job.text, job.file);
  if (!r.ok) throw new Error(`${job.file}: ${r.errors.map((e) => `${e.line}:${e.column}: ${e.path}: ${e.message}`).join('; ')}`);
  const sc = r.scenario;
  const hist = new LatencyHistogram();
  sc.world.appRecvLatency = hist;
  const res = simulate(sc, { maxEvents: job.maxEvents ?? 1e9 });
  const world = sc.world;
  const simS = world.sim.now / 1e9;
  let softirqNs = 0;
  let retrans = 0;
  for (const h of world.hosts.values()) {
    for (const c of h.cpus) softirqNs += c.softirqNs;
    retrans += h.snmp.get('TcpRetransSegs');
  }
  const recv = world.hosts.get(job.receiver);
  const inReceives = recv ? recv.snmp.get('IpInReceives') : 0;
  const byReason: Record<string, number> = {};
  const dr = world.packets.dropsByReason;
  for (let i = 0; i < dr.length; i++) if (dr[i]) byReason[dropReasonName(i)] = dr[i]!;
  const gb = hist.bytes / 1e9;
  return {
    index: job.index,
    sim_time_s: round(simS, 6),
    bytes_delivered: hist.bytes,
    throughput_gbit_s: simS > 0 ? round((hist.bytes * 8) / simS / 1e9, 4) : 0,
    stack_pps: simS > 0 ? Math.round(inReceives / simS) : 0,
    softirq_cpu_s_per_gb: gb > 0 ? round(softirqNs / 1e9 / gb, 6) : 0,
    drops: world.packets.dropped,
    drops_by_reason: byReason,
    latency_p50_us: round(hist.percentile(0.5) / 1000, 1),
    latency_p99_us: round(hist.percentile(0.99) / 1000, 1),
    retransmits: retrans,
    events: res.summary.events,
  };
}
