// `iptables -L` and `iptables -S` output (iptables/xshared.c print_header,
// print_rule_details, print_fragment, print_ifaces, print_ipv4_addresses;
// nft-ipv4.c nft_ipv4_print_rule; xtables_print_num). Column widths are the
// real tool's, including its header that is wider than the counter columns.

import { formatIpv4 } from '../../model/inet.js';
import { protocolName } from './netdb.js';
import {
  IPT_INV_DSTIP, IPT_INV_FRAG, IPT_INV_PROTO, IPT_INV_SRCIP, IPT_INV_VIA_IN, IPT_INV_VIA_OUT,
  V_GOTO, V_TARGET, type Rule,
} from './rule.js';
import { POLICY_ACCEPT, type Chain, type Table } from './ruleset.js';
import { ruleMatchText, ruleTargetText } from './save.js';

export interface ListFormat {
  verbose: boolean;
  numeric: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

const padEnd = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padStart = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** xtables_print_num: `%8llu ` exact, else `%5llu ` with K/M/G/T above 99999 (rounded). */
export function printNum(n: number, exact: boolean, notable = false): string {
  if (exact) return notable ? `${n} ` : padStart(String(n), 8) + ' ';
  if (n <= 99999) return notable ? `${n} ` : padStart(String(n), 5) + ' ';
  let v = n;
  for (const suffix of ['K', 'M', 'G']) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999) return notable ? `${v}${suffix} ` : padStart(String(v), 4) + suffix + ' ';
  }
  v = Math.floor((v + 500) / 1000);
  return notable ? `${v}T ` : padStart(String(v), 4) + 'T ';
}

function header(c: Chain, table: Table, f: ListFormat): string {
  let s = `Chain ${c.name}`;
  if (c.builtin) {
    s += ` (policy ${c.policy === POLICY_ACCEPT ? 'ACCEPT' : 'DROP'}`;
    if (f.verbose) s += ' ' + printNum(c.policyPkts, f.exact, true) + 'packets, ' + printNum(c.policyBytes, f.exact, true) + 'bytes';
    s += ')\n';
  } else {
    s += ` (${table.references(c)} references)\n`;
  }
  if (f.lineNumbers) s += padEnd('num', 5);
  if (f.verbose) {
    s += f.exact ? padStart('pkts', 8) + ' ' + padStart('bytes', 10) + ' ' : padStart('pkts', 5) + ' ' + padStart('bytes', 5) + ' ';
  }
  s += padEnd('target', 9) + ' ';
  s += ' prot opt';
  if (f.verbose) s += ' ' + padEnd('in', 6) + ' ' + padEnd('out', 6) + ' ';
  s += ' ' + padEnd('source', 19) + ' ';
  s += ' ' + padEnd('destination', 19) + ' ';
  return s + '\n';
}

/** xtables_ipmask_to_numeric: '' for /32, `/len` or `/dotted` otherwise. */
function maskSuffix(mask: number): string {
  if (mask === 0xffffffff) return '';
  const inv = ~mask >>> 0;
  if (((inv + 1) & inv) === 0) return '/' + (32 - Math.log2(inv + 1));
  return '/' + formatIpv4(mask);
}

/** /etc/hosts and /etc/networks of a stock Debian host, for xtables_ipaddr_to_anyname (no DNS is simulated). */
const HOST_NAMES = new Map([[0x7f000001, 'localhost']]);
const NETWORK_NAMES = new Map([[0x7f000000, 'loopback'], [0xa9fe0000, 'link-local']]);

function addrColumn(addr: number, mask: number, numeric: boolean): string {
  if (mask === 0 && !numeric) return 'anywhere';
  let name = formatIpv4(addr);
  if (!numeric) name = (mask === 0xffffffff ? HOST_NAMES.get(addr) : NETWORK_NAMES.get(addr)) ?? name;
  return name + maskSuffix(mask);
}

/** One rule line of -L (print_firewall). */
export function listRule(r: Rule, num: number, f: ListFormat): string {
  let s = '';
  if (f.lineNumbers) s += padEnd(String(num), 4) + ' ';
  if (f.verbose) s += printNum(r.pkts, f.exact) + printNum(r.bytes, f.exact);
  s += padEnd(r.target?.listName ?? r.targetName, 9) + ' ';
  s += r.invflags & IPT_INV_PROTO ? '!' : ' ';
  const pname = f.numeric ? String(r.proto) : r.proto === 0 ? 'all' : protocolName(r.proto) ?? String(r.proto);
  s += padEnd(pname, 4) + ' ';
  s += (r.invflags & IPT_INV_FRAG ? '!' : '-') + (r.frag ? 'f' : '-') + ' ';
  if (f.verbose) {
    const any = f.numeric ? '*' : 'any';
    const iin = (r.invflags & IPT_INV_VIA_IN ? '!' : '') + (r.inIface !== '' || r.inWild ? r.inIface + (r.inWild ? '+' : '') : any);
    const iout = (r.invflags & IPT_INV_VIA_OUT ? '!' : '') + (r.outIface !== '' || r.outWild ? r.outIface + (r.outWild ? '+' : '') : any);
    s += ' ' + padEnd(iin, 6) + ' ' + padEnd(iout, 6) + ' ';
  }
  s += (r.invflags & IPT_INV_SRCIP ? '!' : ' ') + padEnd(addrColumn(r.src, r.smsk, f.numeric), 19) + ' ';
  s += (r.invflags & IPT_INV_DSTIP ? '!' : ' ') + padEnd(addrColumn(r.dst, r.dmsk, f.numeric), 19) + ' ';
  if (r.verdict === V_GOTO) s += '[goto] ';
  for (const m of r.matches) s += m.list(f.numeric);
  if (r.verdict === V_TARGET) s += r.target!.list(f.numeric);
  return s + '\n';
}

/** `iptables -L [CHAIN]` for one table. */
export function listTable(table: Table, chain: Chain | null, f: ListFormat): string {
  const chains = chain ? [chain] : table.orderedChains();
  const parts: string[] = [];
  for (const c of chains) {
    let s = header(c, table, f);
    c.rules.forEach((r, i) => (s += listRule(r, i + 1, f)));
    parts.push(s);
  }
  return parts.join('\n');
}

/** `iptables -S [CHAIN]`: -P/-N lines then the rules, `-c P B` before the target with -v. */
export function listRulesSpec(table: Table, chain: Chain | null, verbose: boolean): string {
  const chains = chain ? [chain] : table.orderedChains();
  let s = '';
  for (const c of chains) {
    if (c.builtin) s += `-P ${c.name} ${c.policy === POLICY_ACCEPT ? 'ACCEPT' : 'DROP'}${verbose ? ` -c ${c.policyPkts} ${c.policyBytes}` : ''}\n`;
  }
  for (const c of chains) if (!c.builtin) s += `-N ${c.name}\n`;
  for (const c of chains) {
    for (const r of c.rules) {
      s += `-A ${c.name}${ruleMatchText(r)}${verbose ? ` -c ${r.pkts} ${r.bytes}` : ''}${ruleTargetText(r)}\n`;
    }
  }
  return s;
}
