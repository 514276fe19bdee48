// `-m length` (net/netfilter/xt_length.c length_mt): the IP total length.

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, parseUint,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam,
} from '../extension.js';

export class LengthMatch implements Match {
  readonly name = 'length';
  readonly needsConntrack = false;
  min = 0;
  max = 0xffff;
  inv = false;

  parse(_option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    const tok = args.next();
    const [a, b] = tok.text.split(':');
    this.min = a === '' ? 0 : parseUint({ text: a ?? '', column: tok.column }, 'length', 0, 0xffff);
    this.max = b === undefined ? this.min : b === '' ? 0xffff : parseUint({ text: b, column: tok.column }, 'length', 0, 0xffff);
    if (this.min > this.max) fail('length min. range value `' + this.min + "' greater than max. range value `" + this.max + "'", tok);
    this.inv = inv;
  }

  finalCheck(): void {}

  match(skb: Skb, _par: XtActionParam): boolean {
    return (skb.len >= this.min && skb.len <= this.max) !== this.inv;
  }

  private range(): string {
    return this.min === this.max ? String(this.min) : `${this.min}:${this.max}`;
  }

  save(): string {
    return `${this.inv ? ' !' : ''} --length ${this.range()}`;
  }

  list(_numeric: boolean): string {
    return ` length ${this.inv ? '!' : ''}${this.range()}`;
  }
}

export const lengthMatch: ExtensionDef<Match> = {
  name: 'length',
  options: optionTable({ length: 1 }),
  create: () => new LengthMatch(),
};
