import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IPPROTO, nfResetCt, quoteHeader, type Skb, TCPHDR } from '../../../src/model/skb.js';
import { NF, NF_INET } from '../../../src/netfilter/hooks.js';
import { IP_CT, IPS } from '../../../src/netfilter/nf_conntrack_common.js';
import type { NfConn } from '../../../src/netfilter/conntrack/nf_conn.js';
import { HZ, NfTuple } from '../../../src/netfilter/conntrack/nf_conntrack_tuple.js';
import { advance, icmp, inbound, ip, outbound, rig, tcp, udp, type Rig } from './helpers.js';

/** A client→server UDP exchange on port `sport`, replied `replied` times. */
function udpFlow(r: Rig, sport: number, replied: boolean): number {
  const v = inbound(r, udp('10.1.0.1', sport, '10.1.0.2', 53));
  if (v === NF.ACCEPT && replied) outbound(r, udp('10.1.0.2', 53, '10.1.0.1', sport));
  return v;
}

/** An established (ASSURED) TCP connection from client port `sport`. */
function tcpAssured(r: Rig, sport: number): number {
  const v = inbound(r, tcp('10.1.0.1', sport, '10.1.0.2', 80, TCPHDR.SYN, 1000, 0, 64240));
  if (v !== NF.ACCEPT) return v;
  outbound(r, tcp('10.1.0.2', 80, '10.1.0.1', sport, TCPHDR.SYN | TCPHDR.ACK, 5000, 1001, 65160));
  inbound(r, tcp('10.1.0.1', sport, '10.1.0.2', 80, TCPHDR.ACK, 1001, 5001, 502));
  return v;
}

describe('nf_conntrack_in / nf_confirm (nf_conntrack_core.c)', () => {
  it('an entry enters the table only at confirm (LOCAL_IN), not at PRE_ROUTING', () => {
    const r = rig();
    const p = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    r.hooks.run(NF_INET.PRE_ROUTING, p, 'eth0', 2, '', 0, 0);
    expect(p.ctinfo).toBe(IP_CT.NEW);
    expect(r.ct.entries()).toHaveLength(0);
    expect(r.ct.count).toBe(1);
    r.hooks.run(NF_INET.LOCAL_IN, p, 'eth0', 2, '', 0, 0);
    expect(r.ct.entries()).toHaveLength(1);
  });

  it('an entry never confirmed counts while its packet holds it, and dies when the packet is freed (nf_ct_put)', () => {
    const r = rig();
    const skb = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    r.hooks.run(NF_INET.PRE_ROUTING, skb, 'eth0', 2, '', 0, 0);
    advance(r, 0.001);
    expect(r.ct.count).toBe(1);
    expect(r.ct.entries()).toHaveLength(0);
    nfResetCt(skb);
    expect(r.ct.count).toBe(0);
    expect(r.ct.store.freeSlots()).toHaveLength(1);
  });

  it('the entry of a packet dropped before confirm dies with that packet, whatever else is confirmed meanwhile', () => {
    const r = rig();
    const dropped = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    r.hooks.run(NF_INET.PRE_ROUTING, dropped, 'eth0', 2, '', 0, 0);
    expect(inbound(r, udp('10.1.0.1', 1001, '10.1.0.2', 53))).toBe(NF.ACCEPT);
    expect(r.ct.count).toBe(2);
    nfResetCt(dropped);
    expect(r.ct.count).toBe(1);
    expect(r.ct.entries().map((e) => e.orig.sport)).toEqual([1001]);
  });

  it('new flows dropped before confirm do not fill the table, however many come in one event', () => {
    const r = rig({ sysctl: { nf_conntrack_max: 2 } });
    for (let p = 0; p < 10; p++) {
      const skb = udp('10.1.0.1', 1000 + p, '10.1.0.2', 53);
      r.hooks.run(NF_INET.PRE_ROUTING, skb, 'eth0', 2, '', 0, 0);
      expect(r.ct.count).toBe(1);
      nfResetCt(skb); // dropped in INPUT: kfree_skb
    }
    expect(r.ct.count).toBe(0);
    expect(r.ct.stats.total('early_drop') + r.ct.stats.total('drop')).toBe(0);
  });

  it('a reply is ESTABLISHED_REPLY and marks the entry replied', () => {
    const r = rig();
    udpFlow(r, 1000, false);
    const rep = udp('10.1.0.2', 53, '10.1.0.1', 1000);
    outbound(r, rep);
    expect(rep.ctinfo).toBe(IP_CT.ESTABLISHED_REPLY);
    expect(r.ct.entries()[0]!.status & 2).toBeTruthy();
  });

  it('UDP: 30 s unreplied; 120 s and ASSURED once replied traffic continues past 2 s', () => {
    const r = rig();
    udpFlow(r, 1000, true);
    let e = r.ct.entries()[0]!;
    expect(e.timeout).toBe(30);
    expect(e.status & IPS.ASSURED).toBe(0);
    advance(r, 2.5);
    inbound(r, udp('10.1.0.1', 1000, '10.1.0.2', 53));
    e = r.ct.entries()[0]!;
    expect(e.timeout).toBe(120);
    expect(e.status & IPS.ASSURED).toBeTruthy();
  });

  it('ICMP echo request/reply share one entry keyed by id, with inverted types', () => {
    const r = rig();
    inbound(r, icmp('10.1.0.1', '10.1.0.2', 8, 0, 4660, 1));
    const rep = icmp('10.1.0.2', '10.1.0.1', 0, 0, 4660, 1);
    outbound(r, rep);
    expect(rep.ctinfo).toBe(IP_CT.ESTABLISHED_REPLY);
    const e = r.ct.entries()[0]!;
    expect(e.orig.dport >>> 8).toBe(8);
    expect(e.reply.dport >>> 8).toBe(0);
    expect(e.timeout).toBe(30);
  });

  it('an ICMP error quoting a tracked flow is RELATED; one quoting nothing bumps `error`', () => {
    const r = rig();
    const out = udp('10.1.0.2', 5000, '8.8.8.8', 53);
    outbound(r, out);
    const err = icmp('9.9.9.9', '10.1.0.2', 3, 3);
    err.quoted = quoteHeader(out);
    inbound(r, err);
    expect(err.ctinfo).toBe(IP_CT.RELATED_REPLY);
    expect(err.nfct).not.toBeNull();
    const stray = icmp('9.9.9.9', '10.1.0.2', 3, 3);
    stray.quoted = quoteHeader(udp('10.1.0.2', 6000, '8.8.8.8', 53));
    inbound(r, stray);
    expect(stray.nfct).toBeNull();
    expect(r.ct.stats.total('error')).toBe(1);
  });

  it('UNTRACKED packets are skipped', () => {
    const r = rig();
    const p = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    r.ct.notrack(p);
    inbound(r, p);
    expect(p.ctinfo).toBe(IP_CT.UNTRACKED);
    expect(r.ct.count).toBe(0);
  });

  it('per-CPU statistics count on the CPU that handled the packet', () => {
    const r = rig({ ncpus: 2 });
    const p = tcp('10.1.0.1', 1, '10.1.0.2', 2, 0x03);
    p.cpu = 1;
    inbound(r, p);
    expect(r.ct.stats.cpu(1).invalid).toBe(1);
    expect(r.ct.stats.cpu(0).invalid).toBe(0);
  });

  it('two unconfirmed UDP entries for one flow: the second confirm merges into the first (clash_resolve)', () => {
    const r = rig();
    const a = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    const b = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    r.hooks.run(NF_INET.PRE_ROUTING, a, 'eth0', 2, '', 0, 0);
    r.hooks.run(NF_INET.PRE_ROUTING, b, 'eth0', 2, '', 0, 0);
    expect(r.hooks.run(NF_INET.LOCAL_IN, a, 'eth0', 2, '', 0, 0)).toBe(NF.ACCEPT);
    expect(r.hooks.run(NF_INET.LOCAL_IN, b, 'eth0', 2, '', 0, 0)).toBe(NF.ACCEPT);
    expect(b.nfct).toBe(a.nfct);
    expect(r.ct.stats.total('clash_resolve')).toBe(1);
    expect(r.ct.count).toBe(1);
  });

  it('a UDP race whose loser was NATed elsewhere keeps the loser for its replies only, for a second (nf_ct_resolve_clash_harder)', () => {
    const r = rig();
    const a = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    const b = udp('10.1.0.1', 1000, '10.1.0.2', 53);
    r.hooks.run(NF_INET.PRE_ROUTING, a, 'eth0', 2, '', 0, 0);
    r.hooks.run(NF_INET.PRE_ROUTING, b, 'eth0', 2, '', 0, 0);
    // The loser's flow was DNATed to another server, so its replies come from there.
    r.ct.alterReply(b.nfct as NfConn, new NfTuple().set(ip('10.1.0.3'), ip('10.1.0.1'), 53, 1000, IPPROTO.UDP));
    expect(r.hooks.run(NF_INET.LOCAL_IN, a, 'eth0', 2, '', 0, 0)).toBe(NF.ACCEPT);
    expect(r.hooks.run(NF_INET.LOCAL_IN, b, 'eth0', 2, '', 0, 0)).toBe(NF.ACCEPT);
    const loser = b.nfct as NfConn;
    expect(loser.base).not.toBe((a.nfct as NfConn).base);
    const bits = IPS.NAT_CLASH | IPS.CONFIRMED | IPS.FIXED_TIMEOUT;
    expect(loser.status & bits).toBe(bits);
    expect(loser.timeout - r.ct.nowJiffies).toBe(HZ);
    expect(r.ct.stats.total('clash_resolve')).toBe(1);
    expect(r.ct.count).toBe(2);
    // Only its REPLY node is hashed: a listing (ORIGINAL nodes) shows the winner alone, a reply finds the loser.
    expect(r.ct.entries()).toHaveLength(1);
    const reply = udp('10.1.0.3', 53, '10.1.0.1', 1000);
    r.hooks.run(NF_INET.PRE_ROUTING, reply, 'eth0', 2, '', 0, 0);
    expect((reply.nfct as NfConn).base).toBe(loser.base);
    expect(reply.ctinfo).toBe(IP_CT.ESTABLISHED_REPLY);
  });

  it('an insert into a chain longer than 50 + random(30) nodes fails (chaintoolong) and drops the packet', () => {
    const r = rig({ sysctl: { nf_conntrack_max: 1000, nf_conntrack_buckets: 1 }, eventLogSize: 0 });
    let accepted = 0;
    let dropped: Skb | null = null;
    for (let p = 0; p < 60 && dropped === null; p++) {
      const skb = udp('10.1.0.1', 1000 + p, '10.1.0.2', 53);
      if (inbound(r, skb) === NF.ACCEPT) accepted++;
      else dropped = skb;
    }
    // Two nodes per entry in the one bucket: the walk passes max_chainlen (50..79) with 26 to 40 entries in.
    expect(dropped).not.toBeNull();
    expect(accepted).toBeGreaterThanOrEqual(26);
    expect(accepted).toBeLessThanOrEqual(40);
    expect(r.ct.stats.total('chaintoolong')).toBe(1);
    expect(r.ct.stats.total('insert_failed')).toBe(1);
    expect(r.ct.count).toBe(accepted);
    expect(r.ct.entries()).toHaveLength(accepted);
    nfResetCt(dropped!);
    expect(r.ct.store.freeSlots()).toHaveLength(1);
  });

  it('the same race for TCP fails the insert and drops the packet', () => {
    const r = rig();
    const a = tcp('10.1.0.1', 1000, '10.1.0.2', 80, TCPHDR.SYN);
    const b = tcp('10.1.0.1', 1000, '10.1.0.2', 80, TCPHDR.SYN);
    r.hooks.run(NF_INET.PRE_ROUTING, a, 'eth0', 2, '', 0, 0);
    r.hooks.run(NF_INET.PRE_ROUTING, b, 'eth0', 2, '', 0, 0);
    r.hooks.run(NF_INET.LOCAL_IN, a, 'eth0', 2, '', 0, 0);
    expect(r.hooks.run(NF_INET.LOCAL_IN, b, 'eth0', 2, '', 0, 0)).toBe(NF.DROP);
    expect(r.ct.stats.total('insert_failed')).toBe(1);
    expect(r.ct.count).toBe(1);
  });
});

describe('table full (__nf_conntrack_alloc, early_drop)', () => {
  it('count never exceeds nf_conntrack_max, and below max no packet is dropped', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 64 }),
      fc.array(fc.tuple(fc.integer({ min: 1024, max: 1200 }), fc.boolean(), fc.boolean()), { maxLength: 120 }),
      (max, buckets, flows) => {
        const r = rig({ sysctl: { nf_conntrack_max: max, nf_conntrack_buckets: buckets }, eventLogSize: 0 });
        for (const [port, isTcp, replied] of flows) {
          const before = r.ct.count;
          const v = isTcp ? tcpAssured(r, port) : udpFlow(r, port, replied);
          if (before < max) expect(v).toBe(NF.ACCEPT);
          expect(r.ct.count).toBeLessThanOrEqual(max);
        }
      }), { numRuns: 60 });
  });

  it('with only ASSURED entries a new flow is dropped, counted and logged', () => {
    const r = rig({ sysctl: { nf_conntrack_max: 4, nf_conntrack_buckets: 1 } });
    for (let p = 2000; p < 2004; p++) expect(tcpAssured(r, p)).toBe(NF.ACCEPT);
    const v = udpFlow(r, 3000, false);
    expect(v).toBe(NF.DROP);
    expect(r.ct.stats.total('drop')).toBe(1);
    expect(r.ct.stats.total('early_drop')).toBe(0);
    expect(r.ct.count).toBe(4);
    expect(r.log).toEqual(['nf_conntrack: nf_conntrack: table full, dropping packet']);
    expect(r.hooks.state.dropReason).toBe(12);
  });

  it('with unassured entries in range early_drop evicts every one in the first bucket that has any', () => {
    const r = rig({ sysctl: { nf_conntrack_max: 3, nf_conntrack_buckets: 1 } });
    udpFlow(r, 1000, false);
    udpFlow(r, 1001, false);
    tcpAssured(r, 2000);
    expect(udpFlow(r, 1002, false)).toBe(NF.ACCEPT);
    expect(r.ct.stats.total('early_drop')).toBe(2);
    expect(r.ct.count).toBe(2);
  });

  it('with a huge bucket count early_drop mostly finds nothing near the new tuple and drops', () => {
    const r = rig({ sysctl: { nf_conntrack_max: 50, nf_conntrack_buckets: 262144 }, eventLogSize: 0 });
    for (let p = 0; p < 50; p++) udpFlow(r, 10000 + p, false);
    let dropped = 0;
    for (let p = 0; p < 100; p++) if (udpFlow(r, 20000 + p, false) === NF.DROP) dropped++;
    expect(dropped).toBeGreaterThan(90);
    expect(r.log.length).toBe(10); // net_ratelimit: 10 lines per 5 s
  });

  it('-F style flush lets new flows in again', () => {
    const r = rig({ sysctl: { nf_conntrack_max: 2, nf_conntrack_buckets: 16 } });
    tcpAssured(r, 1);
    tcpAssured(r, 2);
    expect(udpFlow(r, 9, false)).toBe(NF.DROP);
    expect(r.ct.flush()).toBe(2);
    expect(udpFlow(r, 9, false)).toBe(NF.ACCEPT);
  });

  it('after a table-full drop, the gc worker evicts closing TCP entries, ASSURED or not, until the count is under 95% of max', () => {
    // gc_worker with gc_work->early_drop: while count >= nf_conntrack_max / 100 * 95, gc_worker_can_early_drop entries go.
    const r = rig({ sysctl: { nf_conntrack_max: 100, nf_conntrack_buckets: 16 }, eventLogSize: 0 });
    for (let p = 0; p < 100; p++) {
      expect(tcpAssured(r, 1000 + p)).toBe(NF.ACCEPT);
      if (p % 2) inbound(r, tcp('10.1.0.1', 1000 + p, '10.1.0.2', 80, TCPHDR.FIN | TCPHDR.ACK, 1001, 5001, 502));
    }
    expect(r.ct.entries().filter((e) => e.status & IPS.ASSURED)).toHaveLength(100);
    advance(r, 5);
    expect(r.ct.count).toBe(100); // no pressure yet: nothing evicted
    expect(tcpAssured(r, 5000)).toBe(NF.DROP);
    // The next run comes within GC_SCAN_INTERVAL_MAX (60 s); FIN_WAIT lasts 120 s, so no entry has expired by then.
    advance(r, 61);
    const left = r.ct.entries();
    expect(left).toHaveLength(94);
    expect(left.filter((e) => e.state === 'ESTABLISHED')).toHaveLength(50);
    expect(left.filter((e) => e.state === 'FIN_WAIT')).toHaveLength(44);
  });

  it('the gc worker reaps an expired entry within 60 s of its expiry', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), (n) => {
      const r = rig({ eventLogSize: 0 });
      for (let i = 0; i < n; i++) udpFlow(r, 3000 + i, false);
      advance(r, 29.9);
      expect(r.ct.count).toBe(n);
      advance(r, 0.1 + 60);
      expect(r.ct.count).toBe(0);
    }), { numRuns: 10 });
  });
});

void ip;
