// `dropwatch -l kas` (dropwatch 1.5.4) on a simulated host. The real tool is
// an interactive session reading commands; here the commands come from stdin
// when piped (`printf 'start\n' | dropwatch -l kas`), otherwise the session
// is `start` then Ctrl-C. While monitoring, the summary alerts report every
// kfree_skb since the host booted or since the previous dropwatch on it, one
// line per call site: `N drops at fn+off (0xaddr) [software]`, and NIC ring
// overflows (rx_missed_errors) as `[hardware]` drops. Sites come from
// host.dropSites (fn × drop reason), so two reasons in one function are two
// call sites, as they are in the kernel. `set alertmode packet` prints one
// block per drop with its reason, from the world's recorded trace.

import type { Host } from '../model/host.js';
import type { World } from '../model/world.js';
import { registerTool, type CommandResult } from './runner.js';
import { formatSite } from './kallsyms.js';
import { devices } from './proc_net.js';
import { DropReason } from '../model/drop_reason.js';

const USAGE = 'dropwatch [-l|--lmethod <method | list>]\n';

/** What the previous session on a host had already reported: site counts and per-device missed frames. */
interface Seen {
  sites: Map<string, Float64Array>;
  missed: Map<string, number>;
  recorded: number;
}
const seen = new WeakMap<Host, Seen>();

const REASON_BY_NAME: Record<string, number> = DropReason;

function summary(host: Host, before: Seen | undefined): string {
  let out = '';
  for (const [fn, counts] of host.dropSites) {
    const prev = before?.sites.get(fn);
    for (let r = 0; r < counts.length; r++) {
      const n = counts[r]! - (prev?.[r] ?? 0);
      if (n > 0) out += `${n} drops at ${formatSite(fn, r)} [software]\n`;
    }
  }
  for (const dev of devices(host)) {
    const n = dev.stats.rx_missed_errors - (before?.missed.get(dev.name) ?? 0);
    if (n > 0) out += `${n} drops at ${dev.name} [hardware]\n`;
  }
  return out;
}

/** Packet alert mode: one block per drop of this host in the recorded trace. */
function packets(host: Host, world: World, from: number): string {
  const rec = world.recorded;
  if (!rec) return 'dropwatch: packet alerts need the trace recorded from the start of the run\n';
  let out = '';
  for (let i = from; i < rec.length; i++) {
    const ev = rec[i]!;
    if (ev.host !== host.name || ev.stage !== 'drop') continue;
    const reason = REASON_BY_NAME[ev.reason ?? ''] ?? DropReason.NOT_SPECIFIED;
    const ifindex = ev.dev ? host.devByName.get(ev.dev)?.ifindex ?? 0 : 0;
    out += `drop at: ${formatSite(ev.fn, reason)}\norigin: software\n` +
      (ifindex ? `input port ifindex: ${ifindex}\n` : '') +
      `timestamp: ${Math.floor(ev.t / 1e9)} ${String(ev.t % 1e9).padStart(9, '0')} nsec\nprotocol: 0x800\ndrop reason: ${ev.reason ?? 'NOT_SPECIFIED'}\n\n`;
  }
  return out;
}

export function dropwatch(host: Host, argv: string[], world: World, stdin?: string): CommandResult {
  let method = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-l' || a === '--lmethod') method = argv[++i] ?? '';
    else if (a.startsWith('--lmethod=')) method = a.slice(10);
    else if (a.startsWith('-')) return { stdout: '', stderr: `dropwatch: ${a.startsWith('--') ? `unrecognized option '${a}'` : `invalid option -- '${a.slice(1)}'`}\n${USAGE}`, exitCode: 1 };
  }
  if (method === 'list') return { stdout: 'Available lookup methods:\nkas - use /proc/kallsyms\n', stderr: '', exitCode: 0 };
  if (method !== '' && method !== 'kas') return { stdout: '', stderr: `Unknown lookup method ${method}\n`, exitCode: 1 };
  const commands = stdin !== undefined ? stdin.split('\n').map((l) => l.trim()).filter(Boolean) : ['start'];
  let out = method === 'kas' ? 'Initializing kallsyms db\n' : 'Initializing null lookup method\n';
  let mode: 'summary' | 'packet' = 'summary';
  const before = seen.get(host);
  let ran = false;
  for (const cmd of commands) {
    out += 'dropwatch> ';
    const words = cmd.split(/\s+/);
    if (words[0] === 'exit') break;
    if (words[0] === 'set' && words[1] === 'alertmode') {
      if (words[2] === 'summary' || words[2] === 'packet') {
        mode = words[2];
        out += 'Setting alert mode\nAlert mode successfully set\n';
      } else out += 'Invalid alert mode\n';
    } else if (words[0] === 'start') {
      out += 'Enabling monitoring...\nKernel monitoring activated.\nIssue Ctrl-C to stop monitoring\n';
      out += mode === 'summary' ? summary(host, before) : packets(host, world, before?.recorded ?? 0);
      out += 'Got a stop message\n';
      ran = true;
    } else if (words[0] === 'help') {
      out += 'Command Syntax:\nexit\t\t\t\t - Quit dropwatch\nhelp\t\t\t\t - Display this message\nset:\nstart\t\t\t\t - start capture\nstop\t\t\t\t - stop capture\nstats\t\t\t\t - show statistics\n';
    } else if (words[0] !== 'stop') out += 'Unknown command\n';
  }
  out += 'dropwatch> Shutting down ...\n';
  if (ran) {
    seen.set(host, {
      sites: new Map([...host.dropSites].map(([fn, c]) => [fn, c.slice()])),
      missed: new Map(devices(host).map((d) => [d.name, d.stats.rx_missed_errors])),
      recorded: world.recorded?.length ?? 0,
    });
  }
  return { stdout: out, stderr: '', exitCode: 0 };
}

registerTool('dropwatch', (host, argv, world, stdin) => dropwatch(host, argv, world, stdin));
