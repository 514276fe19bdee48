// `-m statistic` (net/netfilter/xt_statistic.c statistic_mt): random mode
// draws from the host's seeded stream; nth mode keeps a per-rule counter.

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, parseUint, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam,
} from '../extension.js';

const MODE_RANDOM = 0;
const MODE_NTH = 1;

export class StatisticMatch implements Match {
  readonly name = 'statistic';
  readonly needsConntrack = false;
  mode = -1;
  inv = false;
  /** Probability scaled to 2^31, as lround(0x80000000 * p). */
  probability = -1;
  /** --every minus one, as the kernel stores it. */
  every = -1;
  packet = -1;
  private count = 0;

  parse(option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    const tok = args.next();
    switch (option) {
      case 'mode':
        if (tok.text === 'random') this.mode = MODE_RANDOM;
        else if (tok.text === 'nth') this.mode = MODE_NTH;
        else fail(`Bad mode "${tok.text}"`, tok);
        return;
      case 'probability': {
        const p = Number(tok.text);
        if (!/^[0-9.eE+-]+$/.test(tok.text) || !(p >= 0 && p <= 1)) fail('--probability must be between 0 and 1', tok);
        this.probability = Math.round(0x80000000 * p);
        this.inv = inv;
        return;
      }
      case 'every':
        this.every = parseUint(tok, 'every', 1, 0xffffffff) - 1;
        this.inv = inv;
        return;
      case 'packet':
        this.packet = parseUint(tok, 'packet');
        return;
    }
  }

  finalCheck(): void {
    if (this.mode < 0) throw new RuleSyntaxError('no mode specified', 0);
    if (this.mode === MODE_RANDOM && (this.every >= 0 || this.packet >= 0)) {
      throw new RuleSyntaxError('--every and --packet only allowed in nth mode', 0);
    }
    if (this.mode === MODE_NTH && this.probability >= 0) throw new RuleSyntaxError('--probability only allowed in random mode', 0);
    if (this.mode === MODE_RANDOM && this.probability < 0) this.probability = 0;
    if (this.mode === MODE_NTH) {
      if (this.every < 0) throw new RuleSyntaxError('--every must be specified in nth mode', 0);
      if (this.packet < 0) this.packet = 0;
      if (this.packet > this.every) throw new RuleSyntaxError('--packet can not be bigger than --every', 0);
      this.count = this.packet;
    }
  }

  /** statistic_mt: random compares 31 random bits; nth counts up to `every` and matches on wrap to 0. */
  match(_skb: Skb, par: XtActionParam): boolean {
    let ret = this.inv;
    if (this.mode === MODE_RANDOM) {
      if (Math.floor(par.host.random() * 0x80000000) < this.probability) ret = !ret;
    } else {
      this.count = this.count === this.every ? 0 : this.count + 1;
      if (this.count === 0) ret = !ret;
    }
    return ret;
  }

  /** print_match of libxt_statistic.c. */
  private dump(prefix: string): string {
    const inv = this.inv ? ' !' : '';
    if (this.mode === MODE_RANDOM) {
      return ` ${prefix}mode random${inv} ${prefix}probability ${(this.probability / 0x80000000).toFixed(11)}`;
    }
    let s = ` ${prefix}mode nth${inv} ${prefix}every ${this.every + 1}`;
    if (this.packet !== 0 || prefix) s += ` ${prefix}packet ${this.packet}`;
    return s;
  }

  save(): string {
    return this.dump('--');
  }

  list(_numeric: boolean): string {
    return ' statistic' + this.dump('');
  }
}

export const statisticMatch: ExtensionDef<Match> = {
  name: 'statistic',
  options: optionTable({ mode: 1, probability: 1, every: 1, packet: 1 }),
  create: () => new StatisticMatch(),
};
