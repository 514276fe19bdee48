// `-j CHECKSUM --checksum-fill` (net/netfilter/xt_CHECKSUM.c checksum_tg):
// completes a checksum left to hardware offload (CHECKSUM_PARTIAL).

import type { Skb } from '../../../model/skb.js';
import { CHECKSUM_NONE, CHECKSUM_PARTIAL } from '../../../model/skb.js';
import {
  optionTable, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type RuleContext, type Target, XT_CONTINUE,
} from '../extension.js';

export class ChecksumTarget implements Target {
  readonly name = 'CHECKSUM';
  readonly needsConntrack = false;
  fill = false;

  parse(_option: string, _inv: boolean, _args: ArgReader, _ctx: RuleContext): void {
    this.fill = true;
  }

  finalCheck(): void {
    if (!this.fill) throw new RuleSyntaxError('CHECKSUM target: Parameter --checksum-fill is required', 0);
  }

  checkHook(table: string): string | null {
    return table === 'mangle' ? null : 'CHECKSUM: only valid in the mangle table';
  }

  /** skb_checksum_help for a packet that is not GSO. */
  target(skb: Skb): number {
    if (skb.ipSummed === CHECKSUM_PARTIAL && skb.gsoSize === 0) skb.ipSummed = CHECKSUM_NONE;
    return XT_CONTINUE;
  }

  save(): string {
    return ' --checksum-fill';
  }

  list(): string {
    return ' CHECKSUM fill';
  }
}

export const checksumTarget: ExtensionDef<Target> = {
  name: 'CHECKSUM',
  options: optionTable({ 'checksum-fill': 0 }),
  create: () => new ChecksumTarget(),
};
