// Rule traversal (net/ipv4/netfilter/ip_tables.c ipt_do_table) and the hook
// registration of each table (iptable_{raw,mangle,nat,filter,security}.c).
// Rules are walked top to bottom with an explicit jump stack; counters are
// bumped on the rule that matched; TRACE logs every rule a traced packet hits.

import type { Skb } from '../../model/skb.js';
import { IP } from '../../model/skb.js';
import { DropReason } from '../../model/drop_reason.js';
import { NF, type NfHook, type NfHookEntries, type NfHookOps, type NfHookState } from '../hooks.js';
import { IP_CT, type RuleHost } from '../nf_conntrack_common.js';
import { XT_CONTINUE, XT_RETURN, type XtActionParam } from './extension.js';
import { NF_LOG_DEFAULT_MASK, nfLogIpPacket } from './nf_log.js';
import { V_ACCEPT, V_DROP, V_GOTO, V_JUMP, V_NONE, V_QUEUE, V_RETURN, V_TARGET, type Rule } from './rule.js';
import { BUILTIN_CHAINS, POLICY_ACCEPT, type Chain, type Ruleset, type Table, type TableName } from './ruleset.js';
import { ruleSpecText } from './save.js';

/** Deepest jump nesting the stack holds; the kernel bounds it by the number of chains. */
const MAX_DEPTH = 64;

/** The ops one table registers on one hook (ipt_do_table bound to that table and hook). */
export class IptTableHook implements NfHookOps {
  readonly name: string;
  private table: Table | null = null;
  private base: Chain | null = null;
  private generation = -1;
  private policyDetail = ['', ''];
  private readonly par: XtActionParam;
  private readonly stackChain: (Chain | null)[] = new Array<Chain | null>(MAX_DEPTH).fill(null);
  private readonly stackIndex = new Int32Array(MAX_DEPTH);

  constructor(
    private readonly ruleset: Ruleset,
    readonly tableName: TableName,
    readonly hookNum: NfHook,
    readonly priority: number,
    private readonly host: RuleHost,
    state: NfHookState,
  ) {
    this.name = tableName;
    this.par = { state, host, table: tableName, fragoff: 0, hotdrop: false };
  }

  /** Picks up a new generation of the ruleset: the table object, its base chain and the detail texts. */
  private refresh(): void {
    this.generation = this.ruleset.generation;
    this.table = this.ruleset.table(this.tableName) ?? null;
    this.base = this.table?.builtinFor(this.hookNum) ?? null;
    // The "decided" texts are built once per ruleset change, so a verdict allocates nothing.
    if (this.table) {
      for (const c of this.table.chains) {
        c.rules.forEach((r, i) => (r.detail = `${this.tableName}/${c.name} rule ${i + 1}:${ruleSpecText(r)}`));
      }
    }
    const chainName = this.base?.name ?? '';
    this.policyDetail = [`${this.tableName}/${chainName} policy DROP`, `${this.tableName}/${chainName} policy ACCEPT`];
    if (this.ruleset.usesConntrack) this.host.requireConntrack();
  }

  hook(skb: Skb, state: NfHookState): number {
    if (this.generation !== this.ruleset.generation) this.refresh();
    const base = this.base;
    if (!base) return NF.ACCEPT;
    // nf_nat_inet_fn: only a connection's first packet consults the nat rules;
    // conntrack applies the stored binding to every later packet.
    if (this.tableName === 'nat' && (skb.ctinfo !== IP_CT.NEW || skb.nfct === null)) return NF.ACCEPT;
    return this.doTable(skb, state, base);
  }

  /** ipt_do_table. */
  private doTable(skb: Skb, state: NfHookState, base: Chain): number {
    const par = this.par;
    par.state = state;
    par.fragoff = skb.fragOff & IP.OFFSET;
    par.hotdrop = false;
    const inDev = state.inDev;
    const outDev = state.outDev;
    let chain = base;
    let rules = chain.rules;
    let i = 0;
    let depth = 0;
    for (;;) {
      if (i >= rules.length) {
        // The chain's tail: the policy of a built-in chain, an implicit RETURN of a user chain.
        if (depth === 0) return this.policy(skb, state, base);
        if (skb.nfTrace) this.trace(skb, state, chain, 'return', rules.length + 1);
        depth--;
        chain = this.stackChain[depth]!;
        rules = chain.rules;
        i = this.stackIndex[depth]!;
        continue;
      }
      const r = rules[i]!;
      state.rulesEvaluated++;
      if (!r.ipMatches(skb, inDev, outDev) || !this.matchesAll(r, skb)) {
        if (par.hotdrop) return this.drop(state, r);
        i++;
        continue;
      }
      r.pkts++;
      r.bytes += skb.len;
      if (skb.nfTrace) this.trace(skb, state, chain, 'rule', i + 1);
      let v = r.verdict;
      if (v === V_TARGET) {
        const tv = r.target!.target(skb, par);
        if (tv === XT_CONTINUE) {
          i++;
          continue;
        }
        if (tv === XT_RETURN) v = V_RETURN;
        else {
          state.detail = r.detail;
          return tv;
        }
      }
      switch (v) {
        case V_NONE:
          i++;
          continue;
        case V_ACCEPT:
          state.detail = r.detail;
          return NF.ACCEPT;
        case V_DROP:
          return this.drop(state, r);
        case V_QUEUE:
          state.detail = r.detail;
          return NF.QUEUE;
        case V_RETURN:
          if (depth === 0) return this.policy(skb, state, base);
          depth--;
          chain = this.stackChain[depth]!;
          rules = chain.rules;
          i = this.stackIndex[depth]!;
          continue;
        case V_JUMP:
          if (depth >= MAX_DEPTH) return this.drop(state, r);
          this.stackChain[depth] = chain;
          this.stackIndex[depth] = i + 1;
          depth++;
          chain = r.jumpChain!;
          rules = chain.rules;
          i = 0;
          continue;
        case V_GOTO:
          chain = r.jumpChain!;
          rules = chain.rules;
          i = 0;
          continue;
      }
    }
  }

  private matchesAll(r: Rule, skb: Skb): boolean {
    const ms = r.matches;
    for (let k = 0; k < ms.length; k++) if (!ms[k]!.match(skb, this.par)) return false;
    return true;
  }

  private drop(state: NfHookState, r: Rule): number {
    state.dropReason = DropReason.NETFILTER_DROP;
    state.detail = r.detail;
    return NF.DROP;
  }

  /** The built-in chain's policy, counted on the policy line. */
  private policy(skb: Skb, state: NfHookState, base: Chain): number {
    if (skb.nfTrace) this.trace(skb, state, base, 'policy', base.rules.length + 1);
    base.policyPkts++;
    base.policyBytes += skb.len;
    state.detail = this.policyDetail[base.policy]!;
    if (base.policy === POLICY_ACCEPT) return NF.ACCEPT;
    state.dropReason = DropReason.NETFILTER_DROP;
    return NF.DROP;
  }

  /** trace_packet: `TRACE: table:chain:rule|return|policy:N ` then the nf_log packet text. */
  private trace(skb: Skb, state: NfHookState, chain: Chain, comment: string, num: number): void {
    const prefix = `TRACE: ${this.tableName}:${chain.name}:${comment}:${num} `;
    this.host.printk(nfLogIpPacket(skb, prefix, state.inDev, state.outDev, NF_LOG_DEFAULT_MASK));
  }
}

export interface InstalledRuleset {
  readonly ops: readonly IptTableHook[];
  uninstall(): void;
}

/**
 * Registers every table of `ruleset` on `hooks` at the kernel's priorities,
 * and any table created later (by `iptables -t raw ...` or a restore). Calls
 * host.requireConntrack() when the rules need conntrack (ct/state matches, NAT).
 */
export function installRuleset(ruleset: Ruleset, hooks: NfHookEntries, host: RuleHost): InstalledRuleset {
  const ops: IptTableHook[] = [];
  const register = (name: TableName): void => {
    for (const [, hook, priority] of BUILTIN_CHAINS[name]) {
      const op = new IptTableHook(ruleset, name, hook, priority, host, hooks.state);
      hooks.register(hook, op);
      ops.push(op);
    }
  };
  for (const t of ruleset.orderedTables()) register(t.name);
  ruleset.onNewTable = register;
  if (ruleset.usesConntrack) host.requireConntrack();
  return {
    ops,
    uninstall(): void {
      ruleset.onNewTable = null;
      for (const op of ops) hooks.unregister(op.hookNum, op);
    },
  };
}
