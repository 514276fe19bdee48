// Per-CPU softnet data (struct softnet_data, net/core/dev.c): the NAPI poll
// list, the backlog queue that RPS and netif_rx() feed, and the counters of
// /proc/net/softnet_stat.

import { NapiStruct, NAPI_KIND_BACKLOG } from '../nic/net_device.js';
import { SkbQueue } from '../nic/skb_queue.js';

export class SoftnetData {
  /** NAPI contexts with work, in the order net_rx_action polls them. */
  readonly pollList: NapiStruct[] = [];
  /** input_pkt_queue: filled by enqueue_to_backlog (RPS, netif_rx). */
  readonly inputPktQueue = new SkbQueue(64);
  /** process_queue: the batch process_backlog is draining. */
  readonly processQueue = new SkbQueue(64);
  readonly backlog: NapiStruct;

  // /proc/net/softnet_stat columns
  processed = 0;
  dropped = 0;
  timeSqueeze = 0;
  receivedRps = 0;
  flowLimitCount = 0;

  /** NET_RX_SOFTIRQ is raised (a net_rx_action run is scheduled or running). */
  rxSoftirqPending = false;
  /** State of the net_rx_action run in progress. */
  rxBudget = 0;
  rxTimeLimit = 0;
  rxRunning = false;

  constructor(readonly cpu: number, devWeight: number) {
    this.backlog = new NapiStruct(NAPI_KIND_BACKLOG, cpu, devWeight, null, null);
  }

  /** Column 12 of softnet_stat: input_qlen + process_qlen. */
  get backlogLen(): number {
    return this.inputPktQueue.length + this.processQueue.length;
  }
}
