// Text views of the table: /proc/net/nf_conntrack (nf_conntrack_standalone.c
// `ct_seq_show`), /proc/net/stat/nf_conntrack (`ct_cpu_seq_show`) and the
// conntrack-tools 1.4.7 line format (libnetfilter_conntrack
// `__snprintf_conntrack_default`), checked against the real tool on 6.18.

import { formatIpv4 } from '../../model/inet.js';
import { IPPROTO } from '../../model/skb.js';
import { IPS } from '../nf_conntrack_common.js';
import type { ConntrackEntry, ConntrackTupleView } from './nf_conntrack_entry.js';
import type { ConntrackEvent } from './nf_conntrack_ecache.js';
import type { ConntrackStats } from './nf_conntrack_stat.js';
import { CT_STAT_FIELDS } from './nf_conntrack_stat.js';

/** l4proto names as /proc and conntrack print them. */
export function protoName(proto: number): string {
  switch (proto) {
    case IPPROTO.TCP: return 'tcp';
    case IPPROTO.UDP: return 'udp';
    case IPPROTO.ICMP: return 'icmp';
    case 132: return 'sctp';
    case 47: return 'gre';
    case 136: return 'udplite';
    default: return 'unknown';
  }
}

function pad8(s: string): string {
  return s.padEnd(8, ' ');
}

function tupleText(proto: number, t: ConntrackTupleView): string {
  const addrs = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)} `;
  if (proto === IPPROTO.ICMP) return `${addrs}type=${t.dport >>> 8} code=${t.dport & 0xff} id=${t.sport} `;
  if (proto === IPPROTO.TCP || proto === IPPROTO.UDP || proto === 132 || proto === 136) return `${addrs}sport=${t.sport} dport=${t.dport} `;
  return addrs;
}

function acctText(e: ConntrackEntry, dir: 0 | 1): string {
  return e.acct ? `packets=${e.acct[dir * 2]} bytes=${e.acct[dir * 2 + 1]} ` : '';
}

/** One /proc/net/nf_conntrack line (with the trailing newline). */
export function procLine(e: ConntrackEntry): string {
  let s = `${pad8('ipv4')} 2 ${pad8(protoName(e.proto))} ${e.proto} `;
  if (!(e.status & IPS.OFFLOAD)) s += `${e.timeout} `;
  if (e.state !== null) s += `${e.state} `;
  s += tupleText(e.proto, e.orig) + acctText(e, 0);
  if (!(e.status & IPS.SEEN_REPLY)) s += '[UNREPLIED] ';
  s += tupleText(e.proto, e.reply) + acctText(e, 1);
  if (e.status & IPS.OFFLOAD) s += '[OFFLOAD] ';
  else if (e.status & IPS.ASSURED) s += '[ASSURED] ';
  return `${s}mark=${e.mark} zone=0 use=2\n`;
}

export interface CtFormatOptions {
  /** `-o extended`: the layer 3 prefix. */
  extended?: boolean;
  /** Event type prefix for `-E`. */
  event?: ConntrackEvent['type'];
  /** Listing (`-L`/`-D`): mark and use are shown; events show mark only when non-zero. */
  listing?: boolean;
  /** An event's netlink port: a non-zero one (a userspace request) is shown after the entry. */
  portid?: number;
}

/** One conntrack-tools line, without newline. */
export function ctLine(e: ConntrackEntry, o: CtFormatOptions = {}): string {
  let s = '';
  if (o.event) s += `${`[${o.event}]`.padStart(9, ' ')} `;
  if (o.extended) s += `${pad8('ipv4')} 2 `;
  s += `${pad8(protoName(e.proto))} ${e.proto} `;
  if (e.timeout >= 0) s += `${e.timeout} `;
  if (e.state !== null) s += `${e.state} `;
  s += tupleText(e.proto, e.orig) + acctText(e, 0);
  if (!(e.status & IPS.SEEN_REPLY)) s += '[UNREPLIED] ';
  s += tupleText(e.proto, e.reply) + acctText(e, 1);
  if (e.status & IPS.ASSURED) s += '[ASSURED] ';
  if (o.listing || e.mark !== 0) s += `mark=${e.mark} `;
  if (o.listing) s += 'use=1 ';
  if (o.portid) s += `[USERSPACE] portid=${o.portid} `;
  return s.endsWith(' ') ? s.slice(0, -1) : s;
}

/** /proc/net/stat/nf_conntrack: header, then one hex row per CPU. */
export function procStatText(count: number, stats: ConntrackStats): string {
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  let out = 'entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n';
  for (const st of stats.all()) {
    out += `${hex(count)}  ${hex(st.clash_resolve)} ${hex(st.found)} ${hex(0)} ${hex(st.invalid)} ${hex(0)} ${hex(0)} ` +
      `${hex(st.chaintoolong)} ${hex(st.insert)} ${hex(st.insert_failed)} ${hex(st.drop)} ${hex(st.early_drop)} ` +
      `${hex(st.error)}  ${hex(st.expect_new)} ${hex(st.expect_create)} ${hex(st.expect_delete)} ${hex(st.search_restart)}\n`;
  }
  return out;
}

/** `conntrack -S`: one line per CPU. */
export function ctStatsText(stats: ConntrackStats): string {
  let out = '';
  stats.all().forEach((st, cpu) => {
    out += `cpu=${String(cpu).padEnd(4, ' ')}\t${CT_STAT_FIELDS.map((f) => `${f}=${st[f]}`).join(' ')} \n`;
  });
  return out;
}
