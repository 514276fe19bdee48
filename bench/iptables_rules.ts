// The iptables workload of `npm run bench`: one packet through INPUT with N
// non-matching rules before the one that accepts it, for N = 10, 100, 1000.
// Wall time per packet divided by rules traversed should stay flat as N
// grows: a packet costs what it traverses, linearly.

import { NF_INET, NfHookEntries } from '../src/netfilter/hooks.js';
import { installRuleset, parseIptablesSave } from '../src/netfilter/iptables/index.js';
import { IPPROTO, Skb } from '../src/model/skb.js';
import type { RuleHost } from '../src/netfilter/nf_conntrack_common.js';

const host: RuleHost = {
  name: 'bench', now: () => 0, printk: () => {}, addrType: () => 1, devAddr: () => null,
  sendUnreach: () => {}, sendReset: () => {}, ipsetTest: () => undefined, random: () => 0.5,
  conntrack: null, requireConntrack: () => {},
};

export function iptablesRules(n: number, packets: number) {
  const text = `*filter\n:INPUT ACCEPT [0:0]\n${Array.from({ length: n }, (_, i) => `-A INPUT -p tcp -m tcp --dport ${10000 + i} -j DROP\n`).join('')}-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n`;
  const parsed = parseIptablesSave(text, 'bench.rules');
  if (!('ruleset' in parsed) || !parsed.ruleset) throw new Error('bench ruleset does not parse');
  const hooks = new NfHookEntries();
  installRuleset(parsed.ruleset, hooks, host);
  const skb = new Skb();
  skb.protocol = IPPROTO.TCP;
  skb.saddr = 0x0a000001;
  skb.daddr = 0x0a000002;
  skb.sport = 40000;
  skb.dport = 80;
  skb.len = 60;
  const t0 = performance.now();
  for (let i = 0; i < packets; i++) hooks.run(NF_INET.LOCAL_IN, skb, 'eth0', 2, '', 0, 0);
  const wall = (performance.now() - t0) / 1000;
  return {
    name: `iptables-${n}-rules`, packets, events: 0, wall_s: Number(wall.toFixed(3)),
    packets_per_s: Math.round(packets / wall), events_per_s: 0, heap_bytes: process.memoryUsage().heapUsed,
    rules_traversed: n + 1, ns_per_rule: Number(((wall * 1e9) / packets / (n + 1)).toFixed(2)),
  };
}
