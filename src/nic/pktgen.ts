// A wire-side traffic generator (like the kernel's pktgen, or a hardware
// tester on the other end of the cable): frames arrive at a NIC at a fixed
// packet rate, spread over `flows` source ports so RSS and RPS see distinct
// flows. It models an external sender, so no sending host's CPU is involved.
// With `tcpFlags` set it sends bare TCP segments instead of UDP datagrams
// (e.g. SYNs that never complete a handshake: a SYN flood of distinct tuples).

import type { Scheduler } from '../model/scheduler.js';
import { FLOW_INBOUND, IPHDR_LEN, IPPROTO, Skb, TCPHDR_LEN, UDPHDR_LEN } from '../model/skb.js';
import type { NetDevice } from './net_device.js';
import { ethRx } from './eth_rx.js';

export class Pktgen {
  sent = 0;
  constructor(
    readonly dev: NetDevice,
    readonly saddr: number,
    readonly daddr: number,
    readonly sport: number,
    readonly dport: number,
    readonly size: number,
    readonly count: number,
    readonly intervalNs: number,
    readonly flows: number,
    readonly srcMac: number,
    /** TCP_* flags of bare TCP segments; 0 sends UDP. */
    readonly tcpFlags = 0,
  ) {}

  start(sim: Scheduler, at: number): void {
    if (this.count > 0) sim.at(at, pktgenXmit, this, null);
  }
}

/** One frame onto the wire toward the device (event handler). */
function pktgenXmit(sim: Scheduler, g: Pktgen): void {
  const skb = new Skb();
  const host = g.dev.host;
  host.world.packets.injected++;
  skb.tstamp = sim.now;
  skb.flow = FLOW_INBOUND;
  skb.ethSrc = g.srcMac;
  skb.ethDst = g.dev.mac;
  skb.saddr = g.saddr;
  skb.daddr = g.daddr;
  skb.sport = g.sport + (g.sent % g.flows);
  skb.dport = g.dport;
  skb.ttl = 64;
  skb.ipId = g.sent & 0xffff;
  skb.payloadLen = g.size;
  if (g.tcpFlags !== 0) {
    skb.protocol = IPPROTO.TCP;
    skb.tcpFlags = g.tcpFlags;
    // A fresh initial sequence number per segment, as a flooding tool picks them.
    skb.seq = Math.imul(g.sent + 1, 0x9e3779b1) >>> 0;
    skb.window = 64240;
    skb.len = IPHDR_LEN + TCPHDR_LEN + g.size;
  } else {
    skb.protocol = IPPROTO.UDP;
    skb.len = IPHDR_LEN + UDPHDR_LEN + g.size;
  }
  g.sent++;
  if (g.sent < g.count) sim.at(sim.now + g.intervalNs, pktgenXmit, g, null);
  ethRx(sim, g.dev, skb);
}
