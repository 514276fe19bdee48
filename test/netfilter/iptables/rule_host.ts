// A RuleHost for unit tests: a host with a few interfaces and addresses, a
// kernel log, ipsets, a seeded random stream and a conntrack stand-in that
// records the NAT bindings and notrack calls the targets ask for.

import { RandomStream } from '../../../src/model/random.js';
import { nfResetCt, type Skb } from '../../../src/model/skb.js';
import { parseIpv4 } from '../../../src/model/inet.js';
import {
  type ConntrackApi, IP_CT, type NatRange, NF_NAT_MANIP_DST, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST,
  type RuleHost,
} from '../../../src/netfilter/nf_conntrack_common.js';
import { NF } from '../../../src/netfilter/hooks.js';

export interface NatCall {
  skb: number;
  manip: number;
  range: NatRange;
}

export class TestConntrack implements ConntrackApi {
  readonly natCalls: NatCall[] = [];
  setupNat(skb: Skb, range: NatRange, manip: number): number {
    this.natCalls.push({ skb: skb.id, manip, range: { ...range } });
    if (manip === NF_NAT_MANIP_DST && range.minAddr) skb.daddr = range.minAddr;
    return NF.ACCEPT;
  }
  notrack(skb: Skb): void {
    nfResetCt(skb);
    skb.ctinfo = IP_CT.UNTRACKED;
  }
}

export class TestRuleHost implements RuleHost {
  readonly name = 'test';
  time = 0;
  readonly log: string[] = [];
  readonly unreach: { skb: number; code: number }[] = [];
  readonly resets: number[] = [];
  /** ifname → address/prefix. */
  readonly addrs = new Map<string, [number, number]>([
    ['eth0', [parseIpv4('192.168.1.2')!, 24]],
    ['lo', [parseIpv4('127.0.0.1')!, 8]],
  ]);
  readonly ipsets = new Map<string, Set<number>>();
  readonly rng = new RandomStream(1, 'iptables-test');
  conntrack: TestConntrack | null = null;
  conntrackRequests = 0;

  now(): number {
    return this.time;
  }
  printk(line: string): void {
    this.log.push(line);
  }
  addrType(addr: number, ifname?: string): number {
    if (addr >>> 28 === 0xe) return RTN_MULTICAST;
    if (addr === 0xffffffff) return RTN_BROADCAST;
    for (const [dev, [a, len]] of this.addrs) {
      if (ifname !== undefined && dev !== ifname) continue;
      if (a === addr) return RTN_LOCAL;
      const hostBits = 32 - len;
      const bcast = ((a >>> hostBits) << hostBits | ((2 ** hostBits) - 1)) >>> 0;
      if (len < 31 && addr === bcast) return RTN_BROADCAST;
      if (dev === 'lo' && addr >>> 24 === 127 && ifname === undefined) return RTN_LOCAL;
    }
    return RTN_UNICAST;
  }
  devAddr(ifname: string): number | null {
    return this.addrs.get(ifname)?.[0] ?? null;
  }
  sendUnreach(skb: Skb, code: number): void {
    this.unreach.push({ skb: skb.id, code });
  }
  sendReset(skb: Skb): void {
    this.resets.push(skb.id);
  }
  ipsetTest(name: string, skb: Skb, dirs: readonly ('src' | 'dst')[]): boolean | undefined {
    const set = this.ipsets.get(name);
    if (!set) return undefined;
    return set.has(dirs[0] === 'dst' ? skb.daddr : skb.saddr);
  }
  random(): number {
    return this.rng.next();
  }
  requireConntrack(): void {
    this.conntrackRequests++;
    this.conntrack ??= new TestConntrack();
  }
}
