import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipFragment, ipDoFragment, ipNeedsFragment } from '../../src/routing/ip_fragment.js';
import { IpDefrag, FRAG_QUEUED, IP_DEFRAG_LOCAL_DELIVER, type DefragHost } from '../../src/routing/ip_defrag.js';
import { Scheduler } from '../../src/model/scheduler.js';
import { MIB, SnmpCounters } from '../../src/model/snmp.js';
import { DropReason } from '../../src/model/drop_reason.js';
import { IP, IPHDR_LEN, IPPROTO, Skb, UDPHDR_LEN } from '../../src/model/skb.js';

function udp(payload: number, df = false, id = 7): Skb {
  const s = new Skb();
  s.saddr = 0x0a000001; s.daddr = 0x0a000002; s.protocol = IPPROTO.UDP; s.sport = 1234; s.dport = 53;
  s.ipId = id; s.payloadLen = payload; s.len = IPHDR_LEN + UDPHDR_LEN + payload; s.fragOff = df ? IP.DF : 0;
  s.data = Uint8Array.from({ length: payload }, (_, i) => (i * 7 + 3) & 255);
  return s;
}

const quietHost: DefragHost = { fragDropped: () => {}, sendTimeExceeded: () => {} };

describe('ip_defrag', () => {
  const frags = (): Skb[] => ipDoFragment(udp(3000), 1500, new SnmpCounters());

  it('times out after ipfrag_time with ReasmTimeout, ReasmFails and ICMP 11/1 when fragment 0 arrived', () => {
    const sim = new Scheduler();
    const mib = new SnmpCounters();
    const icmp: Skb[] = [];
    const dropped: number[] = [];
    const d = new IpDefrag(sim, mib, { fragDropped: (_s, r) => dropped.push(r), sendTimeExceeded: (h) => icmp.push(h) });
    const [f0, , f2] = frags();
    d.defrag(f0!, 0);
    d.defrag(f2!, 0);
    sim.run(29_999_999_999);
    expect(mib.get('IpReasmTimeout')).toBe(0);
    sim.run();
    expect(sim.now).toBe(30_000_000_000);
    expect(mib.get('IpReasmTimeout')).toBe(1);
    expect(mib.get('IpReasmFails')).toBe(1);
    expect(icmp.map((s) => s.id)).toEqual([f0!.id]);
    expect(dropped).toEqual([DropReason.FRAG_REASM_TIMEOUT, DropReason.FRAG_REASM_TIMEOUT]);
    expect(d.mem).toBe(0);
  });

  it('sends no ICMP on timeout when fragment 0 never arrived', () => {
    const sim = new Scheduler();
    const icmp: Skb[] = [];
    const d = new IpDefrag(sim, new SnmpCounters(), { fragDropped: () => {}, sendTimeExceeded: (h) => icmp.push(h) });
    d.defrag(frags()[1]!, 0);
    sim.run();
    expect(icmp).toEqual([]);
  });

  it('drops a duplicate with DUP_FRAG and still completes', () => {
    const d = new IpDefrag(new Scheduler(), new SnmpCounters(), quietHost);
    const [a, b, c] = frags();
    expect(d.defrag(a!, 0)).toBe(FRAG_QUEUED);
    expect(d.defrag(a!.copyHeaders(), 0)).toBe(DropReason.DUP_FRAG);
    d.defrag(b!, 0);
    expect(d.defrag(c!, 0)).toBeInstanceOf(Skb);
  });

  it('discards the whole queue on an overlap (ReasmOverlaps, ReasmFails)', () => {
    const mib = new SnmpCounters();
    const dropped: number[] = [];
    const d = new IpDefrag(new Scheduler(), mib, { fragDropped: (_s, r) => dropped.push(r), sendTimeExceeded: () => {} });
    const [a, b] = frags();
    d.defrag(a!, 0);
    const bad = b!.copyHeaders();
    bad.fragOff = IP.MF | (1472 >> 3); // starts 8 bytes inside fragment 0
    expect(d.defrag(bad, 0)).toBe(DropReason.NOT_SPECIFIED);
    expect(mib.get('IpExtReasmOverlaps')).toBe(1);
    expect(mib.get('IpReasmFails')).toBe(1);
    expect(dropped).toHaveLength(1);
    expect(d.queues).toBe(0);
  });

  it('drops new fragments above ipfrag_high_thresh with ReasmFails', () => {
    const mib = new SnmpCounters();
    const d = new IpDefrag(new Scheduler(), mib, quietHost);
    d.highThresh = 3000;
    const results: Array<Skb | number> = [];
    for (let id = 0; id < 5; id++) results.push(d.defrag(ipDoFragment(udp(3000, false, id), 1500, new SnmpCounters())[0]!, 0));
    expect(results.filter((r) => r === DropReason.NOMEM).length).toBeGreaterThan(0);
    expect(mib.get('IpReasmFails')).toBe(results.filter((r) => r === DropReason.NOMEM).length);
  });

  it('restarts a queue with FRAG_TOO_FAR after more than ipfrag_max_dist fragments from the same peer', () => {
    const mib = new SnmpCounters();
    const dropped: number[] = [];
    const d = new IpDefrag(new Scheduler(), mib, { fragDropped: (_s, r) => dropped.push(r), sendTimeExceeded: () => {} });
    const [a, b, c] = frags();
    d.defrag(a!, 0);
    for (let id = 100; id < 165; id++) d.defrag(ipDoFragment(udp(3000, false, id), 1500, new SnmpCounters())[1]!, 0);
    d.defrag(b!, 0);
    expect(dropped).toEqual([DropReason.FRAG_TOO_FAR]);
    expect(d.defrag(c!, 0)).toBe(FRAG_QUEUED); // fragment 0 was lost with the restart
  });

  it('keeps queues of different users apart', () => {
    const d = new IpDefrag(new Scheduler(), new SnmpCounters(), quietHost);
    const [a, b, c] = frags();
    d.defrag(a!, 0);
    d.defrag(b!, 0);
    expect(d.defrag(c!, 2)).toBe(FRAG_QUEUED);
    expect(d.queues).toBe(2);
  });
});
