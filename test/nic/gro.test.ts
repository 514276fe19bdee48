import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GroState, GRO_HELD, GRO_MERGED_FREE, GRO_NORMAL, napiGroFlush, napiGroReceive } from '../../src/nic/gro.js';
import { IP, IPHDR_LEN, IPPROTO, Skb, TCPHDR, TcpOptions } from '../../src/model/skb.js';

const MSS = 1448;

interface SegSpec { flow: number; seq: number; len: number; flags?: number; id?: number; ts?: number }

function seg({ flow, seq, len, flags = TCPHDR.ACK, id, ts = 1000 }: SegSpec): Skb {
  const s = new Skb();
  s.saddr = 0x0a000001 + flow; s.daddr = 0x0a0000fe; s.protocol = IPPROTO.TCP; s.sport = 40000 + flow; s.dport = 5001;
  s.hash = flow * 2654435761 >>> 0; s.fragOff = IP.DF; s.ipId = id ?? 0; s.seq = seq >>> 0; s.ackSeq = 1; s.window = 502;
  s.tcpFlags = flags; s.tcpOpts = new TcpOptions(); s.tcpOpts.tsVal = ts; s.tcpOpts.tsEcr = 5;
  s.payloadLen = len; s.len = IPHDR_LEN + s.l4HeaderLen + len;
  return s;
}

function train(n: number, last = MSS): Skb[] {
  return Array.from({ length: n }, (_, i) => seg({ flow: 0, seq: 1 + i * MSS, len: i === n - 1 ? last : MSS, id: 10 + i }));
}

describe('dev_gro_receive / tcp_gro_receive', () => {
  it('holds the first full segment and merges the next in-order ones', () => {
    const gro = new GroState();
    const out: Skb[] = [];
    const [a, b, c] = train(3);
    expect(napiGroReceive(gro, a!, out)).toBe(GRO_HELD);
    expect(napiGroReceive(gro, b!, out)).toBe(GRO_MERGED_FREE);
    expect(napiGroReceive(gro, c!, out)).toBe(GRO_MERGED_FREE);
    expect(out).toEqual([]);
    napiGroFlush(gro, out);
    expect(out).toHaveLength(1);
    expect(out[0]!.id).toBe(a!.id);
    expect(out[0]!.parts).toEqual([a!.id, b!.id, c!.id]);
    expect([out[0]!.gsoSize, out[0]!.gsoSegs, out[0]!.payloadLen]).toEqual([MSS, 3, 3 * MSS]);
  });

  it('flushes the train when a shorter segment ends it, including that segment', () => {
    const gro = new GroState();
    const out: Skb[] = [];
    for (const s of train(4, 100)) napiGroReceive(gro, s, out);
    expect(out).toHaveLength(1);
    expect(out[0]!.payloadLen).toBe(3 * MSS + 100);
    expect(gro.held).toBe(0);
  });

  it('flushes on PSH after merging, and passes a lone SYN straight through', () => {
    const gro = new GroState();
    const out: Skb[] = [];
    const [a, b] = train(2);
    b!.tcpFlags |= TCPHDR.PSH;
    napiGroReceive(gro, a!, out);
    expect(napiGroReceive(gro, b!, out)).toBe(GRO_MERGED_FREE);
    expect(out[0]!.tcpFlags & TCPHDR.PSH).toBe(TCPHDR.PSH);
    expect(napiGroReceive(gro, seg({ flow: 3, seq: 0, len: 0, flags: TCPHDR.SYN }), out)).toBe(GRO_NORMAL);
  });

  it('does not merge a different TS value: the held one is flushed and the new one held', () => {
    const gro = new GroState();
    const out: Skb[] = [];
    const a = seg({ flow: 0, seq: 1, len: MSS, id: 1 });
    const b = seg({ flow: 0, seq: 1 + MSS, len: MSS, id: 2, ts: 1001 });
    napiGroReceive(gro, a, out);
    expect(napiGroReceive(gro, b, out)).toBe(GRO_HELD);
    expect(out.map((s) => [s.id, s.gsoSegs, s.gsoSize])).toEqual([[a.id, 0, 0]]);
  });

  it('stops at gro_max_size 65536: 45 segments of 1448 bytes', () => {
    const gro = new GroState();
    const out: Skb[] = [];
    for (const s of train(50)) napiGroReceive(gro, s, out);
    napiGroFlush(gro, out);
    expect(out.map((s) => s.gsoSegs)).toEqual([45, 5]);
    expect(out[0]!.len).toBeLessThan(65536);
  });

  it('lets UDP and fragments pass through untouched', () => {
    const gro = new GroState();
    const out: Skb[] = [];
    const u = seg({ flow: 1, seq: 0, len: 100 });
    u.protocol = IPPROTO.UDP;
    const f = seg({ flow: 2, seq: 0, len: MSS });
    f.fragOff = IP.MF;
    expect(napiGroReceive(gro, u, out)).toBe(GRO_NORMAL);
    expect(napiGroReceive(gro, f, out)).toBe(GRO_NORMAL);
    expect(out).toEqual([u, f]);
  });

  it('flushes the oldest of a bucket when a ninth flow arrives', () => {
    const gro = new GroState();
    const out: Skb[] = [];
    const flows = Array.from({ length: 9 }, (_, i) => seg({ flow: i * 8, seq: 1, len: MSS }));
    for (const s of flows) napiGroReceive(gro, s, out);
    expect(out.map((s) => s.id)).toEqual([flows[0]!.id]);
    expect(gro.held).toBe(8);
  });

  it('never merges across flows or over a sequence gap, and merged bytes equal the segments\' payloads', () => {
    const segArb = fc.record({
      flow: fc.integer({ min: 0, max: 3 }),
      gap: fc.constantFrom(0, 0, 0, 0, 1, -MSS),
      len: fc.constantFrom(MSS, MSS, MSS, 500, 0),
      psh: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(segArb, { maxLength: 80 }), fc.integer({ min: 1, max: 20 }), (specs, flushEvery) => {
        const gro = new GroState();
        const out: Skb[] = [];
        const nextSeq = [1, 1, 1, 1];
        const nextId = [0, 0, 0, 0];
        const byId = new Map<number, Skb>();
        const info = new Map<number, { flow: number; seq: number; len: number }>();
        specs.forEach((sp, i) => {
          const seq = nextSeq[sp.flow]! + sp.gap;
          const s = seg({ flow: sp.flow, seq, len: sp.len, flags: TCPHDR.ACK | (sp.psh && i % 5 === 0 ? TCPHDR.PSH : 0), id: nextId[sp.flow]! });
          nextId[sp.flow]!++;
          nextSeq[sp.flow] = seq + sp.len;
          byId.set(s.id, s);
          info.set(s.id, { flow: sp.flow, seq: s.seq, len: sp.len });
          napiGroReceive(gro, s, out);
          if (i % flushEvery === 0) napiGroFlush(gro, out);
        });
        napiGroFlush(gro, out);
        const seen: number[] = [];
        for (const o of out) {
          const parts = o.parts && o.gsoSegs > 1 ? o.parts : [o.id];
          const first = info.get(parts[0]!)!;
          let end = first.seq;
          let bytes = 0;
          for (const id of parts) {
            const p = info.get(id)!;
            expect(p.flow).toBe(first.flow);
            expect(p.seq).toBe(end >>> 0);
            end = p.seq + p.len;
            bytes += p.len;
            seen.push(id);
          }
          expect(o.payloadLen).toBe(bytes);
        }
        expect(seen.sort((a, b) => a - b)).toEqual([...byId.keys()].sort((a, b) => a - b));
      }),
    );
  });
});
