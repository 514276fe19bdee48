// Carries out a parsed mutating command on a table, with the error texts and
// exit statuses of iptables 1.8.9 (libiptc/nft errno strings, xshared.c).
// Each change is validated as the kernel validates a table replacement and
// undone if the kernel would refuse it.

import type { ParsedCommand } from './command.js';
import { TARGETS } from './targets/index.js';
import { STANDARD_VERDICTS, V_GOTO, V_JUMP, type Rule } from './rule.js';
import { Chain, POLICY_ACCEPT, POLICY_DROP, type Ruleset, type Table } from './ruleset.js';
import { ruleSpecText } from './save.js';
import { validateTable, type TableProblem } from './validate.js';

export interface ApplyError {
  message: string;
  exitCode: number;
  /** Column of the offending token in the command, when there is one. */
  column?: number;
  /** Set when the kernel refused the new table (for restore's error line). */
  problem?: TableProblem;
}

const NO_CHAIN: ApplyError = { message: 'iptables: No chain/target/match by that name.', exitCode: 1 };
const BAD_RULE: ApplyError = { message: 'iptables: Bad rule (does a matching rule exist in that chain?).', exitCode: 1 };
const MAX_CHAIN_NAME = 28;

/** Resolves -j/-g CHAIN against the table (command_jump / nft_chain_exists). */
function resolveJump(rule: Rule, table: Table): ApplyError | null {
  if (rule.verdict !== V_JUMP && rule.verdict !== V_GOTO) return null;
  const c = table.chain(rule.jumpName);
  if (!c || c.builtin) {
    return { message: `Chain '${rule.jumpName}' does not exist`, exitCode: 2, column: rule.targetColumn };
  }
  rule.jumpChain = c;
  return null;
}

/** Two rules are the same for -D/-C when they save to the same text (nft rule comparison). */
function sameRule(a: Rule, b: Rule): boolean {
  return ruleSpecText(a) === ruleSpecText(b);
}

interface Snapshot {
  chains: Chain[];
  rules: Rule[][];
}

function snapshot(t: Table): Snapshot {
  return { chains: t.chains.slice(), rules: t.chains.map((c) => c.rules.slice()) };
}

function restore(t: Table, s: Snapshot): void {
  t.chains.length = 0;
  t.chains.push(...s.chains);
  s.chains.forEach((c, i) => (c.rules = s.rules[i]!));
}

/** Applies -A/-I/-D/-R/-N/-X/-F/-Z/-P/-E/-C to `table`. Returns null on success. */
export function applyCommand(cmd: ParsedCommand, table: Table, ruleset: Ruleset): ApplyError | null {
  const snap = snapshot(table);
  const err = applyUnchecked(cmd, table, ruleset);
  if (err) {
    restore(table, snap);
    return err;
  }
  const problem = validateTable(table);
  if (problem) {
    restore(table, snap);
    const op = cmd.kind === 'I' ? 'RULE_INSERT' : cmd.kind === 'R' ? 'RULE_REPLACE' : 'RULE_APPEND';
    return {
      message: `iptables v1.8.9 (nf_tables):  ${op} failed (${problem.errno}): rule in chain ${problem.chain.name}`,
      exitCode: 4, problem,
    };
  }
  ruleset.generation++;
  return null;
}

function applyUnchecked(cmd: ParsedCommand, table: Table, ruleset: Ruleset): ApplyError | null {
  const chain = cmd.chain ? table.chain(cmd.chain) : undefined;
  switch (cmd.kind) {
    case 'A': case 'I': case 'R': case 'C': case 'D': {
      if (!chain) return NO_CHAIN;
      const rule = cmd.rule;
      if (cmd.kind === 'D' && !rule) {
        if (cmd.ruleNum > chain.rules.length) return { message: 'iptables: Index of deletion too big.', exitCode: 1 };
        chain.rules.splice(cmd.ruleNum - 1, 1);
        return null;
      }
      const jumpErr = resolveJump(rule!, table);
      if (jumpErr) return jumpErr;
      if (cmd.kind === 'C' || cmd.kind === 'D') {
        const i = chain.rules.findIndex((r) => sameRule(r, rule!));
        if (i < 0) return BAD_RULE;
        if (cmd.kind === 'D') chain.rules.splice(i, 1);
        return null;
      }
      ruleset.attachRule(rule!);
      if (cmd.kind === 'A') {
        chain.rules.push(rule!);
      } else if (cmd.kind === 'I') {
        const n = cmd.ruleNum || 1;
        if (n > chain.rules.length + 1) return { message: 'iptables: Index of insertion too big.', exitCode: 1 };
        chain.rules.splice(n - 1, 0, rule!);
      } else {
        if (cmd.ruleNum > chain.rules.length) return { message: 'iptables: Index of replacement too big.', exitCode: 1 };
        chain.rules[cmd.ruleNum - 1] = rule!;
      }
      return null;
    }
    case 'N': {
      const name = cmd.chain;
      if (name.length > MAX_CHAIN_NAME) {
        return { message: `iptables v1.8.9 (nf_tables): chain name \`${name}' too long (must be under ${MAX_CHAIN_NAME + 1} chars)`, exitCode: 2 };
      }
      if (name.startsWith('-') || name.startsWith('!')) return { message: `iptables v1.8.9 (nf_tables): Invalid chain name \`${name}'`, exitCode: 2 };
      if (STANDARD_VERDICTS[name] !== undefined || TARGETS.has(name)) {
        return { message: 'iptables v1.8.9 (nf_tables): chain name may not clash with target name', exitCode: 2 };
      }
      if (chain) return { message: 'iptables: Chain already exists.', exitCode: 1 };
      table.chains.push(new Chain(name, null));
      return null;
    }
    case 'X': {
      const victims = cmd.chain ? (chain ? [chain] : []) : table.userChains();
      if (cmd.chain && !chain) return NO_CHAIN;
      for (const c of victims) {
        if (c.builtin || table.references(c) > 0 || c.rules.length > 0) {
          return { message: `iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain ${c.name}`, exitCode: 4 };
        }
      }
      for (const c of victims) table.chains.splice(table.chains.indexOf(c), 1);
      return null;
    }
    case 'F': {
      if (cmd.chain && !chain) return NO_CHAIN;
      for (const c of chain ? [chain] : table.chains) c.rules = [];
      return null;
    }
    case 'Z': {
      if (cmd.chain && !chain) return NO_CHAIN;
      if (chain && cmd.ruleNum) {
        const r = chain.rules[cmd.ruleNum - 1];
        if (r) r.pkts = r.bytes = 0;
        return null;
      }
      for (const c of chain ? [chain] : table.chains) {
        c.policyPkts = c.policyBytes = 0;
        for (const r of c.rules) r.pkts = r.bytes = 0;
      }
      return null;
    }
    case 'P': {
      if (!chain || !chain.builtin) return { message: 'iptables: Bad built-in chain name.', exitCode: 1 };
      if (cmd.arg2 !== 'ACCEPT' && cmd.arg2 !== 'DROP') return { message: 'iptables: Bad policy name. Run `dmesg\' for more information.', exitCode: 1 };
      chain.policy = cmd.arg2 === 'ACCEPT' ? POLICY_ACCEPT : POLICY_DROP;
      return null;
    }
    case 'E': {
      if (!chain) return NO_CHAIN;
      if (table.chain(cmd.arg2)) return { message: 'iptables: File exists.', exitCode: 1 };
      if (chain.builtin) return { message: 'iptables: Invalid argument.', exitCode: 1 };
      const renamed = new Chain(cmd.arg2, null);
      renamed.rules = chain.rules;
      table.chains[table.chains.indexOf(chain)] = renamed;
      for (const c of table.chains) {
        for (const r of c.rules) {
          if (r.jumpChain === chain) {
            r.jumpChain = renamed;
            r.jumpName = renamed.name;
          }
        }
      }
      return null;
    }
    default:
      return { message: 'iptables v1.8.9 (nf_tables): no command specified', exitCode: 2 };
  }
}
