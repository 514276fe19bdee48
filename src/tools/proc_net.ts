// The /proc/net files the counter tools read, rendered from a host as the
// kernel prints them: snmp and netstat (net/ipv4/proc.c snmp_seq_show,
// netstat_seq_show), dev (net/core/net-procfs.c dev_seq_printf_stats),
// softnet_stat (softnet_seq_show), udp (udp4_format_sock) and tcp
// (get_tcp4_sock, get_timewait4_sock). Registered with the host filesystem,
// so `cat` (src/tools/text.ts) reads them.

import type { Host } from '../model/host.js';
import { SNMP_GROUPS } from '../model/snmp.js';
import { HZ, jiffiesCeilOf } from '../model/time.js';
import type { NetDevice } from '../nic/net_device.js';
import type { Sock } from '../transport/sock.js';
import { UdpSock } from '../transport/udp.js';
import { TcpSock } from '../transport/tcp_sock.js';
import { TCP_ESTABLISHED, TCP_LISTEN, TCP_TIME_WAIT } from '../transport/tcp_states.js';
import { MPTCP_EXT_FIELDS } from './netstat_wording.js';
import { registerProcFile } from '../model/vfs.js';

/** Offset of each SNMP group's first field in the flat counter array. */
const groupStart: Record<string, number> = {};
{
  let i = 0;
  for (const [g, fields] of Object.entries(SNMP_GROUPS)) {
    groupStart[g] = i;
    i += fields.length;
  }
}

/** The values of one group in /proc order. */
export function groupValues(host: Host, group: keyof typeof SNMP_GROUPS): number[] {
  const start = groupStart[group]!;
  return Array.from(host.snmp.v.subarray(start, start + SNMP_GROUPS[group].length));
}

function pair(group: string, names: readonly string[], values: readonly number[]): string {
  return `${group}: ${names.join(' ')}\n${group}: ${values.join(' ')}\n`;
}

/** icmpmsg_put: non-zero In types then Out types, at most 16 per header/value pair. */
function icmpMsgLines(host: Host): string {
  const names: string[] = [];
  const values: number[] = [];
  for (const [dir, arr] of [['In', host.snmp.icmpMsgIn], ['Out', host.snmp.icmpMsgOut]] as const) {
    for (let t = 0; t < 256; t++) {
      if (arr[t]) {
        names.push(`${dir}Type${t}`);
        values.push(arr[t]!);
      }
    }
  }
  let out = '';
  for (let i = 0; i < names.length; i += 16) out += pair('IcmpMsg', names.slice(i, i + 16), values.slice(i, i + 16));
  return out;
}

/** /proc/net/snmp. */
export function procNetSnmp(host: Host): string {
  return pair('Ip', SNMP_GROUPS.Ip, groupValues(host, 'Ip')) +
    pair('Icmp', SNMP_GROUPS.Icmp, groupValues(host, 'Icmp')) +
    icmpMsgLines(host) +
    pair('Tcp', SNMP_GROUPS.Tcp, groupValues(host, 'Tcp')) +
    pair('Udp', SNMP_GROUPS.Udp, groupValues(host, 'Udp')) +
    pair('UdpLite', SNMP_GROUPS.UdpLite, groupValues(host, 'UdpLite'));
}

/** /proc/net/netstat: TcpExt, IpExt and MPTcpExt (all zero: this model has no MPTCP). */
export function procNetNetstat(host: Host): string {
  return pair('TcpExt', SNMP_GROUPS.TcpExt, groupValues(host, 'TcpExt')) +
    pair('IpExt', SNMP_GROUPS.IpExt, groupValues(host, 'IpExt')) +
    pair('MPTcpExt', MPTCP_EXT_FIELDS, MPTCP_EXT_FIELDS.map(() => 0));
}

/** Every counter in /proc order with its group, IcmpMsg types after Icmp, as nstat and netstat read them. */
export function snmpRows(host: Host): Array<{ group: string; field: string; value: number }> {
  const rows: Array<{ group: string; field: string; value: number }> = [];
  let i = 0;
  for (const [g, fields] of Object.entries(SNMP_GROUPS)) {
    for (const f of fields as readonly string[]) rows.push({ group: g, field: f, value: host.snmp.v[i++]! });
    if (g === 'Icmp') {
      for (const [dir, arr] of [['In', host.snmp.icmpMsgIn], ['Out', host.snmp.icmpMsgOut]] as const) {
        for (let t = 0; t < 256; t++) if (arr[t]) rows.push({ group: 'IcmpMsg', field: `${dir}Type${t}`, value: arr[t]! });
      }
    }
  }
  for (const f of MPTCP_EXT_FIELDS) rows.push({ group: 'MPTcpExt', field: f, value: 0 });
  return rows;
}

function u(n: number, w: number): string {
  return String(n).padStart(w);
}

/** /proc/net/dev (dev_seq_printf_stats): rx drop includes missed, frame sums the length/over/crc/frame errors. */
export function procNetDev(host: Host): string {
  let out = 'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
  for (const dev of devices(host)) {
    const s = dev.stats;
    out += `${dev.name.padStart(6)}:${u(s.rx_bytes, 8)} ${u(s.rx_packets, 7)} ${u(s.rx_errors, 4)} ${u(s.rx_dropped + s.rx_missed_errors, 4)} ` +
      `${u(s.rx_fifo_errors, 4)} ${u(s.rx_length_errors + s.rx_over_errors + s.rx_crc_errors + s.rx_frame_errors, 5)} ` +
      `${u(s.rx_compressed, 10)} ${u(s.multicast, 9)} ${u(s.tx_bytes, 8)} ${u(s.tx_packets, 7)} ${u(s.tx_errors, 4)} ` +
      `${u(s.tx_dropped, 4)} ${u(s.tx_fifo_errors, 4)} ${u(s.collisions, 5)} ` +
      `${u(s.tx_carrier_errors + s.tx_aborted_errors + s.tx_window_errors + s.tx_heartbeat_errors, 7)} ${u(s.tx_compressed, 10)}\n`;
  }
  return out;
}

export function devices(host: Host): NetDevice[] {
  return host.devices.filter((d): d is NetDevice => d !== null);
}

function x8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * /proc/net/softnet_stat (softnet_seq_show, 6.x): processed, dropped,
 * time_squeeze, five retired zeros, cpu_collision 0, received_rps,
 * flow_limit_count, backlog length, cpu index, input and process queue lengths.
 */
export function procNetSoftnetStat(host: Host): string {
  return host.cpus.map((c) => {
    const sd = c.softnet;
    const cols = [sd.processed, sd.dropped, sd.timeSqueeze, 0, 0, 0, 0, 0, 0, sd.receivedRps, sd.flowLimitCount,
      sd.backlogLen, c.id, sd.inputPktQueue.length, sd.processQueue.length];
    return cols.map(x8).join(' ') + '\n';
  }).join('');
}

/** An IPv4 address as /proc prints a __be32: the little-endian integer of the wire bytes. */
export function procAddr(addr: number): string {
  const a = addr >>> 0;
  const le = ((a & 0xff) << 24 | ((a >>> 8) & 0xff) << 16 | ((a >>> 16) & 0xff) << 8 | (a >>> 24)) >>> 0;
  return le.toString(16).toUpperCase().padStart(8, '0');
}

function hex4(p: number): string {
  return p.toString(16).toUpperCase().padStart(4, '0');
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** %pK with kptr_restrict: a hashed pointer; derived from the inode so it is stable. */
export function hashedPtr(sk: Sock): string {
  let h = (sk.inode * 2654435761) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  return `00000000${h.toString(16).padStart(8, '0')}`;
}

/** udp_hashfn without the per-netns mix: the port in a 128-slot table. */
function udpSlot(port: number): number {
  return port & 127;
}

/** /proc/net/udp (udp4_format_sock), each line padded to 127 columns. */
export function procNetUdp(host: Host): string {
  let out = `${'   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops'.padEnd(127)}\n`;
  const udp = host.sockets.all.filter((s): s is UdpSock => s instanceof UdpSock)
    .sort((a, b) => udpSlot(a.sport) - udpSlot(b.sport));
  for (const sk of udp) {
    const st = sk.connected ? 1 : 7;
    const line = `${u(udpSlot(sk.sport), 5)}: ${procAddr(sk.saddr)}:${hex4(sk.sport)} ${procAddr(sk.connected ? sk.daddr : 0)}:${hex4(sk.connected ? sk.dport : 0)} ` +
      `${st.toString(16).toUpperCase().padStart(2, '0')} ${hex8(sk.wmemAlloc)}:${hex8(sk.rmemAlloc)} 00:00000000 00000000 ${u(0, 5)} ${u(0, 8)} ${sk.inode} 2 ${hashedPtr(sk)} ${sk.drops}`;
    out += `${line.padEnd(127)}\n`;
  }
  return out;
}

/** jiffies to USER_HZ (100) clock ticks, from ns. */
function clockT(ns: number): number {
  return Math.floor(jiffiesCeilOf(ns) * 100 / HZ);
}

/** /proc/net/tcp (tcp4_seq_show): listeners first, then connections; lines padded to 149 columns. */
export function procNetTcp(host: Host): string {
  let out = `${'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'.padEnd(149)}\n`;
  const tcp = host.sockets.all.filter((s): s is TcpSock => s instanceof TcpSock && s.state !== 7);
  const ordered = [...tcp.filter((s) => s.state === TCP_LISTEN), ...tcp.filter((s) => s.state !== TCP_LISTEN)];
  ordered.forEach((sk, i) => {
    const head = `${u(i, 4)}: ${procAddr(sk.saddr)}:${hex4(sk.sport)} ${procAddr(sk.daddr)}:${hex4(sk.dport)} ${sk.state.toString(16).toUpperCase().padStart(2, '0')}`;
    let line: string;
    if (sk.state === TCP_TIME_WAIT) {
      line = `${head} 00000000:00000000 03:00000000 00000000 ${u(0, 5)} ${u(0, 8)} 0 3 ${hashedPtr(sk)}`;
    } else {
      const listen = sk.state === TCP_LISTEN;
      const txq = listen ? 0 : sk.wmemQueued;
      const rxq = listen ? sk.acceptQueue.length : sk.rcvQueued;
      const timer = !listen && sk.rtoArmed ? 1 : 0;
      const ssthresh = listen ? 0 : sk.ssthresh >= 0x7fffffff ? -1 : sk.ssthresh;
      const ato = !listen && sk.state === TCP_ESTABLISHED ? 4 : 0;
      line = `${head} ${hex8(txq)}:${hex8(rxq)} ${timer.toString(16).padStart(2, '0')}:00000000 ${hex8(sk.retransmits)} ${u(0, 5)} ${u(0, 8)} ` +
        `${sk.inode} 1 ${hashedPtr(sk)} ${clockT(sk.rto)} ${ato} ${listen ? 0 : 1} ${sk.cwnd} ${ssthresh}`;
    }
    out += `${line.padEnd(149)}\n`;
  });
  return out;
}

registerProcFile('/proc/net/snmp', procNetSnmp);
registerProcFile('/proc/net/netstat', procNetNetstat);
registerProcFile('/proc/net/dev', procNetDev);
registerProcFile('/proc/net/softnet_stat', procNetSoftnetStat);
registerProcFile('/proc/net/udp', procNetUdp);
registerProcFile('/proc/net/tcp', procNetTcp);
