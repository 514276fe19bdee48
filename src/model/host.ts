// One simulated Linux host: CPUs with their softnet data, devices, a FIB, the
// five netfilter hooks, sockets, sysctls and SNMP counters. Packet-path code
// lives in src/nic, src/routing and src/transport as functions of a Host.

import { Cpu } from './cpu.js';
import { Fib } from '../routing/fib.js';
import { NfHookEntries } from '../netfilter/hooks.js';
import { Sysctls } from './sysctl.js';
import { SnmpCounters } from './snmp.js';
import { DEFAULT_COSTS, DEFAULT_LATENCIES, type CostTable, type Latencies } from './cost_table.js';
import type { World } from './world.js';
import type { Scheduler } from './scheduler.js';
import type { Tracer } from './trace.js';
import type { NetDevice } from '../nic/net_device.js';
import type { RandomStream } from './random.js';
import { SocketTables } from '../transport/sock.js';
import type { Process } from '../transport/process.js';
import type { ConntrackApi } from '../netfilter/nf_conntrack_common.js';

export interface HostOptions {
  cpus: number;
  costs?: Partial<CostTable>;
  latencies?: Partial<Latencies>;
}

/** A packet-capture tap (AF_PACKET socket): sees RX after GRO and TX in dev_queue_xmit_nit. */
export interface PacketTap {
  /** ifindex to capture on, 0 for any. */
  readonly ifindex: number;
  deliver(host: Host, skb: import('./skb.js').Skb, dev: NetDevice, outgoing: boolean, t: number): void;
}

export class Host {
  readonly cpus: Cpu[];
  /** Devices by ifindex; index 0 is unused, as in the kernel. */
  readonly devices: (NetDevice | null)[] = [null];
  readonly devByName = new Map<string, NetDevice>();
  readonly fib = new Fib();
  readonly hooks = new NfHookEntries();
  readonly sysctl = new Sysctls();
  readonly snmp = new SnmpCounters();
  readonly sockets = new SocketTables();
  readonly processes: Process[] = [];
  readonly costs: CostTable;
  readonly lat: Latencies;
  readonly random: RandomStream;
  /** Kernel log ring, read by dmesg. */
  readonly dmesg: string[] = [];
  /** kfree_skb locations and their counts (what dropwatch reports). */
  readonly dropLocations = new Map<string, number>();
  /** kfree_skb counts per location and reason: fn → counts indexed by drop reason (dropwatch, perf). */
  readonly dropSites = new Map<string, Float64Array>();
  /** Active capture taps (ptype_all); empty on the fast path. */
  taps: PacketTap[] = [];
  /** Conntrack, once a ruleset or the scenario loads it. */
  conntrack: ConntrackApi | null = null;
  /** ip_defrag for local delivery, installed by src/routing/ip_defrag; null drops fragments. */
  ipDefrag: ((host: Host, cpu: import('./cpu.js').Cpu, skb: import('./skb.js').Skb) => import('./skb.js').Skb | null) | null = null;
  /** ip_fragment for output, installed by src/routing/ip_fragment; null drops oversize packets. */
  ipFragment: ((host: Host, cpu: import('./cpu.js').Cpu, skb: import('./skb.js').Skb, mtu: number, dev: NetDevice) => import('./skb.js').Skb[] | null) | null = null;
  /** validate_xmit_skb: software GSO / checksum before the driver; returns segments or null to send as is. */
  validateXmitSkb: ((host: Host, cpu: import('./cpu.js').Cpu, dev: NetDevice, skb: import('./skb.js').Skb) => import('./skb.js').Skb[] | null) | null = null;
  /** Receivers of ICMP messages for sockets (UDP errors, TCP PMTU, ping); true when one took it. */
  readonly icmpErrorHandlers: ((host: Host, cpu: import('./cpu.js').Cpu, skb: import('./skb.js').Skb) => boolean)[] = [];
  /** Learned path MTU toward a next hop (route exceptions), 0 when none. */
  pmtuLookup: ((host: Host, daddr: number) => number) | null = null;
  /** Answers ARP for any address (a router doing proxy ARP); false by default. */
  proxyAll = false;
  /** Counters other subsystems own (conntrack stats), by name, for `expect:`. */
  counterLookup: ((name: string) => number | null) | null = null;
  /** Told after `sysctl` writes a key, so owners (conntrack) can apply it. */
  onSysctlChange: ((key: string) => void) | null = null;
  /** Next IP ID for packets without a socket counter (ip_select_ident). */
  ipIdNext = 1;
  nextPid = 1000;
  /** Per-destination ICMP token buckets (inet_peer rate_tokens, rate_last). */
  readonly icmpPeers = new Map<number, { tokens: number; last: number }>();
  icmpGlobalTokens = 0;
  icmpGlobalLast = -1;

  /** The world's scheduler and tracer, held directly: the packet path reads them per stage. */
  readonly sim: Scheduler;
  readonly tr: Tracer;

  constructor(readonly world: World, readonly name: string, opts: HostOptions) {
    this.sim = world.sim;
    this.tr = world.tracer;
    this.costs = { ...DEFAULT_COSTS, ...opts.costs };
    this.lat = { ...DEFAULT_LATENCIES, ...opts.latencies };
    const weight = this.sysctl.get('net.core.dev_weight');
    this.cpus = Array.from({ length: opts.cpus }, (_, i) => new Cpu(i, weight));
    this.random = world.streams.get(`host:${name}`);
  }


  addDevice(dev: NetDevice): void {
    this.devices[dev.ifindex] = dev;
    this.devByName.set(dev.name, dev);
  }

  dev(ifindex: number): NetDevice | null {
    return this.devices[ifindex] ?? null;
  }

  devName(ifindex: number): string {
    return this.devices[ifindex]?.name ?? '';
  }

  /** True when `addr` is one of this host's own addresses. */
  isLocalAddr(addr: number): boolean {
    return this.fib.addrType(addr) === 2;
  }

  printk(line: string): void {
    const t = this.sim.now / 1e9;
    this.dmesg.push(`[${t.toFixed(6).padStart(12)}] ${line}`);
  }
}
