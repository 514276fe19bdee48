// Test fixtures: a host's hook table with conntrack registered, packet builders
// and the traversals a packet makes (inbound, outbound, forwarded).

import { Scheduler } from '../../../src/model/scheduler.js';
import { RandomStream } from '../../../src/model/random.js';
import { parseIpv4 } from '../../../src/model/inet.js';
import { IPPROTO, Skb, TcpOptions } from '../../../src/model/skb.js';
import { NF, NF_INET, NfHookEntries } from '../../../src/netfilter/hooks.js';
import { Conntrack, type ConntrackOptions } from '../../../src/netfilter/conntrack/index.js';
import { NSEC_PER_SEC } from '../../../src/model/time.js';

export const ip = (s: string): number => parseIpv4(s)!;

export interface Rig {
  sim: Scheduler;
  hooks: NfHookEntries;
  ct: Conntrack;
  log: string[];
}

export function rig(opts: Partial<ConntrackOptions> = {}, seed = 1): Rig {
  const sim = new Scheduler();
  const hooks = new NfHookEntries();
  const log: string[] = [];
  const ct = new Conntrack({
    scheduler: sim, random: new RandomStream(seed, 'test:conntrack'), printk: (l) => log.push(l), hostName: 'h', ...opts,
  });
  ct.register(hooks);
  return { sim, hooks, ct, log };
}

export function tcp(src: string, sport: number, dst: string, dport: number, flags: number, seq = 1000, ack = 0, win = 65535, payload = 0): Skb {
  const s = new Skb();
  s.saddr = ip(src); s.daddr = ip(dst); s.protocol = IPPROTO.TCP; s.sport = sport; s.dport = dport;
  s.tcpFlags = flags; s.seq = seq >>> 0; s.ackSeq = ack >>> 0; s.window = win; s.payloadLen = payload;
  s.len = 40 + payload;
  return s;
}

export function synOpts(wscale = 7): TcpOptions {
  const o = new TcpOptions();
  o.mss = 1460; o.wscale = wscale; o.sackOk = true;
  return o;
}

export function udp(src: string, sport: number, dst: string, dport: number, payload = 10): Skb {
  const s = new Skb();
  s.saddr = ip(src); s.daddr = ip(dst); s.protocol = IPPROTO.UDP; s.sport = sport; s.dport = dport;
  s.payloadLen = payload; s.len = 28 + payload;
  return s;
}

export function icmp(src: string, dst: string, type: number, code: number, id = 0, seq = 0): Skb {
  const s = new Skb();
  s.saddr = ip(src); s.daddr = ip(dst); s.protocol = IPPROTO.ICMP; s.icmpType = type; s.icmpCode = code;
  s.icmpId = id; s.icmpSeq = seq; s.len = 84;
  return s;
}

/** PRE_ROUTING then LOCAL_IN, stopping at the first non-accept verdict. */
export function inbound(r: Rig, skb: Skb): number {
  const v = r.hooks.run(NF_INET.PRE_ROUTING, skb, 'eth0', 2, '', 0, r.sim.now);
  if (v !== NF.ACCEPT) return v;
  return r.hooks.run(NF_INET.LOCAL_IN, skb, 'eth0', 2, '', 0, r.sim.now);
}

/** LOCAL_OUT then POST_ROUTING. */
export function outbound(r: Rig, skb: Skb): number {
  const v = r.hooks.run(NF_INET.LOCAL_OUT, skb, '', 0, 'eth0', 2, r.sim.now);
  if (v !== NF.ACCEPT) return v;
  return r.hooks.run(NF_INET.POST_ROUTING, skb, '', 0, 'eth0', 2, r.sim.now);
}

/** PRE_ROUTING, FORWARD, POST_ROUTING. */
export function forward(r: Rig, skb: Skb, inDev = 'eth0', outDev = 'eth1'): number {
  let v = r.hooks.run(NF_INET.PRE_ROUTING, skb, inDev, 2, '', 0, r.sim.now);
  if (v !== NF.ACCEPT) return v;
  v = r.hooks.run(NF_INET.FORWARD, skb, inDev, 2, outDev, 3, r.sim.now);
  if (v !== NF.ACCEPT) return v;
  return r.hooks.run(NF_INET.POST_ROUTING, skb, inDev, 2, outDev, 3, r.sim.now);
}

/** Advances simulated time by `secs` seconds, running the gc worker on the way. */
export function advance(r: Rig, secs: number): void {
  r.sim.run(r.sim.now + Math.round(secs * NSEC_PER_SEC));
}
