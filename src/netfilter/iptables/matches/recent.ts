// `-m recent` (net/netfilter/xt_recent.c recent_mt, revision 1 with --mask):
// per-netns named lists of addresses with the jiffies they were last seen.

import type { Skb } from '../../../model/skb.js';
import { formatIpv4, parseIpv4 } from '../../../model/inet.js';
import {
  fail, optionTable, parseUint, RuleSyntaxError,
  type ArgReader, type ExtensionDef, type Match, type RuleContext, type XtActionParam, type XtNetns,
} from '../extension.js';
import { HZ, jiffiesOf } from '../../../model/time.js';

const XT_RECENT_CHECK = 1 << 0;
const XT_RECENT_SET = 1 << 1;
const XT_RECENT_UPDATE = 1 << 2;
const XT_RECENT_REMOVE = 1 << 3;
const XT_RECENT_TTL = 1 << 4;
const XT_RECENT_REAP = 1 << 5;
const XT_RECENT_SOURCE = 0;
const XT_RECENT_DEST = 1;
/** Module parameters ip_list_tot and ip_pkt_list_tot (defaults). */
export const IP_LIST_TOT = 100;
export const IP_PKT_LIST_TOT = 20;

export interface RecentEntry {
  addr: number;
  ttl: number;
  /** Jiffies of the last hits, a ring of IP_PKT_LIST_TOT. */
  stamps: number[];
  index: number;
  nstamps: number;
}

/** One named list (struct recent_table); `lru` is oldest first. */
export class RecentTable {
  readonly byAddr = new Map<number, RecentEntry>();
  readonly lru: RecentEntry[] = [];
  constructor(readonly name: string) {}

  lookup(addr: number, ttl: number): RecentEntry | undefined {
    const e = this.byAddr.get(addr);
    if (e && ttl !== 0 && e.ttl !== ttl) return undefined;
    return e;
  }

  remove(e: RecentEntry): void {
    this.byAddr.delete(e.addr);
    this.lru.splice(this.lru.indexOf(e), 1);
  }

  /** recent_entry_init: evicts the least recently used entry when the list is full. */
  init(addr: number, ttl: number, now: number): RecentEntry {
    if (this.lru.length >= IP_LIST_TOT) this.remove(this.lru[0]!);
    const e: RecentEntry = { addr, ttl, stamps: [now], index: 1, nstamps: 1 };
    this.byAddr.set(addr, e);
    this.lru.push(e);
    return e;
  }

  /** recent_entry_update. */
  update(e: RecentEntry, now: number): void {
    e.index %= IP_PKT_LIST_TOT;
    e.stamps[e.index++] = now;
    if (e.index > e.nstamps) e.nstamps = e.index;
    this.lru.splice(this.lru.indexOf(e), 1);
    this.lru.push(e);
  }

  /** recent_entry_reap: drops the oldest entry if its newest stamp is before `time`. */
  reap(time: number, working: RecentEntry, update: boolean): void {
    const e = this.lru[0];
    if (!e || (e === working && update)) return;
    if (time > e.stamps[e.index - 1]!) this.remove(e);
  }

  /** /proc/net/xt_recent/NAME lines (recent_seq_show). */
  show(): string {
    return this.lru.map((e) => {
      const last = e.stamps[(e.index - 1) % IP_PKT_LIST_TOT]!;
      return `src=${formatIpv4(e.addr)} ttl: ${e.ttl} last_seen: ${last} oldest_pkt: ${e.index} ` +
        e.stamps.slice(0, e.nstamps).join(', ') + '\n';
    }).join('');
  }
}

export class RecentMatch implements Match {
  readonly name = 'recent';
  readonly needsConntrack = false;
  seconds = 0;
  hitCount = 0;
  checkSet = 0;
  inv = false;
  listName = 'DEFAULT';
  side = XT_RECENT_SOURCE;
  mask = 0xffffffff;
  private table: RecentTable | null = null;

  parse(option: string, inv: boolean, args: ArgReader, _ctx: RuleContext): void {
    const modeBits: Record<string, number> = { set: XT_RECENT_SET, rcheck: XT_RECENT_CHECK, update: XT_RECENT_UPDATE, remove: XT_RECENT_REMOVE };
    const bit = modeBits[option];
    if (bit !== undefined) {
      if (this.checkSet & (XT_RECENT_SET | XT_RECENT_CHECK | XT_RECENT_UPDATE | XT_RECENT_REMOVE)) {
        fail('recent: only one of `--set\', `--rcheck\' `--update\' or `--remove\' may be set', args.optionToken);
      }
      this.checkSet |= bit;
      this.inv = inv;
      return;
    }
    switch (option) {
      case 'seconds': this.seconds = parseUint(args.next(), 'seconds'); return;
      case 'hitcount': this.hitCount = parseUint(args.next(), 'hitcount'); return;
      case 'reap': this.checkSet |= XT_RECENT_REAP; return;
      case 'rttl': this.checkSet |= XT_RECENT_TTL; return;
      case 'name': {
        const tok = args.next();
        if (tok.text.length === 0 || tok.text.length >= 200) fail('recent: invalid name', tok);
        this.listName = tok.text;
        return;
      }
      case 'rsource': this.side = XT_RECENT_SOURCE; return;
      case 'rdest': this.side = XT_RECENT_DEST; return;
      case 'mask': {
        const tok = args.next();
        const m = parseIpv4(tok.text);
        if (m === null) fail(`Bad mask "${tok.text}"`, tok);
        this.mask = m;
        return;
      }
    }
  }

  /** recent_mt_check. */
  finalCheck(): void {
    const modes = this.checkSet & (XT_RECENT_SET | XT_RECENT_CHECK | XT_RECENT_UPDATE | XT_RECENT_REMOVE);
    if (modes === 0) throw new RuleSyntaxError('recent: you must specify one of `--set\', `--rcheck\' `--update\' or `--remove\'', 0);
    if (modes & (XT_RECENT_SET | XT_RECENT_REMOVE) && (this.seconds || this.hitCount || this.checkSet & (XT_RECENT_TTL | XT_RECENT_REAP))) {
      throw new RuleSyntaxError('recent: --seconds, --hitcount, --rttl and --reap go only with --rcheck or --update', 0);
    }
    if (this.checkSet & XT_RECENT_REAP && !this.seconds) throw new RuleSyntaxError('recent: --reap requires --seconds', 0);
    if (this.hitCount > IP_PKT_LIST_TOT) {
      throw new RuleSyntaxError(`recent: hitcount (${this.hitCount}) is larger than allowed maximum (${IP_PKT_LIST_TOT})`, 0);
    }
  }

  /** Binds the rule to its netns list, creating it as recent_mt_check does. */
  attach(ns: XtNetns): void {
    let t = ns.recent.get(this.listName);
    if (!t) {
      t = new RecentTable(this.listName);
      ns.recent.set(this.listName, t);
    }
    this.table = t;
  }

  /** recent_mt. */
  match(skb: Skb, par: XtActionParam): boolean {
    const t = this.table!;
    const now = jiffiesOf(par.state.now);
    const addr = ((this.side === XT_RECENT_DEST ? skb.daddr : skb.saddr) & this.mask) >>> 0;
    let ttl = skb.ttl;
    // Use the TTL as seen before forwarding.
    if (par.state.outDev !== '' && skb.sk === null) ttl++;
    let ret = this.inv;
    const e = t.lookup(addr, this.checkSet & XT_RECENT_TTL ? ttl : 0);
    if (!e) {
      if (!(this.checkSet & XT_RECENT_SET)) return ret;
      t.init(addr, ttl, now);
      return !ret;
    }
    if (this.checkSet & XT_RECENT_SET) {
      ret = !ret;
    } else if (this.checkSet & XT_RECENT_REMOVE) {
      t.remove(e);
      return !ret;
    } else if (this.seconds || this.hitCount) {
      const time = now - this.seconds * HZ;
      let hits = 0;
      for (let i = 0; i < e.nstamps; i++) {
        if (this.seconds && time > e.stamps[i]!) continue;
        if (!this.hitCount || ++hits >= this.hitCount) {
          ret = !ret;
          break;
        }
      }
      if (this.checkSet & XT_RECENT_REAP) t.reap(time, e, (this.checkSet & XT_RECENT_UPDATE) !== 0 && ret);
    } else {
      ret = !ret;
    }
    if (this.checkSet & XT_RECENT_SET || (this.checkSet & XT_RECENT_UPDATE && ret)) {
      t.update(e, now);
      e.ttl = ttl;
    }
    return ret;
  }

  save(): string {
    let s = this.inv ? ' !' : '';
    if (this.checkSet & XT_RECENT_SET) s += ' --set';
    if (this.checkSet & XT_RECENT_CHECK) s += ' --rcheck';
    if (this.checkSet & XT_RECENT_UPDATE) s += ' --update';
    if (this.checkSet & XT_RECENT_REMOVE) s += ' --remove';
    if (this.seconds) s += ` --seconds ${this.seconds}`;
    if (this.checkSet & XT_RECENT_REAP) s += ' --reap';
    if (this.hitCount) s += ` --hitcount ${this.hitCount}`;
    if (this.checkSet & XT_RECENT_TTL) s += ' --rttl';
    s += ` --name ${this.listName} --mask ${formatIpv4(this.mask)}`;
    s += this.side === XT_RECENT_SOURCE ? ' --rsource' : ' --rdest';
    return s;
  }

  list(_numeric: boolean): string {
    let s = (this.inv ? ' !' : '') + ' recent:';
    if (this.checkSet & XT_RECENT_SET) s += ' SET';
    if (this.checkSet & XT_RECENT_CHECK) s += ' CHECK';
    if (this.checkSet & XT_RECENT_UPDATE) s += ' UPDATE';
    if (this.checkSet & XT_RECENT_REMOVE) s += ' REMOVE';
    if (this.seconds) s += ` seconds: ${this.seconds}`;
    if (this.checkSet & XT_RECENT_REAP) s += ' reap';
    if (this.hitCount) s += ` hit_count: ${this.hitCount}`;
    if (this.checkSet & XT_RECENT_TTL) s += ' TTL-Match';
    s += ` name: ${this.listName}`;
    s += this.side === XT_RECENT_SOURCE ? ' side: source' : ' side: dest';
    s += ` mask: ${formatIpv4(this.mask)}`;
    return s;
  }
}

export const recentMatch: ExtensionDef<Match> = {
  name: 'recent',
  options: optionTable({
    set: 0, rcheck: 0, update: 0, remove: 0, seconds: 1, hitcount: 1, reap: 0, rttl: 0, name: 1, rsource: 0, rdest: 0, mask: 1,
  }),
  create: () => new RecentMatch(),
};
