// Scenario traffic `{ kind: ping, from, to, count, size, interval, pmtudisc, at }`:
// a ping process on `from`, as `ping -c COUNT -s SIZE -i INTERVAL -M PMTUDISC TO`
// typed at `at`. `to` is an address or a host name; count 0 or absent pings
// until the end of the run. Its output is the Ping process's (host.processes).

import { hostExtensions } from '../scenario/extensions.js';
import { parseSize, parseTime } from '../scenario/units.js';
import { Ping, PING_DEFDATALEN, PING_MAXWAIT_S, parsePmtudisc } from './ping.js';
import { resolvePingTarget } from '../tools/ping.js';

const prev = hostExtensions.traffic;
if (!(prev as { ping?: true } | undefined)?.ping) {
  const traffic: NonNullable<typeof hostExtensions.traffic> & { ping?: true } = (world, t, at, opts, report) => {
    if (t.kind !== 'ping') return prev?.(world, t, at, opts, report) ?? false;
    if (t.from === undefined) {
      report([], 'ping traffic needs `from` (the sending host)');
      return true;
    }
    const host = world.hosts.get(t.from);
    if (!host) {
      report(['from'], `unknown host "${t.from}"`);
      return true;
    }
    if (t.to === undefined) {
      report([], 'missing required key "to" (an address or a host name)');
      return true;
    }
    const daddr = resolvePingTarget(world, t.to);
    if (daddr === null) {
      report(['to'], `"${t.to}" is neither an IPv4 address nor a host with an address`);
      return true;
    }
    const size = t.size === undefined ? PING_DEFDATALEN : parseSize(t.size);
    if (size === null || size > 65507) {
      report(['size'], `"${t.size}" is not a ping data size from 0 to 65507 bytes`);
      return true;
    }
    const count = t.count ?? 0;
    if (!Number.isInteger(count) || count < 0) {
      report(['count'], `count must be a non-negative integer (got ${count})`);
      return true;
    }
    const interval = t.interval === undefined ? 1e9 : parseTime(t.interval);
    if (interval === null) {
      report(['interval'], `"${t.interval}" is not a time (e.g. 100ms, 1s)`);
      return true;
    }
    const cpu = t.cpu ?? 0;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= host.cpus.length) {
      report(['cpu'], `cpu must be 0..${host.cpus.length - 1} (got ${cpu})`);
      return true;
    }
    new Ping(host, cpu, {
      target: t.to, daddr, count, intervalNs: interval, size,
      pmtudisc: parsePmtudisc(t.pmtudisc ?? 'want')!, lingerNs: PING_MAXWAIT_S * 1e9, quiet: false,
    }, at);
    return true;
  };
  traffic.ping = true;
  hostExtensions.traffic = traffic;
}
