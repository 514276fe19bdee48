// Reads an iptables command line (or an iptables-restore rule line) the way
// iptables' do_parse does: commands, general flags, the rule's header fields,
// and extension options routed to the most recently loaded module that
// defines them (xtables_merge_options puts newer options first). A protocol
// match (tcp/udp/icmp) is loaded implicitly for `-p tcp --dport ...`.

import { parseIpv4, prefixMask } from '../../model/inet.js';
import {
  ArgReader, RuleSyntaxError, fail,
  type ExtensionDef, type Match, type RuleContext, type Target, type Token,
} from './extension.js';
import { MATCHES } from './matches/index.js';
import { protocolByName } from './netdb.js';
import {
  IPT_INV_DSTIP, IPT_INV_FRAG, IPT_INV_PROTO, IPT_INV_SRCIP, IPT_INV_VIA_IN, IPT_INV_VIA_OUT,
  Rule, STANDARD_VERDICTS, V_GOTO, V_JUMP, V_TARGET,
} from './rule.js';
import { TABLE_NAMES, type TableName } from './ruleset.js';
import { TARGETS } from './targets/index.js';

export type CommandKind = 'A' | 'C' | 'D' | 'I' | 'R' | 'L' | 'S' | 'F' | 'Z' | 'N' | 'X' | 'P' | 'E' | 'h' | 'V';

export interface ParsedCommand {
  kind: CommandKind | null;
  kindToken: Token | null;
  table: TableName;
  chain: string;
  chainToken: Token | null;
  /** 1-based rule number given to -D/-I/-R/-Z, 0 when none. */
  ruleNum: number;
  /** -P target or -E new name. */
  arg2: string;
  verbose: boolean;
  numeric: boolean;
  exact: boolean;
  lineNumbers: boolean;
  /** The rule for -A/-C/-D/-I/-R (null for the other commands). */
  rule: Rule | null;
  /** -c PKTS BYTES. */
  counters: [number, number] | null;
}

/** Short options that take an argument (getopt's "x:"). */
const SHORT_WITH_ARG = new Set(['t', 'p', 's', 'd', 'i', 'o', 'm', 'j', 'g', 'A', 'C', 'I', 'R', 'N', 'P', 'E', 'W']);
const SHORT_FLAGS = new Set(['v', 'n', 'x', 'f', 'h', 'V', 'L', 'S', 'F', 'Z', 'X', 'D', 'w', 'c', '4', '6']);

/** Long global options and the short option they stand for. */
const LONG_GLOBAL: Record<string, string> = {
  'append': 'A', 'check': 'C', 'delete': 'D', 'insert': 'I', 'replace': 'R', 'list': 'L', 'list-rules': 'S',
  'flush': 'F', 'zero': 'Z', 'new-chain': 'N', 'delete-chain': 'X', 'policy': 'P', 'rename-chain': 'E',
  'help': 'h', 'version': 'V', 'table': 't', 'verbose': 'v', 'numeric': 'n', 'exact': 'x', 'line-numbers': '0',
  'wait': 'w', 'wait-interval': 'W', 'set-counters': 'c', 'protocol': 'p', 'source': 's', 'src': 's',
  'destination': 'd', 'dst': 'd', 'in-interface': 'i', 'out-interface': 'o', 'fragment': 'f', 'match': 'm',
  'jump': 'j', 'goto': 'g', 'ipv4': '4', 'ipv6': '6', 'modprobe': 'M',
};

const INVERTIBLE = new Set(['p', 's', 'd', 'i', 'o', 'f']);
const IFNAMSIZ = 16;

/** Expands bundled short options (`-nvL`, `-tnat`) into one token per option. */
function expandShort(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    const m = /^-([A-Za-z0-9]{2,})$/.exec(t.text);
    if (!m || !m[1]!.split('').every((c) => SHORT_FLAGS.has(c) || SHORT_WITH_ARG.has(c)) && !SHORT_WITH_ARG.has(m[1]![0]!)) {
      out.push(t);
      continue;
    }
    const chars = m[1]!;
    let i = 0;
    for (; i < chars.length; i++) {
      const c = chars[i]!;
      out.push({ text: '-' + c, column: t.column + 1 + i });
      if (SHORT_WITH_ARG.has(c) && i + 1 < chars.length) {
        out.push({ text: chars.slice(i + 1), column: t.column + 2 + i });
        break;
      }
    }
  }
  return out;
}

function parseProtocol(tok: Token): number {
  const t = tok.text.toLowerCase();
  if (t === 'all') return 0;
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n <= 255) return n;
  }
  const p = protocolByName(t);
  if (p === undefined) fail(`unknown protocol "${tok.text}" specified`, tok);
  return p;
}

function parseAddress(tok: Token): { addr: number; mask: number } {
  const text = tok.text;
  if (text.includes(',')) fail(`multiple addresses in one rule ("${text}") are not supported; write one rule per address`, tok);
  const slash = text.indexOf('/');
  const host = slash >= 0 ? text.slice(0, slash) : text;
  const addr = parseIpv4(host);
  if (addr === null) fail(`host/network \`${host}' not found`, tok);
  let mask = 0xffffffff;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    if (/^\d+$/.test(m) && Number(m) <= 32) mask = prefixMask(Number(m));
    else {
      const dotted = parseIpv4(m);
      if (dotted === null || !/^1*0*$/.test(dotted.toString(2).padStart(32, '0'))) fail(`invalid mask \`${m}' specified`, tok);
      mask = dotted;
    }
  }
  return { addr: (addr & mask) >>> 0, mask };
}

function parseIface(tok: Token): { name: string; wild: boolean } {
  const t = tok.text;
  if (t.length >= IFNAMSIZ) fail(`interface name \`${t}' must be shorter than IFNAMSIZ (${IFNAMSIZ - 1})`, tok);
  if (t.endsWith('+')) return { name: t.slice(0, -1), wild: true };
  return { name: t, wild: false };
}

interface Loaded {
  def: ExtensionDef<Match> | ExtensionDef<Target>;
  inst: Match | Target;
  token: Token;
}

const PROTO_MATCH: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };

export interface CommandOptions {
  /** Table the command applies to unless -t says otherwise. */
  table: TableName;
  /** iptables-restore: the table is fixed by `*table`, -t is refused. */
  inRestore?: boolean;
}

/**
 * Parses one command. Throws RuleSyntaxError (message and column) on the
 * first problem; the caller turns that into a typed error.
 */
export function parseCommand(input: readonly Token[], opts: CommandOptions): ParsedCommand {
  const tokens = expandShort(input);
  const cmd: ParsedCommand = {
    kind: null, kindToken: null, table: opts.table, chain: '', chainToken: null, ruleNum: 0, arg2: '',
    verbose: false, numeric: false, exact: false, lineNumbers: false, rule: null, counters: null,
  };
  const rule = new Rule();
  const loaded: Loaded[] = [];
  const seen = new Set<string>();
  let hasRuleSpec = false;
  let invert = false;
  let invertToken: Token | null = null;
  let i = 0;

  const next = (opt: Token): Token => {
    const t = tokens[i];
    if (!t) fail(`option "${opt.text}" requires an argument`, opt);
    i++;
    return t;
  };
  const optionalArg = (): Token | null => {
    const t = tokens[i];
    if (!t || t.text.startsWith('-') || t.text === '!') return null;
    i++;
    return t;
  };
  const ctx = (): RuleContext => ({ table: cmd.table, chain: cmd.chain, proto: rule.proto, protoInv: (rule.invflags & IPT_INV_PROTO) !== 0 });
  const setCommand = (k: CommandKind, tok: Token): void => {
    if (cmd.kind !== null) fail(`Cannot use -${k} with -${cmd.kind}`, tok);
    cmd.kind = k;
    cmd.kindToken = tok;
  };
  const once = (flag: string, tok: Token): void => {
    if (seen.has(flag)) fail(`multiple -${flag} flags not allowed`, tok);
    seen.add(flag);
  };
  const loadMatch = (def: ExtensionDef<Match>, tok: Token): void => {
    const inst = def.create();
    rule.matches.push(inst);
    loaded.push({ def, inst, token: tok });
  };

  while (i < tokens.length) {
    const tok = tokens[i++]!;
    const t = tok.text;
    if (t === '!') {
      if (invert) fail('multiple consecutive ! not allowed', tok);
      invert = true;
      invertToken = tok;
      continue;
    }
    let short: string | undefined;
    if (/^-[A-Za-z0-9]$/.test(t)) short = t[1];
    else if (t.startsWith('--') && LONG_GLOBAL[t.slice(2)] !== undefined) short = LONG_GLOBAL[t.slice(2)];

    if (short === undefined && t.startsWith('--') && t.length > 2) {
      handleExtensionOption(tok);
      continue;
    }
    if (short === undefined) {
      if (t.startsWith('-')) fail(`unknown option "${t}"`, tok);
      fail(`Bad argument \`${t}'`, tok);
    }
    if (invert && !INVERTIBLE.has(short)) fail(`cannot have ! before -${short}`, invertToken!);
    const inv = invert;
    invert = false;
    switch (short) {
      case 'A': case 'C': case 'N':
        setCommand(short, tok);
        cmd.chainToken = next(tok);
        cmd.chain = cmd.chainToken.text;
        break;
      case 'D': case 'I': case 'R': case 'Z': case 'L': case 'S': case 'F': case 'X': {
        setCommand(short, tok);
        const c = short === 'D' || short === 'I' || short === 'R' ? next(tok) : optionalArg();
        if (c) {
          cmd.chainToken = c;
          cmd.chain = c.text;
          if (short !== 'F' && short !== 'X' && short !== 'L') {
            const n = short === 'R' ? next(tok) : optionalArg();
            if (n) {
              if (!/^\d+$/.test(n.text) || Number(n.text) < 1) fail(`Invalid rule number \`${n.text}'`, n);
              cmd.ruleNum = Number(n.text);
            }
          }
        }
        break;
      }
      case 'P': case 'E':
        setCommand(short, tok);
        cmd.chainToken = next(tok);
        cmd.chain = cmd.chainToken.text;
        cmd.arg2 = next(tok).text;
        break;
      case 'h': case 'V':
        setCommand(short, tok);
        break;
      case 't': {
        const tt = next(tok);
        if (opts.inRestore) fail('The -t option (seen in line) cannot be used in iptables-restore', tok);
        if (!(TABLE_NAMES as readonly string[]).includes(tt.text)) fail(`table '${tt.text}' does not exist`, tt);
        cmd.table = tt.text as TableName;
        break;
      }
      case 'v': cmd.verbose = true; break;
      case 'n': cmd.numeric = true; break;
      case 'x': cmd.exact = true; break;
      case '0': cmd.lineNumbers = true; break;
      case 'w': optionalArg(); break;
      case 'W': case 'M': next(tok); break;
      case '4': break;
      case '6': fail('This is the IPv4 version of iptables.', tok); break;
      case 'c': {
        const p = next(tok);
        const b = next(tok);
        if (!/^\d+$/.test(p.text)) fail(`-c packet counter not numeric`, p);
        if (!/^\d+$/.test(b.text)) fail(`-c byte counter not numeric`, b);
        cmd.counters = [Number(p.text), Number(b.text)];
        break;
      }
      case 'p': {
        once('p', tok);
        hasRuleSpec = true;
        rule.proto = parseProtocol(next(tok));
        if (inv) {
          if (rule.proto === 0) fail('rule would never match protocol', tok);
          rule.invflags |= IPT_INV_PROTO;
        }
        break;
      }
      case 's': case 'd': {
        once(short, tok);
        hasRuleSpec = true;
        const { addr, mask } = parseAddress(next(tok));
        if (short === 's') {
          rule.src = addr; rule.smsk = mask;
          if (inv) rule.invflags |= IPT_INV_SRCIP;
        } else {
          rule.dst = addr; rule.dmsk = mask;
          if (inv) rule.invflags |= IPT_INV_DSTIP;
        }
        break;
      }
      case 'i': case 'o': {
        once(short, tok);
        hasRuleSpec = true;
        const { name, wild } = parseIface(next(tok));
        if (short === 'i') {
          rule.inIface = name; rule.inWild = wild;
          if (inv) rule.invflags |= IPT_INV_VIA_IN;
        } else {
          rule.outIface = name; rule.outWild = wild;
          if (inv) rule.invflags |= IPT_INV_VIA_OUT;
        }
        break;
      }
      case 'f':
        once('f', tok);
        hasRuleSpec = true;
        rule.frag = true;
        if (inv) rule.invflags |= IPT_INV_FRAG;
        break;
      case 'm': {
        hasRuleSpec = true;
        const nameTok = next(tok);
        const def = MATCHES.get(nameTok.text);
        if (!def) fail(`Couldn't load match \`${nameTok.text}':No such file or directory`, nameTok);
        loadMatch(def, nameTok);
        break;
      }
      case 'j': case 'g': {
        hasRuleSpec = true;
        if (rule.verdict !== 0) fail(`multiple -j flags not allowed`, tok);
        const nameTok = next(tok);
        const name = nameTok.text;
        if (short === 'g') {
          rule.verdict = V_GOTO;
          rule.jumpName = name;
        } else if (STANDARD_VERDICTS[name] !== undefined) {
          rule.verdict = STANDARD_VERDICTS[name]!;
        } else {
          const def = TARGETS.get(name);
          if (def) {
            rule.verdict = V_TARGET;
            rule.target = def.create();
            loaded.push({ def, inst: rule.target, token: nameTok });
          } else {
            rule.verdict = V_JUMP;
            rule.jumpName = name;
          }
        }
        rule.targetColumn = nameTok.column;
        break;
      }
    }
  }
  if (invert) fail('! without an option to invert', invertToken!);

  function handleExtensionOption(tok: Token): void {
    hasRuleSpec = true;
    const name = tok.text.slice(2);
    // getopt_long over the merged option tables: exact names, then unique prefixes
    // (so `-m multiport --dport 80,443` means --dports).
    let hit = findOption(name, true) ?? findOption(name, false);
    if (!hit) {
      // load_proto: `-p tcp --dport 22` loads the tcp match on first use.
      const protoMatch = PROTO_MATCH[rule.proto];
      if (protoMatch && !(rule.invflags & IPT_INV_PROTO) && !loaded.some((l) => l.def.name === protoMatch)) {
        loadMatch(MATCHES.get(protoMatch)!, tok);
        hit = findOption(name, true) ?? findOption(name, false);
      }
    }
    if (!hit) fail(`unknown option "${tok.text}"`, tok);
    const args = new ArgReader(tokens, i);
    args.optionToken = tok;
    const inv = invert;
    invert = false;
    hit.inst.parse(hit.option, inv, args, ctx());
    i = args.index;
  }

  /** Newest loaded module defining `name` exactly, else (when !exact) by unique prefix, as getopt_long does. */
  function findOption(name: string, exact: boolean): { inst: Match | Target; option: string } | null {
    if (exact) {
      for (let k = loaded.length - 1; k >= 0; k--) {
        if (loaded[k]!.def.options.has(name)) return { inst: loaded[k]!.inst, option: name };
      }
      return null;
    }
    const hits: { inst: Match | Target; option: string }[] = [];
    for (let k = loaded.length - 1; k >= 0; k--) {
      for (const o of loaded[k]!.def.options.keys()) if (o.startsWith(name)) hits.push({ inst: loaded[k]!.inst, option: o });
    }
    const globals = Object.keys(LONG_GLOBAL).filter((g) => g.startsWith(name));
    if (hits.length === 1 && globals.length === 0) return hits[0]!;
    return null;
  }

  // Final checks of every module (x6_fcheck / checkentry), in load order.
  for (const l of loaded) {
    try {
      l.inst.finalCheck(ctx());
    } catch (e) {
      if (e instanceof RuleSyntaxError && e.column === 0) throw new RuleSyntaxError(e.message, l.token.column);
      throw e;
    }
  }
  if (rule.inIface !== '' || rule.inWild) {
    if (cmd.chain === 'OUTPUT' || cmd.chain === 'POSTROUTING') fail(`Can't use -i with ${cmd.chain}`, cmd.chainToken!);
  }
  if (rule.outIface !== '' || rule.outWild) {
    if (cmd.chain === 'INPUT' || cmd.chain === 'PREROUTING') fail(`Can't use -o with ${cmd.chain}`, cmd.chainToken!);
  }
  if (cmd.kind === 'A' || cmd.kind === 'C' || cmd.kind === 'I' || cmd.kind === 'R' || (cmd.kind === 'D' && cmd.ruleNum === 0)) {
    cmd.rule = rule;
    if (cmd.counters) [rule.pkts, rule.bytes] = cmd.counters;
  } else if (hasRuleSpec && cmd.kind !== null) {
    fail(`Illegal option \`-${'psdiofmj'.split('').find((c) => seen.has(c)) ?? 'm'}' with this command`, cmd.kindToken!);
  }
  return cmd;
}
