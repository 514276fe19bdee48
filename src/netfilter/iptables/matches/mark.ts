// `-m mark` (net/netfilter/xt_mark.c mark_mt) and `-m connmark`
// (xt_connmark.c connmark_mt): (mark & mask) == value, optionally inverted.

import type { Skb } from '../../../model/skb.js';
import { IP_CT, type NfConnView } from '../../nf_conntrack_common.js';
import {
  hex, optionTable, parseMarkMask, type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam,
} from '../extension.js';

/** print_mark of libxt_mark.c. */
export function markText(mark: number, mask: number): string {
  return mask !== 0xffffffff ? `${hex(mark)}/${hex(mask)}` : hex(mark);
}

export class MarkMatch implements Match {
  readonly needsConntrack: boolean;
  mark = 0;
  mask = 0xffffffff;
  inv = false;

  constructor(readonly name: 'mark' | 'connmark') {
    this.needsConntrack = name === 'connmark';
  }

  parse(_option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    const { value, mask } = parseMarkMask(args.next(), 'mark');
    this.mark = (value & mask) >>> 0;
    this.mask = mask;
    this.inv = inv;
  }

  finalCheck(): void {}

  match(skb: Skb, _par: XtActionParam): boolean {
    let v: number;
    if (this.name === 'mark') {
      v = skb.mark;
    } else {
      const ct = skb.ctinfo >= 0 && skb.ctinfo !== IP_CT.UNTRACKED ? (skb.nfct as NfConnView | null) : null;
      if (!ct) return false;
      v = ct.mark;
    }
    return (((v & this.mask) >>> 0) === this.mark) !== this.inv;
  }

  save(): string {
    return `${this.inv ? ' !' : ''} --mark ${markText(this.mark, this.mask)}`;
  }

  list(_numeric: boolean): string {
    if (this.name === 'mark') return ` mark match${this.inv ? ' !' : ''} ${markText(this.mark, this.mask)}`;
    return ` connmark match ${this.inv ? '!' : ''} ${markText(this.mark, this.mask)}`;
  }
}

export const markMatch: ExtensionDef<Match> = {
  name: 'mark',
  options: optionTable({ mark: 1 }),
  create: () => new MarkMatch('mark'),
};

export const connmarkMatch: ExtensionDef<Match> = {
  name: 'connmark',
  options: optionTable({ mark: 1 }),
  create: () => new MarkMatch('connmark'),
};
