// The simulated world: hosts joined by links on one event queue, one tracer,
// and the seeded random streams every component draws from.

import type { LatencyHistogram } from './latency_histogram.js';
import { Scheduler } from './scheduler.js';
import { Tracer } from './trace.js';
import { RandomStreams } from './random.js';
import type { Host } from './host.js';
import type { Link } from '../nic/link.js';
import type { TraceEvent } from './trace.js';

/** Whole-run packet accounting: every packet ends delivered, forwarded out, transmitted or dropped. */
export class PacketStats {
  /** Packets created by applications, traffic generators and replayed captures. */
  injected = 0;
  /** Packets a host's stack consumed: read by an application or used by TCP/ICMP. */
  delivered = 0;
  /** Packets a router forwarded. */
  forwarded = 0;
  /** Frames serialized onto a wire. */
  transmitted = 0;
  dropped = 0;
  /** Frames lost on a link (seeded loss): not a kernel drop. */
  lostOnWire = 0;
  readonly dropsByReason = new Float64Array(256);
}

/** What the kernel's tracepoints print about an skb, as it was at a recorded event. */
export interface RecordedSkb {
  frameLen: number;
  ethProto: number;
  truesize: number;
  ipSummed: number;
}

export class World {
  readonly sim = new Scheduler();
  readonly tracer = new Tracer();
  readonly streams: RandomStreams;
  readonly hosts = new Map<string, Host>();
  readonly links: Link[] = [];
  readonly packets = new PacketStats();
  /** skb.tstamp → application read delays and bytes, when a sweep asks for them; null costs one branch. */
  appRecvLatency: LatencyHistogram | null = null;

  /**
   * The trace kept since record() was first called, for tools that look back
   * (`perf trace`, `dropwatch` reasons); null while nothing asked for it, so an
   * unrecorded run keeps the tracer off.
   */
  recorded: TraceEvent[] | null = null;
  /** For each recorded event, facts about its skb at that moment (what tracepoints print). */
  readonly recordedSkb: RecordedSkb[] = [];

  constructor(readonly seed: number) {
    this.streams = new RandomStreams(seed);
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host named ${name}`);
    return h;
  }

  /** Starts keeping every trace event from now on (idempotent); returns the kept events. */
  record(): TraceEvent[] {
    if (!this.recorded) {
      const kept: TraceEvent[] = [];
      const facts = this.recordedSkb;
      this.tracer.subscribe((ev, skb) => {
        kept.push(ev);
        facts.push({ frameLen: skb.frameLen, ethProto: skb.ethProto, truesize: skb.truesize, ipSummed: skb.ipSummed });
      });
      this.recorded = kept;
    }
    return this.recorded;
  }
}
