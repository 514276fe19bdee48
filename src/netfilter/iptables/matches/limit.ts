// `-m limit` (net/netfilter/xt_limit.c limit_mt): a token bucket counted in
// jiffies. Credits and costs use the kernel's fixed-point scale so the
// simulated bucket refills exactly as the real one does at HZ=250.

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, parseUint,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type Token, type XtActionParam,
} from '../extension.js';
import { HZ, jiffiesOf } from '../../../model/time.js';

/** XT_LIMIT_SCALE: `avg` is seconds × 10000 per packet. */
const XT_LIMIT_SCALE = 10000;
/** XT_LIMIT_AVG default (3/hour) and XT_LIMIT_BURST default. */
const XT_LIMIT_AVG = (XT_LIMIT_SCALE * 3600) / 3;
const XT_LIMIT_BURST = 5;
/** MAX_CPJ = 0xFFFFFFFF / (HZ*60*60*24) = 198 at HZ=250; CREDITS_PER_JIFFY is the power of two below it. */
const CREDITS_PER_JIFFY = 128;

/** user2credits of xt_limit.c, in 32-bit arithmetic. */
function user2credits(user: number): number {
  if (user > Math.floor(0xffffffff / (HZ * CREDITS_PER_JIFFY))) {
    return (Math.floor(user / XT_LIMIT_SCALE) * HZ * CREDITS_PER_JIFFY) >>> 0;
  }
  return Math.floor((user * HZ * CREDITS_PER_JIFFY) / XT_LIMIT_SCALE) >>> 0;
}

const RATES: readonly [string, number][] = [
  ['day', XT_LIMIT_SCALE * 86400], ['hour', XT_LIMIT_SCALE * 3600], ['min', XT_LIMIT_SCALE * 60], ['sec', XT_LIMIT_SCALE],
];

/** parse_rate of libxt_limit.c: `N[/second|/minute|/hour|/day]`, any prefix of the unit. */
export function parseRate(tok: Token): number {
  const t = tok.text;
  const slash = t.indexOf('/');
  let mult = 1;
  if (slash >= 0) {
    const unit = t.slice(slash + 1).toLowerCase();
    if (unit.length === 0) fail(`bad rate "${t}"'`, tok);
    if ('second'.startsWith(unit)) mult = 1;
    else if ('minute'.startsWith(unit)) mult = 60;
    else if ('hour'.startsWith(unit)) mult = 3600;
    else if ('day'.startsWith(unit)) mult = 86400;
    else fail(`bad rate "${t}"'`, tok);
  }
  const r = parseInt(slash >= 0 ? t.slice(0, slash) : t, 10);
  if (!(r > 0)) fail(`bad rate "${t}"'`, tok);
  const val = Math.floor((XT_LIMIT_SCALE * mult) / r);
  if (val === 0) fail(`Rate too fast "${t}"`, tok);
  return val;
}

/** print_rate of libxt_limit.c: the largest unit that keeps the figure whole. */
export function rateText(period: number): string {
  let i = 1;
  for (; i < RATES.length; i++) {
    const mult = RATES[i]![1];
    if (period > mult || Math.floor(mult / period) < mult % period) break;
  }
  const [name, mult] = RATES[i - 1]!;
  return `${Math.floor(mult / period)}/${name}`;
}

export class LimitMatch implements Match {
  readonly name = 'limit';
  readonly needsConntrack = false;
  avg = XT_LIMIT_AVG;
  burst = XT_LIMIT_BURST;
  private credit = 0;
  private creditCap = 0;
  private cost = 0;
  /** Jiffy of the last refill; -1 until the first packet (the bucket starts full, as after limit_mt_check). */
  private prev = -1;

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    if (option === 'limit') this.avg = parseRate(args.next());
    else this.burst = parseUint(args.next(), 'limit-burst', 0, 10000);
  }

  finalCheck(): void {
    this.creditCap = user2credits(Math.imul(this.avg, this.burst) >>> 0);
    this.cost = user2credits(this.avg);
    this.credit = this.creditCap;
  }

  /** limit_mt. */
  match(_skb: Skb, par: XtActionParam): boolean {
    const now = jiffiesOf(par.state.now);
    if (this.prev < 0) this.prev = now;
    this.credit += (now - this.prev) * CREDITS_PER_JIFFY;
    this.prev = now;
    if (this.credit > this.creditCap) this.credit = this.creditCap;
    if (this.credit >= this.cost) {
      this.credit -= this.cost;
      return true;
    }
    return false;
  }

  save(): string {
    return ` --limit ${rateText(this.avg)}` + (this.burst !== XT_LIMIT_BURST ? ` --limit-burst ${this.burst}` : '');
  }

  list(_numeric: boolean): string {
    return ` limit: avg ${rateText(this.avg)} burst ${this.burst}`;
  }
}

export const limitMatch: ExtensionDef<Match> = {
  name: 'limit',
  options: optionTable({ 'limit': 1, 'limit-burst': 1 }),
  create: () => new LimitMatch(),
};
