// `-j REJECT` (net/ipv4/netfilter/ipt_REJECT.c reject_tg): answers with an
// ICMP destination-unreachable (or a TCP RST) through the host, then drops.

import type { Skb } from '../../../model/skb.js';
import { IPPROTO } from '../../../model/skb.js';
import { NF } from '../../hooks.js';
import {
  fail, optionTable, RuleSyntaxError, type ArgReader, type ExtensionDef, type RuleContext, type Target,
  type XtActionParam,
} from '../extension.js';

/** reject_table of libipt_REJECT.c: name, short alias, ICMP code (-1 for tcp-reset). */
const REJECT_WITH: readonly [string, string, number][] = [
  ['icmp-net-unreachable', 'net-unreach', 0],
  ['icmp-host-unreachable', 'host-unreach', 1],
  ['icmp-proto-unreachable', 'proto-unreach', 2],
  ['icmp-port-unreachable', 'port-unreach', 3],
  ['icmp-net-prohibited', 'net-prohib', 9],
  ['icmp-host-prohibited', 'host-prohib', 10],
  ['tcp-reset', 'tcp-rst', -1],
  ['icmp-admin-prohibited', 'admin-prohib', 13],
];

/** Hooks REJECT registers for: LOCAL_IN, FORWARD, LOCAL_OUT. */
const REJECT_HOOKS = (1 << 1) | (1 << 2) | (1 << 3);

export class RejectTarget implements Target {
  readonly name = 'REJECT';
  readonly needsConntrack = false;
  /** Index into REJECT_WITH; icmp-port-unreachable by default. */
  with = 3;

  parse(_option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    const tok = args.next();
    const i = REJECT_WITH.findIndex(([n, a]) => n === tok.text || a === tok.text);
    if (i < 0) fail(`unknown reject type "${tok.text}"`, tok);
    this.with = i;
  }

  /** reject_tg_check: tcp-reset needs a rule pinned to TCP. */
  finalCheck(ctx: RuleContext): void {
    if (REJECT_WITH[this.with]![2] < 0 && (ctx.proto !== IPPROTO.TCP || ctx.protoInv)) {
      throw new RuleSyntaxError('REJECT: TCP_RESET invalid for non-tcp', 0);
    }
  }

  checkHook(_table: string, hooks: number): string | null {
    return hooks & ~REJECT_HOOKS ? 'REJECT: only valid in INPUT, FORWARD and OUTPUT chains' : null;
  }

  target(skb: Skb, par: XtActionParam): number {
    const code = REJECT_WITH[this.with]![2];
    if (code < 0) par.host.sendReset(skb, par.state.inIfindex);
    else par.host.sendUnreach(skb, code, par.state.inIfindex);
    return NF.DROP;
  }

  save(): string {
    return ` --reject-with ${REJECT_WITH[this.with]![0]}`;
  }

  list(_numeric: boolean): string {
    return ` reject-with ${REJECT_WITH[this.with]![0]}`;
  }
}

export const rejectTarget: ExtensionDef<Target> = {
  name: 'REJECT',
  options: optionTable({ 'reject-with': 1 }),
  create: () => new RejectTarget(),
};
