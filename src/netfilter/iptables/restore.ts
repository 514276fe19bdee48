// iptables-restore input (iptables/xtables-restore.c): `*table` blocks of
// `:CHAIN POLICY [pkts:bytes]` declarations and rule commands, each block
// applied atomically at COMMIT. Problems come back as a list of
// {line, column, message}; nothing is thrown and nothing is skipped silently.

import { RuleSyntaxError, type Token } from './extension.js';
import { applyCommand } from './apply.js';
import { parseCommand } from './command.js';
import { Chain, POLICY_ACCEPT, POLICY_DROP, Ruleset, Table, TABLE_NAMES, type TableName } from './ruleset.js';
import { tokenize } from './tokenize.js';

export interface RuleError {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `rules.v4:12:18: unknown option "--dportz"`. */
export function formatRuleError(e: RuleError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.message}`;
}

export type RestoreResult = { ruleset: Ruleset; errors?: undefined } | { ruleset?: undefined; errors: RuleError[] };

export interface RestoreOptions {
  /** iptables-restore -c: take rule and policy counters from the input. */
  counters?: boolean;
}

const CHAIN_LINE = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?\s*$/;
const COUNTER_PREFIX = /^\[(\d+):(\d+)\]$/;

/** Parses an iptables-save dump into a fresh Ruleset. */
export function parseIptablesSave(text: string, fileName = 'rules.v4', opts: RestoreOptions = {}): RestoreResult {
  const ruleset = new Ruleset();
  const errors = iptablesRestore(text, ruleset, fileName, opts);
  return errors.length ? { errors } : { ruleset };
}

/**
 * Applies a dump to `ruleset`: every table it names is replaced at its
 * COMMIT (others are left alone). Returns the problems found, empty on success;
 * a table with problems is not committed.
 */
export function iptablesRestore(text: string, ruleset: Ruleset, fileName = 'rules.v4', opts: RestoreOptions = {}): RuleError[] {
  const errors: RuleError[] = [];
  const lines = text.split('\n');
  let work: Table | null = null;
  let workLine = 0;
  let failed = false;
  const err = (line: number, column: number, message: string): void => {
    errors.push({ file: fileName, line, column, message });
    failed = true;
  };

  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const raw = lines[n]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;

    if (trimmed.startsWith('*')) {
      if (work) {
        err(lineNo, indent + 1, `table "${trimmed.slice(1)}" starts before COMMIT of table "${work.name}" (line ${workLine})`);
        continue;
      }
      const name = trimmed.slice(1);
      if (!(TABLE_NAMES as readonly string[]).includes(name)) {
        err(lineNo, indent + 2, `table '${name}' does not exist`);
        // Skip to this block's COMMIT so its lines do not cascade into errors.
        while (n + 1 < lines.length && lines[n + 1]!.trim() !== 'COMMIT') n++;
        n++;
        continue;
      }
      work = new Table(name as TableName);
      workLine = lineNo;
      failed = false;
      continue;
    }
    if (!work) {
      err(lineNo, indent + 1, `no table specified (a "*table" line must come first)`);
      continue;
    }
    if (trimmed === 'COMMIT') {
      if (!failed) commit(work);
      work = null;
      continue;
    }
    if (trimmed.startsWith(':')) {
      declareChain(work, trimmed, lineNo, indent);
      continue;
    }
    ruleLine(work, raw, lineNo);
  }
  if (work) err(lines.length, 1, `COMMIT expected at line ${lines.length} (table "${work.name}" opened at line ${workLine})`);
  return errors;

  function declareChain(t: Table, line: string, lineNo: number, indent: number): void {
    const m = CHAIN_LINE.exec(line);
    if (!m) {
      err(lineNo, indent + 1, `malformed chain line "${line}" (expected ":CHAIN POLICY [packets:bytes]")`);
      return;
    }
    const [, name, policy, pk, by] = m as unknown as [string, string, string, string?, string?];
    const existing = t.chain(name);
    const policyCol = indent + line.indexOf(policy, name.length + 1) + 1;
    if (existing?.builtin) {
      if (policy !== 'ACCEPT' && policy !== 'DROP') {
        err(lineNo, policyCol, `Can't set policy \`${policy}' on built-in chain ${name}`);
        return;
      }
      existing.policy = policy === 'ACCEPT' ? POLICY_ACCEPT : POLICY_DROP;
      if (opts.counters && pk !== undefined) {
        existing.policyPkts = Number(pk);
        existing.policyBytes = Number(by);
      }
      return;
    }
    if (policy !== '-') {
      err(lineNo, policyCol, `Can't set policy \`${policy}' on user-defined chain ${name} (table ${t.name} has no built-in chain of that name)`);
      return;
    }
    if (existing) {
      err(lineNo, indent + 2, `chain ${name} declared twice`);
      return;
    }
    if (name.length > 28) {
      err(lineNo, indent + 2, `chain name \`${name}' too long (must be under 29 chars)`);
      return;
    }
    t.chains.push(new Chain(name, null));
  }

  function ruleLine(t: Table, line: string, lineNo: number): void {
    let tokens: Token[];
    try {
      tokens = tokenize(line);
    } catch (e) {
      if (e instanceof RuleSyntaxError) err(lineNo, e.column, e.message);
      return;
    }
    let counters: [number, number] | null = null;
    const c = COUNTER_PREFIX.exec(tokens[0]!.text);
    if (c) {
      counters = [Number(c[1]), Number(c[2])];
      tokens = tokens.slice(1);
    } else if (tokens[0]!.text.startsWith('[')) {
      err(lineNo, tokens[0]!.column, `Bad counters "${tokens[0]!.text}" (expected [packets:bytes])`);
      return;
    }
    try {
      const cmd = parseCommand(tokens, { table: t.name, inRestore: true });
      if (cmd.kind === null) {
        err(lineNo, tokens[0]?.column ?? 1, 'no command specified');
        return;
      }
      if (cmd.kind === 'L' || cmd.kind === 'S' || cmd.kind === 'h' || cmd.kind === 'V') {
        err(lineNo, cmd.kindToken!.column, `-${cmd.kind} is not allowed in iptables-restore input`);
        return;
      }
      if (cmd.rule) {
        cmd.rule.line = lineNo;
        if (opts.counters && counters) [cmd.rule.pkts, cmd.rule.bytes] = counters;
        else if (!opts.counters) cmd.rule.pkts = cmd.rule.bytes = 0;
      }
      const e = applyCommand(cmd, t, ruleset);
      if (e) {
        const col = e.column ?? cmd.chainToken?.column ?? cmd.kindToken!.column;
        const text = e.message.replace(/^iptables(?: v1\.8\.9 \(nf_tables\))?: +/, '');
        err(lineNo, e.problem?.rule ? e.problem.rule.targetColumn || col : col, e.problem ? `${text}: ${e.problem.detail}` : text);
      }
    } catch (e) {
      if (e instanceof RuleSyntaxError) err(lineNo, e.column, e.message);
      else throw e;
    }
  }

  function commit(t: Table): void {
    ruleset.setTable(t);
  }
}
