// The `iptables`, `iptables-save` and `iptables-restore` commands (iptables
// 1.8.9, nf_tables flavour) as pure functions over a host's Ruleset: what they
// print, on which stream, and their exit status, including the real tool's
// error texts.

import type { RuleHost } from '../netfilter/nf_conntrack_common.js';
import { RuleSyntaxError } from '../netfilter/iptables/extension.js';
import { applyCommand } from '../netfilter/iptables/apply.js';
import { parseCommand } from '../netfilter/iptables/command.js';
import { listRulesSpec, listTable } from '../netfilter/iptables/list.js';
import { iptablesRestore, formatRuleError } from '../netfilter/iptables/restore.js';
import { Table, TABLE_NAMES, type Ruleset, type TableName } from '../netfilter/iptables/ruleset.js';
import { IPTABLES_VERSION, iptablesSave } from '../netfilter/iptables/save.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const TRY_HELP = "Try `iptables -h' or 'iptables --help' for more information.\n";

function parameterProblem(message: string): ToolResult {
  return { stdout: '', stderr: `iptables ${IPTABLES_VERSION}: ${message}\n${TRY_HELP}`, exitCode: 2 };
}

const USAGE = `iptables ${IPTABLES_VERSION}

Usage: iptables -[ACD] chain rule-specification [options]
       iptables -I chain [rulenum] rule-specification [options]
       iptables -R chain rulenum rule-specification [options]
       iptables -D chain rulenum [options]
       iptables -[LS] [chain [rulenum]] [options]
       iptables -[FZ] [chain] [options]
       iptables -[NX] chain
       iptables -E old-chain-name new-chain-name
       iptables -P chain target [options]
       iptables -h (print this help information)
`;

/** `iptables ARGS...` (argv without the program name). */
export function runIptables(argv: readonly string[], ruleset: Ruleset, host: RuleHost): ToolResult {
  void host;
  const tokens = argv.map((text, i) => ({ text, column: i + 1 }));
  let cmd;
  try {
    cmd = parseCommand(tokens, { table: 'filter' });
  } catch (e) {
    if (e instanceof RuleSyntaxError) {
      if (/^table '.*' does not exist$/.test(e.message)) {
        return { stdout: '', stderr: `iptables ${IPTABLES_VERSION}: ${e.message}\nPerhaps iptables or your kernel needs to be upgraded.\n`, exitCode: 3 };
      }
      return parameterProblem(e.message);
    }
    throw e;
  }
  switch (cmd.kind) {
    case null:
      return parameterProblem('no command specified');
    case 'h':
      return { stdout: USAGE, stderr: '', exitCode: 0 };
    case 'V':
      return { stdout: `iptables ${IPTABLES_VERSION}\n`, stderr: '', exitCode: 0 };
    case 'L':
    case 'S': {
      const table = ruleset.table(cmd.table) ?? new Table(cmd.table);
      const chain = cmd.chain ? table.chain(cmd.chain) : null;
      if (cmd.chain && !chain) return { stdout: '', stderr: 'iptables: No chain/target/match by that name.\n', exitCode: 1 };
      if (cmd.kind === 'S') return { stdout: listRulesSpec(table, chain ?? null, cmd.verbose), stderr: '', exitCode: 0 };
      const out = listTable(table, chain ?? null, cmd);
      return { stdout: out, stderr: '', exitCode: 0 };
    }
    default: {
      const existed = ruleset.table(cmd.table);
      const table = existed ?? new Table(cmd.table);
      const err = applyCommand(cmd, table, ruleset);
      if (err) {
        if (err.exitCode === 2) return parameterProblem(err.message.replace(/^iptables v1\.8\.9 \(nf_tables\): /, ''));
        return { stdout: '', stderr: err.message + '\n', exitCode: err.exitCode };
      }
      if (!existed) ruleset.setTable(table);
      return { stdout: '', stderr: '', exitCode: 0 };
    }
  }
}

/** `iptables-save [-c] [-t TABLE]`; the date lines use simulated time. */
export function runIptablesSave(argv: readonly string[], ruleset: Ruleset, host: RuleHost): ToolResult {
  let counters = false;
  let table: TableName | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a === '--counters') counters = true;
    else if (a === '-t' || a === '--table') {
      const t = argv[++i];
      if (!t || !(TABLE_NAMES as readonly string[]).includes(t)) {
        return { stdout: '', stderr: `iptables-save ${IPTABLES_VERSION}: table '${t ?? ''}' does not exist\n`, exitCode: 1 };
      }
      table = t as TableName;
    } else {
      return { stdout: '', stderr: `iptables-save ${IPTABLES_VERSION}: unknown option "${a}"\n`, exitCode: 1 };
    }
  }
  return { stdout: iptablesSave(ruleset, { counters, table, now: host.now() }), stderr: '', exitCode: 0 };
}

/** `iptables-restore [-c] < input`. */
export function runIptablesRestore(argv: readonly string[], input: string, ruleset: Ruleset, _host: RuleHost): ToolResult {
  let counters = false;
  for (const a of argv) {
    if (a === '-c' || a === '--counters') counters = true;
    else if (a !== '-n' && a !== '--noflush') {
      return { stdout: '', stderr: `iptables-restore ${IPTABLES_VERSION}: unknown option "${a}"\n`, exitCode: 2 };
    }
  }
  const errors = iptablesRestore(input, ruleset, 'stdin', { counters });
  if (errors.length === 0) return { stdout: '', stderr: '', exitCode: 0 };
  const first = errors[0]!;
  return {
    stdout: '',
    stderr: `iptables-restore ${IPTABLES_VERSION}: ${first.message}\nError occurred at line: ${first.line}\n` +
      "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n",
    exitCode: 2,
  };
}

export { formatRuleError };
