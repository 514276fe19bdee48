// `-j CT --notrack` and its older spelling `-j NOTRACK` (net/netfilter/xt_CT.c
// xt_ct_target_v0 with XT_CT_NOTRACK): the packet bypasses connection tracking.

import { nfResetCt, type Skb } from '../../../model/skb.js';
import { IP_CT } from '../../nf_conntrack_common.js';
import {
  optionTable, RuleSyntaxError, type ArgReader, type ExtensionDef, type RuleContext, type Target, type XtActionParam,
  XT_CONTINUE,
} from '../extension.js';

export class CtTarget implements Target {
  readonly name: 'CT' | 'NOTRACK';
  readonly needsConntrack = true;
  /** iptables -L shows both spellings as CT in its target column. */
  readonly listName = 'CT';
  notrack = false;

  /** `legacyNotrack`: the NOTRACK target, which iptables-save prints under its own name. */
  constructor(private readonly legacyNotrack: boolean) {
    this.notrack = legacyNotrack;
    this.name = legacyNotrack ? 'NOTRACK' : 'CT';
  }

  parse(_option: string, _inv: boolean, _args: ArgReader, _ctx: RuleContext): void {
    this.notrack = true;
  }

  finalCheck(): void {
    if (!this.notrack && !this.legacyNotrack) throw new RuleSyntaxError('CT: only --notrack is modelled', 0);
  }

  checkHook(table: string): string | null {
    return table === 'raw' ? null : 'CT: only valid in the raw table';
  }

  target(skb: Skb, par: XtActionParam): number {
    const ct = par.host.conntrack;
    if (ct) ct.notrack(skb);
    else {
      nfResetCt(skb);
      skb.ctinfo = IP_CT.UNTRACKED;
    }
    return XT_CONTINUE;
  }

  save(): string {
    return this.legacyNotrack ? '' : ' --notrack';
  }

  list(): string {
    return this.legacyNotrack ? ' NOTRACK' : ' CT notrack';
  }
}

export const ctTarget: ExtensionDef<Target> = {
  name: 'CT',
  options: optionTable({ notrack: 0 }),
  create: () => new CtTarget(false),
};

/** NOTRACK: CT --notrack under its older name. */
export const notrackTarget: ExtensionDef<Target> = {
  name: 'NOTRACK',
  options: optionTable({}),
  create: () => new CtTarget(true),
};
