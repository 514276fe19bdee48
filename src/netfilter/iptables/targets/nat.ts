// NAT targets (net/netfilter/xt_nat.c xt_dnat_target_v2/xt_snat_target_v2,
// xt_MASQUERADE.c → nf_nat_masquerade_ipv4, xt_REDIRECT.c → nf_nat_redirect_ipv4).
// They only run for the first packet of a connection; each binds a mapping to
// the packet's conntrack entry through host.conntrack.setupNat.

import type { Skb } from '../../../model/skb.js';
import { formatIpv4, parseIpv4 } from '../../../model/inet.js';
import { NF, NF_INET } from '../../hooks.js';
import {
  NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC, NF_NAT_RANGE_MAP_IPS, NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_RANDOM,
  NF_NAT_RANGE_PROTO_RANDOM_FULLY, NF_NAT_RANGE_PROTO_SPECIFIED, type NatRange,
} from '../../nf_conntrack_common.js';
import {
  fail, optionTable, RuleSyntaxError, type ArgReader, type ExtensionDef, type RuleContext, type Target, type Token,
  type XtActionParam,
} from '../extension.js';

/** Protocols whose ports NAT can map (libxt_DNAT/SNAT port check). */
const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);
const PORTS_ERROR = 'Need TCP, UDP, SCTP or DCCP with port specification';

const H_PRE = 1 << 0;
const H_IN = 1 << 1;
const H_OUT = 1 << 3;
const H_POST = 1 << 4;

function parsePortRange(text: string, tok: Token): [number, number] {
  const m = /^(\d+)(?:[-:](\d+))?$/.exec(text);
  if (!m) return fail(`Port "${text}" not valid`, tok);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo === 0 || lo > 65535 || hi > 65535) fail(`Port "${text}" not valid`, tok);
  if (hi < lo) fail(`Port range ${text} invalid`, tok);
  return [lo, hi];
}

/** parse_to of libxt_DNAT.c: `[ADDR[-ADDR]][:PORT[-PORT]]`. */
function parseTo(tok: Token, range: NatRange): void {
  const text = tok.text;
  const colon = text.indexOf(':');
  const addrPart = colon >= 0 ? text.slice(0, colon) : text;
  if (colon >= 0) {
    [range.minPort, range.maxPort] = parsePortRange(text.slice(colon + 1), tok);
    range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
  }
  if (addrPart === '') {
    if (colon < 0) fail(`Bad IP address "${text}"`, tok);
    return;
  }
  const dash = addrPart.indexOf('-');
  const lo = parseIpv4(dash >= 0 ? addrPart.slice(0, dash) : addrPart);
  const hi = dash >= 0 ? parseIpv4(addrPart.slice(dash + 1)) : lo;
  if (lo === null || hi === null) fail(`Bad IP address "${addrPart}"`, tok);
  if (hi < lo) fail(`Bad IP range "${addrPart}"`, tok);
  range.minAddr = lo;
  range.maxAddr = hi;
  range.flags |= NF_NAT_RANGE_MAP_IPS;
}

/** print_range of libxt_DNAT.c. */
function rangeText(r: NatRange): string {
  let s = '';
  if (r.flags & NF_NAT_RANGE_MAP_IPS) {
    s += formatIpv4(r.minAddr);
    if (r.maxAddr !== r.minAddr) s += '-' + formatIpv4(r.maxAddr);
  }
  if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
    s += ':' + r.minPort;
    if (r.maxPort !== r.minPort) s += '-' + r.maxPort;
  }
  return s;
}

function portsText(r: NatRange): string {
  return r.minPort === r.maxPort ? String(r.minPort) : `${r.minPort}-${r.maxPort}`;
}

function newRange(): NatRange {
  return { flags: 0, minAddr: 0, maxAddr: 0, minPort: 0, maxPort: 0 };
}

function setupNat(skb: Skb, par: XtActionParam, range: NatRange, manip: number): number {
  const ct = par.host.conntrack;
  return ct ? ct.setupNat(skb, range, manip) : NF.ACCEPT;
}

/** DNAT and SNAT: a fixed range given with --to-destination / --to-source. */
export class BasicNatTarget implements Target {
  readonly needsConntrack = true;
  readonly range = newRange();
  private given = false;

  constructor(readonly name: 'DNAT' | 'SNAT') {}

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    switch (option) {
      case 'to-destination':
      case 'to-source': {
        const tok = args.next();
        if (this.given) fail(`${this.name}: Multiple --to-${this.name === 'DNAT' ? 'destination' : 'source'} not supported`, tok);
        parseTo(tok, this.range);
        this.given = true;
        return;
      }
      case 'random': this.range.flags |= NF_NAT_RANGE_PROTO_RANDOM; return;
      case 'random-fully': this.range.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY; return;
      case 'persistent': this.range.flags |= NF_NAT_RANGE_PERSISTENT; return;
    }
  }

  finalCheck(ctx: RuleContext): void {
    if (this.range.flags & NF_NAT_RANGE_PROTO_SPECIFIED && (!PORT_PROTOS.has(ctx.proto) || ctx.protoInv)) {
      throw new RuleSyntaxError(PORTS_ERROR, 0);
    }
  }

  checkHook(table: string, hooks: number): string | null {
    const allowed = this.name === 'DNAT' ? H_PRE | H_OUT : H_POST | H_IN;
    if (table !== 'nat') return `${this.name}: only valid in the nat table`;
    return hooks & ~allowed ? `${this.name}: only valid in ${this.name === 'DNAT' ? 'PREROUTING and OUTPUT' : 'POSTROUTING and INPUT'} chains` : null;
  }

  target(skb: Skb, par: XtActionParam): number {
    return setupNat(skb, par, this.range, this.name === 'DNAT' ? NF_NAT_MANIP_DST : NF_NAT_MANIP_SRC);
  }

  save(): string {
    let s = ` --to-${this.name === 'DNAT' ? 'destination' : 'source'} ${rangeText(this.range)}`;
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM) s += ' --random';
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) s += ' --random-fully';
    if (this.range.flags & NF_NAT_RANGE_PERSISTENT) s += ' --persistent';
    return s;
  }

  list(_numeric: boolean): string {
    let s = ` to:${rangeText(this.range)}`;
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM) s += ' random';
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) s += ' random-fully';
    if (this.range.flags & NF_NAT_RANGE_PERSISTENT) s += ' persistent';
    return s;
  }
}

/** MASQUERADE (source from the output device) and REDIRECT (destination on this host). */
export class DynamicNatTarget implements Target {
  readonly needsConntrack = true;
  readonly range = newRange();
  /** Scratch range handed to setupNat; filled per packet, never reallocated. */
  private readonly scratch = newRange();

  constructor(readonly name: 'MASQUERADE' | 'REDIRECT') {}

  parse(option: string, _inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    switch (option) {
      case 'to-ports': {
        const tok = args.next();
        [this.range.minPort, this.range.maxPort] = parsePortRange(tok.text, tok);
        this.range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
        return;
      }
      case 'random': this.range.flags |= NF_NAT_RANGE_PROTO_RANDOM; return;
      case 'random-fully': this.range.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY; return;
    }
  }

  finalCheck(ctx: RuleContext): void {
    if (this.range.flags & NF_NAT_RANGE_PROTO_SPECIFIED && (!PORT_PROTOS.has(ctx.proto) || ctx.protoInv)) {
      throw new RuleSyntaxError(PORTS_ERROR, 0);
    }
  }

  checkHook(table: string, hooks: number): string | null {
    if (table !== 'nat') return `${this.name}: only valid in the nat table`;
    if (this.name === 'MASQUERADE') return hooks & ~H_POST ? 'MASQUERADE: only valid in POSTROUTING chains' : null;
    return hooks & ~(H_PRE | H_OUT) ? 'REDIRECT: only valid in PREROUTING and OUTPUT chains' : null;
  }

  /** nf_nat_masquerade_ipv4 / nf_nat_redirect_ipv4. */
  target(skb: Skb, par: XtActionParam): number {
    let addr: number | null;
    if (this.name === 'MASQUERADE') {
      addr = par.host.devAddr(par.state.outDev);
    } else {
      addr = par.state.hook === NF_INET.LOCAL_OUT ? 0x7f000001 : par.host.devAddr(par.state.inDev);
    }
    if (addr === null) return NF.DROP;
    const r = this.scratch;
    r.flags = this.range.flags | NF_NAT_RANGE_MAP_IPS;
    r.minAddr = r.maxAddr = addr;
    r.minPort = this.range.minPort;
    r.maxPort = this.range.maxPort;
    return setupNat(skb, par, r, this.name === 'MASQUERADE' ? NF_NAT_MANIP_SRC : NF_NAT_MANIP_DST);
  }

  save(): string {
    let s = '';
    if (this.range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) s += ` --to-ports ${portsText(this.range)}`;
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM) s += ' --random';
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) s += ' --random-fully';
    return s;
  }

  list(_numeric: boolean): string {
    let s = '';
    if (this.range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
      s += this.name === 'MASQUERADE' ? ` masq ports: ${portsText(this.range)}` : ` redir ports ${portsText(this.range)}`;
    }
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM) s += ' random';
    if (this.range.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) s += ' random-fully';
    return s;
  }
}

export const dnatTarget: ExtensionDef<Target> = {
  name: 'DNAT',
  options: optionTable({ 'to-destination': 1, 'random': 0, 'persistent': 0 }),
  create: () => new BasicNatTarget('DNAT'),
};

export const snatTarget: ExtensionDef<Target> = {
  name: 'SNAT',
  options: optionTable({ 'to-source': 1, 'random': 0, 'random-fully': 0, 'persistent': 0 }),
  create: () => new BasicNatTarget('SNAT'),
};

export const masqueradeTarget: ExtensionDef<Target> = {
  name: 'MASQUERADE',
  options: optionTable({ 'to-ports': 1, 'random': 0, 'random-fully': 0 }),
  create: () => new DynamicNatTarget('MASQUERADE'),
};

export const redirectTarget: ExtensionDef<Target> = {
  name: 'REDIRECT',
  options: optionTable({ 'to-ports': 1, 'random': 0 }),
  create: () => new DynamicNatTarget('REDIRECT'),
};
