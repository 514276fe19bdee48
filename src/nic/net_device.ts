// A network device (struct net_device): addresses, MTU, RX queues each with a
// descriptor ring and a NAPI context affine to one CPU, one TX queue with its
// qdisc and TX ring, and the rtnl_link_stats64 counters `ip -s link` prints.

import type { Skb } from '../model/skb.js';
import type { SkbOwner } from '../model/skb_free.js';
import { RxRing } from './rx_ring.js';
import { SkbQueue } from './skb_queue.js';
import type { Link, LinkEnd } from './link.js';
import type { Host } from '../model/host.js';

export const NAPI_KIND_DRIVER = 0;
export const NAPI_KIND_BACKLOG = 1;

/** struct napi_struct: one NAPI context on a CPU's poll list. */
export class NapiStruct {
  /** On its CPU's poll list (NAPI_STATE_SCHED). */
  scheduled = false;
  /** Packets this NAPI delivered in its last poll. */
  lastWork = 0;
  /** GRO state of this context; owned by src/nic/gro when GRO is on. */
  gro: unknown = null;
  constructor(
    readonly kind: number,
    readonly cpu: number,
    readonly weight: number,
    readonly dev: NetDevice | null,
    readonly rxq: RxQueue | null,
  ) {}
}

/** One hardware RX queue: its ring, its IRQ (affine to `cpu`) and its NAPI. */
export class RxQueue {
  readonly ring: RxRing;
  readonly napi: NapiStruct;
  /** The queue's interrupt is enabled (unmasked). */
  irqEnabled = true;
  /** An interrupt is already on its way (coalescing timer or delivery). */
  irqPending = false;
  /** Frames DMA'd since the last interrupt (for rx-frames coalescing). */
  framesSinceIrq = 0;
  /** Generation of the armed interrupt; a stale event sees a newer one. */
  irqGen = 0;
  /** When the last interrupt fired (the journey's step 3 for the packets it found). */
  lastIrqAt = -1;
  packets = 0;
  bytes = 0;
  constructor(readonly dev: NetDevice, readonly index: number, ringSize: number, readonly cpu: number, weight: number) {
    this.ring = new RxRing(ringSize);
    this.napi = new NapiStruct(NAPI_KIND_DRIVER, cpu, weight, dev, this);
  }
}

/** struct rtnl_link_stats64 (the fields `ip -s -s link` and /proc/net/dev show). */
export class DevStats {
  rx_packets = 0;
  tx_packets = 0;
  rx_bytes = 0;
  tx_bytes = 0;
  rx_errors = 0;
  tx_errors = 0;
  rx_dropped = 0;
  tx_dropped = 0;
  multicast = 0;
  collisions = 0;
  rx_length_errors = 0;
  rx_over_errors = 0;
  rx_crc_errors = 0;
  rx_frame_errors = 0;
  rx_fifo_errors = 0;
  rx_missed_errors = 0;
  tx_aborted_errors = 0;
  tx_carrier_errors = 0;
  tx_fifo_errors = 0;
  tx_heartbeat_errors = 0;
  tx_window_errors = 0;
  rx_compressed = 0;
  tx_compressed = 0;
  rx_nohandler = 0;
}

/** One TX queue: the qdisc (pfifo_fast, limit txqueuelen) and the driver's TX ring. */
export class TxQueue {
  readonly qdisc = new SkbQueue(64);
  /** Descriptors posted and not yet completed, in post order. */
  readonly ring = new SkbQueue(64);
  /** netif_tx_stop_queue: the driver ran out of descriptors. */
  stopped = false;
  /** Packets the qdisc dropped (tc -s qdisc "dropped"). */
  qdiscDrops = 0;
  qdiscPackets = 0;
  qdiscBytes = 0;
  /** Earliest time the NIC's TX engine is free to fetch the next descriptor. */
  engineFreeAt = 0;
  /** A TX engine event is scheduled. */
  engineBusy = false;
  /** The head descriptor is on the wire. */
  sending = false;
  /** CPU that takes this queue's TX completion interrupt. */
  cpu = 0;
  /** TSO: the frames the NIC cut from the head descriptor's super-packet, and the next to send; null when none. */
  tsoFrames: Skb[] | null = null;
  tsoNext = 0;
  /** The socket the TSO super-packet is charged to (and how much), uncharged when its last frame completes. */
  tsoOwner: SkbOwner | null = null;
  tsoTruesize = 0;
  constructor(readonly dev: NetDevice, readonly ringSize: number) {}
}

export interface IfAddr {
  addr: number;
  prefixLen: number;
  broadcast: number;
}

export type DeviceKind = 'physical' | 'veth' | 'loopback';

export class NetDevice {
  readonly stats = new DevStats();
  readonly addrs: IfAddr[] = [];
  readonly rxQueues: RxQueue[] = [];
  readonly txq: TxQueue;
  /** The cable: where transmitted frames go. */
  link: Link | null = null;
  linkEnd: LinkEnd | null = null;
  /** CPUs for RPS (rps_cpus of every rx queue), empty when RPS is off. */
  rpsCpus: number[] = [];
  /** ethtool -C rx-usecs / rx-frames interrupt coalescing. */
  rxUsecs = 0;
  rxFrames = 1;
  txqueuelen = 1000;
  /** `noqueue` qdisc (veth, lo) transmits without a queue. */
  noqueue: boolean;
  up = true;
  /** NIC offload features; owned by src/nic/netdev_features when present. */
  features: unknown = null;
  /** conf/<dev>/forwarding, set from net.ipv4.ip_forward. */
  forwarding = false;
  /** conf/<dev>/rp_filter. */
  rpFilter = 0;

  constructor(
    readonly host: Host,
    readonly ifindex: number,
    readonly name: string,
    readonly mac: number,
    public mtu: number,
    readonly kind: DeviceKind,
    rxQueueCount: number,
    rxRingSize: number,
    txRingSize: number,
    irqCpus: number[],
    weight: number,
  ) {
    for (let q = 0; q < rxQueueCount; q++) {
      this.rxQueues.push(new RxQueue(this, q, rxRingSize, irqCpus[q % irqCpus.length]!, weight));
    }
    this.txq = new TxQueue(this, txRingSize);
    this.noqueue = kind !== 'physical';
  }

  primaryAddr(): number | null {
    return this.addrs.length > 0 ? this.addrs[0]!.addr : null;
  }

  hasAddr(addr: number): boolean {
    for (const a of this.addrs) if (a.addr === addr) return true;
    return false;
  }
}

/** Accumulates one transmitted or received skb into device stats. */
export function devStatsRx(dev: NetDevice, skb: Skb): void {
  dev.stats.rx_packets += 1;
  dev.stats.rx_bytes += skb.frameLen;
}
