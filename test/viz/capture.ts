// The visualiser's pcap tests replay this savefile.

import { udpCapture as build } from '../wire/udp_capture.js';

/** `n` UDP datagrams from 10.0.0.1 to 172.16.5.9:dport (every fourth to 172.16.5.99), one every `gapNs`. */
export function udpCapture(n: number, gapNs: number, dport = 5353): Uint8Array {
  return build(n, gapNs, {
    daddr: (i) => (i % 4 === 3 ? 0xac100563 : 0xac100509), sport: (i) => 40000 + i, dport, payload: 64, startNs: 5_000_000_000,
  });
}
