import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { netifNeedsGso, skbGsoSegment } from '../../src/nic/gso.js';
import { createNetdevFeatures, NETIF_F } from '../../src/nic/netdev_features.js';
import { IP, IPHDR_LEN, IPPROTO, Skb, TCPHDR, TcpOptions } from '../../src/model/skb.js';

function superSkb(payload: number, mss: number, flags = TCPHDR.ACK | TCPHDR.PSH): Skb {
  const s = new Skb();
  s.saddr = 1; s.daddr = 2; s.protocol = IPPROTO.TCP; s.sport = 40000; s.dport = 443;
  s.fragOff = IP.DF; s.ipId = 65530; s.seq = 0xfffff000; s.tcpFlags = flags;
  s.tcpOpts = new TcpOptions(); s.tcpOpts.tsVal = 1; s.tcpOpts.tsEcr = 2;
  s.payloadLen = payload; s.len = IPHDR_LEN + s.l4HeaderLen + payload; s.gsoSize = mss; s.gsoSegs = Math.ceil(payload / mss);
  s.data = new Uint8Array(payload);
  for (let i = 0; i < payload; i++) s.data[i] = i & 255;
  return s;
}

describe('tcp_gso_segment', () => {
  it('segment counts match MSS arithmetic and the payloads tile the original exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70000 }), fc.integer({ min: 88, max: 9000 }), (payload, mss) => {
        const s = superSkb(payload, mss);
        const segs = skbGsoSegment(s)!;
        expect(segs.length).toBe(Math.ceil(payload / mss));
        let seq = s.seq;
        let off = 0;
        for (const g of segs) {
          expect(g.seq).toBe(seq);
          expect(g.payloadLen).toBeLessThanOrEqual(mss);
          expect(g.len).toBe(IPHDR_LEN + g.l4HeaderLen + g.payloadLen);
          if (segs.length > 1) expect([g.data!.length, g.data![0]]).toEqual([g.payloadLen, off & 255]);
          seq = (seq + g.payloadLen) >>> 0;
          off += g.payloadLen;
        }
        expect(off).toBe(payload);
      }),
    );
  });

  it('keeps PSH/FIN on the last segment, CWR on the first, and increments the IP ID', () => {
    const segs = skbGsoSegment(superSkb(4000, 1448, TCPHDR.ACK | TCPHDR.PSH | TCPHDR.FIN | TCPHDR.CWR))!;
    expect(segs.map((g) => g.tcpFlags)).toEqual([TCPHDR.ACK | TCPHDR.CWR, TCPHDR.ACK, TCPHDR.ACK | TCPHDR.PSH | TCPHDR.FIN]);
    expect(segs.map((g) => g.ipId)).toEqual([65530, 65531, 65532]);
    expect(segs.every((g) => g.gsoSize === 0 && g.parts![0] !== g.id)).toBe(true);
  });

  it('cannot segment UDP here', () => {
    const s = superSkb(4000, 1448);
    s.protocol = IPPROTO.UDP;
    expect(skbGsoSegment(s)).toBeNull();
  });
});

describe('netif_needs_gso', () => {
  it('hands the super-packet to a TSO device and segments in software without TSO', () => {
    const f = createNetdevFeatures('veth');
    const s = superSkb(4000, 1448, TCPHDR.ACK);
    expect(netifNeedsGso(s, f)).toBe(false);
    f.setWanted([NETIF_F.TSO], false);
    f.update();
    expect(netifNeedsGso(s, f)).toBe(true);
  });

  it('needs tx-tcp-ecn-segmentation for a CWR burst', () => {
    const f = createNetdevFeatures('virtio_net');
    expect(netifNeedsGso(superSkb(4000, 1448, TCPHDR.ACK | TCPHDR.CWR), f)).toBe(true);
    expect(netifNeedsGso(superSkb(4000, 1448, TCPHDR.ACK), f)).toBe(false);
  });
});
