// CPU cost of each stage, in nanoseconds of one core's time. Time only passes
// where the kernel waits (wire, DMA, interrupts, queues, timers); stages that
// run back to back in one softirq are function calls that charge these costs
// to the CPU running them, so per-CPU load, softirq time and time_squeeze are
// measurable. Figures are the approximate ones of reference §13 for a modern
// x86 core; a scenario overrides any of them under `costs:`.

export interface CostTable {
  /** Hardirq handler: ISR entry, mask the queue, napi_schedule. */
  hardirq: number;
  /** Driver RX per packet: descriptor reap, skb build, eth_type_trans (≈50-100 ns). */
  driver_rx: number;
  /** napi_gro_receive per packet when GRO is on. */
  gro: number;
  /** __netif_receive_skb_core dispatch per skb. */
  netif_receive_skb: number;
  /** enqueue_to_backlog / RPS steering per packet. */
  enqueue_to_backlog: number;
  /** ip_rcv + ip_rcv_core header checks. */
  ip_rcv: number;
  /** A netfilter hook point that has ops registered (per hook, before rules). */
  nf_hook: number;
  /** Each iptables rule evaluated (linear, simple match ≈ 10-50 ns). */
  nf_rule: number;
  /** Conntrack lookup hit (≈ 50-150 ns). */
  nf_conntrack_lookup: number;
  /** Conntrack new entry alloc + confirm (≈ 0.5-1 us). */
  nf_conntrack_new: number;
  /** FIB lookup (ip_route_input_noref / ip_route_output_key). */
  fib_lookup: number;
  /** ip_local_deliver + ip_local_deliver_finish. */
  ip_local_deliver: number;
  /** ip_forward + ip_forward_finish. */
  ip_forward: number;
  /** udp_rcv → __udp4_lib_rcv → socket enqueue. */
  udp_rcv: number;
  /** tcp_v4_rcv → tcp_rcv_established (per skb). */
  tcp_rcv: number;
  /** icmp_rcv. */
  icmp_rcv: number;
  /** Syscall entry and exit. */
  syscall: number;
  /** copy_to_user / copy_from_user per byte (≈ 0.1-0.3 ns/byte cache-hot). */
  copy_per_byte: number;
  /** Software checksum per byte when the NIC does not offload it. */
  csum_per_byte: number;
  /** udp_sendmsg → ip_make_skb → udp_send_skb. */
  udp_sendmsg: number;
  /** tcp_sendmsg bookkeeping per call plus tcp_transmit_skb per skb. */
  tcp_transmit_skb: number;
  /** ip_local_out / ip_output / ip_finish_output per skb. */
  ip_output: number;
  /** __dev_queue_xmit + qdisc enqueue/dequeue per skb. */
  dev_queue_xmit: number;
  /** Driver ndo_start_xmit per skb (descriptor post, doorbell). */
  driver_xmit: number;
  /** Software GSO per output segment. */
  gso_segment: number;
  /** TX completion cleanup per skb (napi_consume_skb). */
  tx_completion: number;
  /** Building one IP fragment (ip_do_fragment slow path). */
  ip_fragment: number;
  /** ICMP error or reply construction (icmp_send / icmp_reply). */
  icmp_send: number;
}

export const DEFAULT_COSTS: Readonly<CostTable> = {
  hardirq: 500,
  driver_rx: 80,
  gro: 40,
  netif_receive_skb: 50,
  enqueue_to_backlog: 60,
  ip_rcv: 100,
  nf_hook: 20,
  nf_rule: 20,
  nf_conntrack_lookup: 100,
  nf_conntrack_new: 700,
  fib_lookup: 60,
  ip_local_deliver: 50,
  ip_forward: 80,
  udp_rcv: 200,
  tcp_rcv: 400,
  icmp_rcv: 150,
  syscall: 300,
  copy_per_byte: 0.2,
  csum_per_byte: 0.1,
  udp_sendmsg: 400,
  tcp_transmit_skb: 500,
  ip_output: 100,
  dev_queue_xmit: 80,
  driver_xmit: 150,
  gso_segment: 120,
  tx_completion: 60,
  ip_fragment: 150,
  icmp_send: 300,
};

/**
 * Time constants that are waits, not CPU work (reference §13).
 */
export interface Latencies {
  /** NIC writes the frame and its descriptor into host memory (≈ 1-2 us). */
  dma_rx_ns: number;
  /** NIC fetches a TX descriptor and the frame over PCIe (≈ 0.5-1 us). */
  dma_tx_ns: number;
  /** MSI-X message to ISR entry (≈ 1-3 us bare metal). */
  irq_delivery_ns: number;
  /** Wakeup plus context switch of a blocked reader (≈ 2-5 us). */
  wakeup_ns: number;
}

export const DEFAULT_LATENCIES: Readonly<Latencies> = {
  dma_rx_ns: 1000,
  dma_tx_ns: 500,
  irq_delivery_ns: 1500,
  wakeup_ns: 3000,
};
