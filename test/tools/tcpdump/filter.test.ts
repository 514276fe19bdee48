import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/model/inet.js';
import { IP, IPPROTO, Skb } from '../../../src/model/skb.js';
import { compileFilter, FilterSyntaxError, parseFilter, type PacketFilter } from '../../../src/tools/tcpdump/filter.js';
import { emitFrame, LINKTYPE_ETHERNET } from '../../../src/wire/frame.js';

function filter(text: string): PacketFilter {
  const f = compileFilter(text, LINKTYPE_ETHERNET);
  if (f instanceof FilterSyntaxError) throw new Error(f.message);
  return f;
}

function udp(src: string, dst: string, sport: number, dport: number): Skb {
  const s = new Skb();
  s.protocol = IPPROTO.UDP; s.saddr = parseIpv4(src)!; s.daddr = parseIpv4(dst)!; s.sport = sport; s.dport = dport; s.len = 28;
  return s;
}

const matches = (text: string, s: Skb): boolean => filter(text).matches(emitFrame(s));

describe('pcap-filter expressions', () => {
  it('lets a bare id inherit the previous qualifiers (host a or b, tcp port 80 or 443)', () => {
    expect(parseFilter('host 10.0.0.1 or 10.0.0.2')).toEqual(parseFilter('host 10.0.0.1 or host 10.0.0.2'));
    expect(parseFilter('tcp port 80 or 443')).toEqual(parseFilter('tcp port 80 or tcp port 443'));
    expect(parseFilter('src host 10.0.0.1 and not 10.0.0.2')).toEqual(parseFilter('src host 10.0.0.1 and not src host 10.0.0.2'));
  });

  it('binds and/or equally and from the left, not above not', () => {
    expect(parseFilter('tcp or udp and port 53')).toEqual(parseFilter('(tcp or udp) and port 53'));
    expect(parseFilter('not tcp and udp')).toEqual(parseFilter('(not tcp) and udp'));
  });

  it('matches port tests only on the first fragment, host tests on every fragment', () => {
    const first = udp('10.0.0.1', '10.0.0.2', 4000, 53);
    first.fragOff = IP.MF; first.payloadLen = 3000; first.len = 1500;
    const later = udp('10.0.0.1', '10.0.0.2', 4000, 53);
    later.fragOff = 185; later.len = 1500;
    expect([matches('port 53', first), matches('port 53', later)]).toEqual([true, false]);
    expect([matches('udp[2:2] = 53', first), matches('udp[2:2] = 53', later)]).toEqual([true, false]);
    expect([matches('host 10.0.0.2', first), matches('host 10.0.0.2', later)]).toEqual([true, true]);
  });

  it('src/dst port agrees with the packet fields for any ports', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (sp, dp, q) => {
      const s = udp('1.2.3.4', '5.6.7.8', sp, dp);
      expect(matches(`src port ${q}`, s)).toBe(sp === q);
      expect(matches(`dst port ${q}`, s)).toBe(dp === q);
      expect(matches(`port ${q}`, s)).toBe(sp === q || dp === q);
      expect(matches(`not port ${q}`, s)).toBe(sp !== q && dp !== q);
    }));
  });

  it('evaluates the seed retransmission filter on TCP flag bytes', () => {
    const f = filter('tcp[tcpflags] & (tcp-syn|tcp-ack|tcp-fin|tcp-rst) != 0');
    for (const flags of [0, 0x02, 0x10, 0x08, 0x18, 0x01, 0x04]) {
      const s = new Skb();
      s.protocol = IPPROTO.TCP; s.tcpFlags = flags; s.len = 40;
      expect(f.matches(emitFrame(s))).toBe((flags & 0x17) !== 0);
    }
  });

  it('rejects a packet when a byte load runs past the captured bytes, even under not', () => {
    const s = udp('1.1.1.1', '2.2.2.2', 1, 2);
    expect(matches('udp[100] = 0', s)).toBe(false);
    expect(matches('not udp[100] = 0', s)).toBe(false);
    expect(matches('not tcp[100] = 0', s)).toBe(true); // the tcp guard fails first: no load happens
  });

  it('refuses malformed filters with tcpdump\'s words and the column where it stopped', () => {
    const e = parseFilter('tcp and ') as FilterSyntaxError;
    expect([e.message, e.column]).toEqual(["can't parse filter expression: syntax error", 9]);
    expect((parseFilter('port 70000') as FilterSyntaxError).message).toBe('illegal port number 70000 > 65535');
    expect((parseFilter('host nosuch') as FilterSyntaxError).message).toBe("unknown host 'nosuch'");
  });
});
