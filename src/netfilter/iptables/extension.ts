// The shape every xtables extension shares (include/linux/netfilter/x_tables.h
// `struct xt_match` / `struct xt_target`, and libxtables' parse/print/save
// triple). An extension instance is one `-m NAME ...` or `-j NAME ...` of one
// rule: it parses its options once, keeps numeric fields, and is then asked
// per packet to match or to act. `save()` prints what iptables-save prints
// after `-m NAME` / `-j NAME`; `list()` what `iptables -L` prints.

import type { Skb } from '../../model/skb.js';
import type { NfHookState } from '../hooks.js';
import type { RuleHost } from '../nf_conntrack_common.js';
import type { RecentTable } from './matches/recent.js';
import type { NfAcctObject } from './matches/nfacct.js';

/** A refused rule: message plus the column of the offending token (1-based). */
export class RuleSyntaxError {
  constructor(readonly message: string, readonly column: number) {}
}

export interface Token {
  text: string;
  /** 1-based column of the token's first character in its line. */
  column: number;
}

/** Where the rule is being loaded: what the extension's checkentry sees. */
export interface RuleContext {
  table: string;
  chain: string;
  /** -p value of the rule (0 = any). */
  proto: number;
  protoInv: boolean;
}

/** Reads an extension option's arguments (getopt's optarg plus argv[optind++]). */
export class ArgReader {
  private i = 0;
  constructor(private readonly tokens: readonly Token[], start: number) {
    this.i = start;
  }
  get index(): number {
    return this.i;
  }
  /** The option token just consumed, for error columns. */
  optionToken: Token = { text: '', column: 1 };

  next(): Token {
    const t = this.tokens[this.i];
    if (!t) throw new RuleSyntaxError(`option "${this.optionToken.text}" requires an argument`, this.optionToken.column);
    this.i++;
    return t;
  }

  /** An argument that is present only if the next token does not start with '-'. */
  optional(): Token | null {
    const t = this.tokens[this.i];
    if (!t || t.text.startsWith('-') || t.text === '!') return null;
    this.i++;
    return t;
  }
}

/** Per-traversal data every match and target may read (struct xt_action_param). */
export interface XtActionParam {
  state: NfHookState;
  host: RuleHost;
  /** Table name: `filter`, `nat`, ... */
  table: string;
  /** Fragment offset of the packet (in 8-byte units); matches on L4 fields fail when non-zero. */
  fragoff: number;
  /** Set by a match to drop the packet at once (par->hotdrop). */
  hotdrop: boolean;
}

export interface ExtensionBase {
  /** Module name as given after -m / -j, in canonical case. */
  readonly name: string;
  /** Parses one option (without its leading `--`). */
  parse(option: string, inverted: boolean, args: ArgReader, ctx: RuleContext): void;
  /** Final check once the whole rule is read (libxtables x6_fcheck, kernel checkentry). */
  finalCheck(ctx: RuleContext): void;
  /** Options as iptables-save prints them, each with a leading space. */
  save(): string;
  /** Text for `iptables -L`, with a leading space. */
  list(numeric: boolean): string;
  /** True when the module needs conntrack loaded (state, conntrack, connmark, NAT). */
  readonly needsConntrack: boolean;
  /** Table/hook restrictions checked when the ruleset is committed (checkentry): null when fine, else the complaint. */
  checkHook?(table: string, hooks: number): string | null;
  /** Binds per-netns state (recent lists, nfacct objects) when the rule is loaded. */
  attach?(ns: XtNetns): void;
}

/** Per-network-namespace state extensions share across rules. */
export interface XtNetns {
  readonly recent: Map<string, RecentTable>;
  readonly nfacct: Map<string, NfAcctObject>;
}

export interface Match extends ExtensionBase {
  match(skb: Skb, par: XtActionParam): boolean;
}

/** Verdict of a target beyond NF_DROP/NF_ACCEPT: keep evaluating (XT_CONTINUE). */
export const XT_CONTINUE = -1;
/** Return to the calling chain (XT_RETURN). */
export const XT_RETURN = -2;

export interface Target extends ExtensionBase {
  /** Name for the target column of `iptables -L` when it differs from `name`. */
  readonly listName?: string;
  /** Returns NF_ACCEPT, NF_DROP, NF_STOLEN, XT_CONTINUE or XT_RETURN. */
  target(skb: Skb, par: XtActionParam): number;
}

/** An extension's option table: long option name → number of arguments (0 or 1; parse may read more). */
export interface ExtensionDef<T> {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly options: ReadonlyMap<string, number>;
  create(): T;
}

export function optionTable(spec: Record<string, number>): ReadonlyMap<string, number> {
  return new Map(Object.entries(spec));
}

export function fail(message: string, tok: Token): never {
  throw new RuleSyntaxError(message, tok.column);
}

/** xtables_strtoui: a decimal or 0x-hex unsigned integer within [min, max]. */
export function parseUint(tok: Token, what: string, min = 0, max = 0xffffffff): number {
  const t = tok.text;
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0[0-7]*$/.test(t)) v = parseInt(t, 8);
  else if (/^[1-9][0-9]*$/.test(t)) v = Number(t);
  else fail(`${what} "${t}" is not a valid number`, tok);
  if (v < min || v > max) fail(`${what} "${t}" out of range ${min}-${max}`, tok);
  return v;
}

/** `VALUE[/MASK]` as -m mark and MARK take it. */
export function parseMarkMask(tok: Token, what: string): { value: number; mask: number } {
  const [v, m] = tok.text.split('/');
  const value = parseUint({ text: v ?? '', column: tok.column }, what);
  const mask = m === undefined ? 0xffffffff : parseUint({ text: m, column: tok.column + (v?.length ?? 0) + 1 }, what);
  return { value, mask };
}

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

/** xtables_save_string: bare when only [-_A-Za-z0-9], else double-quoted with \" \\ \' escaped. */
export function saveString(value: string): string {
  if (/^[-_0-9A-Za-z]+$/.test(value)) return ' ' + value;
  return ' "' + value.replace(/["\\']/g, (c) => '\\' + c) + '"';
}
