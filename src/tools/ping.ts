// `ping [-c N] [-i S] [-s SIZE] [-M do|dont|want|probe] [-W S] [-q] [-n] HOST`
// (iputils 20221126) on a simulated host. It starts a Ping process (src/apps/ping.ts)
// and returns a running job: whoever runs the command advances simulated time
// until the job is done (`pktpath exec`, the shell), or, for a timeline command
// under `at:`, the run goes on and the output is settled at the end of the run
// (ping still running then is stopped as by Ctrl-C and prints its summary).
// HOST is an address or the name of a simulated host (as /etc/hosts would resolve it).

import type { Host } from '../model/host.js';
import type { World } from '../model/world.js';
import { registerTool, type CommandResult, type RunningJob } from './runner.js';
import { parseIpv4 } from '../model/inet.js';
import { ipRouteOutput } from '../routing/ip_output.js';
import { Ping, PING_DEFDATALEN, PING_MAXWAIT_S, parsePmtudisc, IP_PMTUDISC_WANT, type PingOptions } from '../apps/ping.js';

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -i <interval>      seconds between sending each packet
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -q                 quiet output
  -s <size>          use <size> as number of data bytes to be sent
  -W <timeout>       time to wait for response

For more details see ping(8).
`;

function fail(msg: string, code: number): CommandResult {
  return { stdout: '', stderr: `ping: ${msg}\n`, exitCode: code };
}

/** An address, or a simulated host's first address. */
export function resolvePingTarget(world: World, name: string): number | null {
  const a = parseIpv4(name);
  if (a !== null) return a;
  const h = world.hosts.get(name);
  if (!h) return null;
  for (const d of h.devices) if (d && d.kind !== 'loopback' && d.addrs.length > 0) return d.addrs[0]!.addr;
  return null;
}

/** Parses ping's arguments; a CommandResult when they are wrong, as ping reports it. */
export function parsePingArgs(world: World, argv: string[]): PingOptions | CommandResult {
  const o: PingOptions = {
    target: '', daddr: 0, count: 0, intervalNs: 1e9, size: PING_DEFDATALEN,
    pmtudisc: IP_PMTUDISC_WANT, lingerNs: PING_MAXWAIT_S * 1e9, quiet: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (f === 'q') { o.quiet = true; continue; }
      if (f === 'n' || f === '4') continue;
      if (!'ciMsW'.includes(f)) return { stdout: '', stderr: `ping: invalid option -- '${f}'\n${USAGE}`, exitCode: 2 };
      let v = a.slice(j + 1);
      if (v === '') {
        if (i + 1 >= argv.length) return { stdout: '', stderr: `ping: option requires an argument -- '${f}'\n${USAGE}`, exitCode: 2 };
        v = argv[++i]!;
      }
      const num = Number(v);
      switch (f) {
        case 'c':
          if (!/^\d+$/.test(v)) return fail(`invalid argument: '${v}'`, 1);
          if (num < 1) return fail(`invalid argument: '${v}': out of range: 1 <= value <= 9223372036854775807`, 1);
          o.count = num;
          break;
        case 's':
          if (!/^\d+$/.test(v)) return fail(`invalid argument: '${v}'`, 1);
          if (num > 65507) return fail(`invalid argument: '${v}': out of range: 0 <= value <= 65507`, 1);
          o.size = num;
          break;
        case 'i':
          if (!/^\d*\.?\d+$/.test(v)) return fail(`bad timing interval: ${v}`, 1);
          o.intervalNs = Math.round(num * 1e9);
          break;
        case 'W':
          if (!/^\d*\.?\d+$/.test(v)) return fail(`bad linger time: ${v}`, 1);
          o.lingerNs = Math.round(num * 1e9);
          break;
        case 'M': {
          const m = parsePmtudisc(v);
          if (m === null) return fail(`invalid -M argument: ${v}`, 2);
          o.pmtudisc = m;
          break;
        }
      }
      break;
    }
  }
  if (positional.length === 0) return fail('usage error: Destination address required', 1);
  const target = positional[positional.length - 1]!;
  const daddr = resolvePingTarget(world, target);
  if (daddr === null) return fail(`${target}: Name or service not known`, 2);
  o.target = target;
  o.daddr = daddr;
  return o;
}

/** Starts ping on `host` now; its job finishes when ping exits. */
export function startPing(host: Host, o: PingOptions): CommandResult {
  if (!ipRouteOutput(host, o.daddr)) return fail('connect: Network is unreachable', 2);
  const p = new Ping(host, 0, o, host.sim.now);
  const job: RunningJob = {
    get done() { return p.finished; },
    endsByItself: o.count > 0,
    drain: () => p.drainStdout(),
    finish: () => {
      p.interrupt();
      return { stdout: p.drainStdout(), stderr: p.drainStderr(), exitCode: p.exitCode };
    },
  };
  return { stdout: p.drainStdout(), stderr: '', exitCode: 0, job };
}

registerTool('ping', (host, argv, world) => {
  const o = parsePingArgs(world, argv);
  if (!('daddr' in o)) return o;
  return startPing(host, o);
});
