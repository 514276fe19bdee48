// `-m tcp` and `-m udp` (net/netfilter/xt_tcpudp.c tcp_mt/udp_mt; libxt_tcp.c,
// libxt_udp.c). Loaded implicitly by `-p tcp --dport ...`.

import type { Skb } from '../../../model/skb.js';
import { IPPROTO } from '../../../model/skb.js';
import {
  fail, optionTable, parseUint, RuleSyntaxError, type ArgReader, type ExtensionDef, type Match, type RuleContext,
  type Token, type XtActionParam,
} from '../extension.js';
import { listPorts, parsePortRange, savePorts } from '../ports.js';

/** tcp_flag_names of libxt_tcp.c, in print order. */
const TCP_FLAG_NAMES: readonly [string, number][] = [
  ['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20], ['ALL', 0x3f], ['NONE', 0],
];

function parseTcpFlags(tok: Token): number {
  let v = 0;
  for (const name of tok.text.split(',')) {
    const f = TCP_FLAG_NAMES.find(([n]) => n === name.toUpperCase());
    if (!f) fail(`Unknown TCP flag \`${name}'`, tok);
    v |= f[1];
  }
  return v;
}

/** print_tcpf: flag names joined by commas, NONE for zero. */
export function tcpFlagsText(flags: number): string {
  const out: string[] = [];
  for (const [name, bit] of TCP_FLAG_NAMES) {
    if (name === 'ALL' || name === 'NONE') continue;
    if (flags & bit) out.push(name);
  }
  return out.length ? out.join(',') : 'NONE';
}

function hex2(v: number): string {
  return '0x' + v.toString(16).toUpperCase().padStart(2, '0');
}

abstract class PortMatch implements Match {
  abstract readonly name: string;
  abstract readonly proto: number;
  readonly needsConntrack = false;
  spLo = 0;
  spHi = 0xffff;
  spInv = false;
  dpLo = 0;
  dpHi = 0xffff;
  dpInv = false;
  private seen = new Set<string>();

  parse(option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    const key = option === 'source-port' ? 'sport' : option === 'destination-port' ? 'dport' : option;
    if (this.seen.has(key)) fail(`Only one \`--${key === 'sport' ? 'source-port' : key === 'dport' ? 'destination-port' : key}' allowed`, args.optionToken);
    this.seen.add(key);
    if (key === 'sport') {
      [this.spLo, this.spHi] = parsePortRange(args.next(), this.proto);
      this.spInv = inv;
    } else if (key === 'dport') {
      [this.dpLo, this.dpHi] = parsePortRange(args.next(), this.proto);
      this.dpInv = inv;
    } else {
      this.parseMore(key, inv, args);
    }
  }

  protected parseMore(option: string, _inv: boolean, args: ArgReader): void {
    fail(`unknown option "--${option}"`, args.optionToken);
  }

  finalCheck(ctx: RuleContext): void {
    // The kernel's tcp_mt_check/udp_mt_check: the rule must pin the protocol.
    if (ctx.proto !== this.proto || ctx.protoInv) {
      throw new RuleSyntaxError(`${this.name} match: only valid for protocol ${this.proto}`, 0);
    }
  }

  /** port_match of xt_tcpudp.c. */
  protected portsMatch(skb: Skb): boolean {
    return ((skb.sport >= this.spLo && skb.sport <= this.spHi) !== this.spInv) &&
      ((skb.dport >= this.dpLo && skb.dport <= this.dpHi) !== this.dpInv);
  }

  abstract match(skb: Skb, par: XtActionParam): boolean;

  save(): string {
    return savePorts('sport', this.spLo, this.spHi, this.spInv) + savePorts('dport', this.dpLo, this.dpHi, this.dpInv);
  }

  list(numeric: boolean): string {
    return ' ' + this.name + listPorts('spt', this.spLo, this.spHi, this.spInv, this.proto, numeric) +
      listPorts('dpt', this.dpLo, this.dpHi, this.dpInv, this.proto, numeric);
  }
}

export class TcpMatch extends PortMatch {
  readonly name = 'tcp';
  readonly proto = IPPROTO.TCP;
  flgMask = 0;
  flgCmp = 0;
  flgInv = false;
  option = 0;
  optionInv = false;

  protected override parseMore(option: string, inv: boolean, args: ArgReader): void {
    if (option === 'syn') {
      // --syn is --tcp-flags FIN,SYN,RST,ACK SYN.
      this.flgMask = 0x17;
      this.flgCmp = 0x02;
      this.flgInv = inv;
    } else if (option === 'tcp-flags') {
      this.flgMask = parseTcpFlags(args.next());
      this.flgCmp = parseTcpFlags(args.next());
      this.flgInv = inv;
    } else if (option === 'tcp-option') {
      this.option = parseUint(args.next(), 'TCP option', 1, 255);
      this.optionInv = inv;
    } else {
      super.parseMore(option, inv, args);
    }
  }

  /** tcp_mt: fragments with offset never match; flags compared under the mask. */
  match(skb: Skb, par: XtActionParam): boolean {
    if (par.fragoff !== 0) return false;
    if (!this.portsMatch(skb)) return false;
    if (((skb.tcpFlags & this.flgMask) === this.flgCmp) === this.flgInv) return false;
    if (this.option !== 0 && hasTcpOption(skb, this.option) === this.optionInv) return false;
    return true;
  }

  override save(): string {
    let s = super.save();
    if (this.option !== 0 || this.optionInv) s += `${this.optionInv ? ' !' : ''} --tcp-option ${this.option}`;
    if (this.flgMask !== 0 || this.flgInv) {
      s += `${this.flgInv ? ' !' : ''} --tcp-flags ${tcpFlagsText(this.flgMask)} ${tcpFlagsText(this.flgCmp)}`;
    }
    return s;
  }

  override list(numeric: boolean): string {
    let s = super.list(numeric);
    if (this.option !== 0 || this.optionInv) s += ` option=${this.optionInv ? '!' : ''}${this.option}`;
    if (this.flgMask !== 0 || this.flgInv) {
      s += ' flags:' + (this.flgInv ? '!' : '') +
        (numeric ? `${hex2(this.flgMask)}/${hex2(this.flgCmp)}` : `${tcpFlagsText(this.flgMask)}/${tcpFlagsText(this.flgCmp)}`);
    }
    return s;
  }
}

/** Option kinds a segment carries, as tcp_find_option would find them. */
function hasTcpOption(skb: Skb, kind: number): boolean {
  const o = skb.tcpOpts;
  if (!o) return false;
  switch (kind) {
    case 2: return o.mss >= 0;
    case 3: return o.wscale >= 0;
    case 4: return o.sackOk;
    case 5: return o.sack !== null;
    case 8: return o.tsVal >= 0;
    default: return false;
  }
}

export class UdpMatch extends PortMatch {
  readonly name = 'udp';
  readonly proto = IPPROTO.UDP;

  match(skb: Skb, par: XtActionParam): boolean {
    return par.fragoff === 0 && this.portsMatch(skb);
  }
}

const PORT_OPTIONS = { 'sport': 1, 'source-port': 1, 'dport': 1, 'destination-port': 1 };

export const tcpMatch: ExtensionDef<Match> = {
  name: 'tcp',
  options: optionTable({ ...PORT_OPTIONS, 'syn': 0, 'tcp-flags': 1, 'tcp-option': 1 }),
  create: () => new TcpMatch(),
};

export const udpMatch: ExtensionDef<Match> = {
  name: 'udp',
  options: optionTable(PORT_OPTIONS),
  create: () => new UdpMatch(),
};
