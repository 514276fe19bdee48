// Savefiles for the visualiser's pcap tests: UDP datagrams built with the
// model's own frame writer, so the capture is one the model can replay.

import { FLOW_INBOUND, IPHDR_LEN, IPPROTO_UDP, Skb, UDPHDR_LEN } from '../../src/model/skb.js';
import { emitFrame, LINKTYPE_ETHERNET } from '../../src/wire/frame.js';
import { MemoryPcapSink, PcapWriter } from '../../src/tools/pcap/writer.js';

/** `n` UDP datagrams from 10.0.0.1 to 172.16.5.9:dport (every fourth to 172.16.5.99), one every `gapNs`. */
export function udpCapture(n: number, gapNs: number, dport = 5353): Uint8Array {
  const sink = new MemoryPcapSink();
  const w = new PcapWriter({ linktype: LINKTYPE_ETHERNET, nanos: true }, (c) => sink.write(c));
  for (let i = 0; i < n; i++) {
    const skb = new Skb();
    skb.flow = FLOW_INBOUND;
    skb.ethSrc = 0x02aabbccddee;
    skb.ethDst = 0x02aabbccddff;
    skb.ethProto = 0x0800;
    skb.saddr = 0x0a000001;
    skb.daddr = i % 4 === 3 ? 0xac100563 : 0xac100509;
    skb.protocol = IPPROTO_UDP;
    skb.sport = 40000 + i;
    skb.dport = dport;
    skb.ttl = 64;
    skb.ipId = i;
    skb.payloadLen = 64;
    skb.len = IPHDR_LEN + UDPHDR_LEN + 64;
    w.writeRecord(5_000_000_000 + i * gapNs, emitFrame(skb));
  }
  return sink.bytes();
}
