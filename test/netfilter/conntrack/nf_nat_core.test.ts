import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quoteHeader, type Skb, TCPHDR } from '../../../src/model/skb.js';
import { formatIpv4 } from '../../../src/model/inet.js';
import { NF, NF_INET, type NfHookOps, type NfHookState } from '../../../src/netfilter/hooks.js';
import {
  IPS, type NatRange, NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC, NF_NAT_RANGE_MAP_IPS, NF_NAT_RANGE_PROTO_SPECIFIED,
} from '../../../src/netfilter/nf_conntrack_common.js';
import { forward, icmp, ip, rig, tcp, udp, type Rig } from './helpers.js';

const PUBLIC = '203.0.113.1';

/** A nat-table stand-in: binds every NEW packet it sees with `range`, counting its calls. */
function natTable(r: Rig, hook: 0 | 4, manip: number, range: () => NatRange | null): { calls: number } {
  const seen = { calls: 0 };
  const ops: NfHookOps = {
    name: 'iptable_nat', priority: hook === NF_INET.PRE_ROUTING ? -100 : 100,
    hook(skb: Skb, _st: NfHookState): number {
      seen.calls++;
      const rg = range();
      return rg ? r.ct.setupNat(skb, rg, manip) : NF.ACCEPT;
    },
  };
  r.ct.registerNatTable(hook, ops);
  return seen;
}

const snat = (): NatRange => ({ flags: NF_NAT_RANGE_MAP_IPS, minAddr: ip(PUBLIC), maxAddr: ip(PUBLIC), minPort: 0, maxPort: 0 });

describe('NAT (nf_nat_core.c)', () => {
  it('SNAT rewrites the source of every original packet and restores the destination of replies', () => {
    const r = rig();
    natTable(r, NF_INET.POST_ROUTING, NF_NAT_MANIP_SRC, snat);
    const out = udp('192.168.1.10', 5555, '8.8.8.8', 53);
    expect(forward(r, out, 'lan', 'wan')).toBe(NF.ACCEPT);
    expect(formatIpv4(out.saddr)).toBe(PUBLIC);
    const e = r.ct.entries()[0]!;
    expect(e.status & IPS.SRC_NAT).toBeTruthy();
    expect(formatIpv4(e.reply.dst)).toBe(PUBLIC);
    const back = udp('8.8.8.8', 53, PUBLIC, out.sport);
    forward(r, back, 'wan', 'lan');
    expect(formatIpv4(back.daddr)).toBe('192.168.1.10');
    expect(back.dport).toBe(5555);
  });

  it('the nat table sees only the first packet; later packets are translated all the same', () => {
    const r = rig();
    const t = natTable(r, NF_INET.POST_ROUTING, NF_NAT_MANIP_SRC, snat);
    for (let i = 0; i < 5; i++) {
      const p = udp('192.168.1.10', 5555, '8.8.8.8', 53);
      forward(r, p, 'lan', 'wan');
      expect(formatIpv4(p.saddr)).toBe(PUBLIC);
    }
    expect(t.calls).toBe(1);
  });

  it('a flow that matched no NAT rule gets a null binding that later rule changes do not affect', () => {
    const r = rig();
    let active = false;
    natTable(r, NF_INET.POST_ROUTING, NF_NAT_MANIP_SRC, () => (active ? snat() : null));
    const p1 = udp('192.168.1.10', 5555, '8.8.8.8', 53);
    forward(r, p1, 'lan', 'wan');
    expect(r.ct.entries()[0]!.status & IPS.SRC_NAT_DONE).toBeTruthy();
    active = true;
    const p2 = udp('192.168.1.10', 5555, '8.8.8.8', 53);
    forward(r, p2, 'lan', 'wan');
    expect(formatIpv4(p2.saddr)).toBe('192.168.1.10');
  });

  it('DNAT rewrites the destination, asks for a new route and round-trips the reply', () => {
    const r = rig();
    natTable(r, NF_INET.PRE_ROUTING, NF_NAT_MANIP_DST, () => ({
      flags: NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED, minAddr: ip('10.0.0.5'), maxAddr: ip('10.0.0.5'), minPort: 8080, maxPort: 8080,
    }));
    const syn = tcp('198.51.100.7', 40000, PUBLIC, 80, TCPHDR.SYN);
    forward(r, syn, 'wan', 'lan');
    expect(formatIpv4(syn.daddr)).toBe('10.0.0.5');
    expect(syn.dport).toBe(8080);
    expect(r.hooks.state.rerouteNeeded).toBe(false); // reset by the later POST_ROUTING traversal
    const e = r.ct.entries()[0]!;
    expect(e.status & IPS.DST_NAT).toBeTruthy();
    const synack = tcp('10.0.0.5', 8080, '198.51.100.7', 40000, TCPHDR.SYN | TCPHDR.ACK, 5000, 1001);
    forward(r, synack, 'lan', 'wan');
    expect(formatIpv4(synack.saddr)).toBe(PUBLIC);
    expect(synack.sport).toBe(80);
  });

  it('DNAT at PRE_ROUTING sets state.rerouteNeeded', () => {
    const r = rig();
    natTable(r, NF_INET.PRE_ROUTING, NF_NAT_MANIP_DST, () => ({
      flags: NF_NAT_RANGE_MAP_IPS, minAddr: ip('10.0.0.5'), maxAddr: ip('10.0.0.5'), minPort: 0, maxPort: 0,
    }));
    const p = udp('198.51.100.7', 4000, PUBLIC, 53);
    r.hooks.run(NF_INET.PRE_ROUTING, p, 'wan', 2, '', 0, 0);
    expect(r.hooks.state.rerouteNeeded).toBe(true);
  });

  it('two inside hosts using the same source port get distinct public ports (round trips restore both)', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 1000 }), (hosts, seed) => {
      const r = rig({ eventLogSize: 0 }, seed);
      natTable(r, NF_INET.POST_ROUTING, NF_NAT_MANIP_SRC, snat);
      const mapped: number[] = [];
      for (let h = 0; h < hosts; h++) {
        const p = udp(`192.168.1.${10 + h}`, 5555, '8.8.8.8', 53);
        forward(r, p, 'lan', 'wan');
        expect(formatIpv4(p.saddr)).toBe(PUBLIC);
        mapped.push(p.sport);
      }
      expect(new Set(mapped).size).toBe(hosts);
      mapped.forEach((port, h) => {
        const back = udp('8.8.8.8', 53, PUBLIC, port);
        forward(r, back, 'wan', 'lan');
        expect(formatIpv4(back.daddr)).toBe(`192.168.1.${10 + h}`);
        expect(back.dport).toBe(5555);
      });
    }), { numRuns: 30 });
  });

  it('an ICMP error about a SNATed flow is translated back to the inside host, quote included', () => {
    const r = rig();
    natTable(r, NF_INET.POST_ROUTING, NF_NAT_MANIP_SRC, snat);
    const out = udp('192.168.1.10', 5555, '8.8.8.8', 53);
    forward(r, out, 'lan', 'wan');
    const err = icmp('8.8.8.8', PUBLIC, 3, 3);
    err.quoted = quoteHeader(out);
    forward(r, err, 'wan', 'lan');
    expect(formatIpv4(err.daddr)).toBe('192.168.1.10');
    expect(formatIpv4(err.quoted!.saddr)).toBe('192.168.1.10');
    expect(err.quoted!.sport).toBe(5555);
  });
});
