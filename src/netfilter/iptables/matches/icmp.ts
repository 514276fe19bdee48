// `-m icmp --icmp-type` (net/netfilter/xt_tcpudp.c icmp_match is in
// net/ipv4/netfilter/ip_tables.c `icmp_match`; names from libipt_icmp.c).

import type { Skb } from '../../../model/skb.js';
import { IPPROTO } from '../../../model/skb.js';
import {
  fail, optionTable, RuleSyntaxError, type ArgReader, type ExtensionDef, type Match, type RuleContext, type Token,
  type XtActionParam,
} from '../extension.js';

/** icmp_codes of libxt_icmp.h: name, type, code_min, code_max. */
export const ICMP_CODES: readonly [string, number, number, number][] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff], ['pong', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0], ['host-unreachable', 3, 1, 1], ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3], ['fragmentation-needed', 3, 4, 4], ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6], ['host-unknown', 3, 7, 7], ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10], ['TOS-network-unreachable', 3, 11, 11], ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13], ['host-precedence-violation', 3, 14, 14], ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff], ['network-redirect', 5, 0, 0], ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2], ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff], ['ping', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff], ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff], ['ttl-exceeded', 11, 0, 0xff], ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff], ['ip-header-bad', 12, 0, 0], ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff], ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff], ['address-mask-reply', 18, 0, 0xff],
];

/** parse_icmp: a name (or unique prefix) or `TYPE[/CODE]`. */
export function parseIcmpType(tok: Token): [number, number, number] {
  const t = tok.text;
  const exact = ICMP_CODES.find(([n]) => n === t);
  if (exact) return [exact[1], exact[2], exact[3]];
  const prefixed = ICMP_CODES.filter(([n]) => n.startsWith(t));
  if (prefixed.length > 1 && t.length > 0) {
    const first = prefixed[0]!;
    if (prefixed.some((p) => p[1] !== first[1] || p[2] !== first[2] || p[3] !== first[3])) {
      fail(`Ambiguous ICMP type \`${t}': \`${first[0]}' or \`${prefixed[1]![0]}'?`, tok);
    }
  }
  if (prefixed.length > 0 && t.length > 0) return [prefixed[0]![1], prefixed[0]![2], prefixed[0]![3]];
  const m = /^(\d+)(?:\/(\d+))?$/.exec(t);
  if (!m || Number(m[1]) > 255 || (m[2] !== undefined && Number(m[2]) > 255)) fail(`Unknown ICMP type \`${t}'`, tok);
  const type = Number(m[1]);
  if (m[2] === undefined) return [type, 0, 0xff];
  return [type, Number(m[2]), Number(m[2])];
}

/** print_icmptype of libipt_icmp.c. */
export function icmpTypeText(type: number, lo: number, hi: number, inv: boolean, numeric: boolean): string {
  if (!numeric) {
    const c = ICMP_CODES.find(([, t, a, b]) => t === type && a === lo && b === hi);
    if (c) return ` ${inv ? '!' : ''}${c[0]}`;
  }
  let s = (inv ? ' !' : '') + `type ${type}`;
  if (lo === hi) s += ` code ${lo}`;
  else if (lo !== 0 || hi !== 0xff) s += ` codes ${lo}-${hi}`;
  return s;
}

export class IcmpMatch implements Match {
  readonly name = 'icmp';
  readonly needsConntrack = false;
  type = 0xff;
  codeLo = 0;
  codeHi = 0xff;
  inv = false;

  parse(_option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    [this.type, this.codeLo, this.codeHi] = parseIcmpType(args.next());
    this.inv = inv;
  }

  finalCheck(ctx: RuleContext): void {
    if (ctx.proto !== IPPROTO.ICMP || ctx.protoInv) throw new RuleSyntaxError('icmp match: only valid for protocol 1', 0);
  }

  /** icmp_type_code_match: type 0xff matches every type. */
  match(skb: Skb, par: XtActionParam): boolean {
    if (par.fragoff !== 0) return false;
    const hit = (this.type === 0xff || skb.icmpType === this.type) && skb.icmpCode >= this.codeLo && skb.icmpCode <= this.codeHi;
    return hit !== this.inv;
  }

  save(): string {
    const inv = this.inv ? ' !' : '';
    if (this.type === 0xff) return `${inv} --icmp-type any`;
    let s = `${inv} --icmp-type ${this.type}`;
    if (this.codeLo !== 0 || this.codeHi !== 0xff) s += `/${this.codeLo}`;
    return s;
  }

  list(numeric: boolean): string {
    // icmp_print: " icmp" then print_icmptype, which puts no space before "type" (hence `icmptype 8`).
    return ' icmp' + icmpTypeText(this.type, this.codeLo, this.codeHi, this.inv, numeric);
  }
}

export const icmpMatch: ExtensionDef<Match> = {
  name: 'icmp',
  options: optionTable({ 'icmp-type': 1 }),
  create: () => new IcmpMatch(),
};
