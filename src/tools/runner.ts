// The command runner: a line as a person types it on a simulated host
// (`sysctl -w net.core.netdev_max_backlog=2000`, `netstat -s | grep -i retrans`),
// run against that host at the current simulated time. Tools register here by
// their command name; an unknown command fails as bash reports it. A pipeline
// feeds each command's stdout to the next one's stdin; stderr is not piped and
// the exit status is the last command's, as in bash without pipefail.
//
// A command that keeps running (a live `tcpdump`) returns a job: the timeline
// settles it at the end of the run, the shell streams it and stops it on Ctrl-C.

import type { World } from '../model/world.js';
import type { Host } from '../model/host.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Set while the command is still running; its final result comes from job.finish(). */
  job?: RunningJob;
}

export interface RunningJob {
  /** True once the command ended by itself (tcpdump -c N reached). */
  readonly done: boolean;
  /**
   * True when the command ends by itself in bounded simulated time (ping -c N):
   * whoever runs it may advance time past the scenario's end until it is done.
   */
  readonly endsByItself?: boolean;
  /** Stdout produced since the last drain (for streaming); empty when the output is piped. */
  drain(): string;
  /**
   * Stops the command (Ctrl-C, or the end of the run) and returns what it
   * printed after it started and was not drained, and its exit status.
   */
  finish(): CommandResult;
}

/** A tool: argv without the command name; `stdin` is the previous command's output in a pipeline. */
export type Tool = (host: Host, argv: string[], world: World, stdin?: string) => CommandResult;

const tools = new Map<string, Tool>();

export function registerTool(name: string, tool: Tool): void {
  tools.set(name, tool);
}

export function toolNames(): string[] {
  return [...tools.keys()].sort();
}

/** A word or an unquoted `|`. */
const PIPE = Symbol('pipe');

/**
 * Splits a command line into words with shell quoting ('..', "..", backslash),
 * an unquoted `|` as a separator and `#` at the start of a word as a comment.
 * Null when a quote is left open.
 */
function lexLine(line: string): (string | typeof PIPE)[] | null {
  const out: (string | typeof PIPE)[] = [];
  let cur = '';
  let inWord = false;
  let q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === '|' || /\s/.test(c)) {
      if (inWord) out.push(cur);
      if (c === '|') out.push(PIPE);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (q) return null;
  if (inWord) out.push(cur);
  return out;
}

/** Splits a command line into words with shell quoting ('..', "..", backslash). */
export function shellSplit(line: string): string[] | null {
  const words = lexLine(line);
  return words ? words.map((w) => (w === PIPE ? '|' : w)) : null;
}

/** Splits a line into the commands of a pipeline, or returns bash's complaint. */
export function splitPipeline(line: string): string[][] | CommandResult {
  const words = lexLine(line);
  if (!words) return { stdout: '', stderr: 'bash: unexpected EOF while looking for matching quote\n', exitCode: 2 };
  const cmds: string[][] = [[]];
  for (const w of words) {
    if (w === PIPE) {
      if (cmds[cmds.length - 1]!.length === 0) return { stdout: '', stderr: "bash: syntax error near unexpected token `|'\n", exitCode: 2 };
      cmds.push([]);
    } else cmds[cmds.length - 1]!.push(w);
  }
  if (cmds.length > 1 && cmds[cmds.length - 1]!.length === 0) return { stdout: '', stderr: "bash: syntax error near unexpected token `|'\n", exitCode: 2 };
  return cmds;
}

export function runCommand(world: World, hostName: string, line: string): CommandResult {
  const host = world.hosts.get(hostName);
  if (!host) return { stdout: '', stderr: `pktpath: no host named ${hostName}\n`, exitCode: 2 };
  const cmds = splitPipeline(line);
  if (!Array.isArray(cmds)) return cmds;
  if (cmds[0]!.length === 0) return { stdout: '', stderr: '', exitCode: 0 };
  const first = runOne(host, world, cmds[0]!, undefined);
  const rest = cmds.slice(1);
  if (rest.length === 0) return first;
  if (first.job) {
    // The live command's output reaches the pipe when it ends (a pipe is not a terminal: no streaming).
    const inner = first.job;
    const job: RunningJob = {
      get done() { return inner.done; },
      drain: () => '',
      finish: () => runRest(host, world, rest, inner.finish()),
    };
    return { stdout: '', stderr: first.stderr, exitCode: 0, job };
  }
  return runRest(host, world, rest, first);
}

function runRest(host: Host, world: World, cmds: string[][], first: CommandResult): CommandResult {
  let stdout = first.stdout;
  let stderr = first.stderr;
  let exitCode = first.exitCode;
  for (const argv of cmds) {
    const r = runOne(host, world, argv, stdout);
    // A second live command in a pipeline would wait for its input forever; stop it at once.
    const done = r.job ? r.job.finish() : r;
    stdout = done.stdout;
    stderr += done.stderr;
    exitCode = done.exitCode;
  }
  return { stdout, stderr, exitCode };
}

function runOne(host: Host, world: World, words: string[], stdin: string | undefined): CommandResult {
  let argv = words;
  while (argv[0] === 'sudo') argv = argv.slice(1);
  if (argv.length === 0) return { stdout: stdin ?? '', stderr: '', exitCode: 0 };
  const tool = tools.get(argv[0]!);
  if (!tool) return { stdout: '', stderr: `bash: ${argv[0]}: command not found\n`, exitCode: 127 };
  return tool(host, argv.slice(1), world, stdin);
}

/** Ends every command of a finished run still running (live captures) and puts its output in place. */
export function settleJobs(results: CommandResult[]): void {
  for (const r of results) {
    if (!r.job) continue;
    const f = r.job.finish();
    delete r.job;
    r.stdout += f.stdout;
    r.stderr += f.stderr;
    r.exitCode = f.exitCode;
  }
}
