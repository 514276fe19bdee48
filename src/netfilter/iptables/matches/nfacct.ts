// `-m nfacct --nfacct-name NAME` (net/netfilter/xt_nfacct.c nfacct_mt):
// counts the packet into a named accounting object; matches while no quota is set.

import type { Skb } from '../../../model/skb.js';
import {
  optionTable, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam, type XtNetns,
} from '../extension.js';

/** An nfacct object's counters (`nfacct list`). */
export interface NfAcctObject {
  name: string;
  pkts: number;
  bytes: number;
}

export class NfacctMatch implements Match {
  readonly name = 'nfacct';
  readonly needsConntrack = false;
  acctName = '';
  private obj: NfAcctObject | null = null;

  parse(_option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    this.acctName = args.next().text;
  }

  finalCheck(): void {
    if (!this.acctName) throw new RuleSyntaxError('nfacct: You must specify `--nfacct-name\'', 0);
  }

  attach(ns: XtNetns): void {
    let o = ns.nfacct.get(this.acctName);
    if (!o) {
      o = { name: this.acctName, pkts: 0, bytes: 0 };
      ns.nfacct.set(this.acctName, o);
    }
    this.obj = o;
  }

  /** nfnl_acct_update: pkts and bytes (skb->len, the IP length here). */
  match(skb: Skb, _par: XtActionParam): boolean {
    const o = this.obj!;
    o.pkts += skb.segs;
    o.bytes += skb.len;
    return true;
  }

  save(): string {
    return ` --nfacct-name ${this.acctName}`;
  }

  list(_numeric: boolean): string {
    return ` nfacct-name  ${this.acctName}`;
  }
}

export const nfacctMatch: ExtensionDef<Match> = {
  name: 'nfacct',
  options: optionTable({ 'nfacct-name': 1 }),
  create: () => new NfacctMatch(),
};
