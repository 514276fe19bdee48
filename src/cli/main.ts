// The `pktpath` command (design.md §3): run, journey, exec. Bad input exits
// 2 with a precise message; a failed `expect:` exits 1; never a stack trace.

import { Command, CommanderError } from 'commander';
import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenarioFile, UsageError } from './load.js';
import { simulate } from '../scenario/simulate.js';
import { parseTime } from '../model/time.js';
import { formatRunSummary } from './run_format.js';
import { defaultJourneySkb, formatJourney, journeyEvents } from './journey_format.js';
import { runCommand, type CommandResult, type RunningJob } from '../tools/runner.js';
import { needsRecordedTrace } from '../tools/perf_trace.js';
import { tcpdump } from '../tools/tcpdump.js';
import { openPcapFile } from '../tools/pcap/pcap_node.js';
import { hostVfs } from '../model/vfs.js';
import { runShell } from './shell.js';
import { loadExperimentFile, runSweep } from './sweep_node.js';
import { sweepRows, formatCsv, formatJson, formatMarkdown, METRIC_COLUMNS } from '../sweep/table.js';
import { metricSvg } from '../sweep/plot.js';
import { chromeTrace } from '../scenario/perfetto.js';
import type { CompiledScenario } from '../scenario/build.js';

function time(opt: string, v: string | undefined): number | undefined {
  if (v === undefined || v === 'end') return undefined;
  const t = parseTime(v);
  if (t === null) throw new UsageError(`${opt}: "${v}" is not a time (use e.g. 500ms, 2s, 10us, 750ns or end)`);
  return t;
}

function int(opt: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${opt}: "${v}" is not a non-negative integer`);
  return Number(v);
}

function format(v: string): 'text' | 'json' {
  if (v !== 'text' && v !== 'json') throw new UsageError(`--format: "${v}" is not text or json`);
  return v;
}

/** Writes a file whole or not at all: a temporary file renamed into place. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    throw new UsageError(`${path}: cannot write: ${(e as Error).message}`);
  }
}

/** The host a command runs on: --host, else the first host that listens, else the first. */
function pickHost(sc: CompiledScenario, file: string, name: string | undefined): string {
  const host = name ?? Object.entries(sc.doc.hosts).find(([, h]) => (h.listen ?? []).length > 0)?.[0] ?? [...sc.world.hosts.keys()][0]!;
  if (!sc.world.hosts.has(host)) throw new UsageError(`--host: no host named "${host}" in ${file}`);
  return host;
}

/** `--pcap HOST:DEV=FILE`: a tcpdump -w on that device, written to a real libpcap file. */
function startPcapCaptures(sc: CompiledScenario, specs: string[]): CommandResult[] {
  return specs.map((spec) => {
    const m = /^([^:=]+):([^=]+)=(.+)$/.exec(spec);
    if (!m) throw new UsageError(`--pcap: "${spec}" is not HOST:DEV=FILE (e.g. server:eth0=server.pcap)`);
    const host = sc.world.hosts.get(m[1]!);
    if (!host) throw new UsageError(`--pcap: no host named "${m[1]}"`);
    if (m[2] !== 'any' && !host.devByName.has(m[2]!)) throw new UsageError(`--pcap: host ${m[1]} has no device "${m[2]}"`);
    try {
      mkdirSync(dirname(m[3]!), { recursive: true });
    } catch { /* reported by the open below */ }
    let r: CommandResult;
    try {
      r = tcpdump(host, ['-i', m[2]!, '-w', m[3]!], openPcapFile);
    } catch (e) {
      throw new UsageError(`--pcap: ${m[3]}: cannot write: ${(e as Error).message}`);
    }
    if (!r.job) throw new UsageError(`--pcap: ${r.stderr.trim()}`);
    return r;
  });
}

/** Copies the files tools wrote on a host's filesystem (tcpdump -w) under DIR, keeping their paths. */
function exportFiles(sc: CompiledScenario, host: string, dir: string): void {
  const vfs = hostVfs(sc.world.host(host));
  for (const f of vfs.list()) {
    const dest = join(dir, f);
    try {
      mkdirSync(dirname(dest), { recursive: true });
    } catch (e) {
      throw new UsageError(`--export: ${dirname(dest)}: cannot create: ${(e as Error).message}`);
    }
    writeAtomic(dest, vfs.read(f)!);
  }
}

const program = new Command();
program.name('pktpath').description('A deterministic discrete-event simulator of the Linux kernel packet path').exitOverride();
program.configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command('run')
  .argument('<scenario>', 'scenario YAML file')
  .option('--seed <n>', 'random seed (default: the scenario\'s)')
  .option('--until <time>', 'stop at this simulated time (default: the scenario\'s duration)')
  .option('--max-events <n>', 'stop after this many events', '50000000')
  .option('--format <fmt>', 'text or json', 'text')
  .option('--trace <file>', 'write every trace event as JSON Lines')
  .option('--perfetto <file>', 'write the run as a Chrome trace / Perfetto JSON timeline')
  .option('--pcap <HOST:DEV=FILE>', 'capture a device to a libpcap file (repeatable; DEV may be any)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .description('run a scenario and print the summary')
  .action((file: string, o: { seed?: string; until?: string; maxEvents: string; format: string; trace?: string; perfetto?: string; pcap: string[] }) => {
    const fmt = format(o.format);
    const sc = loadScenarioFile(file, int('--seed', o.seed));
    const untilNs = time('--until', o.until);
    const captures = startPcapCaptures(sc, o.pcap);
    const res = simulate(sc, { ...(untilNs !== undefined ? { untilNs } : {}), maxEvents: int('--max-events', o.maxEvents)!, collectTrace: fmt === 'json' || !!o.trace || !!o.perfetto });
    for (const c of captures) c.job!.finish();
    if (o.perfetto) writeAtomic(o.perfetto, JSON.stringify(chromeTrace(res.trace, [...sc.world.hosts.keys()])) + '\n');
    if (o.trace) writeAtomic(o.trace, res.trace.map((e) => JSON.stringify(e)).join('\n') + (res.trace.length ? '\n' : ''));
    if (fmt === 'json') process.stdout.write(JSON.stringify({ ...res.summary, events: res.summary.events }) + '\n');
    else process.stdout.write(formatRunSummary(res.summary));
    if (res.summary.stopped === 'event-cap') process.stderr.write(`pktpath: ${res.summary.stop_message}\n`);
    if (res.summary.expectations.some((e) => !e.ok)) process.exitCode = 1;
  });

program
  .command('journey')
  .argument('<scenario>', 'scenario YAML file')
  .option('--skb <id>', 'packet id to follow (default: the first packet an application reads)')
  .option('--seed <n>', 'random seed')
  .option('--until <time>', 'stop at this simulated time')
  .option('--format <fmt>', 'text or json', 'text')
  .description('one packet, step by step, numbered as in the seed document')
  .action((file: string, o: { skb?: string; seed?: string; until?: string; format: string }) => {
    const fmt = format(o.format);
    const sc = loadScenarioFile(file, int('--seed', o.seed));
    const untilNs = time('--until', o.until);
    const res = simulate(sc, { ...(untilNs !== undefined ? { untilNs } : {}), collectTrace: true });
    const skb = int('--skb', o.skb) ?? defaultJourneySkb(res.trace);
    if (skb === null) throw new UsageError(`${file}: no packet was traced`, 1);
    const events = journeyEvents(res.trace, skb);
    if (events.length === 0) throw new UsageError(`--skb: packet ${skb} does not appear in this run`);
    if (fmt === 'json') process.stdout.write(JSON.stringify({ scenario: sc.name, seed: sc.seed, skb, events }) + '\n');
    else process.stdout.write(formatJourney(sc.name, sc.seed, skb, events));
  });

/** How far past the scenario's end `exec` lets a self-ending command run, in simulated ns. */
const EXEC_RUN_ON_LIMIT_NS = 3600e9;

/** Advances simulated time in 1 ms steps until the job is done, the event queue is empty, or an hour has passed. */
function runUntilDone(sc: CompiledScenario, job: RunningJob): void {
  const sim = sc.world.sim;
  const limit = sim.now + EXEC_RUN_ON_LIMIT_NS;
  while (!job.done && sim.now < limit && sim.pending > 0) sim.run(Math.min(limit, sim.now + 1e6));
}

program
  .command('exec')
  .argument('<scenario>', 'scenario YAML file')
  .argument('<command...>', 'the command to run, after --')
  .option('--at <time>', 'simulated time to run it at', 'end')
  .option('--host <name>', 'host to run it on (default: the first host that listens, else the first)')
  .option('--seed <n>', 'random seed')
  .option('--export <dir>', 'afterwards, copy the files the command wrote on the host (tcpdump -w) under DIR')
  .description('run one tool command on the simulated host at a simulated time (one argument is taken as a whole command line, pipes included)')
  .action((file: string, command: string[], o: { at: string; host?: string; seed?: string; export?: string }) => {
    const sc = loadScenarioFile(file, int('--seed', o.seed));
    const at = time('--at', o.at);
    const host = pickHost(sc, file, o.host);
    const line = command.length === 1 ? command[0]! : command.map((w) => (/[\s'"|#]/.test(w) ? `'${w.replaceAll("'", "'\\''")}'` : w)).join(' ');
    // perf trace (and dropwatch's packet mode) look back over the run: record it from the start.
    if (needsRecordedTrace(line)) sc.world.record();
    simulate(sc, { untilNs: at ?? sc.durationNs });
    const r = runCommand(sc.world, host, line);
    process.stderr.write(r.stderr);
    let final: CommandResult = r;
    if (r.job) {
      // A live capture runs on to the scenario's end (or -c N), then prints.
      if (!r.job.done) sc.world.sim.run(Math.max(sc.durationNs, sc.world.sim.now), int('--max-events', '50000000')!);
      // A command that ends by itself (ping -c N) runs on past the end until it exits, as it would in a terminal.
      if (r.job.endsByItself) runUntilDone(sc, r.job);
      final = r.job.finish();
      final = { stdout: r.stdout + final.stdout, stderr: final.stderr, exitCode: final.exitCode };
      process.stderr.write(final.stderr);
    }
    process.stdout.write(final.stdout);
    if (o.export) exportFiles(sc, host, o.export);
    process.exitCode = final.exitCode;
  });

program
  .command('shell')
  .argument('<scenario>', 'scenario YAML file')
  .option('--host <name>', 'host to log in to (default: the first host that listens, else the first)')
  .option('--seed <n>', 'random seed')
  .option('--export <dir>', 'on exit, copy the files written on the host (tcpdump -w) under DIR')
  .description('a root prompt on the simulated host; sleep/advance move simulated time')
  .action(async (file: string, o: { host?: string; seed?: string; export?: string }) => {
    const sc = loadScenarioFile(file, int('--seed', o.seed));
    const host = pickHost(sc, file, o.host);
    const code = await runShell(sc, host, { input: process.stdin, output: process.stdout, terminal: !!process.stdin.isTTY && !!process.stdout.isTTY });
    if (o.export) exportFiles(sc, host, o.export);
    process.exitCode = code;
  });

program
  .command('sweep')
  .argument('<experiment>', 'experiment YAML file: a base scenario and a grid of variants')
  .option('--jobs <n>', 'worker threads (default: the number of CPUs)')
  .option('--csv <file>', 'write the table as CSV')
  .option('--json <file>', 'write the table as JSON')
  .option('--svg <dir>', 'write one SVG plot per metric into DIR')
  .description('run a scenario over a grid of variants and tabulate throughput, pps, softirq CPU, drops, latency, retransmits')
  .action(async (file: string, o: { jobs?: string; csv?: string; json?: string; svg?: string }) => {
    const jobs = int('--jobs', o.jobs);
    if (jobs === 0) throw new UsageError('--jobs: must be at least 1');
    const ex = loadExperimentFile(file);
    const results = await runSweep(ex, jobs);
    const rows = sweepRows(ex, results);
    if (o.csv) writeAtomic(o.csv, formatCsv(ex, rows));
    if (o.json) writeAtomic(o.json, formatJson(ex, rows));
    if (o.svg) {
      mkdirSync(o.svg, { recursive: true });
      for (const m of METRIC_COLUMNS) writeAtomic(join(o.svg, `${ex.name}-${m}.svg`), metricSvg(ex, rows, m));
    }
    process.stdout.write(formatMarkdown(ex, rows));
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = e.exitCode;
  } else if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`pktpath: internal error: ${(e as Error).message}\n`);
    process.exitCode = 70;
  }
}
