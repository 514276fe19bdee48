// The coreutils and grep a pipeline needs (`netstat -s | grep -i retrans`,
// `tcpdump -r capture.pcap | wc -l`, `cat /proc/net/snmp | grep Tcp`): they
// read the previous command's output, or files of the host's filesystem, and
// fail with GNU's messages and exit statuses.

import type { Host } from '../model/host.js';
import { hostVfs } from '../model/vfs.js';
import { registerTool, type CommandResult } from './runner.js';

const latin1 = new TextDecoder('latin1');

function fail(stderr: string, exitCode: number): CommandResult {
  return { stdout: '', stderr, exitCode };
}

/** Reads a named file for a text tool: its text, or coreutils' complaint. */
function readText(host: Host, tool: string, name: string): string | { error: string } {
  const vfs = hostVfs(host);
  const bytes = vfs.read(name);
  if (bytes) return latin1.decode(bytes);
  return { error: `${tool}: ${name}: ${vfs.isDir(name) ? 'Is a directory' : 'No such file or directory'}\n` };
}

function lines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

function joinLines(l: string[]): string {
  return l.length ? l.join('\n') + '\n' : '';
}

/** GNU getopt for short options: flags, options with an argument, permuted operands. */
function getopt(tool: string, argv: string[], flags: string, withArg: string, usage: string, long: Record<string, string> = {}):
  { opts: Map<string, string>; args: string[] } | CommandResult {
  const opts = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { args.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--') ) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const short = long[name];
      if (short === undefined) return fail(`${tool}: unrecognized option '${a}'\n${usage}`, tool === 'grep' ? 2 : 1);
      if (withArg.includes(short)) {
        const v = inline ?? argv[++i];
        if (v === undefined) return fail(`${tool}: option '--${name}' requires an argument\n${usage}`, tool === 'grep' ? 2 : 1);
        opts.set(short, v);
      } else opts.set(short, '');
      continue;
    }
    if (!a.startsWith('-') || a === '-') { args.push(a); continue; }
    if (/^-\d+$/.test(a) && withArg.includes('n')) { opts.set('n', a.slice(1)); continue; }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (withArg.includes(c)) {
        const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (v === undefined) return fail(`${tool}: option requires an argument -- '${c}'\n${usage}`, tool === 'grep' ? 2 : 1);
        opts.set(c, v);
        break;
      }
      if (!flags.includes(c)) return fail(`${tool}: invalid option -- '${c}'\n${usage}`, tool === 'grep' ? 2 : 1);
      opts.set(c, '');
    }
  }
  return { opts, args };
}

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f',
};

/**
 * A POSIX regular expression as a JavaScript one. In a basic RE (grep without
 * -E) `( ) { } | + ?` are literal and their backslashed forms are operators;
 * in an extended RE it is the other way round. Null with regcomp's message.
 */
export function posixRegex(re: string, extended: boolean, flags: string): RegExp | { error: string } {
  let out = '';
  let depth = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (re[j] === '^') { cls += '^'; j++; }
      if (re[j] === ']') { cls += '\\]'; j++; }
      let closed = false;
      for (; j < re.length; j++) {
        const d = re[j]!;
        if (d === ']') { closed = true; break; }
        const m = /^\[:(\w+):\]/.exec(re.slice(j));
        if (m) {
          const cl = POSIX_CLASSES[m[1]!];
          if (cl === undefined) return { error: 'Invalid character class name' };
          cls += cl;
          j += m[0].length - 1;
        } else cls += d === '\\' ? '\\\\' : d;
      }
      if (!closed) return { error: 'Unmatched [, [^, [:, [., or [=' };
      out += cls + ']';
      i = j;
      continue;
    }
    if (c === '\\' && i + 1 < re.length) {
      const d = re[++i]!;
      if (!extended && '(){}|+?'.includes(d)) {
        if (d === '(') depth++;
        if (d === ')' && --depth < 0) return { error: 'Unmatched ) or \\)' };
        out += d;
      } else if ('wWsSbB'.includes(d) || /\d/.test(d)) out += '\\' + d;
      else if (d === '<' || d === '>') out += '\\b';
      else out += '\\' + d;
      continue;
    }
    if ('(){}|+?'.includes(c)) {
      if (extended) {
        if (c === '(') depth++;
        if (c === ')') {
          if (depth === 0) { out += '\\)'; continue; } // an unmatched ) is literal in GNU ERE
          depth--;
        }
        out += c;
      } else out += '\\' + c;
      continue;
    }
    if (c === '*' && (out === '' || out.endsWith('(') || out.endsWith('|'))) { out += '\\*'; continue; }
    out += c;
  }
  if (depth > 0) return { error: 'Unmatched ( or \\(' };
  try {
    return new RegExp(out, flags);
  } catch {
    return { error: 'Invalid regular expression' };
  }
}

const GREP_USAGE = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n";

/** grep [-iEFvcnqwo] [-e PATTERN] PATTERN [FILE]...: exit 0 when a line was selected, 1 when none, 2 on error. */
export function grep(host: Host, argv: string[], stdin: string | undefined): CommandResult {
  const g = getopt('grep', argv, 'iyEFGvcnqswoHh', 'em', GREP_USAGE, {
    'ignore-case': 'i', 'extended-regexp': 'E', 'fixed-strings': 'F', 'invert-match': 'v', count: 'c', 'line-number': 'n',
    quiet: 'q', silent: 'q', 'word-regexp': 'w', 'only-matching': 'o', regexp: 'e', 'max-count': 'm',
  });
  if (!('opts' in g)) return g;
  const { opts, args } = g;
  let pattern = opts.get('e');
  if (pattern === undefined) {
    if (args.length === 0) return fail(GREP_USAGE, 2);
    pattern = args.shift()!;
  }
  const icase = opts.has('i') || opts.has('y');
  const pats = pattern.split('\n');
  const res: RegExp[] = [];
  for (const p of pats) {
    let src: RegExp | { error: string };
    if (opts.has('F')) src = new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), icase ? 'gi' : 'g');
    else src = posixRegex(p, opts.has('E'), icase ? 'gi' : 'g');
    if (!(src instanceof RegExp)) return fail(`grep: ${src.error}\n`, 2);
    res.push(opts.has('w') ? new RegExp(`(?<![\\w])(?:${src.source})(?![\\w])`, src.flags) : src);
  }
  const inputs: { name: string; text: string }[] = [];
  let stderr = '';
  let errors = false;
  if (args.length === 0) inputs.push({ name: '(standard input)', text: stdin ?? '' });
  for (const f of args) {
    if (f === '-') { inputs.push({ name: '(standard input)', text: stdin ?? '' }); continue; }
    const t = readText(host, 'grep', f);
    if (typeof t === 'string') inputs.push({ name: f, text: t });
    else { stderr += t.error; errors = true; }
  }
  const prefixName = opts.has('H') || (args.length > 1 && !opts.has('h'));
  const max = opts.has('m') ? Number(opts.get('m')) : Infinity;
  const out: string[] = [];
  let any = false;
  for (const inp of inputs) {
    let n = 0;
    const ls = lines(inp.text);
    for (let i = 0; i < ls.length && n < max; i++) {
      const line = ls[i]!;
      const hit = res.some((r) => { r.lastIndex = 0; return r.test(line); });
      if (hit === opts.has('v')) continue;
      n++;
      if (opts.has('c') || opts.has('q')) continue;
      const pre = `${prefixName ? inp.name + ':' : ''}${opts.has('n') ? `${i + 1}:` : ''}`;
      if (opts.has('o') && !opts.has('v')) {
        for (const r of res) for (const m of line.matchAll(r)) if (m[0] !== '') out.push(pre + m[0]);
      } else out.push(pre + line);
    }
    if (n > 0) any = true;
    if (opts.has('c')) out.push(`${prefixName ? inp.name + ':' : ''}${n}`);
  }
  if (opts.has('q')) return { stdout: '', stderr: any ? '' : stderr, exitCode: any ? 0 : errors ? 2 : 1 };
  return { stdout: joinLines(out), stderr, exitCode: errors ? 2 : any ? 0 : 1 };
}

/** wc [-lwc] [FILE]...: with one count from stdin just the number, else right-aligned columns. */
export function wc(host: Host, argv: string[], stdin: string | undefined): CommandResult {
  const g = getopt('wc', argv, 'lwcm', '', "Try 'wc --help' for more information.\n", { lines: 'l', words: 'w', bytes: 'c', chars: 'm' });
  if (!('opts' in g)) return g;
  const { opts, args } = g;
  const which = ['l', 'w', 'c'].filter((c) => opts.has(c) || (c === 'c' && opts.has('m')));
  const cols = which.length ? which : ['l', 'w', 'c'];
  const count = (t: string): number[] => cols.map((c) => (c === 'l' ? (t.match(/\n/g) ?? []).length : c === 'w' ? (t.match(/\S+/g) ?? []).length : new TextEncoder().encode(t).length));
  const rows: { counts: number[]; name: string | null }[] = [];
  let stderr = '';
  if (args.length === 0) rows.push({ counts: count(stdin ?? ''), name: null });
  for (const f of args) {
    const t = readText(host, 'wc', f);
    if (typeof t === 'string') rows.push({ counts: count(t), name: f });
    else stderr += t.error;
  }
  if (rows.length > 1) rows.push({ counts: cols.map((_, i) => rows.reduce((s, r) => s + r.counts[i]!, 0)), name: 'total' });
  // wc_lines: width 1 for a single count of one input; 7 when reading stdin with several counts; else the widest total.
  const width = rows.length === 1 && cols.length === 1 ? 1 : args.length === 0 ? 7 : Math.max(1, ...rows.map((r) => Math.max(...r.counts.map((n) => String(n).length))));
  const out = rows.map((r) => r.counts.map((n) => String(n).padStart(width)).join(' ') + (r.name !== null ? ` ${r.name}` : ''));
  return { stdout: joinLines(out), stderr, exitCode: stderr ? 1 : 0 };
}

/** head / tail [-n N | -N] [FILE]: the first or last N lines (10 by default); tail -n +N starts at line N. */
function headTail(tool: 'head' | 'tail', host: Host, argv: string[], stdin: string | undefined): CommandResult {
  const g = getopt(tool, argv, 'qv', 'n', `Try '${tool} --help' for more information.\n`, { lines: 'n' });
  if (!('opts' in g)) return g;
  const { opts, args } = g;
  const spec = opts.get('n') ?? '10';
  if (!/^[+-]?\d+$/.test(spec)) return fail(`${tool}: invalid number of lines: ‘${spec}’\n`, 1);
  let text = stdin ?? '';
  if (args.length > 0) {
    const t = readText(host, tool, args[0]!);
    if (typeof t !== 'string') return fail(t.error, 1);
    text = t;
  }
  const ls = lines(text);
  const n = Math.abs(Number(spec));
  let pick: string[];
  if (tool === 'head') pick = spec.startsWith('-') ? ls.slice(0, Math.max(0, ls.length - n)) : ls.slice(0, n);
  else pick = spec.startsWith('+') ? ls.slice(Math.max(0, n - 1)) : n === 0 ? [] : ls.slice(-n);
  return { stdout: joinLines(pick), stderr: '', exitCode: 0 };
}

/** cat [FILE]...: files of the host (/proc rendered now), or stdin. */
export function cat(host: Host, argv: string[], stdin: string | undefined): CommandResult {
  const files = argv.filter((a) => a === '-' || !a.startsWith('-'));
  const bad = argv.find((a) => a !== '-' && a.startsWith('-') && !/^-[AbeEnstTuv]+$/.test(a));
  if (bad) return fail(`cat: invalid option -- '${bad.slice(1).replace(/[AbeEnstTuv]/g, '')[0] ?? bad.slice(1)}'\nTry 'cat --help' for more information.\n`, 1);
  if (files.length === 0) return { stdout: stdin ?? '', stderr: '', exitCode: 0 };
  let stdout = '';
  let stderr = '';
  for (const f of files) {
    if (f === '-') { stdout += stdin ?? ''; continue; }
    const t = readText(host, 'cat', f);
    if (typeof t === 'string') stdout += t;
    else stderr += t.error;
  }
  return { stdout, stderr, exitCode: stderr ? 1 : 0 };
}

/** echo [-n] WORDS */
function echo(argv: string[]): CommandResult {
  const n = argv[0] === '-n';
  const words = n ? argv.slice(1) : argv;
  return { stdout: words.join(' ') + (n ? '' : '\n'), stderr: '', exitCode: 0 };
}

/** ls [-l] [PATH]...: the files kept on the host (what tcpdump -w wrote). */
function ls(host: Host, argv: string[]): CommandResult {
  const vfs = hostVfs(host);
  const long = argv.some((a) => /^-\w*l/.test(a));
  const paths = argv.filter((a) => !a.startsWith('-'));
  if (paths.length === 0) paths.push('.');
  const out: string[] = [];
  let stderr = '';
  for (const p of paths) {
    const abs = vfs.resolve(p);
    const entry = (name: string, size: number): string => (long ? `-rw-r--r-- 1 root root ${size} Jan  1 00:00 ${name}` : name);
    const file = vfs.files.get(abs);
    if (file) { out.push(entry(p, vfs.size(abs)!)); continue; }
    if (!vfs.isDir(abs)) { stderr += `ls: cannot access '${p}': No such file or directory\n`; continue; }
    const prefix = abs === '/' ? '/' : abs + '/';
    const names = vfs.list().filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/'));
    if (long) out.push(`total ${names.reduce((s, f) => s + Math.ceil(vfs.size(f)! / 1024), 0)}`);
    for (const f of names) out.push(entry(f.slice(prefix.length), vfs.size(f)!));
  }
  return { stdout: joinLines(out), stderr, exitCode: stderr ? 2 : 0 };
}

registerTool('grep', (host, argv, _w, stdin) => grep(host, argv, stdin));
registerTool('wc', (host, argv, _w, stdin) => wc(host, argv, stdin));
registerTool('head', (host, argv, _w, stdin) => headTail('head', host, argv, stdin));
registerTool('tail', (host, argv, _w, stdin) => headTail('tail', host, argv, stdin));
registerTool('cat', (host, argv, _w, stdin) => cat(host, argv, stdin));
registerTool('echo', (_h, argv) => echo(argv));
registerTool('ls', (host, argv) => ls(host, argv));
