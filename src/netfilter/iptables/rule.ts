// One rule (struct ipt_entry): the fixed IPv4 header part (ipt_ip), the match
// modules in order, and what happens on a match. Counters live on the rule as
// in the kernel's per-entry xt_counters.

import type { Skb } from '../../model/skb.js';
import { IP } from '../../model/skb.js';
import type { Match, Target } from './extension.js';
import type { Chain } from './ruleset.js';

/** IPT_INV_* flags of struct ipt_ip.invflags. */
export const IPT_INV_VIA_IN = 0x01;
export const IPT_INV_VIA_OUT = 0x02;
export const IPT_INV_SRCIP = 0x08;
export const IPT_INV_DSTIP = 0x10;
export const IPT_INV_FRAG = 0x20;
export const IPT_INV_PROTO = 0x40;

/** What a rule does when it matches. */
export const V_NONE = 0;
export const V_ACCEPT = 1;
export const V_DROP = 2;
export const V_RETURN = 3;
export const V_JUMP = 4;
export const V_GOTO = 5;
export const V_TARGET = 6;
export const V_QUEUE = 7;

export const STANDARD_VERDICTS: Record<string, number> = { ACCEPT: V_ACCEPT, DROP: V_DROP, RETURN: V_RETURN, QUEUE: V_QUEUE };

export class Rule {
  src = 0;
  smsk = 0;
  dst = 0;
  dmsk = 0;
  /** Interface names without a trailing '+'; the Wild flags say a '+' was given (prefix match). */
  inIface = '';
  inWild = false;
  outIface = '';
  outWild = false;
  proto = 0;
  /** IPT_F_FRAG (-f). */
  frag = false;
  invflags = 0;
  matches: Match[] = [];
  verdict = V_NONE;
  /** Chain name for V_JUMP/V_GOTO. */
  jumpName = '';
  /** Resolved chain for V_JUMP/V_GOTO. */
  jumpChain: Chain | null = null;
  target: Target | null = null;
  pkts = 0;
  bytes = 0;
  /** Where the rule came from, for errors found at COMMIT (0 when typed at a prompt). */
  line = 0;
  targetColumn = 0;
  /** `filter/INPUT rule 3: -p tcp ...`, set by the installed table for the trace's detail. */
  detail = '';

  /** Name in the `target` column of -L and after -j. */
  get targetName(): string {
    switch (this.verdict) {
      case V_ACCEPT: return 'ACCEPT';
      case V_DROP: return 'DROP';
      case V_RETURN: return 'RETURN';
      case V_QUEUE: return 'QUEUE';
      case V_JUMP:
      case V_GOTO: return this.jumpName;
      case V_TARGET: return this.target!.name;
      default: return '';
    }
  }

  /**
   * ip_packet_match of net/ipv4/netfilter/ip_tables.c: addresses under their
   * masks, interfaces (a '+' name matches by prefix), protocol, fragments.
   */
  ipMatches(skb: Skb, inDev: string, outDev: string): boolean {
    const inv = this.invflags;
    if ((((skb.saddr & this.smsk) >>> 0) !== this.src) !== ((inv & IPT_INV_SRCIP) !== 0)) return false;
    if ((((skb.daddr & this.dmsk) >>> 0) !== this.dst) !== ((inv & IPT_INV_DSTIP) !== 0)) return false;
    if (this.inIface !== '' || this.inWild) {
      const hit = this.inWild ? inDev.startsWith(this.inIface) : inDev === this.inIface;
      if (hit === ((inv & IPT_INV_VIA_IN) !== 0)) return false;
    }
    if (this.outIface !== '' || this.outWild) {
      const hit = this.outWild ? outDev.startsWith(this.outIface) : outDev === this.outIface;
      if (hit === ((inv & IPT_INV_VIA_OUT) !== 0)) return false;
    }
    if (this.proto !== 0 && (skb.protocol !== this.proto) !== ((inv & IPT_INV_PROTO) !== 0)) return false;
    if (this.frag && ((skb.fragOff & IP.OFFSET) === 0) !== ((inv & IPT_INV_FRAG) !== 0)) return false;
    return true;
  }

  /** True when a match or the target needs conntrack loaded. */
  get needsConntrack(): boolean {
    return this.matches.some((m) => m.needsConntrack) || (this.target?.needsConntrack ?? false);
  }
}
