// Runs a compiled scenario: the event loop until the scenario's duration (or
// --until), bounded by an event cap; timed commands run at their times on
// their hosts; then the summary of design.md §3 and the expectations.

import type { CompiledScenario, Expectation } from './build.js';
import type { TraceEvent } from '../model/trace.js';
import type { World } from '../model/world.js';
import { dropReasonName } from '../model/drop_reason.js';
import { isSnmpName } from '../model/snmp.js';
import type { Host } from '../model/host.js';
import { runCommand, settleJobs, type CommandResult } from '../tools/runner.js';
import { needsRecordedTrace } from '../tools/perf_trace.js';

export interface RunOptions {
  /** Stop time in ns (default: the scenario's duration). */
  untilNs?: number;
  /** Maximum events to dispatch (default 50 million). */
  maxEvents?: number;
  /** Keep every trace event in memory (for journey, JSON and the visualiser). */
  collectTrace?: boolean;
}

export interface CommandOutput extends CommandResult {
  t: number;
  host: string;
  command: string;
}

export interface ExpectationResult {
  where: string;
  host: string;
  counter: string;
  value: number | null;
  ok: boolean;
  message: string;
}

export interface RunSummary {
  scenario: string;
  seed: number;
  sim_time_ns: number;
  events: number;
  stopped: 'completed' | 'until' | 'event-cap';
  stop_message: string;
  packets: { injected: number; delivered: number; forwarded: number; transmitted: number; dropped: number; lost_on_wire: number };
  drops: Record<string, number>;
  hosts: Record<string, { counters: Record<string, number> }>;
  commands: CommandOutput[];
  expectations: ExpectationResult[];
}

export interface RunResult {
  summary: RunSummary;
  trace: TraceEvent[];
}

export const DEFAULT_MAX_EVENTS = 50_000_000;

export function simulate(sc: CompiledScenario, opts: RunOptions = {}): RunResult {
  const world = sc.world;
  const trace: TraceEvent[] = [];
  if (opts.collectTrace) world.tracer.subscribe((ev) => trace.push(ev));
  // perf trace and dropwatch's packet mode look back over the run: keep the trace from the start for them.
  if (sc.commands.some((c) => needsRecordedTrace(c.command))) world.record();
  const until = opts.untilNs ?? sc.durationNs;
  const cap = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
  const outputs: CommandOutput[] = [];
  let stopped: RunSummary['stopped'] = 'completed';
  let budget = cap;
  const runTo = (t: number): boolean => {
    const before = world.sim.dispatched;
    const r = world.sim.run(t, budget);
    budget -= world.sim.dispatched - before;
    if (r === 'event-cap') {
      stopped = 'event-cap';
      return false;
    }
    return true;
  };
  let alive = true;
  for (const c of sc.commands) {
    if (c.t === Infinity || c.t > until) continue;
    if (!(alive = runTo(c.t))) break;
    outputs.push({ t: world.sim.now, host: c.host, command: c.command, ...runCommand(world, c.host, c.command) });
  }
  if (alive) {
    const r = world.sim.run(until, budget);
    if (r === 'event-cap') stopped = 'event-cap';
    else if (r === 'until' && world.sim.pending > 0) stopped = 'until';
  }
  if (stopped !== 'event-cap') {
    for (const c of sc.commands) {
      if (c.t === Infinity) outputs.push({ t: world.sim.now, host: c.host, command: c.command, ...runCommand(world, c.host, c.command) });
    }
  }
  // Commands still running (live captures) end with the run and print then.
  settleJobs(outputs);
  const summary = summarize(sc, world, stopped, cap, until, outputs);
  return { summary, trace };
}

function stopMessage(stopped: RunSummary['stopped'], cap: number, world: World, until: number): string {
  if (stopped === 'event-cap') return `stopped after the event cap of ${cap} events at ${world.sim.now} ns; raise it with --max-events`;
  if (stopped === 'until') return `stopped at --until ${until} ns with ${world.sim.pending} events still pending`;
  return 'completed: no events left before the end time';
}

function summarize(sc: CompiledScenario, world: World, stopped: RunSummary['stopped'], cap: number, until: number, commands: CommandOutput[]): RunSummary {
  const drops: Record<string, number> = {};
  const byReason = world.packets.dropsByReason;
  for (let r = 0; r < byReason.length; r++) if (byReason[r]) drops[dropReasonName(r)] = byReason[r]!;
  const hosts: RunSummary['hosts'] = {};
  for (const [name, h] of world.hosts) hosts[name] = { counters: hostCounters(h) };
  const p = world.packets;
  return {
    scenario: sc.name,
    seed: sc.seed,
    sim_time_ns: world.sim.now,
    events: world.sim.dispatched,
    stopped,
    stop_message: stopMessage(stopped, cap, world, until),
    packets: { injected: p.injected, delivered: p.delivered, forwarded: p.forwarded, transmitted: p.transmitted, dropped: p.dropped, lost_on_wire: p.lostOnWire },
    drops,
    hosts,
    commands,
    expectations: sc.expectations.map((e) => checkExpectation(world, e)),
  };
}

/** Non-zero SNMP counters plus the softnet and device counters, by name. */
export function hostCounters(h: Host): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [n, v] of h.snmp.entries()) if (v !== 0 && n !== 'IpForwarding' && n !== 'IpDefaultTTL' && !n.startsWith('TcpRto') && n !== 'TcpMaxConn') out[n] = v;
  let processed = 0, dropped = 0, squeeze = 0, rps = 0;
  for (const c of h.cpus) {
    processed += c.softnet.processed;
    dropped += c.softnet.dropped;
    squeeze += c.softnet.timeSqueeze;
    rps += c.softnet.receivedRps;
  }
  if (processed) out['softnet.processed'] = processed;
  if (dropped) out['softnet.dropped'] = dropped;
  if (squeeze) out['softnet.time_squeeze'] = squeeze;
  if (rps) out['softnet.received_rps'] = rps;
  for (const d of h.devices) {
    if (!d) continue;
    for (const [k, v] of Object.entries(d.stats)) if (v) out[`${d.name}.${k}`] = v;
    if (d.txq.qdiscDrops) out[`${d.name}.qdisc_drops`] = d.txq.qdiscDrops;
  }
  return out;
}

/** The value an expectation names: an SNMP counter, softnet.X, DEV.stat, or drops.REASON. */
export function counterValue(world: World, host: Host, name: string): number | null {
  if (isSnmpName(name)) return host.snmp.get(name);
  if (name.startsWith('drops.')) {
    const reason = name.slice(6);
    for (let r = 0; r < 256; r++) if (dropReasonName(r) === reason) return world.packets.dropsByReason[r]!;
    return null;
  }
  const counters = hostCounters(host);
  if (name in counters) return counters[name]!;
  if (/^softnet\.(processed|dropped|time_squeeze|received_rps)$/.test(name)) return 0;
  const m = /^([^.]+)\.(\w+)$/.exec(name);
  if (m && host.devByName.has(m[1]!)) {
    const d = host.devByName.get(m[1]!)!;
    if (m[2] === 'qdisc_drops') return d.txq.qdiscDrops;
    if (m[2]! in d.stats) return (d.stats as unknown as Record<string, number>)[m[2]!]!;
  }
  const ext = host.counterLookup?.(name);
  return ext ?? null;
}

function checkExpectation(world: World, e: Expectation): ExpectationResult {
  const host = world.hosts.get(e.host)!;
  const value = counterValue(world, host, e.counter);
  const base = { where: e.where, host: e.host, counter: e.counter, value };
  if (value === null) return { ...base, ok: false, message: `${e.where}: ${e.host} has no counter "${e.counter}"` };
  const fails: string[] = [];
  if (e.equals !== undefined && value !== e.equals) fails.push(`expected ${e.equals}`);
  if (e.min !== undefined && value < e.min) fails.push(`expected at least ${e.min}`);
  if (e.max !== undefined && value > e.max) fails.push(`expected at most ${e.max}`);
  return { ...base, ok: fails.length === 0, message: `${e.where}: ${e.host} ${e.counter} = ${value}${fails.length ? `, ${fails.join(' and ')}` : ''}` };
}
