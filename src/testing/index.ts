// `pktpath/testing`: fast-check generators of traffic mixes and a harness that
// runs one mix against a server with a small conntrack table, so a user can
// state their own exhaustion property in a few lines:
//
//   fc.assert(fc.property(trafficMix(), (traffic) => {
//     const r = runConntrackScenario({ max: 16, buckets: 4, traffic });
//     return r.counts.every((c) => c.count <= 16);
//   }));
//
// The harness builds an ordinary scenario (client, server with `conntrack: true`,
// its sysctls and ruleset) and runs it with the trace on; what it returns is
// read from the trace and the server's conntrack, never computed on the side.
// Browser-safe: no Node imports. fast-check is a peer of the user's test suite.

import fc from 'fast-check';
import { compileScenario } from '../scenario/build.js';
import { simulate } from '../scenario/simulate.js';
import type { TraceEvent } from '../model/trace.js';
import type { World } from '../model/world.js';
import type { Conntrack, ConntrackEntry } from '../netfilter/conntrack/index.js';
import { CT_STAT_FIELDS } from '../netfilter/conntrack/index.js';
import { NSEC_PER_SEC } from '../model/time.js';
import '../tools/index.js';

/** Addresses of the harness topology. */
export const CLIENT_ADDR = '192.168.1.1';
export const SERVER_ADDR = '192.168.1.2';
/** Source of injected floods: an outside network the server has no route to, so its answers go nowhere. */
export const FLOOD_SRC = '10.9.0.1';
/** The server's ports: short flows and SYN floods go to 80, longer flows to 8080, UDP bursts to 53. */
export const PORT_SHORT = 80;
export const PORT_LONG = 8080;
export const PORT_UDP = 53;

/** Short TCP flows: connect, send `bytes`, close (their entries end ASSURED in TIME_WAIT). */
export interface ShortFlows { kind: 'short'; atMs: number; connections: number; intervalUs: number; bytes: number }
/** Longer TCP flows: 256 kB each, so their ASSURED ESTABLISHED entries live across many round trips before closing. */
export interface LongFlows { kind: 'long'; atMs: number; connections: number; intervalUs: number }
/** A SYN flood: `count` bare SYNs from distinct source ports, never completing a handshake (unassured entries). */
export interface SynFlood { kind: 'synflood'; atMs: number; count: number; pps: number }
/** A UDP burst from distinct source ports, never answered (unassured, 30 s entries). */
export interface UdpBurst { kind: 'udp'; atMs: number; count: number; pps: number }
export type TrafficItem = ShortFlows | LongFlows | SynFlood | UdpBurst;

export const shortFlows = (): fc.Arbitrary<ShortFlows> => fc.record({
  kind: fc.constant('short' as const), atMs: fc.integer({ min: 0, max: 20 }), connections: fc.integer({ min: 1, max: 8 }),
  intervalUs: fc.integer({ min: 50, max: 2000 }), bytes: fc.integer({ min: 1, max: 4000 }),
});
export const longFlows = (): fc.Arbitrary<LongFlows> => fc.record({
  kind: fc.constant('long' as const), atMs: fc.integer({ min: 0, max: 20 }), connections: fc.integer({ min: 1, max: 8 }),
  intervalUs: fc.integer({ min: 50, max: 2000 }),
});
export const synFlood = (): fc.Arbitrary<SynFlood> => fc.record({
  kind: fc.constant('synflood' as const), atMs: fc.integer({ min: 0, max: 20 }), count: fc.integer({ min: 1, max: 64 }),
  pps: fc.integer({ min: 1000, max: 1_000_000 }),
});
export const udpBurst = (): fc.Arbitrary<UdpBurst> => fc.record({
  kind: fc.constant('udp' as const), atMs: fc.integer({ min: 0, max: 20 }), count: fc.integer({ min: 1, max: 64 }),
  pps: fc.integer({ min: 1000, max: 1_000_000 }),
});
/** A mix of 1 to `maxItems` items of any kind. */
export const trafficMix = (maxItems = 4): fc.Arbitrary<TrafficItem[]> =>
  fc.array(fc.oneof(shortFlows(), longFlows(), synFlood(), udpBurst()), { minLength: 1, maxLength: maxItems });

export interface ConntrackScenarioOptions {
  /** net.netfilter.nf_conntrack_max of the server. */
  max: number;
  /** net.netfilter.nf_conntrack_buckets (default: max). */
  buckets?: number;
  /** Timeout sysctls by their suffix: { tcp_timeout_established: 3600, udp_timeout: 10 }. */
  timeouts?: Record<string, number>;
  traffic: readonly TrafficItem[];
  /** The server's ruleset in iptables-save form (conntrack is on either way). */
  rules?: string;
  /** Commands run on the server at simulated times, e.g. { '30ms': ['conntrack -F'] }. */
  at?: Record<string, string[]>;
  /** Simulated run time (default 100ms). */
  duration?: string;
  seed?: number;
}

/** One packet meeting the server's PRE_ROUTING hook (where nf_conntrack_in runs). */
export interface VerdictPoint {
  t: number;
  skb: number;
  verdict: string;
  /** The drop reason when dropped (NETFILTER_DROP for a full table). */
  reason?: string;
  /** True when conntrack dropped it for a full table. */
  tableFull: boolean;
  detail: string;
}

export interface ConntrackRun {
  /** The server's PRE_ROUTING verdicts, in time order. */
  timeline: VerdictPoint[];
  /** nf_conntrack_count after each of those packets. */
  counts: { t: number; count: number }[];
  /** conntrack -S totals over CPUs. */
  stats: Record<string, number>;
  /** Packets dropped anywhere in the world, by drop reason. */
  drops: Record<string, number>;
  /** The server's kernel log. */
  dmesg: string[];
  /** The server's entries at the end. */
  entries: ConntrackEntry[];
  /** Packets that met the server's INPUT hook (the filter INPUT chain sees each once). */
  inputPackets: number;
  /** Output of the `at` commands, in order. */
  commands: { t: number; command: string; stdout: string; stderr: string }[];
  world: World;
  conntrack: Conntrack;
}

/** The scenario text the harness runs (exported so a failing case can be saved and replayed with the CLI). */
export function conntrackScenarioYaml(o: ConntrackScenarioOptions): string {
  const sysctl: Record<string, number> = {
    'net.netfilter.nf_conntrack_max': o.max,
    'net.netfilter.nf_conntrack_buckets': o.buckets ?? o.max,
  };
  for (const [k, v] of Object.entries(o.timeouts ?? {})) sysctl[`net.netfilter.nf_conntrack_${k}`] = v;
  const traffic = o.traffic.map((t) => {
    const at = `${t.atMs}ms`;
    switch (t.kind) {
      case 'short':
        return `{ from: client, kind: tcp, to: ${SERVER_ADDR}:${PORT_SHORT}, bytes: ${t.bytes}, connections: ${t.connections}, interval: ${t.intervalUs}us, at: ${at} }`;
      case 'long':
        return `{ from: client, kind: tcp, to: ${SERVER_ADDR}:${PORT_LONG}, bytes: 256kB, connections: ${t.connections}, interval: ${t.intervalUs}us, at: ${at} }`;
      case 'synflood':
        return `{ kind: pktgen, inject: server:eth0, src: ${FLOOD_SRC}, to: ${SERVER_ADDR}:${PORT_SHORT}, tcp_flags: S, count: ${t.count}, flows: ${t.count}, sport: 1024, pps: ${t.pps}, at: ${at} }`;
      case 'udp':
        return `{ kind: pktgen, inject: server:eth0, src: ${FLOOD_SRC}, to: ${SERVER_ADDR}:${PORT_UDP}, count: ${t.count}, flows: ${t.count}, sport: 20000, pps: ${t.pps}, at: ${at} }`;
    }
  });
  const rules = o.rules ? `    iptables: |\n${o.rules.trim().split('\n').map((l) => `      ${l.trim()}`).join('\n')}\n` : '';
  const at = Object.entries(o.at ?? {}).map(([t, cmds]) => `  ${t}: [ ${cmds.map((c) => JSON.stringify(`server: ${c}`)).join(', ')} ]`);
  return `name: conntrack-harness
seed: ${o.seed ?? 1}
duration: ${o.duration ?? '100ms'}
hosts:
  client:
    nics: { eth0: { addr: ${CLIENT_ADDR}/24 } }
  server:
    conntrack: true
    nics: { eth0: { addr: ${SERVER_ADDR}/24, rx_ring: 4096 } }
    sysctl: { ${Object.entries(sysctl).map(([k, v]) => `${k}: ${v}`).join(', ')} }
    listen: [ tcp:${PORT_SHORT}, tcp:${PORT_LONG}, udp:${PORT_UDP} ]
${rules}links:
  - { a: client:eth0, b: server:eth0, rate: 10Gbit, delay: 20us }
traffic:
${traffic.length ? traffic.map((t) => `  - ${t}`).join('\n') : '  []'}
${at.length ? `at:\n${at.join('\n')}\n` : ''}`.replace('traffic:\n  []', 'traffic: []');
}

/** Runs one traffic mix against the server's conntrack table; throws with the diagnostics on bad options. */
export function runConntrackScenario(o: ConntrackScenarioOptions): ConntrackRun {
  const text = conntrackScenarioYaml(o);
  const r = compileScenario(text, 'conntrack-harness.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.path}: ${e.message}`).join('\n'));
  const world = r.scenario.world;
  const server = world.hosts.get('server')!;
  const ct = server.conntrack as Conntrack;
  const timeline: VerdictPoint[] = [];
  const counts: { t: number; count: number }[] = [];
  let inputPackets = 0;
  world.tracer.subscribe((ev: TraceEvent) => {
    if (ev.host !== 'server') return;
    if (ev.stage === 'nf-input') inputPackets++;
    if (ev.stage !== 'nf-prerouting') return;
    const tableFull = ev.detail.includes('table full');
    timeline.push({ t: ev.t, skb: ev.skb, verdict: ev.verdict ?? 'accept', ...(ev.reason ? { reason: ev.reason } : {}), tableFull, detail: ev.detail });
    counts.push({ t: ev.t, count: ct.count });
  });
  const res = simulate(r.scenario, {});
  const stats: Record<string, number> = {};
  for (const f of CT_STAT_FIELDS) stats[f] = ct.stats.total(f);
  return {
    timeline, counts, stats, drops: res.summary.drops, dmesg: [...server.dmesg], entries: ct.entries(), inputPackets,
    commands: res.summary.commands.map((c) => ({ t: c.t, command: c.command, stdout: c.stdout, stderr: c.stderr })),
    world, conntrack: ct,
  };
}

/** Seconds of simulated time, for timeouts in properties. */
export const secs = (s: number): number => s * NSEC_PER_SEC;
