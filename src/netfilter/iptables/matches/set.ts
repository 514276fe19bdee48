// `-m set --match-set NAME src|dst[,...]` (net/netfilter/xt_set.c set_match_v4):
// membership comes from the host's ipsets.

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam,
} from '../extension.js';

export class SetMatch implements Match {
  readonly name = 'set';
  readonly needsConntrack = false;
  setName = '';
  dirs: ('src' | 'dst')[] = [];
  inv = false;

  parse(_option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    if (this.setName) fail('--match-set can be specified only once', args.optionToken);
    const name = args.next();
    const flags = args.next();
    const dirs = flags.text.split(',');
    if (dirs.length > 6 || dirs.some((d) => d !== 'src' && d !== 'dst')) {
      fail(`You must specify (the comma separated list of) 'src' or 'dst'`, flags);
    }
    this.setName = name.text;
    this.dirs = dirs as ('src' | 'dst')[];
    this.inv = inv;
  }

  finalCheck(): void {
    if (!this.setName) throw new RuleSyntaxError('You must specify `--match-set\' with proper arguments', 0);
  }

  match(skb: Skb, par: XtActionParam): boolean {
    return (par.host.ipsetTest(this.setName, skb, this.dirs) === true) !== this.inv;
  }

  save(): string {
    return `${this.inv ? ' !' : ''} --match-set ${this.setName} ${this.dirs.join(',')}`;
  }

  list(_numeric: boolean): string {
    return `${this.inv ? ' !' : ''} match-set ${this.setName} ${this.dirs.join(',')}`;
  }
}

export const setMatch: ExtensionDef<Match> = {
  name: 'set',
  options: optionTable({ 'match-set': 1 }),
  create: () => new SetMatch(),
};
