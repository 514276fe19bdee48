// Teacher's notes per stage: what the kernel does at this step and why, and
// which sysctl or counter shows it. Facts follow ../shared/reference
// (Linux 6.18 defaults and counter names); `ident` is the kernel symbol the
// source link opens when the trace's `fn` is a model-only name.

export const KERNEL_VERSION = 'v6.18';

export interface StageNote {
  title: string;
  what: string;
  look: string;
  /** Kernel identifier to open on elixir when the event's fn is not one. */
  ident: string;
}

/** Functions the model names for hardware work that has no kernel symbol of its own. */
const MODEL_ONLY_FNS = new Set(['eth_rx', 'dma_rx_writeback', 'dma_tx', 'eth_tx']);

/** Link to the identifier's definitions and references on elixir.bootlin.com. */
export function elixirUrl(ident: string): string {
  return `https://elixir.bootlin.com/linux/${KERNEL_VERSION}/A/ident/${encodeURIComponent(ident)}`;
}

/** The kernel symbol to link for a stage: the event's own fn unless the model made it up. */
export function sourceIdent(slug: string, fn: string): string {
  if (fn !== '' && !MODEL_ONLY_FNS.has(fn)) return fn;
  return STAGE_NOTES[slug]?.ident ?? fn;
}

export const STAGE_NOTES: Readonly<Record<string, StageNote>> = {
  'nic-rx': {
    title: 'The NIC receives the frame',
    what: 'The frame lands in a buffer the driver posted on the RX ring. If no descriptor is free the NIC drops it before the kernel ever sees it: no kfree_skb, no dropwatch event.',
    look: 'ethtool -g eth0 (ring size), ip -s link (missed), ethtool -S rx_missed_errors',
    ident: 'eth_type_trans',
  },
  'dma-rx': {
    title: 'DMA into kernel memory',
    what: 'The NIC writes the frame into a page_pool page and writes back the descriptor with length, RSS hash and checksum status. No CPU is involved yet.',
    look: 'ethtool -k eth0 (rx-checksumming), ethtool -x eth0 (RSS indirection)',
    ident: 'page_pool_alloc_pages',
  },
  irq: {
    title: 'The interrupt fires',
    what: 'The driver ISR masks this queue\'s IRQ and calls napi_schedule: the NAPI instance joins the per-CPU poll list and NET_RX_SOFTIRQ is raised. Interrupt coalescing delays this step.',
    look: 'ethtool -c eth0 (rx-usecs, rx-frames), /proc/interrupts',
    ident: 'napi_schedule',
  },
  'napi-poll': {
    title: 'NAPI poll in softirq',
    what: 'net_rx_action polls each NAPI for up to its weight (64) packets within the netdev_budget (300) and netdev_budget_usecs (8000). Running out of either bumps time_squeeze.',
    look: 'net.core.netdev_budget, net.core.netdev_budget_usecs, /proc/net/softnet_stat column 3 (time_squeeze)',
    ident: 'net_rx_action',
  },
  gro: {
    title: 'GRO merges segments',
    what: 'napi_gro_receive merges same-flow segments into one large skb so the stack runs once per super-packet; InReceives counts the super-packet once.',
    look: 'ethtool -k eth0 (generic-receive-offload), net.core.gro_normal_batch',
    ident: 'napi_gro_receive',
  },
  'cpu-backlog': {
    title: 'The per-CPU receive queue',
    what: 'With RPS or for netif_rx devices the packet is queued on a CPU\'s input_pkt_queue; above netdev_max_backlog (1000) it is dropped with CPU_BACKLOG. Without RPS NIC traffic is processed inline.',
    look: 'net.core.netdev_max_backlog, /proc/net/softnet_stat column 2 (dropped), rps_cpus',
    ident: 'netif_receive_skb',
  },
  'nf-prerouting': {
    title: 'Netfilter PREROUTING',
    what: 'Hooks run by priority: defrag (-400), raw (-300), conntrack (-200), mangle (-150), DNAT (-100). The nat table sees only a connection\'s first packet.',
    look: 'iptables -t nat -L PREROUTING -v -n -x, conntrack -L',
    ident: 'nf_hook_slow',
  },
  defrag: {
    title: 'Reassembly for conntrack',
    what: 'Conntrack needs whole datagrams, so fragments are reassembled at PREROUTING priority -400 before any rule sees them.',
    look: 'net.ipv4.ipfrag_high_thresh, ipfrag_time, nstat ReasmReqds/ReasmOKs/ReasmFails',
    ident: 'ip_defrag',
  },
  conntrack: {
    title: 'Connection tracking',
    what: 'nf_conntrack_in looks the tuple up in the hash table or creates an unconfirmed entry (NEW). The entry is confirmed (inserted) at the last hook; a full table drops new flows.',
    look: 'net.netfilter.nf_conntrack_count vs nf_conntrack_max, conntrack -S (insert_failed, drop)',
    ident: 'nf_conntrack_in',
  },
  nat: {
    title: 'NAT',
    what: 'The first packet of a connection picks its NAT binding from the nat table; the binding lives in the conntrack entry and later packets in both directions are rewritten without rules.',
    look: 'iptables -t nat -L -v -n -x, conntrack -L (reply tuple shows the translation)',
    ident: 'nf_nat_ipv4_fn',
  },
  'route-input': {
    title: 'Routing decision',
    what: 'Early demux may reuse an established socket\'s cached route; otherwise the FIB lookup decides: local delivery (INPUT) or forwarding (FORWARD, only with ip_forward=1).',
    look: 'ip route get ADDR, net.ipv4.ip_forward, net.ipv4.conf.*.rp_filter',
    ident: 'ip_route_input_noref',
  },
  'nf-input': {
    title: 'Netfilter INPUT',
    what: 'mangle, filter, security and SNAT run at LOCAL_IN; conntrack confirms the entry last (priority INT_MAX). A DROP here frees the packet with NETFILTER_DROP.',
    look: 'iptables -L INPUT -v -n -x (per-rule pkts/bytes)',
    ident: 'nf_hook_slow',
  },
  'nf-forward': {
    title: 'Netfilter FORWARD',
    what: 'A routed packet passes mangle, filter and security at FORWARD. IpForwDatagrams was already counted before this hook, even if the chain drops it.',
    look: 'iptables -L FORWARD -v -n -x, nstat IpForwDatagrams, IpOutTransmits',
    ident: 'ip_forward',
  },
  'l4-rx': {
    title: 'Transport layer',
    what: 'tcp_v4_rcv or udp_rcv checks the checksum and looks up the socket (established, then listener). No socket: TCP answers with RST, UDP with ICMP port unreachable.',
    look: 'nstat TcpInSegs, UdpNoPorts, TcpExtListenOverflows; ss -tan',
    ident: 'tcp_v4_rcv',
  },
  'sock-rcvq': {
    title: 'Socket receive queue',
    what: 'The skb is charged to the socket\'s receive buffer and queued; sk_data_ready wakes a blocked reader. Over rcvbuf: UDP drops with SOCKET_RCVBUFF, TCP shrinks the window.',
    look: 'ss -tmn (skmem r/rb), net.core.rmem_default, net.ipv4.tcp_rmem, nstat UdpRcvbufErrors',
    ident: 'sock_queue_rcv_skb',
  },
  'app-recv': {
    title: 'The application reads',
    what: 'recvmsg copies the data to user space and uncharges the receive buffer; TCP may send a window update. UdpInDatagrams is counted here, at read time.',
    look: 'ss -tni (rcv_space), nstat UdpInDatagrams',
    ident: 'tcp_recvmsg',
  },
  'app-send': {
    title: 'The application sends',
    what: 'send() copies user data into skbs on the socket write queue (TCP) or builds one datagram (UDP). It blocks or returns EAGAIN when the send buffer is full.',
    look: 'ss -tmn (skmem t/tb), net.ipv4.tcp_wmem',
    ident: 'tcp_sendmsg',
  },
  'sock-sndbuf': {
    title: 'Socket send buffer',
    what: 'The data is charged to sk_wmem_queued against sk_sndbuf (16384 at start for TCP, autotuned toward tcp_wmem[2]).',
    look: 'net.ipv4.tcp_wmem, net.core.wmem_default, ss -tmn',
    ident: 'sk_stream_memory_free',
  },
  'l4-tx': {
    title: 'Transport layer builds the header',
    what: 'TCP applies cwnd, the receive window, Nagle and pacing, then builds the header; TcpOutSegs counts segments (tcp_skb_pcount), not skbs.',
    look: 'ss -tni (cwnd, rtt), nstat TcpOutSegs, UdpOutDatagrams',
    ident: 'tcp_transmit_skb',
  },
  'nf-output': {
    title: 'Netfilter OUTPUT',
    what: 'Locally generated packets meet raw, conntrack (the entry is created here for local flows), mangle, DNAT and filter. A DROP returns EPERM to the sender.',
    look: 'iptables -L OUTPUT -v -n -x',
    ident: 'nf_hook_slow',
  },
  'route-output': {
    title: 'Output routing',
    what: 'The route comes from the socket\'s cached dst or a FIB lookup; no route is EHOSTUNREACH and OutNoRoutes++.',
    look: 'ip route get ADDR, nstat IpOutNoRoutes',
    ident: 'ip_route_output_key',
  },
  'nf-postrouting': {
    title: 'Netfilter POSTROUTING',
    what: 'mangle, SNAT/MASQUERADE (first packet only), helpers and the conntrack confirm run just before the packet leaves.',
    look: 'iptables -t nat -L POSTROUTING -v -n -x, conntrack -L',
    ident: 'nf_hook_slow',
  },
  fragment: {
    title: 'Fragmentation',
    what: 'A packet larger than the route MTU is split by ip_fragment unless DF is set, in which case it is dropped and ICMP "fragmentation needed" carries the MTU back.',
    look: 'ip link show (mtu), nstat IpFragCreates, IpFragFails',
    ident: 'ip_fragment',
  },
  'dev-qdisc': {
    title: 'Device queue (qdisc)',
    what: '__dev_queue_xmit picks a TX queue and enqueues on the qdisc (pfifo_fast, limit txqueuelen 1000), or bypasses it when empty. Overflow is QDISC_DROP, seen in tc -s qdisc.',
    look: 'tc -s qdisc show dev eth0, ip link (qlen), net.core.default_qdisc',
    ident: '__dev_queue_xmit',
  },
  gso: {
    title: 'Software segmentation',
    what: 'When the device cannot do TSO the super-packet is cut into MTU-sized segments here, after the qdisc; tcpdump then sees the segments.',
    look: 'ethtool -k eth0 (tcp-segmentation-offload, generic-segmentation-offload)',
    ident: 'skb_gso_segment',
  },
  'driver-xmit': {
    title: 'The device driver',
    what: 'dev_hard_start_xmit hands the skb to the driver (the tcpdump TX tap runs just before). The driver posts descriptors and stops the queue when the ring is nearly full.',
    look: 'ethtool -S eth0, /sys/class/net/eth0/queues/tx-0/byte_queue_limits',
    ident: 'dev_hard_start_xmit',
  },
  'dma-tx': {
    title: 'DMA to the NIC',
    what: 'The NIC reads the descriptors and fetches the data by DMA after the doorbell write; BQL caps the bytes in flight in the ring.',
    look: 'ethtool -g eth0 (TX ring), byte_queue_limits/limit',
    ident: 'netdev_tx_sent_queue',
  },
  'nic-tx': {
    title: 'The NIC transmits',
    what: 'The frame is serialised onto the wire at the link rate; a TX completion interrupt later lets NAPI free the skb (consume, not drop).',
    look: 'ip -s link (TX packets/bytes), ethtool -S eth0',
    ident: 'netdev_tx_completed_queue',
  },
  'tx-complete': {
    title: 'TX completion',
    what: 'NAPI cleans the TX ring: napi_consume_skb frees the skb as consumed, BQL learns the completed bytes and TSQ lets the socket send more.',
    look: 'byte_queue_limits/inflight',
    ident: 'napi_consume_skb',
  },
  'icmp-error': {
    title: 'ICMP error',
    what: 'The kernel answers a packet it cannot deliver or forward (no port, TTL exceeded, fragmentation needed), rate limited by icmp_ratelimit.',
    look: 'net.ipv4.icmp_ratelimit, nstat IcmpOutDestUnreachs, IcmpOutTimeExcds',
    ident: 'icmp_send',
  },
  drop: {
    title: 'The packet is dropped',
    what: 'kfree_skb_reason frees the skb and records why (the SKB_DROP_REASON_* name). dropwatch and perf trace -e skb:kfree_skb show this point.',
    look: 'dropwatch -l kas, perf trace -e skb:kfree_skb, nstat',
    ident: 'kfree_skb_reason',
  },
};
