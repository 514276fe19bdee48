import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nfResetCt, type Skb, TCPHDR } from '../../../src/model/skb.js';
import { NF } from '../../../src/netfilter/hooks.js';
import { Ct, NfConn } from '../../../src/netfilter/conntrack/nf_conn.js';
import type { Conntrack } from '../../../src/netfilter/conntrack/index.js';
import { advance, inbound, outbound, rig, tcp, udp, type Rig } from './helpers.js';

/**
 * The hash table's shape: every chain's links agree both ways (hnnode.pprev
 * of each node names the node before it, or its bucket), every node hangs in
 * the bucket its tuple hashes to, and each live confirmed entry has both
 * nodes in the table exactly once, in a slot not on the free stack; a slot
 * has a handle bound exactly while packets hold it. Returns the slots found.
 */
function checkTable(ct: Conntrack): Set<number> {
  const w = ct.store.words;
  const seen = new Map<number, number>();
  const free = new Set(ct.store.freeSlots());
  for (let bucket = 0; bucket < ct.htableSize; bucket++) {
    let prev = -2 - bucket;
    for (let n = ct.heads[bucket]!; n !== Ct.NULLS; n = w[((n >> 1) << Ct.SHIFT) + Ct.NEXT + (n & 1)]!) {
      const b = (n >> 1) << Ct.SHIFT;
      expect(w[b + Ct.PPREV + (n & 1)]).toBe(prev);
      expect((ct as unknown as { bucketOf(b: number, d: number): number }).bucketOf(b, n & 1)).toBe(bucket);
      seen.set(n >> 1, (seen.get(n >> 1) ?? 0) | (1 << (n & 1)));
      prev = n;
    }
  }
  for (const [slot, dirs] of seen) {
    expect(free.has(slot)).toBe(false);
    expect(dirs).toBe(3);
  }
  // A slot has a handle exactly while packets hold it, and a free slot is held by none.
  for (let slot = 0; slot < ct.store.nslots; slot++) {
    const use = w[(slot << Ct.SHIFT) + Ct.USE]!;
    expect(ct.store.handles[slot] !== null).toBe(use > 0);
    if (use > 0) expect(ct.store.handles[slot]!.base).toBe(slot << Ct.SHIFT);
    if (free.has(slot)) expect(use).toBe(0);
  }
  return new Set(seen.keys());
}

/** A few packets of one flow, chosen by `kind`; returns the packets it sent. */
function flowStep(r: Rig, kind: number, port: number): { verdicts: number[]; skbs: Skb[] } {
  const verdicts: number[] = [];
  const skbs: Skb[] = [];
  const send = (dirIn: boolean, s: Skb): void => {
    skbs.push(s);
    verdicts.push(dirIn ? inbound(r, s) : outbound(r, s));
  };
  switch (kind) {
    case 0: // UDP, unreplied
      send(true, udp('10.1.0.1', port, '10.1.0.2', 53));
      break;
    case 1: // UDP, replied
      send(true, udp('10.1.0.1', port, '10.1.0.2', 53));
      send(false, udp('10.1.0.2', 53, '10.1.0.1', port));
      break;
    case 2: // TCP SYN only
      send(true, tcp('10.1.0.1', port, '10.1.0.2', 80, TCPHDR.SYN, 1000, 0, 64240));
      break;
    case 3: // TCP handshake
      send(true, tcp('10.1.0.1', port, '10.1.0.2', 80, TCPHDR.SYN, 1000, 0, 64240));
      send(false, tcp('10.1.0.2', 80, '10.1.0.1', port, TCPHDR.SYN | TCPHDR.ACK, 5000, 1001, 65160));
      send(true, tcp('10.1.0.1', port, '10.1.0.2', 80, TCPHDR.ACK, 1001, 5001, 502));
      break;
    case 4: // a FIN from the client
      send(true, tcp('10.1.0.1', port, '10.1.0.2', 80, TCPHDR.FIN | TCPHDR.ACK, 1001, 5001, 502));
      break;
    default: // a RST from the server
      send(false, tcp('10.1.0.2', 80, '10.1.0.1', port, TCPHDR.RST, 5001, 0, 0));
      break;
  }
  return { verdicts, skbs };
}

type Op = { kind: number; port: number } | { flush: true } | { wait: number } | { buckets: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.integer({ min: 0, max: 5 }), port: fc.integer({ min: 1000, max: 1030 }) }) },
  { weight: 1, arbitrary: fc.constant({ flush: true as const }) },
  { weight: 2, arbitrary: fc.record({ wait: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ buckets: fc.integer({ min: 1, max: 32 }) }) },
);

/** Runs `ops`; with `release`, every packet lets go of its entry once it has passed, so dead entries are recycled. */
function play(ops: Op[], max: number, release: boolean): { verdicts: number[]; tables: string[]; r: Rig } {
  const r = rig({ sysctl: { nf_conntrack_max: max, nf_conntrack_buckets: 4 }, eventLogSize: 64 });
  const verdicts: number[] = [];
  const tables: string[] = [];
  for (const op of ops) {
    if ('kind' in op) {
      const s = flowStep(r, op.kind, op.port);
      verdicts.push(...s.verdicts);
      if (release) for (const skb of s.skbs) nfResetCt(skb);
    } else if ('flush' in op) {
      r.ct.flush();
    } else if ('wait' in op) {
      advance(r, op.wait);
    } else {
      r.ct.setSysctl('net.netfilter.nf_conntrack_buckets', op.buckets);
    }
    advance(r, 0.001);
    checkTable(r.ct);
    tables.push(JSON.stringify([r.ct.count, r.ct.entries(), r.ct.events.since(0)]));
  }
  return { verdicts, tables, r };
}

describe('entry records and recycling (struct nf_conn, nf_conntrack_cachep)', () => {
  it('recycling dead entries changes nothing a rule, a tool or the event log can see', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), fc.integer({ min: 2, max: 12 }), (ops, max) => {
      const held = play(ops, max, false);
      const released = play(ops, max, true);
      expect(released.verdicts).toEqual(held.verdicts);
      expect(released.tables).toEqual(held.tables);
    }), { numRuns: 150 });
  });

  it('a dead entry is reused only after the last packet holding it lets go', () => {
    const r = rig();
    const syn = tcp('10.1.0.1', 1000, '10.1.0.2', 80, TCPHDR.SYN, 1000, 0, 64240);
    expect(inbound(r, syn)).toBe(NF.ACCEPT);
    const first = (syn.nfct as NfConn).slot;
    expect((syn.nfct as NfConn).use).toBe(1);
    r.ct.flush();
    const other = udp('10.1.0.1', 2000, '10.1.0.2', 53);
    inbound(r, other);
    expect((other.nfct as NfConn).slot).not.toBe(first);
    nfResetCt(syn);
    const third = udp('10.1.0.1', 3000, '10.1.0.2', 53);
    inbound(r, third);
    expect((third.nfct as NfConn).slot).toBe(first);
  });

  it('a packet holds the one handle bound to its entry, and lets it go with the last reference', () => {
    const r = rig();
    const a = tcp('10.1.0.1', 1000, '10.1.0.2', 80, TCPHDR.SYN, 1000, 0, 64240);
    inbound(r, a);
    const b = tcp('10.1.0.1', 1000, '10.1.0.2', 80, TCPHDR.SYN, 1000, 0, 64240);
    inbound(r, b);
    const h = a.nfct as NfConn;
    expect(b.nfct).toBe(h);
    expect(r.ct.store.handles[h.slot]).toBe(h);
    nfResetCt(a);
    expect(r.ct.store.handles[h.slot]).toBe(h);
    nfResetCt(b);
    expect(r.ct.store.handles[h.slot]).toBeNull();
    expect(r.ct.count).toBe(1);
  });

  it('each copy of a packet (fragments, GSO segments) holds its own reference (__nf_copy)', () => {
    const r = rig();
    const syn = tcp('10.1.0.1', 1000, '10.1.0.2', 80, TCPHDR.SYN, 1000, 0, 64240);
    inbound(r, syn);
    const c = syn.nfct as NfConn;
    const slot = c.slot;
    const copies = [syn.copyHeaders(), syn.copyHeaders()];
    expect(c.use).toBe(3);
    nfResetCt(syn);
    r.ct.flush();
    nfResetCt(copies[0]!);
    expect(r.ct.store.freeSlots()).not.toContain(slot);
    nfResetCt(copies[1]!);
    expect(r.ct.store.freeSlots()).toContain(slot);
  });

  it('a recycled entry starts exactly as a fresh one', () => {
    const used = rig();
    for (let p = 0; p < 3; p++) {
      const s = flowStep(used, 3, 1000 + p);
      const c = s.skbs[0]!.nfct as NfConn;
      c.mark = 0x5a;
      c.acct = [1, 2, 3, 4];
      for (const skb of s.skbs) nfResetCt(skb);
    }
    used.ct.flush();
    const fresh = rig();
    const a = tcp('10.1.0.1', 4000, '10.1.0.2', 80, TCPHDR.SYN, 7, 0, 1000);
    const b = tcp('10.1.0.1', 4000, '10.1.0.2', 80, TCPHDR.SYN, 7, 0, 1000);
    inbound(used, a);
    inbound(fresh, b);
    const ra = a.nfct as NfConn;
    const rb = b.nfct as NfConn;
    expect(ra.slot).toBeLessThan(3);
    const fields = (c: NfConn): unknown[] => [c.acct, Array.from(c.store.words.slice(c.base, c.base + (1 << Ct.SHIFT)))];
    expect(fields(ra)).toEqual(fields(rb));
  });

  it('the record store grows by doubling up to nf_conntrack_max, then by 1/64 (at least 256 slots)', () => {
    const r = rig({ sysctl: { nf_conntrack_max: 1000, nf_conntrack_buckets: 64 }, eventLogSize: 0 });
    for (let p = 0; p < 1000; p++) flowStep(r, 1, 1000 + p);
    expect(r.ct.count).toBe(1000);
    expect(r.ct.store.words.length >> Ct.SHIFT).toBe(1000);
    // Dead entries still held by their packets keep their slots: the next one needs a new slot.
    r.ct.flush();
    inbound(r, udp('10.9.0.1', 1, '10.1.0.2', 53));
    expect(r.ct.store.words.length >> Ct.SHIFT).toBe(1256);
    expect(checkTable(r.ct).size).toBe(1);
  });

  it('under a SYN flood at nf_conntrack_max, each entry takes the slot early_drop just freed: the store stays at max slots', () => {
    const max = 64;
    const r = rig({ sysctl: { nf_conntrack_max: max, nf_conntrack_buckets: max }, eventLogSize: 0 });
    for (let i = 0; i < 5000; i++) {
      const syn = tcp(`10.2.${i >> 8 & 255}.${i & 255}`, 1024 + i, '10.1.0.2', 80, TCPHDR.SYN, i, 0, 64240);
      expect(inbound(r, syn)).toBe(NF.ACCEPT);
      nfResetCt(syn);
    }
    expect(r.ct.stats.total('early_drop')).toBeGreaterThan(4000);
    expect(r.ct.count).toBeLessThanOrEqual(max);
    expect(r.ct.store.nslots).toBe(max);
    checkTable(r.ct);
  });
});
