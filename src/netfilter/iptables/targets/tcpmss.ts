// `-j TCPMSS` (net/netfilter/xt_TCPMSS.c tcpmss_tg4 → tcpmss_mangle_packet):
// lowers the MSS option of SYN segments to a fixed value or to the route MTU
// minus 40.

import type { Skb } from '../../../model/skb.js';
import { TCPHDR, TcpOptions } from '../../../model/skb.js';
import type { RuleHost } from '../../nf_conntrack_common.js';
import {
  parseUint, optionTable, RuleSyntaxError, type ArgReader, type ExtensionDef, type RuleContext, type Target,
  type XtActionParam, XT_CONTINUE,
} from '../extension.js';

/** A RuleHost that can tell the MTU of the route a packet takes (dst_mtu(skb_dst(skb))). */
export interface RuleHostWithRouteMtu extends RuleHost {
  routeMtu?(skb: Skb, outDev: string): number;
}

/** XT_TCPMSS_CLAMP_PMTU. */
const CLAMP_PMTU = 0xffff;
/** RFC 1122 default MSS assumed when a SYN carries none. */
const TCP_DEFAULT_MSS = 536;
/** Hooks clamping is allowed in: FORWARD, LOCAL_OUT, POST_ROUTING. */
const CLAMP_HOOKS = (1 << 2) | (1 << 3) | (1 << 4);

export class TcpmssTarget implements Target {
  readonly name = 'TCPMSS';
  readonly needsConntrack = false;
  mss = -1;

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    if (this.mss >= 0) throw new RuleSyntaxError('TCPMSS target: Only one option may be specified', args.optionToken.column);
    this.mss = option === 'set-mss' ? parseUint(args.next(), 'MSS', 0, 0xffff - 1) : CLAMP_PMTU;
  }

  finalCheck(ctx: RuleContext): void {
    if (this.mss < 0) throw new RuleSyntaxError('TCPMSS target: At least one parameter is required', 0);
    if (ctx.proto !== 6 || ctx.protoInv) throw new RuleSyntaxError('TCPMSS: Only works on TCP SYN packets', 0);
  }

  checkHook(_table: string, hooks: number): string | null {
    if (this.mss === CLAMP_PMTU && hooks & ~CLAMP_HOOKS) {
      return 'TCPMSS: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks';
    }
    return null;
  }

  target(skb: Skb, par: XtActionParam): number {
    if (!(skb.tcpFlags & TCPHDR.SYN) || par.fragoff !== 0) return XT_CONTINUE;
    let newmss = this.mss;
    if (newmss === CLAMP_PMTU) {
      const host = par.host as RuleHostWithRouteMtu;
      if (!host.routeMtu) return XT_CONTINUE;
      newmss = host.routeMtu(skb, par.state.outDev) - 40;
    }
    const opts = skb.tcpOpts;
    if (opts && opts.mss >= 0) {
      if (opts.mss > newmss) opts.mss = newmss;
      return XT_CONTINUE;
    }
    // No MSS option: insert one, no larger than the RFC 1122 default.
    const o = opts ?? (skb.tcpOpts = new TcpOptions());
    o.mss = Math.min(newmss, TCP_DEFAULT_MSS);
    skb.len += 4;
    return XT_CONTINUE;
  }

  save(): string {
    return this.mss === CLAMP_PMTU ? ' --clamp-mss-to-pmtu' : ` --set-mss ${this.mss}`;
  }

  list(): string {
    return this.mss === CLAMP_PMTU ? ' TCPMSS clamp to PMTU' : ` TCPMSS set ${this.mss}`;
  }
}

export const tcpmssTarget: ExtensionDef<Target> = {
  name: 'TCPMSS',
  options: optionTable({ 'set-mss': 1, 'clamp-mss-to-pmtu': 0 }),
  create: () => new TcpmssTarget(),
};
