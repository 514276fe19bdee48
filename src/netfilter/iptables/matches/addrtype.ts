// `-m addrtype` revision 1 (net/netfilter/xt_addrtype.c addrtype_mt_v1): the
// route type of the source/destination address, optionally looked up on the
// input or output device only.

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type Token, type XtActionParam,
} from '../extension.js';

/** rtn_names of libxt_addrtype.c, indexed by RTN_*. */
const RTN_NAMES = [
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST',
  'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE',
] as const;

const LIMIT_IFACE_IN = 1;
const LIMIT_IFACE_OUT = 2;

function parseTypes(tok: Token): number {
  let mask = 0;
  for (const word of tok.text.split(',')) {
    const i = RTN_NAMES.indexOf(word.toUpperCase() as (typeof RTN_NAMES)[number]);
    if (i < 0) fail(`addrtype: bad type "${word}"`, tok);
    mask |= 1 << i;
  }
  return mask;
}

function typesText(mask: number): string {
  return RTN_NAMES.filter((_, i) => mask & (1 << i)).join(',');
}

export class AddrtypeMatch implements Match {
  readonly name = 'addrtype';
  readonly needsConntrack = false;
  source = 0;
  dest = 0;
  invSource = false;
  invDest = false;
  limit = 0;

  parse(option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    switch (option) {
      case 'src-type':
        this.source = parseTypes(args.next());
        this.invSource = inv;
        return;
      case 'dst-type':
        this.dest = parseTypes(args.next());
        this.invDest = inv;
        return;
      case 'limit-iface-in':
        this.limit |= LIMIT_IFACE_IN;
        return;
      case 'limit-iface-out':
        this.limit |= LIMIT_IFACE_OUT;
        return;
    }
  }

  finalCheck(): void {
    if (this.source === 0 && this.dest === 0) throw new RuleSyntaxError('addrtype: you must specify --src-type or --dst-type', 0);
    if (this.limit === (LIMIT_IFACE_IN | LIMIT_IFACE_OUT)) {
      throw new RuleSyntaxError('addrtype: you can\'t specify both --limit-iface-in and --limit-iface-out', 0);
    }
  }

  /** Hooks where the interface limits make sense (addrtype_mt_checkentry_v1). */
  checkHook(_table: string, hooks: number): string | null {
    if (this.limit & LIMIT_IFACE_IN && hooks & ((1 << 3) | (1 << 4))) {
      return 'ipt_addrtype: output interface limitation not valid in PREROUTING and INPUT';
    }
    if (this.limit & LIMIT_IFACE_OUT && hooks & ((1 << 0) | (1 << 1))) {
      return 'ipt_addrtype: input interface limitation not valid in POSTROUTING and OUTPUT';
    }
    return null;
  }

  match(skb: Skb, par: XtActionParam): boolean {
    const dev = this.limit & LIMIT_IFACE_IN ? par.state.inDev : this.limit & LIMIT_IFACE_OUT ? par.state.outDev : undefined;
    if (this.source !== 0 && ((this.source & (1 << par.host.addrType(skb.saddr, dev))) !== 0) === this.invSource) return false;
    if (this.dest !== 0 && ((this.dest & (1 << par.host.addrType(skb.daddr, dev))) !== 0) === this.invDest) return false;
    return true;
  }

  save(): string {
    let s = '';
    if (this.source) s += `${this.invSource ? ' !' : ''} --src-type ${typesText(this.source)}`;
    if (this.dest) s += `${this.invDest ? ' !' : ''} --dst-type ${typesText(this.dest)}`;
    if (this.limit & LIMIT_IFACE_IN) s += ' --limit-iface-in';
    if (this.limit & LIMIT_IFACE_OUT) s += ' --limit-iface-out';
    return s;
  }

  list(_numeric: boolean): string {
    let s = ' ADDRTYPE match';
    if (this.source) s += ` src-type ${this.invSource ? '!' : ''}${typesText(this.source)}`;
    if (this.dest) s += ` dst-type ${this.invDest ? '!' : ''}${typesText(this.dest)}`;
    if (this.limit & LIMIT_IFACE_IN) s += ' limit-in';
    if (this.limit & LIMIT_IFACE_OUT) s += ' limit-out';
    return s;
  }
}

export const addrtypeMatch: ExtensionDef<Match> = {
  name: 'addrtype',
  options: optionTable({ 'src-type': 1, 'dst-type': 1, 'limit-iface-in': 0, 'limit-iface-out': 0 }),
  create: () => new AddrtypeMatch(),
};
