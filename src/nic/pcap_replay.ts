// Scenario traffic from a capture file (`{ kind: pcap, file: x.pcap, inject:
// HOST:DEV }`): each recorded frame arrives at the NIC at its recorded time
// relative to the first, as tcpreplay would put it back on the cable. The
// whole file is read and parsed when the scenario compiles, so a truncated or
// corrupt file is refused then, with the byte offset and what is wrong.
// Unicast frames get the receiving NIC's MAC as destination (tcpreplay
// --enet-dmac), so a capture from another host is not filtered as PACKET_OTHERHOST.

import type { Scheduler } from '../model/scheduler.js';
import type { Skb } from '../model/skb.js';
import type { NetDevice } from './net_device.js';
import { ethRx } from './eth_rx.js';
import { readPcap } from '../tools/pcap/reader.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, parseFrame } from '../wire/frame.js';
import { WireError } from '../wire/error.js';
import { PCAP_RECORD_HDR_LEN } from '../tools/pcap/format.js';
import { NSEC_PER_SEC } from '../model/time.js';
import { hostExtensions } from '../scenario/extensions.js';

export class PcapReplay {
  private next = 0;

  constructor(readonly dev: NetDevice, private readonly frames: Skb[], private readonly offsetsNs: number[]) {}

  start(sim: Scheduler, at: number): void {
    if (this.frames.length > 0) sim.at(at + this.offsetsNs[0]!, pcapReplayXmit, this, null);
  }

  /** One recorded frame onto the wire toward the device; schedules the next (event handler body). */
  step(sim: Scheduler): void {
    const i = this.next++;
    const skb = this.frames[i]!;
    this.frames[i] = null as unknown as Skb; // handed to the stack: not kept alive by the replay
    if (this.next < this.frames.length) sim.at(sim.now + this.offsetsNs[this.next]! - this.offsetsNs[i]!, pcapReplayXmit, this, null);
    this.dev.host.world.packets.injected++;
    skb.tstamp = sim.now;
    ethRx(sim, this.dev, skb);
  }
}

function pcapReplayXmit(sim: Scheduler, r: PcapReplay): void {
  r.step(sim);
}

/** Parses a savefile into frames for `dev`, or says what is wrong and where. */
export function loadPcapReplay(dev: NetDevice, bytes: Uint8Array): PcapReplay | string {
  const pcap = readPcap(bytes);
  if (!('records' in pcap)) return pcap.what;
  if (pcap.linktype !== LINKTYPE_ETHERNET && pcap.linktype !== LINKTYPE_LINUX_SLL) {
    return `link-type ${pcap.linktype} at byte 20 cannot be replayed (EN10MB and LINUX_SLL can)`;
  }
  const frames: Skb[] = [];
  const offsets: number[] = [];
  const first = pcap.records[0];
  for (const r of pcap.records) {
    const skb = parseFrame(r.data, { linktype: pcap.linktype });
    if (skb instanceof WireError) {
      return `packet record at byte ${r.offset}: ${skb.kind} at byte ${r.offset + PCAP_RECORD_HDR_LEN + skb.offset}: ${skb.detail}`;
    }
    if (pcap.linktype === LINKTYPE_LINUX_SLL || (Math.floor(skb.ethDst / 0x10000000000) % 2 === 0)) skb.ethDst = dev.mac;
    const dt = (r.sec - first!.sec) * NSEC_PER_SEC + (r.nsec - first!.nsec);
    if (dt < 0) return `packet record at byte ${r.offset}: timestamp goes back ${-dt} ns before the first packet`;
    frames.push(skb);
    offsets.push(offsets.length && dt < offsets[offsets.length - 1]! ? offsets[offsets.length - 1]! : dt);
  }
  return new PcapReplay(dev, frames, offsets);
}

const prevTraffic = hostExtensions.traffic;
hostExtensions.traffic = (world, t, at, opts, report) => {
  if (t.kind !== 'pcap') return prevTraffic?.(world, t, at, opts, report) ?? false;
  if (t.file === undefined) { report([], 'pcap traffic needs `file: CAPTURE.pcap`'); return true; }
  if (t.inject === undefined) { report([], 'pcap traffic needs `inject: HOST:DEVICE` (the NIC the frames arrive at)'); return true; }
  const m = /^([^:]+):(.+)$/.exec(t.inject);
  const host = m ? world.hosts.get(m[1]!) : undefined;
  const dev = host?.devByName.get(m![2]!);
  if (!m) { report(['inject'], `"${t.inject}" is not HOST:DEVICE`); return true; }
  if (!host) { report(['inject'], `unknown host "${m[1]}"`); return true; }
  if (!dev || dev.kind === 'loopback') { report(['inject'], `host ${m[1]} has no device "${m[2]}"`); return true; }
  const data = opts.readFile?.(t.file) ?? null;
  if (data === null) { report(['file'], `cannot read "${t.file}"`); return true; }
  const bytes = typeof data === 'string' ? Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff) : data;
  const replay = loadPcapReplay(dev, bytes);
  if (typeof replay === 'string') { report(['file'], `${t.file}: ${replay}`); return true; }
  replay.start(world.sim, at);
  return true;
};
