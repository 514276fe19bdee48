// `-j DSCP` (net/netfilter/xt_DSCP.c dscp_tg): rewrites the upper six bits of TOS.

import type { Skb } from '../../../model/skb.js';
import {
  fail, optionTable, parseUint, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type RuleContext, type Target, XT_CONTINUE,
} from '../extension.js';

/** ds_classes of libxt_dscp_helper.c. */
const DSCP_CLASSES: Record<string, number> = {
  CS0: 0x00, CS1: 0x08, CS2: 0x10, CS3: 0x18, CS4: 0x20, CS5: 0x28, CS6: 0x30, CS7: 0x38, BE: 0x00,
  AF11: 0x0a, AF12: 0x0c, AF13: 0x0e, AF21: 0x12, AF22: 0x14, AF23: 0x16, AF31: 0x1a, AF32: 0x1c, AF33: 0x1e,
  AF41: 0x22, AF42: 0x24, AF43: 0x26, EF: 0x2e,
};

export class DscpTarget implements Target {
  readonly name = 'DSCP';
  readonly needsConntrack = false;
  dscp = -1;

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    const tok = args.next();
    if (option === 'set-dscp') {
      this.dscp = parseUint(tok, 'DSCP', 0, 0x3f);
    } else {
      const v = DSCP_CLASSES[tok.text.toUpperCase()];
      if (v === undefined) fail(`Invalid DSCP value \`${tok.text}'`, tok);
      this.dscp = v;
    }
  }

  finalCheck(): void {
    if (this.dscp < 0) throw new RuleSyntaxError('DSCP target: Parameter --set-dscp is required', 0);
  }

  checkHook(table: string): string | null {
    return table === 'mangle' ? null : 'DSCP: only valid in the mangle table';
  }

  /** ipv4_change_dsfield(iph, XT_DSCP_ECN_MASK, dscp << XT_DSCP_SHIFT). */
  target(skb: Skb): number {
    skb.tos = (skb.tos & 0x03) | (this.dscp << 2);
    return XT_CONTINUE;
  }

  save(): string {
    return ` --set-dscp 0x${this.dscp.toString(16).padStart(2, '0')}`;
  }

  list(): string {
    return ` DSCP set 0x${this.dscp.toString(16).padStart(2, '0')}`;
  }
}

export const dscpTarget: ExtensionDef<Target> = {
  name: 'DSCP',
  options: optionTable({ 'set-dscp': 1, 'set-dscp-class': 1 }),
  create: () => new DscpTarget(),
};
