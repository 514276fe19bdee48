// Trace events (design.md §2). Every stage of every packet emits one. The model
// calls `trace.stage(...)` only behind `if (trace.on)`, so a disabled trace
// costs a branch; sinks (memory, JSON Lines, pcap taps, timelines) subscribe.

import { FLOW_NAMES, type Skb } from './skb.js';
import { dropReasonName } from './drop_reason.js';

export interface TraceEvent {
  t: number;
  host: string;
  cpu: number;
  dev?: string;
  skb: number;
  flow: 'inbound' | 'outbound' | 'forward';
  step: number;
  stage: string;
  fn: string;
  detail: string;
  verdict?: string;
  reason?: string;
  /** The process on whose behalf the stage ran (syscall-level stages: app-send, app-recv); absent in softirq context. */
  pid?: number;
}

/** A stage of the journey: its slug, the seed's step number and the kernel function it mirrors. */
export interface StageDef {
  readonly slug: string;
  readonly step: number;
  readonly fn: string;
}

function stage(slug: string, step: number, fn: string): StageDef {
  return { slug, step, fn };
}

/** The seed's numbered steps (inbound 1-11, outbound 1-10) and the extra stages within them. */
export const Stage = {
  // inbound
  NIC_RX: stage('nic-rx', 1, 'eth_rx'),
  DMA_RX: stage('dma-rx', 2, 'dma_rx_writeback'),
  IRQ: stage('irq', 3, 'napi_schedule'),
  NAPI_POLL: stage('napi-poll', 4, 'napi_poll'),
  GRO: stage('gro', 4, 'napi_gro_receive'),
  CPU_BACKLOG: stage('cpu-backlog', 5, 'netif_receive_skb'),
  NF_PREROUTING: stage('nf-prerouting', 6, 'nf_hook_slow'),
  DEFRAG: stage('defrag', 6, 'ip_defrag'),
  CONNTRACK: stage('conntrack', 6, 'nf_conntrack_in'),
  NAT: stage('nat', 6, 'nf_nat_ipv4_fn'),
  ROUTE_INPUT: stage('route-input', 7, 'ip_route_input_noref'),
  NF_INPUT: stage('nf-input', 8, 'nf_hook_slow'),
  NF_FORWARD: stage('nf-forward', 8, 'nf_hook_slow'),
  L4_RX: stage('l4-rx', 9, 'tcp_v4_rcv'),
  SOCK_RCVQ: stage('sock-rcvq', 10, 'sock_queue_rcv_skb'),
  APP_RECV: stage('app-recv', 11, 'tcp_recvmsg'),
  // outbound
  APP_SEND: stage('app-send', 1, 'tcp_sendmsg'),
  SOCK_SNDBUF: stage('sock-sndbuf', 2, 'sk_stream_memory_free'),
  L4_TX: stage('l4-tx', 3, 'tcp_transmit_skb'),
  NF_OUTPUT: stage('nf-output', 4, 'nf_hook_slow'),
  ROUTE_OUTPUT: stage('route-output', 5, 'ip_route_output_key'),
  NF_POSTROUTING: stage('nf-postrouting', 6, 'nf_hook_slow'),
  FRAGMENT: stage('fragment', 6, 'ip_fragment'),
  DEV_QDISC: stage('dev-qdisc', 7, '__dev_queue_xmit'),
  GSO: stage('gso', 8, 'skb_gso_segment'),
  DRIVER_XMIT: stage('driver-xmit', 8, 'dev_hard_start_xmit'),
  DMA_TX: stage('dma-tx', 9, 'dma_tx'),
  NIC_TX: stage('nic-tx', 10, 'eth_tx'),
  TX_COMPLETE: stage('tx-complete', 10, 'napi_consume_skb'),
  ICMP_ERROR: stage('icmp-error', 9, 'icmp_send'),
  DROP: stage('drop', 0, 'kfree_skb_reason'),
} as const;

export type StageKey = keyof typeof Stage;

/** A trace listener; it also gets the skb itself, for sinks that keep facts the event does not carry (its length). */
export type TraceSink = (ev: TraceEvent, skb: Skb) => void;

/** A fixed stage at a given step (forward packets reuse outbound stage numbers after routing). */
export class Tracer {
  /** True while any sink listens; the model tests this before building an event. */
  on = false;
  private sinks: TraceSink[] = [];

  subscribe(sink: TraceSink): () => void {
    this.sinks.push(sink);
    this.on = true;
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
      this.on = this.sinks.length > 0;
    };
  }

  /** Emits one stage event for `skb`. Call only when `on`. */
  stage(
    t: number,
    host: string,
    cpu: number,
    dev: string | undefined,
    skb: Skb,
    st: StageDef,
    detail: string,
    verdict?: string,
    reason?: number,
    fn?: string,
    pid?: number,
  ): void {
    const ev: TraceEvent = {
      t,
      host,
      cpu,
      ...(dev !== undefined ? { dev } : {}),
      skb: skb.id,
      flow: FLOW_NAMES[skb.flow]!,
      step: st.step,
      stage: st.slug,
      fn: fn ?? st.fn,
      detail,
    };
    if (verdict !== undefined) ev.verdict = verdict;
    if (reason !== undefined) ev.reason = dropReasonName(reason);
    if (pid !== undefined) ev.pid = pid;
    for (const s of this.sinks) s(ev, skb);
  }
}
