// The `pktpath` command (design.md §3): run, journey, exec. Bad input exits
// 2 with a precise message; a failed `expect:` exits 1; never a stack trace.

import { Command, CommanderError } from 'commander';
import { writeFileSync, renameSync } from 'node:fs';
import { loadScenarioFile, UsageError } from './load.js';
import { simulate } from '../scenario/simulate.js';
import { parseTime } from '../model/time.js';
import { formatRunSummary } from './run_format.js';
import { defaultJourneySkb, formatJourney, journeyEvents } from './journey_format.js';
import { runCommand } from '../tools/runner.js';

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
function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    throw new UsageError(`${path}: cannot write: ${(e as Error).message}`);
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
  .description('run a scenario and print the summary')
  .action((file: string, o: { seed?: string; until?: string; maxEvents: string; format: string; trace?: string }) => {
    const fmt = format(o.format);
    const sc = loadScenarioFile(file, int('--seed', o.seed));
    const untilNs = time('--until', o.until);
    const res = simulate(sc, { ...(untilNs !== undefined ? { untilNs } : {}), maxEvents: int('--max-events', o.maxEvents)!, collectTrace: fmt === 'json' || !!o.trace });
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

program
  .command('exec')
  .argument('<scenario>', 'scenario YAML file')
  .argument('<command...>', 'the command to run, after --')
  .option('--at <time>', 'simulated time to run it at', 'end')
  .option('--host <name>', 'host to run it on (default: the first host that listens, else the first)')
  .option('--seed <n>', 'random seed')
  .description('run one tool command on the simulated host at a simulated time')
  .action((file: string, command: string[], o: { at: string; host?: string; seed?: string }) => {
    const sc = loadScenarioFile(file, int('--seed', o.seed));
    const at = time('--at', o.at);
    const host = o.host ?? Object.entries(sc.doc.hosts).find(([, h]) => (h.listen ?? []).length > 0)?.[0] ?? [...sc.world.hosts.keys()][0]!;
    if (!sc.world.hosts.has(host)) throw new UsageError(`--host: no host named "${host}" in ${file}`);
    simulate(sc, { untilNs: at ?? sc.durationNs });
    const r = runCommand(sc.world, host, command.map((w) => (/[\s'"]/.test(w) ? `'${w.replaceAll("'", "'\\''")}'` : w)).join(' '));
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  });

try {
  program.parse(process.argv);
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
