// `pktpath shell`: a root prompt on a simulated host. Each line runs through
// the command runner at the current simulated time; `sleep N` and `advance
// TIME` run the event loop forward; a live `tcpdump` runs in the foreground,
// streaming its lines as simulated time advances, until -c N, Ctrl-C or the
// scenario's end; `CMD &` runs it in the background. Tool output and errors go
// to the terminal together, as on a real one.

import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CompiledScenario } from '../scenario/build.js';
import { parseTime } from '../model/time.js';
import { runCommand, shellSplit, type RunningJob } from '../tools/runner.js';

/** Simulated time a foreground capture advances between looks at the keyboard. */
const CHUNK_NS = 1_000_000;
/** How far past the scenario's end a foreground capture keeps waiting for packets. */
const GRACE_NS = 10_000_000_000;
const MAX_EVENTS_PER_CHUNK = 5_000_000;

interface BackgroundJob {
  id: number;
  command: string;
  job: RunningJob;
}

export interface ShellIo {
  input: Readable;
  output: Writable;
  /** A terminal: readline edits lines and Ctrl-C arrives as a keypress. */
  terminal: boolean;
}

/** Runs the shell until `exit` or end of input; resolves to the exit status. */
export function runShell(sc: CompiledScenario, hostName: string, io: ShellIo): Promise<number> {
  const world = sc.world;
  const out = io.output;
  const rl = createInterface({ input: io.input, output: io.terminal ? out : undefined, terminal: io.terminal, historySize: 1000, prompt: `root@${hostName}:~# ` });
  const queue: string[] = [];
  const history: string[] = [];
  const background: BackgroundJob[] = [];
  let nextJobId = 1;
  let status = 0;
  let busy = false;
  let eof = false;
  let interrupted = false;
  let exited = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));

  const write = (s: string): void => { if (s) out.write(s); };
  const prompt = (): void => {
    if (io.terminal) rl.prompt();
    else write(`root@${hostName}:~# `);
  };
  const isCtrlC = (l: string): boolean => l === '\x03' || l === '^C';

  const advance = (ns: number): void => {
    const target = world.sim.now + ns;
    while (world.sim.now < target) {
      world.sim.run(Math.min(target, world.sim.now + CHUNK_NS), MAX_EVENTS_PER_CHUNK);
      if (world.sim.pending === 0) world.sim.now = target;
      reportBackground();
    }
  };

  /** Streams background jobs' output; announces and reaps the ones that ended. */
  const reportBackground = (): void => {
    for (const b of [...background]) {
      write(b.job.drain());
      if (!b.job.done) continue;
      const r = b.job.finish();
      write(r.stdout + r.stderr);
      write(`[${b.id}]+  Done                    ${b.command}\n`);
      background.splice(background.indexOf(b), 1);
    }
  };

  const runForeground = async (job: RunningJob): Promise<number> => {
    const end = Math.max(sc.durationNs, world.sim.now + CHUNK_NS);
    while (!job.done && !interrupted) {
      const before = world.sim.now;
      world.sim.run(world.sim.now + CHUNK_NS, MAX_EVENTS_PER_CHUNK);
      if (world.sim.pending === 0) world.sim.now = before + CHUNK_NS;
      write(job.drain());
      reportBackground();
      if (world.sim.now >= end && (world.sim.pending === 0 || world.sim.now >= end + GRACE_NS)) break;
      // Piped input is read ahead: a ^C line waiting in it arrives after this chunk of simulated time.
      if (!io.terminal && queue.length > 0 && isCtrlC(queue[0]!)) { queue.shift(); interrupted = true; }
      // Lets the terminal's Ctrl-C in between chunks of simulated time.
      await new Promise<void>((r) => setImmediate(r));
    }
    const wasInterrupted = interrupted;
    interrupted = false;
    if (wasInterrupted) write('^C\n');
    const r = job.finish();
    write(r.stdout + r.stderr);
    return wasInterrupted ? 130 : r.exitCode;
  };

  const builtin = (argv: string[]): number | null => {
    const [cmd, ...args] = argv;
    switch (cmd) {
      case 'exit': {
        exited = true;
        return args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args[0]) & 255 : status;
      }
      case 'sleep': {
        if (args.length === 0) { write("sleep: missing operand\nTry 'sleep --help' for more information.\n"); return 1; }
        let total = 0;
        for (const a of args) {
          const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
          if (!m) { write(`sleep: invalid time interval ‘${a}’\nTry 'sleep --help' for more information.\n`); return 1; }
          total += Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]!]!;
        }
        advance(Math.round(total * 1e9));
        return 0;
      }
      case 'advance': {
        const t = args.length === 1 ? parseTime(args[0]!) : null;
        if (t === null) { write(`advance: usage: advance TIME (e.g. 500ms, 2s, 10us)\n`); return 2; }
        advance(t);
        return 0;
      }
      case 'history': {
        history.forEach((h, i) => write(`${String(i + 1).padStart(5)}  ${h}\n`));
        return 0;
      }
      case 'jobs': {
        for (const b of background) write(`[${b.id}]+  Running                 ${b.command} &\n`);
        return 0;
      }
      case 'now': {
        write(`${(world.sim.now / 1e9).toFixed(9)}s\n`);
        return 0;
      }
      default:
        return null;
    }
  };

  const runLine = async (raw: string): Promise<void> => {
    // $? is the only expansion the simulated shell does.
    const line = raw.trim().replaceAll('$?', String(status));
    if (!io.terminal) write(isCtrlC(line) ? '^C\n' : `${raw}\n`);
    if (line === '' || isCtrlC(line)) return;
    history.push(line);
    const words = shellSplit(line.replace(/&$/, ''));
    const b = words && words[0] !== undefined ? builtin(words) : null;
    if (b !== null) { status = b; return; }
    const bg = /[^&]&$/.test(line) || line === '&';
    const command = bg ? line.slice(0, -1).trim() : line;
    const r = runCommand(world, hostName, command);
    // Tools here print their diagnostics before their output (tcpdump's "reading from file").
    write(r.stderr + r.stdout);
    if (!r.job) { status = r.exitCode; return; }
    if (bg) {
      const id = nextJobId++;
      background.push({ id, command, job: r.job });
      write(`[${id}] ${4000 + id}\n`);
      status = 0;
      return;
    }
    status = await runForeground(r.job);
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0 && !exited) {
      await runLine(queue.shift()!);
      if (!exited) prompt();
    }
    busy = false;
    if (exited || eof) finish();
  };

  let finished = false;
  const onSignal = (): void => { if (busy) interrupted = true; };
  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (!io.terminal) process.off('SIGINT', onSignal);
    if (io.terminal && !exited) write('exit\n');
    for (const b of background) b.job.finish();
    background.length = 0;
    rl.close();
    resolveDone(status);
  };

  rl.on('line', (l) => { queue.push(l); void pump(); });
  rl.on('SIGINT', () => {
    if (busy) interrupted = true;
    else { write('^C\n'); prompt(); }
  });
  rl.on('close', () => { eof = true; if (!busy) finish(); });
  // Without a terminal, Ctrl-C is the signal (or a ^C line in the input).
  if (!io.terminal) process.on('SIGINT', onSignal);
  prompt();
  return done;
}
