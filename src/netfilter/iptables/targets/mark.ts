// `-j MARK` (net/netfilter/xt_mark.c mark_tg, revision 2) and `-j CONNMARK`
// (xt_connmark.c connmark_tg_shift, revision 1 semantics). Every form is kept
// as the kernel's (value, mask) pair, which is also how iptables-save prints it.

import type { Skb } from '../../../model/skb.js';
import { IP_CT, type NfConnView } from '../../nf_conntrack_common.js';
import {
  hex, optionTable, parseMarkMask, parseUint, RuleSyntaxError, fail, type ArgReader, type ExtensionDef,
  type RuleContext, type Target, type XtActionParam, XT_CONTINUE,
} from '../extension.js';

/** Reads one of the --set-xmark/--set-mark/--and/--or/--xor-mark forms into (mark, mask). */
function parseMarkForm(option: string, args: ArgReader): { mark: number; mask: number } {
  const tok = args.next();
  switch (option) {
    case 'set-xmark': {
      const { value, mask } = parseMarkMask(tok, 'mark');
      return { mark: value, mask };
    }
    case 'set-mark': {
      const { value, mask } = parseMarkMask(tok, 'mark');
      return { mark: value, mask: (mask | value) >>> 0 };
    }
    case 'and-mark': {
      const v = parseUint(tok, 'mark');
      return { mark: 0, mask: ~v >>> 0 };
    }
    case 'or-mark': {
      const v = parseUint(tok, 'mark');
      return { mark: v, mask: v };
    }
    default: {
      const v = parseUint(tok, 'mark');
      return { mark: v, mask: 0 };
    }
  }
}

/** mark_tg_print / connmark_tg_print of the SET mode. */
function markOpText(prefix: string, mark: number, mask: number): string {
  if (mark === 0) return ` ${prefix} and ${hex(~mask >>> 0)}`;
  if (mark === mask) return ` ${prefix} or ${hex(mark)}`;
  if (mask === 0) return ` ${prefix} xor ${hex(mark)}`;
  if (mask === 0xffffffff) return ` ${prefix} set ${hex(mark)}`;
  return ` ${prefix} xset ${hex(mark)}/${hex(mask)}`;
}

export class MarkTarget implements Target {
  readonly name = 'MARK';
  readonly needsConntrack = false;
  mark = 0;
  mask = 0;
  private given = false;

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    if (this.given) fail('MARK target: Can\'t specify --set-mark twice', args.optionToken);
    ({ mark: this.mark, mask: this.mask } = parseMarkForm(option, args));
    this.given = true;
  }

  finalCheck(): void {
    if (!this.given) throw new RuleSyntaxError('MARK target: Parameter --set/and/or/xor-mark is required', 0);
  }

  /** mark_tg: skb->mark = (skb->mark & ~mask) ^ mark. */
  target(skb: Skb, _par: XtActionParam): number {
    skb.mark = ((skb.mark & ~this.mask) ^ this.mark) >>> 0;
    return XT_CONTINUE;
  }

  save(): string {
    return ` --set-xmark ${hex(this.mark)}/${hex(this.mask)}`;
  }

  list(_numeric: boolean): string {
    return markOpText('MARK', this.mark, this.mask);
  }
}

const XT_CONNMARK_SET = 0;
const XT_CONNMARK_SAVE = 1;
const XT_CONNMARK_RESTORE = 2;

export class ConnmarkTarget implements Target {
  readonly name = 'CONNMARK';
  readonly needsConntrack = true;
  mode = -1;
  ctmark = 0;
  ctmask = 0xffffffff;
  nfmask = 0xffffffff;

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    switch (option) {
      case 'save-mark':
      case 'restore-mark':
        if (this.mode >= 0) fail('CONNMARK target: Only one of --set-xmark, --save-mark or --restore-mark is allowed', args.optionToken);
        this.mode = option === 'save-mark' ? XT_CONNMARK_SAVE : XT_CONNMARK_RESTORE;
        return;
      case 'nfmask':
        this.nfmask = parseUint(args.next(), 'nfmask');
        return;
      case 'ctmask':
        this.ctmask = parseUint(args.next(), 'ctmask');
        return;
      case 'mask':
        this.nfmask = this.ctmask = parseUint(args.next(), 'mask');
        return;
      default: {
        if (this.mode >= 0) fail('CONNMARK target: Only one of --set-xmark, --save-mark or --restore-mark is allowed', args.optionToken);
        const { mark, mask } = parseMarkForm(option, args);
        this.mode = XT_CONNMARK_SET;
        this.ctmark = mark;
        this.ctmask = mask;
      }
    }
  }

  finalCheck(): void {
    if (this.mode < 0) throw new RuleSyntaxError('CONNMARK target: No operation specified', 0);
  }

  /** connmark_tg_shift with no shift. */
  target(skb: Skb, _par: XtActionParam): number {
    const ct = skb.ctinfo >= 0 && skb.ctinfo !== IP_CT.UNTRACKED ? (skb.nfct as NfConnView | null) : null;
    if (!ct) return XT_CONTINUE;
    switch (this.mode) {
      case XT_CONNMARK_SET:
        ct.mark = ((ct.mark & ~this.ctmask) ^ this.ctmark) >>> 0;
        break;
      case XT_CONNMARK_SAVE:
        ct.mark = ((ct.mark & ~this.ctmask) ^ (skb.mark & this.nfmask)) >>> 0;
        break;
      default:
        skb.mark = ((skb.mark & ~this.nfmask) ^ (ct.mark & this.ctmask)) >>> 0;
    }
    return XT_CONTINUE;
  }

  save(): string {
    if (this.mode === XT_CONNMARK_SET) return ` --set-xmark ${hex(this.ctmark)}/${hex(this.ctmask)}`;
    const op = this.mode === XT_CONNMARK_SAVE ? 'save-mark' : 'restore-mark';
    return ` --${op} --nfmask ${hex(this.nfmask)} --ctmask ${hex(this.ctmask)}`;
  }

  list(_numeric: boolean): string {
    if (this.mode === XT_CONNMARK_SET) return markOpText('CONNMARK', this.ctmark, this.ctmask);
    if (this.mode === XT_CONNMARK_SAVE) {
      if (this.nfmask === 0xffffffff && this.ctmask === 0xffffffff) return ' CONNMARK save';
      if (this.nfmask === this.ctmask) return ` CONNMARK save mask ${hex(this.nfmask)}`;
      return ` CONNMARK save nfmask ${hex(this.nfmask)} ctmask ~${hex(this.ctmask)}`;
    }
    if (this.nfmask === 0xffffffff && this.ctmask === 0xffffffff) return ' CONNMARK restore';
    if (this.nfmask === this.ctmask) return ` CONNMARK restore mask ${hex(this.ctmask)}`;
    return ` CONNMARK restore ctmask ${hex(this.ctmask)} nfmask ~${hex(this.nfmask)}`;
  }
}

const MARK_FORMS = { 'set-xmark': 1, 'set-mark': 1, 'and-mark': 1, 'or-mark': 1, 'xor-mark': 1 };

export const markTarget: ExtensionDef<Target> = {
  name: 'MARK',
  options: optionTable(MARK_FORMS),
  create: () => new MarkTarget(),
};

export const connmarkTarget: ExtensionDef<Target> = {
  name: 'CONNMARK',
  options: optionTable({ ...MARK_FORMS, 'save-mark': 0, 'restore-mark': 0, 'nfmask': 1, 'ctmask': 1, 'mask': 1 }),
  create: () => new ConnmarkTarget(),
};
