// `ip` (iproute2 6.1) on a simulated host: `ip link show [dev X]`,
// `ip link set dev X mtu N`, `ip route get ADDR` with the PMTU route
// exception line (reference §6, §12).

import type { Host } from '../model/host.js';
import type { NetDevice } from '../nic/net_device.js';
import { registerTool, type CommandResult } from './runner.js';
import { formatIpv4, parseIpv4 } from '../model/inet.js';
import { ipRouteOutput, routeSource } from '../routing/ip_output.js';
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

function err(msg: string, code = 1): CommandResult {
  return { stdout: '', stderr: msg, exitCode: code };
}

function link(host: Host, args: string[]): CommandResult {
  const cmd = args[0] ?? 'show';
  if (cmd === 'show' || cmd === 'list' || cmd === 'ls') {
    const rest = args.slice(1);
    const name = rest[0] === 'dev' ? rest[1] : rest[0];
    if (name !== undefined) {
      const dev = host.devByName.get(name);
      if (!dev) return err(`Device "${name}" does not exist.\n`);
      return { stdout: linkLines(dev), stderr: '', exitCode: 0 };
    }
    return { stdout: host.devices.filter((d): d is NetDevice => d !== null).map(linkLines).join(''), stderr: '', exitCode: 0 };
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

function route(host: Host, args: string[]): CommandResult {
  if (args[0] !== 'get') return err(`Command "${args[0] ?? ''}" is unknown, try "ip route help".\n`, 255);
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

export function ip(host: Host, argv: string[]): CommandResult {
  const obj = argv[0];
  if (obj === undefined) return err('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n', 255);
  if ('link'.startsWith(obj) && obj.length >= 1) return link(host, argv.slice(1));
  if ('route'.startsWith(obj) && obj.length >= 1) return route(host, argv.slice(1));
  return err(`Object "${obj}" is unknown, try "ip help".\n`, 255);
}

registerTool('ip', (host, argv) => ip(host, argv));
