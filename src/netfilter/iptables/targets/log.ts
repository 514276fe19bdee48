// `-j LOG` (net/netfilter/xt_LOG.c log_tg → nf_log_packet) and `-j TRACE`
// (xt_TRACE.c: sets skb->nf_trace so ipt_do_table logs every rule it passes).

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, parseUint, saveString,
  type ArgReader, type ExtensionDef, type RuleContext, type Target, type XtActionParam, XT_CONTINUE,
} from '../extension.js';
import { nfLogIpPacket } from '../nf_log.js';

/** xt_log_names of libxt_LOG.c, in print order. */
const LOG_NAMES: readonly [string, number][] = [
  ['emerg', 0], ['alert', 1], ['crit', 2], ['error', 3], ['warn', 4], ['notice', 5], ['info', 6], ['debug', 7],
];
const FLAG_OPTIONS: readonly [string, number, string][] = [
  ['log-tcp-sequence', 0x01, 'tcp-sequence'], ['log-tcp-options', 0x02, 'tcp-options'],
  ['log-ip-options', 0x04, 'ip-options'], ['log-uid', 0x08, 'uid'], ['log-macdecode', 0x20, 'macdecode'],
];
/** Default --log-level (LOG_WARNING). */
const LOG_DEFAULT_LEVEL = 4;
/** Prefix buffer of struct xt_log_info (30 bytes including NUL). */
const LOG_PREFIX_MAX = 29;

export class LogTarget implements Target {
  readonly name = 'LOG';
  readonly needsConntrack = false;
  level = LOG_DEFAULT_LEVEL;
  logflags = 0;
  prefix = '';

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    if (option === 'log-level') {
      const tok = args.next();
      if (/^\d+$/.test(tok.text)) {
        this.level = parseUint(tok, 'log-level', 0, 7);
      } else {
        const word = tok.text === 'warning' ? 'warn' : tok.text;
        const e = LOG_NAMES.find(([n]) => n.startsWith(word) && word.length > 0);
        if (!e) fail(`log-level "${tok.text}" unknown`, tok);
        this.level = e[1];
      }
    } else if (option === 'log-prefix') {
      const tok = args.next();
      if (tok.text.length > LOG_PREFIX_MAX) fail(`Maximum prefix length ${LOG_PREFIX_MAX} for --log-prefix`, tok);
      if (tok.text.length === 0) fail('No prefix specified for --log-prefix', tok);
      this.prefix = tok.text;
    } else {
      this.logflags |= FLAG_OPTIONS.find(([n]) => n === option)![1];
    }
  }

  finalCheck(): void {}

  /** log_tg: one kernel log line, then the packet goes on. */
  target(skb: Skb, par: XtActionParam): number {
    par.host.printk(nfLogIpPacket(skb, this.prefix, par.state.inDev, par.state.outDev, this.logflags));
    return XT_CONTINUE;
  }

  save(): string {
    let s = '';
    if (this.prefix) s += ' --log-prefix' + saveString(this.prefix);
    if (this.level !== LOG_DEFAULT_LEVEL) s += ` --log-level ${this.level}`;
    for (const [opt, bit] of FLAG_OPTIONS) if (this.logflags & bit) s += ` --${opt}`;
    return s;
  }

  list(numeric: boolean): string {
    let s = ' LOG';
    if (numeric) {
      s += ` flags ${this.logflags} level ${this.level}`;
    } else {
      s += ` level ${LOG_NAMES.find(([, l]) => l === this.level)![0]}`;
      for (const [, bit, word] of FLAG_OPTIONS) if (this.logflags & bit) s += ` ${word}`;
    }
    if (this.prefix) s += ` prefix "${this.prefix}"`;
    return s;
  }
}

export const logTarget: ExtensionDef<Target> = {
  name: 'LOG',
  options: optionTable({
    'log-level': 1, 'log-prefix': 1, 'log-tcp-sequence': 0, 'log-tcp-options': 0, 'log-ip-options': 0, 'log-uid': 0, 'log-macdecode': 0,
  }),
  create: () => new LogTarget(),
};

export class TraceTarget implements Target {
  readonly name = 'TRACE';
  readonly needsConntrack = false;
  parse(): void {}
  finalCheck(): void {}

  checkHook(table: string): string | null {
    return table === 'raw' ? null : 'TRACE: only valid in the raw table';
  }

  target(skb: Skb): number {
    skb.nfTrace = true;
    return XT_CONTINUE;
  }

  save(): string {
    return '';
  }

  list(): string {
    return '';
  }
}

export const traceTarget: ExtensionDef<Target> = {
  name: 'TRACE',
  options: optionTable({}),
  create: () => new TraceTarget(),
};
