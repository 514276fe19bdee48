// What the kernel checks when a table is replaced (ip_tables.c translate_table
// → mark_source_chains, check_entry_size_and_hooks, xt_check_match/target):
// every chain reachable from a hook, no loops, and each extension used only
// from the hooks and table it allows.

import { HOOK_NAMES } from '../hooks.js';
import { V_GOTO, V_JUMP, type Rule } from './rule.js';
import type { Chain, Table } from './ruleset.js';

export interface TableProblem {
  rule: Rule | null;
  chain: Chain;
  /** errno text as iptables-nft reports it: `Invalid argument`, `Too many levels of symbolic links`. */
  errno: string;
  /** What the kernel logs about it. */
  detail: string;
}

/** Hook bitmask each chain is reachable from; null when the jumps form a loop. */
export function chainHooks(table: Table): Map<Chain, number> | null {
  const hooks = new Map<Chain, number>();
  for (const c of table.chains) hooks.set(c, c.hook !== null ? 1 << c.hook : 0);
  const onStack = new Set<Chain>();
  let loop = false;
  const visit = (c: Chain, mask: number): void => {
    if (loop) return;
    if (onStack.has(c)) {
      loop = true;
      return;
    }
    onStack.add(c);
    hooks.set(c, hooks.get(c)! | mask);
    for (const r of c.rules) {
      if ((r.verdict === V_JUMP || r.verdict === V_GOTO) && r.jumpChain) visit(r.jumpChain, mask);
    }
    onStack.delete(c);
  };
  for (const c of table.chains) if (c.hook !== null) visit(c, 1 << c.hook);
  // Unreferenced user chains are still checked for loops among themselves.
  for (const c of table.chains) if (c.hook === null && !loop) visit(c, 0);
  return loop ? null : hooks;
}

function hookNames(mask: number): string {
  return HOOK_NAMES.filter((_, i) => mask & (1 << i)).join('/');
}

export function validateTable(table: Table): TableProblem | null {
  const hooks = chainHooks(table);
  if (!hooks) {
    const chain = table.chains.find((c) => c.hook === null) ?? table.chains[0]!;
    return { rule: null, chain, errno: 'Too many levels of symbolic links', detail: 'loop in chain jumps' };
  }
  for (const c of table.chains) {
    const mask = hooks.get(c)!;
    for (const r of c.rules) {
      for (const ext of [...r.matches, ...(r.target ? [r.target] : [])]) {
        const msg = ext.checkHook?.(table.name, mask);
        if (msg) return { rule: r, chain: c, errno: 'Invalid argument', detail: `${msg} (used from hooks ${hookNames(mask)})` };
      }
    }
  }
  return null;
}
