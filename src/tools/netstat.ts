// `netstat -s` (net-tools 2.10, statistics.c) on a simulated host: the
// /proc/net/snmp and /proc/net/netstat groups as sections, each known field as
// its sentence and the rest as `Name: value`, zeros hidden where netstat hides
// them. Other netstat modes (connections, -i, -r) are left to ss and ip.

import type { Host } from '../model/host.js';
import { registerTool, type CommandResult } from './runner.js';
import { snmpRows } from './proc_net.js';
import { NETSTAT_WORDING } from './netstat_wording.js';

const USAGE = `usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}
       netstat [-vWnNcaeol] [<Socket> ...]
       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }
`;

/** Section order of `netstat -s`: the order the groups appear in /proc/net/snmp then /proc/net/netstat. */
const SECTIONS = ['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite', 'TcpExt', 'IpExt', 'MPTcpExt'];

/** Sections -t, -u and -w (raw) select; net-tools prints the unclassified ones (IcmpMsg, UdpLite, IpExt, MPTcpExt) always. */
const SECTION_CLASS: Record<string, string> = { Ip: 'w', Icmp: 'w', Tcp: 't', TcpExt: 't', Udp: 'u' };

/** The text of `netstat -s` for a host; `only` is the -t/-u/-w letters given (empty for all). */
export function netstatStatistics(host: Host, only = ''): string {
  const byGroup = new Map<string, Map<string, number>>();
  const order = new Map<string, string[]>();
  for (const r of snmpRows(host)) {
    if (!byGroup.has(r.group)) {
      byGroup.set(r.group, new Map());
      order.set(r.group, []);
    }
    byGroup.get(r.group)!.set(r.field, r.value);
    order.get(r.group)!.push(r.field);
  }
  let out = '';
  for (const g of SECTIONS) {
    const values = byGroup.get(g);
    if (!values) continue;
    const cls = SECTION_CLASS[g];
    if (only && cls && !only.includes(cls)) continue;
    out += `${g}:\n`;
    if (g === 'IcmpMsg') {
      for (const f of order.get(g)!) out += `        ${f}: ${values.get(f)}\n`;
      continue;
    }
    const worded = NETSTAT_WORDING.filter((w) => w.group === g);
    if (worded.length === 0) {
      for (const f of order.get(g)!) if (values.get(f)) out += `    ${f}: ${values.get(f)}\n`;
      continue;
    }
    for (const w of worded) {
      if (w.field === '') {
        out += `${w.line}\n`;
        continue;
      }
      const v = values.get(w.field) ?? 0;
      if (v === 0 && !w.always) continue;
      out += w.line === '' ? `    ${w.field}: ${v}\n` : `${w.line.replace('%', String(v))}\n`;
    }
  }
  return out;
}

export function netstat(host: Host, argv: string[]): CommandResult {
  let stats = false;
  let only = '';
  const long: Record<string, string> = { '--statistics': 's', '--tcp': 't', '--udp': 'u', '--raw': 'w', '--numeric': 'n' };
  for (const a0 of argv) {
    const a = long[a0] !== undefined ? `-${long[a0]}` : a0;
    if (/^-[stuwn]+$/.test(a)) {
      if (a.includes('s')) stats = true;
      for (const c of a.slice(1)) if ('tuw'.includes(c) && !only.includes(c)) only += c;
    } else if (a.startsWith('-') && !a.startsWith('--')) {
      const bad = [...a.slice(1)].find((c) => !'stuwn'.includes(c)) ?? a[1]!;
      return { stdout: '', stderr: `netstat: invalid option -- '${bad}'\n${USAGE}`, exitCode: 1 };
    } else return { stdout: '', stderr: USAGE, exitCode: 1 };
  }
  if (!stats) return { stdout: '', stderr: 'netstat: only -s (statistics) is simulated; use ss for sockets\n', exitCode: 1 };
  return { stdout: netstatStatistics(host, only), stderr: '', exitCode: 0 };
}

registerTool('netstat', (host, argv) => netstat(host, argv));
