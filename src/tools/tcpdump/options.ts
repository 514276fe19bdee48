// tcpdump's command line (tcpdump.c main: getopt_long with SHORTOPTS and
// longopts). glibc getopt permutes, so filter words may come before, between
// or after options, as in `tcpdump -i eth0 'tcp port 443' -w capture.pcap`.

import type { PrintOptions, TimestampFormat } from './print.js';

/** tcpdump 4.99's default and largest snaplen (MAXIMUM_SNAPLEN). */
export const MAXIMUM_SNAPLEN = 262144;

export interface TcpdumpOptions {
  /** -i; null means the default interface. `any` captures on all (Linux cooked frames). */
  interface: string | null;
  /** -c: stop after this many packets; 0 means no limit. */
  count: number;
  /** -w */
  writeFile: string | null;
  /** -C, in bytes (the argument is in millions of bytes); 0 means no rotation. */
  fileSizeBytes: number;
  /** -r */
  readFile: string | null;
  /** -s; 0 on the command line means the default 262144. */
  snaplen: number;
  /** The filter words, joined with spaces. */
  filter: string;
  print: PrintOptions;
}

export class TcpdumpArgError {
  readonly exitCode = 1;
  constructor(
    /** What tcpdump writes on stderr. */
    readonly error: string,
  ) {}
}

const VERSION = 'tcpdump version 4.99.3\nlibpcap version 1.10.3 (with TPACKET_V3)\nOpenSSL 3.0.19 27 Jan 2026';

/** print_usage() in tcpdump.c, as 4.99.3 on Linux prints it (after the version lines). */
export const TCPDUMP_USAGE = `${VERSION}
Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]`;

/** SHORTOPTS of tcpdump 4.99 on Linux: letters followed by ':' take an argument. */
const SHORTOPTS = 'aAbB:c:C:dDeE:fF:G:hHi:IjJ:KlLm:M:nNOpqQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#';
const LONG_WITH_ARG = new Set(['time-stamp-precision', 'time-stamp-type', 'print-sampling', 'lengths', 'relinquish-privileges']);
const LONG_FLAGS = new Set(['count', 'immediate-mode', 'number', 'print', 'version', 'micro', 'nano', 'help', 'list-time-stamp-types', 'list-interfaces', 'monitor-mode']);

function takesArg(c: string): boolean | null {
  const i = SHORTOPTS.indexOf(c);
  if (i < 0 || c === ':') return null;
  return SHORTOPTS[i + 1] === ':';
}

const TIMESTAMPS: TimestampFormat[] = ['default', 'none', 'epoch', 'delta', 'date', 'since-first'];

/** Parses argv (without the program name) the way tcpdump does, or returns its complaint and exit status. */
export function parseTcpdumpArgs(argv: readonly string[]): TcpdumpOptions | TcpdumpArgError {
  const o: TcpdumpOptions = {
    interface: null, count: 0, writeFile: null, fileSizeBytes: 0, readFile: null, snaplen: MAXIMUM_SNAPLEN, filter: '',
    print: { numeric: false, verbose: 0, linkHeader: false, hexAscii: false, timestamps: 'default' },
  };
  const words: string[] = [];
  let tflag = 0;
  let nflag = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { words.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (LONG_WITH_ARG.has(name)) {
        if (inline === undefined) {
          if (i + 1 >= argv.length) return new TcpdumpArgError(`tcpdump: option '--${name}' requires an argument\n${TCPDUMP_USAGE}`);
          i++;
        }
        continue;
      }
      if (!LONG_FLAGS.has(name)) return new TcpdumpArgError(`tcpdump: unrecognized option '${a}'\n${TCPDUMP_USAGE}`);
      if (inline !== undefined) return new TcpdumpArgError(`tcpdump: option '--${name}' doesn't allow an argument\n${TCPDUMP_USAGE}`);
      continue;
    }
    if (!a.startsWith('-') || a === '-') { words.push(a); continue; }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const needs = takesArg(c);
      if (needs === null) return new TcpdumpArgError(`tcpdump: invalid option -- '${c}'\n${TCPDUMP_USAGE}`);
      let arg = '';
      if (needs) {
        if (j + 1 < a.length) arg = a.slice(j + 1);
        else if (i + 1 < argv.length) arg = argv[++i]!;
        else return new TcpdumpArgError(`tcpdump: option requires an argument -- '${c}'\n${TCPDUMP_USAGE}`);
        j = a.length;
      }
      const err = apply(o, c, arg);
      if (err) return err;
      if (c === 't') tflag++;
      if (c === 'n') nflag++;
    }
  }
  o.print.numeric = nflag > 0;
  o.print.timestamps = TIMESTAMPS[Math.min(tflag, 5)]!;
  o.filter = words.join(' ');
  return o;
}

function apply(o: TcpdumpOptions, c: string, arg: string): TcpdumpArgError | null {
  switch (c) {
    case 'c': {
      // atoi: leading digits count, anything else is 0 and refused.
      const n = parseInt(arg, 10);
      if (!(n > 0)) return new TcpdumpArgError(`tcpdump: invalid packet count ${arg}`);
      o.count = n;
      return null;
    }
    case 'C': {
      if (!/^[+-]?\d+$/.test(arg.trim()) || Number(arg) <= 0) return new TcpdumpArgError(`tcpdump: invalid file size ${arg}`);
      o.fileSizeBytes = Number(arg) * 1_000_000;
      return null;
    }
    case 's': {
      const n = /^\d+$/.test(arg) ? Number(arg) : -1;
      if (n < 0 || n > MAXIMUM_SNAPLEN) return new TcpdumpArgError(`tcpdump: invalid snaplen ${arg} (must be >= 0 and <= ${MAXIMUM_SNAPLEN})`);
      o.snaplen = n === 0 ? MAXIMUM_SNAPLEN : n;
      return null;
    }
    case 'i': o.interface = arg; return null;
    case 'r': o.readFile = arg; return null;
    case 'w': o.writeFile = arg; return null;
    case 'v': o.print.verbose++; return null;
    case 'X': o.print.hexAscii = true; return null;
    case 'e': o.print.linkHeader = true; return null;
    default: return null; // accepted and without effect in the model (-l, -p, -q is not modelled, ...)
  }
}
