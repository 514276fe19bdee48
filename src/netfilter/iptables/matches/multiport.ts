// `-m multiport` (net/netfilter/xt_multiport.c ports_match_v1; libxt_multiport.c
// revision 1): up to 15 ports, a range counting as two.

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam,
} from '../extension.js';
import { parsePort, portText } from '../ports.js';

const XT_MULTIPORT_SOURCE = 0;
const XT_MULTIPORT_DESTINATION = 1;
const XT_MULTIPORT_EITHER = 2;
const XT_MULTI_PORTS = 15;
const FLAG_WORDS = ['sports', 'dports', 'ports'] as const;
/** Protocols whose header starts with the two ports (multiport check_proto). */
const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);

export class MultiportMatch implements Match {
  readonly name = 'multiport';
  readonly needsConntrack = false;
  flags = -1;
  inv = false;
  /** Flat list of ports; `range[i]` marks ports[i]..ports[i+1] as a range. */
  ports: number[] = [];
  range: boolean[] = [];
  private protoForNames = 6;

  parse(option: string, inv: boolean, args: ArgReader, ctx: RuleContext): void {
    if (this.flags >= 0) fail('multiport can only have one option', args.optionToken);
    this.flags = option === 'ports' ? XT_MULTIPORT_EITHER
      : option === 'sports' || option === 'source-ports' ? XT_MULTIPORT_SOURCE : XT_MULTIPORT_DESTINATION;
    this.inv = inv;
    this.protoForNames = ctx.proto;
    const tok = args.next();
    for (const item of tok.text.split(',')) {
      const colon = item.indexOf(':');
      if (colon < 0) {
        this.ports.push(parsePort(item, ctx.proto, tok));
        this.range.push(false);
      } else {
        const lo = parsePort(item.slice(0, colon), ctx.proto, tok);
        const hi = parsePort(item.slice(colon + 1), ctx.proto, tok);
        if (lo >= hi) fail('invalid portrange specified', tok);
        this.ports.push(lo, hi);
        this.range.push(true, false);
      }
      if (this.ports.length > XT_MULTI_PORTS) fail('too many ports specified', tok);
    }
  }

  finalCheck(ctx: RuleContext): void {
    if (this.flags < 0) throw new RuleSyntaxError('multiport expects an option', 0);
    if (!PORT_PROTOS.has(ctx.proto) || ctx.protoInv) {
      throw new RuleSyntaxError('multiport needs `-p tcp\', `-p udp\', `-p udplite\', `-p sctp\' or `-p dccp\'', 0);
    }
  }

  /** ports_match_v1. */
  match(skb: Skb, par: XtActionParam): boolean {
    if (par.fragoff !== 0) return false;
    const src = skb.sport;
    const dst = skb.dport;
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++) {
      const s = ports[i]!;
      if (this.range[i]) {
        const e = ports[++i]!;
        if (this.flags !== XT_MULTIPORT_DESTINATION && src >= s && src <= e) return !this.inv;
        if (this.flags !== XT_MULTIPORT_SOURCE && dst >= s && dst <= e) return !this.inv;
      } else {
        if (this.flags !== XT_MULTIPORT_DESTINATION && src === s) return !this.inv;
        if (this.flags !== XT_MULTIPORT_SOURCE && dst === s) return !this.inv;
      }
    }
    return this.inv;
  }

  private portList(numeric: boolean): string {
    let s = '';
    for (let i = 0; i < this.ports.length; i++) {
      s += (i ? ',' : '') + portText(this.ports[i]!, this.protoForNames, numeric);
      if (this.range[i]) s += ':' + portText(this.ports[++i]!, this.protoForNames, numeric);
    }
    return s;
  }

  save(): string {
    return `${this.inv ? ' !' : ''} --${FLAG_WORDS[this.flags]} ${this.portList(true)}`;
  }

  list(numeric: boolean): string {
    return ` multiport ${FLAG_WORDS[this.flags]} ${this.inv ? ' !' : ''}${this.portList(numeric)}`;
  }
}

export const multiportMatch: ExtensionDef<Match> = {
  name: 'multiport',
  options: optionTable({ 'sports': 1, 'source-ports': 1, 'dports': 1, 'destination-ports': 1, 'ports': 1 }),
  create: () => new MultiportMatch(),
};
