// The rules of one host (one network namespace): tables of chains of rules,
// with per-rule and per-policy counters (net/ipv4/netfilter/ip_tables.c
// struct xt_table_info, seen through iptables-nft's chains).

import {
  NF_INET, NF_IP_PRI_FILTER, NF_IP_PRI_MANGLE, NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC, NF_IP_PRI_RAW, NF_IP_PRI_SECURITY,
  type NfHook,
} from '../hooks.js';
import type { XtNetns } from './extension.js';
import type { RecentTable } from './matches/recent.js';
import type { NfAcctObject } from './matches/nfacct.js';
import { V_GOTO, V_JUMP, type Rule } from './rule.js';

export const TABLE_NAMES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** Built-in chains of each table: hook and the priority it registers at (iptable_*.c). */
export const BUILTIN_CHAINS: Record<TableName, readonly [string, NfHook, number][]> = {
  raw: [['PREROUTING', NF_INET.PRE_ROUTING, NF_IP_PRI_RAW], ['OUTPUT', NF_INET.LOCAL_OUT, NF_IP_PRI_RAW]],
  mangle: [
    ['PREROUTING', NF_INET.PRE_ROUTING, NF_IP_PRI_MANGLE], ['INPUT', NF_INET.LOCAL_IN, NF_IP_PRI_MANGLE],
    ['FORWARD', NF_INET.FORWARD, NF_IP_PRI_MANGLE], ['OUTPUT', NF_INET.LOCAL_OUT, NF_IP_PRI_MANGLE],
    ['POSTROUTING', NF_INET.POST_ROUTING, NF_IP_PRI_MANGLE],
  ],
  nat: [
    ['PREROUTING', NF_INET.PRE_ROUTING, NF_IP_PRI_NAT_DST], ['INPUT', NF_INET.LOCAL_IN, NF_IP_PRI_NAT_SRC],
    ['OUTPUT', NF_INET.LOCAL_OUT, NF_IP_PRI_NAT_DST], ['POSTROUTING', NF_INET.POST_ROUTING, NF_IP_PRI_NAT_SRC],
  ],
  filter: [
    ['INPUT', NF_INET.LOCAL_IN, NF_IP_PRI_FILTER], ['FORWARD', NF_INET.FORWARD, NF_IP_PRI_FILTER],
    ['OUTPUT', NF_INET.LOCAL_OUT, NF_IP_PRI_FILTER],
  ],
  security: [
    ['INPUT', NF_INET.LOCAL_IN, NF_IP_PRI_SECURITY], ['FORWARD', NF_INET.FORWARD, NF_IP_PRI_SECURITY],
    ['OUTPUT', NF_INET.LOCAL_OUT, NF_IP_PRI_SECURITY],
  ],
};

/** The order iptables-nft-save walks its table list in. */
const SAVE_ORDER: readonly TableName[] = ['mangle', 'security', 'raw', 'filter', 'nat'];

export const POLICY_ACCEPT = 1;
export const POLICY_DROP = 0;

export class Chain {
  rules: Rule[] = [];
  /** Built-in chains only: policy and its counters. */
  policy = POLICY_ACCEPT;
  policyPkts = 0;
  policyBytes = 0;

  constructor(readonly name: string, readonly hook: NfHook | null) {}

  get builtin(): boolean {
    return this.hook !== null;
  }
}

export class Table {
  /** Built-in chains first in hook order, then user chains in creation order (as iptables-nft lists them). */
  readonly chains: Chain[] = [];

  constructor(readonly name: TableName) {
    for (const [chain, hook] of BUILTIN_CHAINS[name]) this.chains.push(new Chain(chain, hook));
  }

  chain(name: string): Chain | undefined {
    return this.chains.find((c) => c.name === name);
  }

  builtinFor(hook: NfHook): Chain | undefined {
    return this.chains.find((c) => c.hook === hook);
  }

  userChains(): Chain[] {
    return this.chains.filter((c) => !c.builtin);
  }

  /** Built-in chains in hook order, then user chains by name (strcmp), as iptables-nft lists them. */
  orderedChains(): Chain[] {
    const users = this.userChains().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [...this.chains.filter((c) => c.builtin), ...users];
  }

  /** Rules anywhere in the table that jump or go to `chain` (the `N references` of -L). */
  references(chain: Chain): number {
    let n = 0;
    for (const c of this.chains) for (const r of c.rules) if ((r.verdict === V_JUMP || r.verdict === V_GOTO) && r.jumpChain === chain) n++;
    return n;
  }
}

/** Every table of one host, plus the per-netns state extensions share. */
export class Ruleset implements XtNetns {
  readonly tables = new Map<TableName, Table>();
  readonly recent = new Map<string, RecentTable>();
  readonly nfacct = new Map<string, NfAcctObject>();
  /** Bumped on every change, so installed hooks can pick up a new generation. */
  generation = 0;

  table(name: TableName): Table | undefined {
    return this.tables.get(name);
  }

  /** Called when a table appears, so an installed ruleset can register its hooks. */
  onNewTable: ((name: TableName) => void) | null = null;

  /** The table, created with its built-in chains if the ruleset has none yet (as `iptables -t X` does). */
  ensureTable(name: TableName): Table {
    let t = this.tables.get(name);
    if (!t) {
      t = new Table(name);
      this.setTable(t);
    }
    return t;
  }

  /** Replaces (or adds) a whole table, as a committed iptables-restore block does. */
  setTable(t: Table): void {
    const isNew = !this.tables.has(t.name);
    this.tables.set(t.name, t);
    this.generation++;
    if (isNew) this.onNewTable?.(t.name);
  }

  /** Tables in the order iptables-save prints them. */
  orderedTables(): Table[] {
    const out: Table[] = [];
    for (const name of SAVE_ORDER) {
      const t = this.tables.get(name);
      if (t) out.push(t);
    }
    return out;
  }

  /** Binds per-netns state of a rule's extensions (recent lists, nfacct objects). */
  attachRule(rule: Rule): void {
    for (const m of rule.matches) m.attach?.(this);
    rule.target?.attach?.(this);
  }

  get usesConntrack(): boolean {
    for (const t of this.tables.values()) {
      if (t.name === 'nat') return true;
      for (const c of t.chains) for (const r of c.rules) if (r.needsConntrack) return true;
    }
    return false;
  }
}
