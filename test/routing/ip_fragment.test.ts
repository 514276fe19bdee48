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

describe('ip_do_fragment', () => {
  it('cuts 3000 B of UDP at MTU 1500 into 1480/1480/48 with offsets 0/1480/2960 (reference §7)', () => {
    const mib = new SnmpCounters();
    const frags = ipDoFragment(udp(3000), 1500, mib);
    expect(frags.map((f) => f.len)).toEqual([1500, 1500, 68]);
    expect(frags.map((f) => (f.fragOff & IP.OFFSET) * 8)).toEqual([0, 1480, 2960]);
    expect(frags.map((f) => (f.fragOff & IP.MF) !== 0)).toEqual([true, true, false]);
    expect(frags.map((f) => f.payloadLen)).toEqual([1472, 1480, 48]);
    expect(frags.every((f) => f.ipId === 7 && f.parts![0] !== undefined)).toBe(true);
    expect(frags.map((f) => f.l4HeaderLen)).toEqual([UDPHDR_LEN, 0, 0]);
    expect(mib.get('IpFragOKs')).toBe(1);
    expect(mib.get('IpFragCreates')).toBe(3);
  });

  it('carries 1280 bytes per fragment at a path MTU of 1300', () => {
    const frags = ipDoFragment(udp(3000), 1300, new SnmpCounters());
    expect(frags.slice(0, -1).every((f) => f.len - IPHDR_LEN === 1280)).toBe(true);
  });

  it('refuses a DF datagram with PKT_TOO_BIG, the MTU for the ICMP, and FragFails', () => {
    const mib = new SnmpCounters();
    expect(ipFragment(udp(3000, true), 1400, mib)).toEqual({ ok: false, reason: DropReason.PKT_TOO_BIG, mtu: 1400 });
    expect(mib.get('IpFragFails')).toBe(1);
    expect(mib.get('IpFragCreates')).toBe(0);
  });

  it('re-fragments a reassembled datagram to its largest received fragment', () => {
    const s = udp(3000);
    s.fragMaxSize = 1000;
    expect(ipNeedsFragment(s, 1500)).toBe(true);
    const frags = ipDoFragment(s, 1500, new SnmpCounters());
    expect(Math.max(...frags.map((f) => f.len))).toBeLessThanOrEqual(1000);
  });

  it('keeps a fragment\'s own offset and MF when it is fragmented again', () => {
    const s = udp(2000);
    s.fragOff = IP.MF | (800 >> 3);
    const frags = ipDoFragment(s, 1000, new SnmpCounters());
    expect((frags[0]!.fragOff & IP.OFFSET) * 8).toBe(800);
    expect(frags.every((f) => (f.fragOff & IP.MF) !== 0)).toBe(true);
  });
});

describe('fragmentation and reassembly round trip', () => {
  it('fragments respect the MTU and the 8-byte rule, and reassemble in any order to the original', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9000 }),
        fc.integer({ min: 68, max: 9000 }),
        fc.boolean(),
        fc.nat(),
        (payload, mtu, df, seed) => {
          const mib = new SnmpCounters();
          const orig = udp(payload, df);
          const r = ipNeedsFragment(orig, mtu) ? ipFragment(orig, mtu, mib) : { ok: true as const, skbs: [orig] };
          if (df && orig.len > mtu) {
            expect(r.ok).toBe(false);
            return;
          }
          if (!r.ok) throw new Error('unexpected refusal');
          const frags = r.skbs;
          for (const [i, f] of frags.entries()) {
            expect(f.len).toBeLessThanOrEqual(mtu);
            if (i < frags.length - 1) expect((f.len - IPHDR_LEN) % 8).toBe(0);
          }
          if (frags.length === 1) return;
          // Deliver in a shuffled order.
          const order = frags.map((_, i) => i);
          let x = seed;
          for (let i = order.length - 1; i > 0; i--) {
            x = (Math.imul(x, 1103515245) + 12345) >>> 0;
            const j = x % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          const d = new IpDefrag(new Scheduler(), mib, quietHost);
          let whole: Skb | number = FRAG_QUEUED;
          for (const i of order) whole = d.defrag(frags[i]!, IP_DEFRAG_LOCAL_DELIVER);
          if (typeof whole === 'number') throw new Error(`not reassembled: ${whole}`);
          expect(whole.len).toBe(orig.len);
          expect(whole.payloadLen).toBe(orig.payloadLen);
          expect(whole.fragOff & (IP.MF | IP.OFFSET)).toBe(0);
          expect(Array.from(whole.data!)).toEqual(Array.from(orig.data!));
          expect(whole.parts).toEqual(frags.map((f) => f.id));
          // ip_frag_queue keeps the largest fragment (q.max_size), which can be the
          // last one: the others are cut to a multiple of 8, the last is not.
          expect(whole.fragMaxSize).toBe(Math.max(...frags.map((f) => f.len)));
          expect(mib.get('IpReasmReqds')).toBe(frags.length);
          expect(mib.get('IpReasmOKs')).toBe(1);
          expect(d.queues).toBe(0);
          expect(d.mem).toBe(0);
        },
      ),
    );
  });

  it('records the last fragment as the largest when the others are rounded down to 8 bytes', () => {
    // 6713 B payload at MTU 69: 139 fragments of 48 B and a last one of 49 B (tot_len 69).
    const frags = ipDoFragment(udp(6713), 69, new SnmpCounters());
    expect(frags[0]!.len).toBe(68);
    expect(frags[frags.length - 1]!.len).toBe(69);
    const d = new IpDefrag(new Scheduler(), new SnmpCounters(), quietHost);
    let whole: Skb | number = FRAG_QUEUED;
    for (const f of frags) whole = d.defrag(f, IP_DEFRAG_LOCAL_DELIVER);
    expect(typeof whole === 'number' ? whole : whole.fragMaxSize).toBe(69);
  });
});
