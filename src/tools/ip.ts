// `ip` (iproute2 6.1) on a simulated host: `ip [-s [-s]] link show [dev X]`,
// `ip link set dev X mtu N`, `ip route show [cache]`, `ip route flush cache`,
// `ip route get ADDR` with the PMTU route
// exception line (reference §6, §12).

import type { Host } from '../model/host.js';
import type { NetDevice } from '../nic/net_device.js';
import { registerTool, type CommandResult } from './runner.js';
import { formatIpv4, parseIpv4 } from '../model/inet.js';
import { ipRouteOutput, routeSource } from '../routing/ip_output.js';
import { formatRoute } from '../routing/fib.js';
import { formatRouteCacheLine } from '../routing/route_exception.js';
import { offloadState } from '../offloads/install.js';

function mac(m: number): string {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push(Math.floor(m / 2 ** (8 * i) % 256).toString(16).padStart(2, '0'));
  return out.join(':');
}

function linkLines(dev: NetDevice): string {
  if (dev.kind === 'loopback') {
    return `${dev.ifindex}: ${dev.name}: <LOOPBACK,UP,LOWER_UP> mtu ${dev.mtu} qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n` +
      '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n';
  }
  const carrier = dev.up && dev.linkEnd !== null;
  const flags = `<BROADCAST,MULTICAST${dev.up ? ',UP' : ''}${carrier ? ',LOWER_UP' : ''}>`;
  const name = dev.kind === 'veth' && dev.linkEnd ? `${dev.name}@if${dev.linkEnd.to.ifindex}` : dev.name;
  const qdisc = dev.noqueue ? 'noqueue' : 'pfifo_fast';
  const state = carrier ? 'UP' : 'DOWN';
  return `${dev.ifindex}: ${name}: ${flags} mtu ${dev.mtu} qdisc ${qdisc} state ${state} mode DEFAULT group default qlen ${dev.txqueuelen}\n` +
    `    link/ether ${mac(dev.mac)} brd ff:ff:ff:ff:ff:ff\n`;
}

/** size_columns: each column as wide as its header or its widest number. */
function sizeColumns(cols: number[], ...values: number[]): void {
  values.forEach((v, i) => {
    const len = String(v).length;
    if (len > cols[i]!) cols[i] = len;
  });
}

/** print_num: the value right-aligned in its column, then a space. */
function num(width: number, v: number): string {
  return `${String(v).padStart(width)} `;
}

/**
 * print_link_stats64 (ip/ipaddress.c): the RX and TX blocks of `ip -s link`,
 * with the error blocks of `-s -s`. Carrier changes (transns) count the link
 * coming up once with its carrier: 2, as a freshly created and raised veth shows.
 */
export function linkStatsLines(dev: NetDevice, level: number): string {
  const s = dev.stats;
  const carrierChanges = dev.kind !== 'loopback' && dev.up && dev.linkEnd !== null ? 2 : 0;
  const cols = ['*X errors:', 'packets', 'errors', 'dropped', 'heartbt', 'overrun', 'compressed'].map((h) => h.length);
  sizeColumns(cols, s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped, s.rx_missed_errors, s.multicast, s.rx_compressed);
  sizeColumns(cols, s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped, s.tx_carrier_errors, s.collisions, s.tx_compressed);
  if (level > 1) {
    sizeColumns(cols, 0, s.rx_length_errors, s.rx_crc_errors, s.rx_frame_errors, s.rx_fifo_errors, s.rx_over_errors, s.rx_nohandler);
    sizeColumns(cols, 0, s.tx_aborted_errors, s.tx_fifo_errors, s.tx_window_errors, s.tx_heartbeat_errors, carrierChanges, 0);
  }
  const h = (w: number, t: string) => t.padStart(w);
  let out = `    RX: ${h(cols[0]! - 4, 'bytes')} ${h(cols[1]!, 'packets')} ${h(cols[2]!, 'errors')} ${h(cols[3]!, 'dropped')} ${h(cols[4]!, 'missed')} ${h(cols[5]!, 'mcast')} ${h(cols[6]!, s.rx_compressed ? 'compressed' : '')}\n`;
  out += `    ${num(cols[0]!, s.rx_bytes)}${num(cols[1]!, s.rx_packets)}${num(cols[2]!, s.rx_errors)}${num(cols[3]!, s.rx_dropped)}${num(cols[4]!, s.rx_missed_errors)}${num(cols[5]!, s.multicast)}${s.rx_compressed ? num(cols[6]!, s.rx_compressed) : ''}\n`;
  if (level > 1) {
    out += `    RX errors: ${h(cols[1]!, 'length')} ${h(cols[2]!, 'crc')} ${h(cols[3]!, 'frame')} ${h(cols[4]!, 'fifo')} ${h(cols[5]!, 'overrun')}${s.rx_nohandler ? ` ${h(cols[6]!, 'nohandler')}` : ''}\n`;
    out += `    ${' '.repeat(cols[0]!)} ${num(cols[1]!, s.rx_length_errors)}${num(cols[2]!, s.rx_crc_errors)}${num(cols[3]!, s.rx_frame_errors)}${num(cols[4]!, s.rx_fifo_errors)}${num(cols[5]!, s.rx_over_errors)}${s.rx_nohandler ? num(cols[6]!, s.rx_nohandler) : ''}\n`;
  }
  out += `    TX: ${h(cols[0]! - 4, 'bytes')} ${h(cols[1]!, 'packets')} ${h(cols[2]!, 'errors')} ${h(cols[3]!, 'dropped')} ${h(cols[4]!, 'carrier')} ${h(cols[5]!, 'collsns')} ${h(cols[6]!, s.tx_compressed ? 'compressed' : '')}\n`;
  out += `    ${num(cols[0]!, s.tx_bytes)}${num(cols[1]!, s.tx_packets)}${num(cols[2]!, s.tx_errors)}${num(cols[3]!, s.tx_dropped)}${num(cols[4]!, s.tx_carrier_errors)}${num(cols[5]!, s.collisions)}${s.tx_compressed ? num(cols[6]!, s.tx_compressed) : ''}\n`;
  if (level > 1) {
    out += `    TX errors: ${h(cols[1]!, 'aborted')} ${h(cols[2]!, 'fifo')} ${h(cols[3]!, 'window')} ${h(cols[4]!, 'heartbt')} ${h(cols[5]!, 'transns')}\n`;
    out += `    ${' '.repeat(cols[0]!)} ${num(cols[1]!, s.tx_aborted_errors)}${num(cols[2]!, s.tx_fifo_errors)}${num(cols[3]!, s.tx_window_errors)}${num(cols[4]!, s.tx_heartbeat_errors)}${num(cols[5]!, carrierChanges)}\n`;
  }
  return out;
}

function err(msg: string, code = 1): CommandResult {
  return { stdout: '', stderr: msg, exitCode: code };
}

function link(host: Host, args: string[], stats = 0): CommandResult {
  const cmd = args[0] ?? 'show';
  if (cmd === 'show' || cmd === 'list' || cmd === 'ls') {
    const rest = args.slice(1);
    const name = rest[0] === 'dev' ? rest[1] : rest[0];
    if (name !== undefined) {
      const dev = host.devByName.get(name);
      if (!dev) return err(`Device "${name}" does not exist.\n`);
      return { stdout: linkLines(dev) + (stats ? linkStatsLines(dev, stats) : ''), stderr: '', exitCode: 0 };
    }
    const all = host.devices.filter((d): d is NetDevice => d !== null);
    return { stdout: all.map((d) => linkLines(d) + (stats ? linkStatsLines(d, stats) : '')).join(''), stderr: '', exitCode: 0 };
  }
  if (cmd === 'set') {
    const rest = args.slice(1);
    const name = rest[0] === 'dev' ? rest[1] : rest[0];
    const opts = rest.slice(rest[0] === 'dev' ? 2 : 1);
    const dev = name === undefined ? undefined : host.devByName.get(name);
    if (!dev) return err(`Cannot find device "${name ?? ''}"\n`);
    for (let i = 0; i < opts.length; i += 2) {
      if (opts[i] !== 'mtu') return err(`Error: either "dev" is duplicate, or "${opts[i]}" is a garbage.\n`);
      const n = Number(opts[i + 1]);
      if (!Number.isInteger(n) || n < 0) return err(`Error: argument "${opts[i + 1] ?? ''}" is wrong: Invalid "mtu" value\n\n`);
      if (n < 68 || n > 65535) return err(`Error: mtu ${n < 68 ? 'less than device minimum' : 'greater than device maximum'}.\n`, 2);
      dev.mtu = n;
    }
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  return err(`Command "${cmd}" is unknown, try "ip link help".\n`, 255);
}

/**
 * `ip route show`: the main table in fib_table_dump order (the trie walks keys
 * in ascending order; at one key the longer prefix comes first), each line
 * ending in a space as iproute2 prints it. `ip route show cache`: the route
 * exceptions (rt_fill_info for each fib_nh_exception), with the cache line of
 * `ip route get`.
 */
function routeShow(host: Host, args: string[]): CommandResult {
  const rest = args.filter((a) => a !== 'table' && a !== 'main' && a !== 'all');
  if (rest.length > 0 && rest[0] === 'cache') {
    const lines: string[] = [];
    for (const e of offloadState(host).pmtu.list(host.sim.now)) {
      const rt = ipRouteOutput(host, e.daddr);
      lines.push(`${formatIpv4(e.daddr)}${rt?.gw ? ` via ${formatIpv4(rt.gw)}` : ''} dev ${rt?.dev?.name ?? ''} \n${formatRouteCacheLine(e, host.sim.now)}\n`);
    }
    return { stdout: lines.join(''), stderr: '', exitCode: 0 };
  }
  if (rest.length > 0) return err(`Error: either "to" is duplicate, or "${rest[0]}" is a garbage.\n`);
  const routes = [...host.fib.main].sort((a, b) => (a.dst >>> 0) - (b.dst >>> 0) || b.len - a.len || a.metric - b.metric);
  return { stdout: routes.map((r) => `${formatRoute(r)} \n`).join(''), stderr: '', exitCode: 0 };
}

function route(host: Host, args: string[]): CommandResult {
  const cmd = args[0] ?? 'show';
  if (cmd === 'show' || cmd === 'list' || cmd === 'ls') return routeShow(host, args.slice(1));
  if (cmd === 'flush' && args[1] === 'cache') {
    offloadState(host).pmtu.flush();
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  if (cmd !== 'get') return err(`Command "${cmd}" is unknown, try "ip route help".\n`, 255);
  const dst = args[1] === 'to' ? args[2] : args[1];
  const daddr = dst === undefined ? null : parseIpv4(dst);
  if (daddr === null) return err(`Error: any valid prefix is expected rather than "${dst ?? ''}".\n`);
  const rt = ipRouteOutput(host, daddr);
  if (!rt) return err('RTNETLINK answers: Network is unreachable\n', 2);
  const src = routeSource(host, rt, daddr);
  const local = host.isLocalAddr(daddr);
  if (local) return { stdout: `local ${formatIpv4(daddr)} dev lo table local src ${formatIpv4(src)} uid 0 \n    cache <local> \n`, stderr: '', exitCode: 0 };
  const head = `${formatIpv4(daddr)}${rt.gw ? ` via ${formatIpv4(rt.gw)}` : ''} dev ${rt.dev?.name ?? ''} src ${formatIpv4(src)} uid 0 \n`;
  const exc = offloadState(host).pmtu.lookup(daddr, host.sim.now);
  return { stdout: `${head}${formatRouteCacheLine(exc, host.sim.now)}\n`, stderr: '', exitCode: 0 };
}

export function ip(host: Host, argvIn: string[]): CommandResult {
  // Global options before the object: -s / -stats / -statistics, repeatable.
  let stats = 0;
  let argv = argvIn;
  while (argv[0] !== undefined && /^-s(t(a(t(i(s(t(i(c(s)?)?)?)?)?)?)?)?)?$/.test(argv[0])) {
    stats++;
    argv = argv.slice(1);
  }
  const obj = argv[0];
  if (obj === undefined) return err('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n', 255);
  if ('link'.startsWith(obj) && obj.length >= 1) return link(host, argv.slice(1), stats);
  if ('route'.startsWith(obj) && obj.length >= 1) return route(host, argv.slice(1));
  return err(`Object "${obj}" is unknown, try "ip help".\n`, 255);
}

registerTool('ip', (host, argv) => ip(host, argv));
