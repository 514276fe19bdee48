// Savefiles of UDP datagrams for the pcap-replay tests, built with the model's
// own frame writer so the capture is one the model can replay.

import { FLOW_INBOUND, IPHDR_LEN, IPPROTO, Skb, UDPHDR_LEN } from '../../src/model/skb.js';
import { emitFrame, LINKTYPE_ETHERNET } from '../../src/wire/frame.js';
import { MemoryPcapSink, PcapWriter } from '../../src/tools/pcap/writer.js';

export interface UdpCaptureOptions {
  /** Destination of datagram `i` (host order). */
  daddr: (i: number) => number;
  /** Source port of datagram `i`. */
  sport: (i: number) => number;
  dport: number;
  payload: number;
  /** Timestamp of the first record (ns). */
  startNs: number;
}

/** `n` datagrams from 10.0.0.1, one every `gapNs`. */
export function udpCapture(n: number, gapNs: number, o: UdpCaptureOptions): Uint8Array {
  const sink = new MemoryPcapSink();
  const w = new PcapWriter({ linktype: LINKTYPE_ETHERNET, nanos: true }, (c) => sink.write(c));
  for (let i = 0; i < n; i++) {
    const skb = new Skb();
    skb.flow = FLOW_INBOUND;
    skb.ethSrc = 0x02aabbccddee;
    skb.ethDst = 0x02aabbccddff;
    skb.ethProto = 0x0800;
    skb.saddr = 0x0a000001;
    skb.daddr = o.daddr(i);
    skb.protocol = IPPROTO.UDP;
    skb.sport = o.sport(i);
    skb.dport = o.dport;
    skb.ttl = 64;
    skb.ipId = i;
    skb.payloadLen = o.payload;
    skb.len = IPHDR_LEN + UDPHDR_LEN + o.payload;
    w.writeRecord(o.startNs + i * gapNs, emitFrame(skb));
  }
  return sink.bytes();
}
