// `nstat` (iproute2 6.1, misc/nstat.c) on a simulated host: SNMP counters by
// their nstat names, as deltas since the previous call (nstat's history file,
// kept here per host), zeros hidden. -a absolute, -z zeros, -n update history
// only, -s do not update it, -r/--reset restart it; glob patterns pick names.

import type { Host } from '../model/host.js';
import { registerTool, type CommandResult } from './runner.js';
import { snmpRows } from './proc_net.js';

/** Counters nstat never prints (useless_number in nstat.c): constants and gauges. */
const USELESS = new Set(['IpForwarding', 'IpDefaultTTL', 'TcpRtoAlgorithm', 'TcpRtoMin', 'TcpRtoMax', 'TcpMaxConn', 'TcpCurrEstab']);

const USAGE = `Usage: nstat [OPTION] [ PATTERN [ PATTERN ] ]
   -h, --help          this message
   -a, --ignore        ignore history
   -d, --scan=SECS     sample every statistics every SECS
   -j, --json          format output in JSON
   -n, --nooutput      do history only
   -p, --pretty        pretty print
   -r, --reset         reset history
   -s, --noupdate      don't update history
   -t, --interval=SECS report average over the last SECS
   -V, --version       output version information
   -z, --zeros         show entries with zero activity
`;

/** The history file (/tmp/.nstat.u0) of each host: counter values at the last call. */
const history = new WeakMap<Host, Map<string, number>>();

function globToRegExp(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

interface NstatOpts {
  ignoreHistory: boolean;
  zeros: boolean;
  noOutput: boolean;
  noUpdate: boolean;
  reset: boolean;
  patterns: RegExp[];
}

function parse(argv: string[]): NstatOpts | CommandResult {
  const o: NstatOpts = { ignoreHistory: false, zeros: false, noOutput: false, noUpdate: false, reset: false, patterns: [] };
  const long: Record<string, string> = { '--ignore': 'a', '--zeros': 'z', '--nooutput': 'n', '--noupdate': 's', '--reset': 'r', '--help': 'h' };
  for (const a of argv) {
    const flags = a.startsWith('--') ? (long[a] ?? null) : a.startsWith('-') && a.length > 1 ? a.slice(1) : '';
    if (flags === null) return { stdout: '', stderr: `nstat: unrecognized option '${a}'\n${USAGE}`, exitCode: 255 };
    if (flags === '') {
      o.patterns.push(globToRegExp(a));
      continue;
    }
    for (const c of flags) {
      if (c === 'a') o.ignoreHistory = true;
      else if (c === 'z') o.zeros = true;
      else if (c === 'n') o.noOutput = true;
      else if (c === 's') o.noUpdate = true;
      else if (c === 'r') o.reset = true;
      else if (c === 'h') return { stdout: '', stderr: USAGE, exitCode: 255 };
      else return { stdout: '', stderr: `nstat: invalid option -- '${c}'\n${USAGE}`, exitCode: 255 };
    }
  }
  return o;
}

/** One nstat line: `%-32s%-16llu%6.1f` (name, value, rate; the rate needs the daemon, so 0.0). */
export function nstatLine(name: string, value: number): string {
  return `${name.padEnd(32)}${String(value).padEnd(16)}${'0.0'.padStart(6)}\n`;
}

export function nstat(host: Host, argv: string[]): CommandResult {
  const o = parse(argv);
  if ('exitCode' in o) return o;
  const rows = snmpRows(host).filter((r) => !USELESS.has(r.group + r.field));
  const prev = o.reset ? undefined : history.get(host);
  let out = '#kernel\n';
  for (const r of rows) {
    const name = r.group + r.field;
    if (o.patterns.length > 0 && !o.patterns.some((p) => p.test(name))) continue;
    const v = o.ignoreHistory || !prev ? r.value : r.value - (prev.get(name) ?? 0);
    if (v === 0 && !o.zeros) continue;
    out += nstatLine(name, v);
  }
  if (!o.noUpdate || o.reset) history.set(host, new Map(rows.map((r) => [r.group + r.field, r.value])));
  return { stdout: o.noOutput ? '' : out, stderr: '', exitCode: 0 };
}

registerTool('nstat', (host, argv) => nstat(host, argv));
