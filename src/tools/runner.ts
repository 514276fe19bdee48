// The command runner: a line as a person types it on a simulated host
// (`sysctl -w net.core.netdev_max_backlog=2000`, `iptables -L -n -v`), run
// against that host at the current simulated time. Tools register here by
// their command name; an unknown command fails as bash reports it.

import type { World } from '../model/world.js';
import type { Host } from '../model/host.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type Tool = (host: Host, argv: string[], world: World) => CommandResult;

const tools = new Map<string, Tool>();

export function registerTool(name: string, tool: Tool): void {
  tools.set(name, tool);
}

export function toolNames(): string[] {
  return [...tools.keys()].sort();
}

/** Splits a command line into words with shell quoting ('..', "..", backslash). */
export function shellSplit(line: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
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

export function runCommand(world: World, hostName: string, line: string): CommandResult {
  const host = world.hosts.get(hostName);
  if (!host) return { stdout: '', stderr: `pktpath: no host named ${hostName}\n`, exitCode: 2 };
  let argv = shellSplit(line);
  if (!argv) return { stdout: '', stderr: 'bash: unexpected EOF while looking for matching quote\n', exitCode: 2 };
  if (argv[0] === 'sudo') argv = argv.slice(1);
  if (argv.length === 0) return { stdout: '', stderr: '', exitCode: 0 };
  const tool = tools.get(argv[0]!);
  if (!tool) return { stdout: '', stderr: `bash: ${argv[0]}: command not found\n`, exitCode: 127 };
  return tool(host, argv.slice(1), world);
}
