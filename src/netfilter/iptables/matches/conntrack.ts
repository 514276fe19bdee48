// `-m conntrack` and `-m state` (net/netfilter/xt_conntrack.c conntrack_mt,
// xt_state.c state_mt; libxt_conntrack.c conntrack_dump). Both read the
// ctinfo that nf_conntrack_in left on the packet and the entry's status bits.

import type { Skb } from '../../../model/skb.js';
import { IP_CT, IPS, type NfConnView } from '../../nf_conntrack_common.js';
import {
  fail, optionTable, RuleSyntaxError, type ArgReader, type ExtensionDef, type Match, type RuleContext, type Token,
  type XtActionParam,
} from '../extension.js';

/** XT_CONNTRACK_STATE_* bits: INVALID, then 1 << (ctinfo % IP_CT_IS_REPLY + 1), then SNAT/DNAT/UNTRACKED. */
const STATE_INVALID = 1 << 0;
const STATE_ESTABLISHED = 1 << 1;
const STATE_RELATED = 1 << 2;
const STATE_NEW = 1 << 3;
const STATE_SNAT = 1 << 6;
const STATE_DNAT = 1 << 7;
const STATE_UNTRACKED = 1 << 8;

/** Print order of libxt_conntrack print_state. */
const STATE_NAMES: readonly [string, number][] = [
  ['INVALID', STATE_INVALID], ['NEW', STATE_NEW], ['RELATED', STATE_RELATED], ['ESTABLISHED', STATE_ESTABLISHED],
  ['UNTRACKED', STATE_UNTRACKED], ['SNAT', STATE_SNAT], ['DNAT', STATE_DNAT],
];
const STATUS_NAMES: readonly [string, number][] = [
  ['EXPECTED', IPS.EXPECTED], ['SEEN_REPLY', IPS.SEEN_REPLY], ['ASSURED', IPS.ASSURED], ['CONFIRMED', IPS.CONFIRMED],
];

function parseNames(tok: Token, table: readonly [string, number][], what: string, allowSnatDnat: boolean): number {
  let mask = 0;
  for (const word of tok.text.split(',')) {
    const upper = word.toUpperCase();
    if (what === 'ctstatus' && upper === 'NONE') continue;
    const e = table.find(([n]) => n === upper);
    if (!e || (!allowSnatDnat && (e[1] === STATE_SNAT || e[1] === STATE_DNAT))) fail(`Bad ${what} "${word}"`, tok);
    mask |= e[1];
  }
  return mask;
}

function names(mask: number, table: readonly [string, number][], none: string): string {
  const out: string[] = [];
  for (const [n, bit] of table) if (mask & bit) out.push(n);
  return out.length ? out.join(',') : none;
}

const DIR_ORIGINAL = 1;
const DIR_REPLY = 2;

export class ConntrackMatch implements Match {
  readonly needsConntrack = true;
  stateMask = -1;
  stateInv = false;
  statusMask = -1;
  statusInv = false;
  dir = 0;

  /** `state` for -m state (XT_CONNTRACK_STATE_ALIAS), else `conntrack`. */
  constructor(readonly name: 'conntrack' | 'state') {}

  parse(option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    switch (option) {
      case 'state':
      case 'ctstate':
        this.stateMask = parseNames(args.next(), STATE_NAMES, option, option === 'ctstate');
        this.stateInv = inv;
        return;
      case 'ctstatus':
        this.statusMask = parseNames(args.next(), STATUS_NAMES, 'ctstatus', false);
        this.statusInv = inv;
        return;
      case 'ctdir': {
        const tok = args.next();
        const v = tok.text.toUpperCase();
        if (v === 'ORIGINAL') this.dir = DIR_ORIGINAL;
        else if (v === 'REPLY') this.dir = DIR_REPLY;
        else fail(`Unknown --ctdir "${tok.text}"`, tok);
        if (inv) this.dir = this.dir === DIR_ORIGINAL ? DIR_REPLY : DIR_ORIGINAL;
        return;
      }
      default:
        fail(`unknown option "--${option}"`, args.optionToken);
    }
  }

  finalCheck(_ctx: RuleContext): void {
    if (this.stateMask < 0 && this.statusMask < 0 && this.dir === 0) {
      throw new RuleSyntaxError(this.name === 'state' ? 'state match: You must specify "--state"' : 'conntrack: At least one option is required', 0);
    }
  }

  /** conntrack_mt (state_mt is its subset). */
  match(skb: Skb, _par: XtActionParam): boolean {
    const ctinfo = skb.ctinfo;
    const ct = ctinfo >= 0 && ctinfo !== IP_CT.UNTRACKED ? (skb.nfct as NfConnView | null) : null;
    let statebit: number;
    if (ctinfo === IP_CT.UNTRACKED) statebit = STATE_UNTRACKED;
    else if (ct) statebit = 1 << ((ctinfo % IP_CT.IS_REPLY) + 1);
    else statebit = STATE_INVALID;
    if (this.stateMask >= 0) {
      if (ct && this.name === 'conntrack') {
        if (ct.status & IPS.SRC_NAT) statebit |= STATE_SNAT;
        if (ct.status & IPS.DST_NAT) statebit |= STATE_DNAT;
      }
      if (((this.stateMask & statebit) !== 0) === this.stateInv) return false;
    }
    if (!ct) return this.stateMask >= 0;
    if (this.dir !== 0) {
      const reply = ctinfo >= IP_CT.IS_REPLY;
      if ((this.dir === DIR_REPLY) !== reply) return false;
    }
    if (this.statusMask >= 0 && ((this.statusMask & ct.status) !== 0) === this.statusInv) return false;
    return true;
  }

  /** conntrack_dump with prefix "--" (save) or "" (list). */
  private dump(prefix: string): string {
    let s = '';
    if (this.stateMask >= 0) {
      s += `${this.stateInv ? ' !' : ''} ${prefix}${this.name === 'state' ? 'state' : 'ctstate'} ${names(this.stateMask, STATE_NAMES, '')}`;
    }
    if (this.statusMask >= 0) s += `${this.statusInv ? ' !' : ''} ${prefix}ctstatus ${names(this.statusMask, STATUS_NAMES, 'NONE')}`;
    if (this.dir !== 0) s += ` ${prefix}ctdir ${this.dir === DIR_REPLY ? 'REPLY' : 'ORIGINAL'}`;
    return s;
  }

  save(): string {
    return this.dump('--');
  }

  list(_numeric: boolean): string {
    return this.dump('');
  }
}

export const conntrackMatch: ExtensionDef<Match> = {
  name: 'conntrack',
  options: optionTable({ 'ctstate': 1, 'ctstatus': 1, 'ctdir': 1 }),
  create: () => new ConntrackMatch('conntrack'),
};

export const stateMatch: ExtensionDef<Match> = {
  name: 'state',
  options: optionTable({ 'state': 1 }),
  create: () => new ConntrackMatch('state'),
};
