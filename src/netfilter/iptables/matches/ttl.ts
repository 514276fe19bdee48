// `-m ttl` (net/netfilter/xt_hl.c ttl_mt).

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, parseUint, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam,
} from '../extension.js';

const IPT_TTL_EQ = 0;
const IPT_TTL_NE = 1;
const IPT_TTL_LT = 2;
const IPT_TTL_GT = 3;

export class TtlMatch implements Match {
  readonly name = 'ttl';
  readonly needsConntrack = false;
  mode = -1;
  ttl = 0;

  parse(option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    if (this.mode >= 0) fail("Can't specify TTL option twice", args.optionToken);
    if (inv && option !== 'ttl-eq') fail(`ttl: unexpected \`!' with --${option}`, args.optionToken);
    this.ttl = parseUint(args.next(), 'TTL', 0, 255);
    this.mode = option === 'ttl-eq' ? (inv ? IPT_TTL_NE : IPT_TTL_EQ) : option === 'ttl-lt' ? IPT_TTL_LT : IPT_TTL_GT;
  }

  finalCheck(): void {
    if (this.mode < 0) throw new RuleSyntaxError('TTL match: You must specify one of `--ttl-eq\', `--ttl-lt\', `--ttl-gt\'', 0);
  }

  match(skb: Skb, _par: XtActionParam): boolean {
    switch (this.mode) {
      case IPT_TTL_EQ: return skb.ttl === this.ttl;
      case IPT_TTL_NE: return skb.ttl !== this.ttl;
      case IPT_TTL_LT: return skb.ttl < this.ttl;
      default: return skb.ttl > this.ttl;
    }
  }

  save(): string {
    return [' --ttl-eq', ' ! --ttl-eq', ' --ttl-lt', ' --ttl-gt'][this.mode] + ` ${this.ttl}`;
  }

  list(_numeric: boolean): string {
    return ' TTL match ' + ['TTL == ', 'TTL != ', 'TTL < ', 'TTL > '][this.mode] + this.ttl;
  }
}

export const ttlMatch: ExtensionDef<Match> = {
  name: 'ttl',
  options: optionTable({ 'ttl-eq': 1, 'ttl-lt': 1, 'ttl-gt': 1 }),
  create: () => new TtlMatch(),
};
