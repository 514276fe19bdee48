// The conntrack workload of `npm run bench`: a SYN flood of distinct tuples
// driven straight through the Conntrack API (nf_conntrack_in at PRE_ROUTING,
// nf_confirm at LOCAL_IN, as an inbound packet meets them) against
// nf_conntrack_max = nf_conntrack_buckets = 262144, the 6.18 default on a
// > 4 GiB machine. One Skb is reused for every attempt, so the figures are
// the table's cost, not packet allocation; it lets go of its entry between
// attempts as a freed packet does, so evicted entries are recycled. Once the table is full, every
// attempt runs __nf_conntrack_alloc's early_drop over the unassured SYN_SENT
// entries near its bucket.

import { Scheduler } from '../src/model/scheduler.js';
import { RandomStream } from '../src/model/random.js';
import { IPPROTO, nfResetCt, Skb, TCPHDR } from '../src/model/skb.js';
import { NF, NF_INET, type NfHookState } from '../src/netfilter/hooks.js';
import { Conntrack } from '../src/netfilter/conntrack/index.js';

export interface ConntrackFlowsResult {
  name: string;
  packets: number;
  events: number;
  wall_s: number;
  packets_per_s: number;
  events_per_s: number;
  heap_bytes: number;
  flows_per_s: number;
  heap_bytes_per_entry: number;
  count: number;
  accepted: number;
  early_drop: number;
  drop: number;
}

const MAX = 262144;
/** Simulated gap between attempts: 1 M attempts span 1 s, so the gc worker runs once. */
const GAP_NS = 1000;
/** The scheduler (the gc worker, were it registered) runs every this many attempts. */
const RUN_EVERY = 256;

function hookState(hook: number): NfHookState {
  return { hook: hook as NfHookState['hook'], inDev: 'eth0', outDev: '', inIfindex: 2, outIfindex: 0, now: 0, dropReason: 0, detail: '', rerouteNeeded: false, rulesEvaluated: 0, ctLookups: 0, ctNew: 0 };
}

/** The JS heap in use plus every ArrayBuffer (the entry records, bucket heads and NAT's chains live in typed arrays). */
function jsAndBufferBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function conntrackFlows(attempts: number, gc: (() => void) | undefined, eventLogSize = 0): ConntrackFlowsResult {
  // Twice: the first collection frees the last run's tables, whose ArrayBuffers the second sees released.
  gc?.();
  gc?.();
  const heap0 = jsAndBufferBytes();
  const sim = new Scheduler();
  const ct = new Conntrack({
    scheduler: sim, random: new RandomStream(1, 'bench:conntrack'), printk: () => {}, hostName: 'bench',
    sysctl: { nf_conntrack_max: MAX, nf_conntrack_buckets: MAX }, eventLogSize,
  });
  const pre = hookState(NF_INET.PRE_ROUTING);
  const input = hookState(NF_INET.LOCAL_IN);
  const skb = new Skb();
  skb.protocol = IPPROTO.TCP;
  skb.daddr = 0x0a000002;
  skb.dport = 80;
  skb.tcpFlags = TCPHDR.SYN;
  skb.window = 64240;
  skb.len = 60;
  let accepted = 0;
  const t0 = performance.now();
  for (let i = 0; i < attempts; i++) {
    // The previous attempt's packet is gone (consume_skb → nf_reset_ct).
    nfResetCt(skb);
    skb.saddr = (0x0b000000 + Math.floor(i / 60000)) | 0;
    skb.sport = 1024 + (i % 60000);
    skb.seq = (i * 2654435761) >>> 0;
    if (ct.nfConntrackIn(skb, pre) === NF.ACCEPT && ct.nfConfirm(skb, input) === NF.ACCEPT) accepted++;
    if ((i & (RUN_EVERY - 1)) === RUN_EVERY - 1) sim.run(sim.now + RUN_EVERY * GAP_NS);
  }
  sim.run(sim.now + GAP_NS);
  const wall = (performance.now() - t0) / 1000;
  gc?.();
  const heap = jsAndBufferBytes();
  return {
    name: eventLogSize ? 'conntrack-flows-events' : 'conntrack-flows',
    packets: attempts,
    events: sim.dispatched,
    wall_s: Number(wall.toFixed(3)),
    packets_per_s: Math.round(attempts / wall),
    events_per_s: Math.round(sim.dispatched / wall),
    heap_bytes: heap,
    flows_per_s: Math.round(attempts / wall),
    heap_bytes_per_entry: Math.round((heap - heap0) / Math.max(1, ct.count)),
    count: ct.count,
    accepted,
    early_drop: ct.stats.total('early_drop'),
    drop: ct.stats.total('drop'),
  };
}
