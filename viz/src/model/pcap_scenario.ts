// A capture from disk replayed through one simulated host, as tcpreplay would
// put it back on a cable into a machine: the savefile is read with the
// model's pcap reader (sf-pcap.c's checks, byte offsets in its messages) and
// its frames parsed to find who they were sent to. The host takes the address
// most frames are for and listens on the ports they reach, so the journey goes
// all the way to a socket; the scenario's `traffic: [{ kind: pcap }]` entry
// then hands the same bytes to the NIC (src/nic/pcap_replay.ts).

import { readPcap, PcapError } from '../../../src/tools/pcap/reader.js';
import { parseFrame } from '../../../src/wire/frame.js';
import { WireError } from '../../../src/wire/error.js';
import { IPPROTO } from '../../../src/model/skb.js';
import { formatIpv4 } from '../../../src/model/inet.js';
import { NSEC_PER_MSEC } from '../../../src/model/time.js';

/** The host the capture is replayed into. */
export const PCAP_HOST = 'host';
/** Listening sockets opened for the capture's destination ports, at most. */
const MAX_LISTEN = 8;
/** Replay starts here, and the run continues this long after the last frame. */
const START_MS = 1;
const TAIL_MS = 50;

export type PcapScenario =
  | { ok: true; text: string; frames: number; addr: string }
  | { ok: false; message: string };

/** The scenario text that replays `bytes` (named `file`) into one host, or the reader's message. */
export function pcapScenario(file: string, bytes: Uint8Array): PcapScenario {
  const pcap = readPcap(bytes);
  if (pcap instanceof PcapError) return { ok: false, message: pcap.message };
  // Destination addresses by frame count, first seen first on ties (Map keeps insertion order).
  const perAddr = new Map<number, { frames: number; ports: Map<string, number> }>();
  for (const r of pcap.records) {
    const skb = parseFrame(r.data, { linktype: pcap.linktype });
    // A frame the stack cannot parse is refused when the scenario compiles, with its offset.
    if (skb instanceof WireError || skb.ethProto !== 0x0800) continue;
    let a = perAddr.get(skb.daddr);
    if (a === undefined) perAddr.set(skb.daddr, (a = { frames: 0, ports: new Map() }));
    a.frames++;
    if (skb.protocol === IPPROTO.TCP || skb.protocol === IPPROTO.UDP) {
      const key = `${skb.protocol === IPPROTO.TCP ? 'tcp' : 'udp'}:${skb.dport}`;
      a.ports.set(key, (a.ports.get(key) ?? 0) + 1);
    }
  }
  let best: [number, { frames: number; ports: Map<string, number> }] | null = null;
  for (const e of perAddr) if (best === null || e[1].frames > best[1].frames) best = e;
  const addr = best === null ? '10.0.0.2' : formatIpv4(best[0]);
  const listen = best === null ? [] : [...best[1].ports].sort((x, y) => y[1] - x[1]).slice(0, MAX_LISTEN).map(([k]) => k);
  const recs = pcap.records;
  const spanNs = recs.length > 1
    ? (recs[recs.length - 1]!.sec - recs[0]!.sec) * 1e9 + (recs[recs.length - 1]!.nsec - recs[0]!.nsec)
    : 0;
  const durationMs = START_MS + Math.ceil(Math.max(0, spanNs) / NSEC_PER_MSEC) + TAIL_MS;
  const lines = [
    `name: ${JSON.stringify(`pcap ${file}`)}`,
    `description: ${JSON.stringify(`${recs.length} frame(s) from ${file} replayed into ${PCAP_HOST}:eth0 at their recorded gaps.`)}`,
    `duration: ${durationMs}ms`,
    'hosts:',
    `  ${PCAP_HOST}:`,
    `    nics: { eth0: { addr: ${addr}/24 } }`,
    '    routes: [ { to: default, dev: eth0 } ]',
    ...(listen.length ? [`    listen: [ ${listen.join(', ')} ]`] : []),
    'traffic:',
    `  - { kind: pcap, file: ${JSON.stringify(file)}, inject: ${PCAP_HOST}:eth0, at: ${START_MS}ms }`,
    '',
  ];
  return { ok: true, text: lines.join('\n'), frames: recs.length, addr };
}
