import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKSUM_PARTIAL, IP, IPPROTO, Skb, TcpOptions, tcpOptionsLen } from '../../src/model/skb.js';
import { checksumOf, onesSum, partialChecksum, pseudoHeaderSum, readU16 } from '../../src/wire/checksum.js';
import { WireError } from '../../src/wire/error.js';
import { emitFrame, ethernetToSll, LINKTYPE_LINUX_SLL, parseFrame } from '../../src/wire/frame.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

const tcpOpts = fc.record({
  mss: fc.oneof(fc.constant(-1), u16), wscale: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 14 })),
  sackOk: fc.boolean(), tsVal: fc.oneof(fc.constant(-1), u32), tsEcr: u32,
  sack: fc.oneof(fc.constant(null), fc.array(u32, { minLength: 2, maxLength: 6 }).map((a) => a.slice(0, a.length & ~1))),
}).map((o) => {
  const t = Object.assign(new TcpOptions(), o);
  if (t.tsVal < 0) t.tsEcr = -1;
  if (t.sack && t.sack.length === 0) t.sack = null;
  if (t.sack) { t.mss = -1; t.wscale = -1; } // SACK blocks ride on data segments, never on a SYN (40 bytes of options at most)
  return t.mss < 0 && t.wscale < 0 && !t.sackOk && t.tsVal < 0 && !t.sack ? null : t;
});

const skbArb = fc.record({
  proto: fc.constantFrom(IPPROTO.TCP, IPPROTO.UDP, IPPROTO.ICMP), saddr: u32, daddr: u32, sport: u16, dport: u16,
  seq: u32, ack: u32, flags: fc.integer({ min: 0, max: 255 }), win: u16, payload: fc.integer({ min: 0, max: 1600 }),
  ttl: fc.integer({ min: 1, max: 255 }), tos: fc.integer({ min: 0, max: 255 }), id: u16, df: fc.boolean(),
  opts: fc.oneof(fc.constant(null), tcpOpts), icmpId: u16, icmpSeq: u16, mac: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
}).map((r) => {
  const s = new Skb();
  s.protocol = r.proto; s.saddr = r.saddr; s.daddr = r.daddr; s.ttl = r.ttl; s.tos = r.tos; s.ipId = r.id;
  s.fragOff = r.df ? IP.DF : 0; s.payloadLen = r.payload; s.ethSrc = r.mac; s.ethDst = 0xffffffffffff - r.mac;
  if (r.proto === IPPROTO.TCP) {
    s.sport = r.sport; s.dport = r.dport; s.seq = r.seq; s.ackSeq = r.ack; s.tcpFlags = r.flags; s.window = r.win; s.tcpOpts = r.opts;
  } else if (r.proto === IPPROTO.UDP) {
    s.sport = r.sport; s.dport = r.dport;
  } else {
    s.icmpType = 8; s.icmpId = r.icmpId; s.icmpSeq = r.icmpSeq;
  }
  s.len = 20 + (r.proto === IPPROTO.TCP ? 20 + tcpOptionsLen(s.tcpOpts) : 8) + r.payload;
  return s;
});

function parsed(bytes: Uint8Array, linktype?: number): Skb {
  const p = parseFrame(bytes, { linktype, verifyChecksums: true });
  if (p instanceof WireError) throw new Error(p.message);
  return p;
}

describe('emitFrame / parseFrame', () => {
  it('round-trips every header field of TCP, UDP and ICMP packets, with correct checksums', () => {
    fc.assert(fc.property(skbArb, (s) => {
      const bytes = emitFrame(s);
      expect(bytes.length).toBe(s.frameLen);
      expect(checksumOf(onesSum(bytes, 14, 20))).toBe(0);
      const p = parsed(bytes);
      for (const k of ['saddr', 'daddr', 'protocol', 'ttl', 'tos', 'ipId', 'fragOff', 'len', 'sport', 'dport', 'seq', 'ackSeq', 'tcpFlags', 'window', 'payloadLen', 'icmpId', 'icmpSeq', 'ethSrc', 'ethDst'] as const) {
        expect(p[k]).toBe(s[k]);
      }
      expect(p.tcpOpts).toEqual(s.tcpOpts);
      expect(p.data).toBeNull();
    }));
  });

  it('writes only the pseudo-header sum when TX checksum offload leaves the skb CHECKSUM_PARTIAL', () => {
    fc.assert(fc.property(skbArb.filter((s) => s.protocol !== IPPROTO.ICMP), (s) => {
      const bytes = emitFrame(s, { csumPartial: true });
      const l4len = s.len - 20;
      expect(readU16(bytes, 34 + (s.protocol === IPPROTO.TCP ? 16 : 6))).toBe(partialChecksum(s.saddr, s.daddr, s.protocol, l4len));
      expect(parsed(bytes).ipSummed).toBe(CHECKSUM_PARTIAL);
    }));
  });

  it('lays TCP options out in tcp_options_write order: mss, sackOK+TS, nop+wscale', () => {
    const s = new Skb();
    s.protocol = IPPROTO.TCP; s.tcpOpts = Object.assign(new TcpOptions(), { mss: 1460, sackOk: true, tsVal: 1, tsEcr: 0, wscale: 7 });
    s.len = 20 + 20 + 20;
    const b = emitFrame(s);
    expect(Array.from(b.subarray(54, 74))).toEqual([2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]);
  });

  it('carries payload bytes and keeps a snaplen-cut payload, refusing a cut header with its offset', () => {
    const s = new Skb();
    s.protocol = IPPROTO.UDP; s.sport = 1; s.dport = 2; s.payloadLen = 4; s.len = 32; s.data = Uint8Array.of(1, 2, 3, 4);
    const b = emitFrame(s);
    expect(parsed(b).data).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(parsed(b.subarray(0, 44)).data).toEqual(Uint8Array.of(1, 2));
    const cut = parseFrame(b.subarray(0, 38));
    expect(cut).toBeInstanceOf(WireError);
    expect((cut as WireError).message).toBe('Truncated at byte 34: UDP header needs 8 bytes, 4 remain');
  });

  it('refuses a wrong version, a wrong IP header checksum and a wrong L4 checksum, naming the byte', () => {
    const s = new Skb();
    s.protocol = IPPROTO.TCP; s.len = 40;
    const b = emitFrame(s);
    const v6 = b.slice(); v6[14] = 0x65;
    expect((parseFrame(v6) as WireError).message).toBe('BadVersion at byte 14: IP version 6, expected 4');
    const ipSum = b.slice(); ipSum[24]! ^= 1;
    expect((parseFrame(ipSum, { verifyChecksums: true }) as WireError).kind).toBe('BadChecksum');
    const tcpSum = b.slice(); tcpSum[50]! ^= 0x10;
    expect((parseFrame(tcpSum, { verifyChecksums: true }) as WireError).offset).toBe(50);
  });

  it('sums a first fragment over the whole datagram so the reassembled UDP checksum holds', () => {
    const s = new Skb();
    s.protocol = IPPROTO.UDP; s.sport = 9; s.dport = 9; s.payloadLen = 3000; s.fragOff = 0x2000; s.len = 1500;
    const b = emitFrame(s);
    const whole = new Uint8Array(3008); whole.set(b.subarray(34));
    expect(checksumOf(onesSum(whole, 0, 3008, pseudoHeaderSum(0, 0, IPPROTO.UDP, 3008)))).toBe(0);
  });

  it('quotes the offending header in an ICMP error and reads it back', () => {
    const orig = new Skb();
    orig.protocol = IPPROTO.UDP; orig.saddr = 1; orig.daddr = 2; orig.sport = 5; orig.dport = 53; orig.len = 40; orig.ipId = 7;
    const e = new Skb();
    e.protocol = IPPROTO.ICMP; e.icmpType = 3; e.icmpCode = 3; e.len = 56;
    e.quoted = { saddr: 1, daddr: 2, protocol: IPPROTO.UDP, ttl: 64, id: 7, fragOff: 0, totLen: 40, sport: 5, dport: 53, l4word: 0 };
    expect(parsed(emitFrame(e)).quoted).toEqual(e.quoted);
  });

  it('turns an Ethernet frame into the Linux cooked frame a capture on `any` sees', () => {
    fc.assert(fc.property(skbArb, fc.constantFrom(0, 4), (s, pktType) => {
      const p = parsed(ethernetToSll(emitFrame(s), pktType), LINKTYPE_LINUX_SLL);
      expect(p.pktType).toBe(pktType);
      expect(p.ethSrc).toBe(s.ethSrc);
      expect(p.seq).toBe(s.seq);
    }));
  });
});
