// A running `tcpdump -i IFACE` on a simulated host. The capture taps (af_packet's
// dev_queue_xmit_nit on TX, the ptype_all walk in __netif_receive_skb_core on
// RX) call tap() with each packet; the session applies the snaplen and the
// filter, counts, and either prints tcpdump's lines or writes pcap records
// (-w, with -C rotation), stopping after -c N packets.

import { CHECKSUM_PARTIAL, PACKET_OUTGOING, type Skb } from '../../model/skb.js';
import { NSEC_PER_SEC } from '../../model/time.js';
import { emitFrame, ethernetToSll, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from '../../wire/frame.js';
import { RotatingPcapWriter, type PcapFileOpener } from '../pcap/writer.js';
import { compileFilter, FilterSyntaxError, type PacketFilter } from './filter.js';
import type { TcpdumpOptions } from './options.js';
import { TcpdumpPrinter } from './print.js';
import { linktypeDescription } from './read.js';

export type CaptureDirection = 'In' | 'Out';

export interface CaptureIo {
  /** Receives each printed packet (without a newline) when not writing a file. */
  onLine?: (text: string) => void;
  /** Opens -w files (pcap_node's openPcapFile in Node, a MemoryPcapSink elsewhere). */
  open?: PcapFileOpener;
  /** Wall-clock second that simulated time 0 stands for in printed and written times. */
  epochSec?: number;
}

export class CaptureSession {
  readonly linktype: number;
  /** Packets that passed the filter ("packets captured"). */
  captured = 0;
  /** Packets the socket saw on the interface ("packets received by filter"). */
  received = 0;
  /** True once -c packets were captured; later taps are ignored. */
  stopped = false;
  private readonly printer: TcpdumpPrinter | null;
  private readonly writer: RotatingPcapWriter | null;
  private readonly epochSec: number;

  private constructor(readonly opts: TcpdumpOptions, private readonly filter: PacketFilter, private readonly io: CaptureIo) {
    this.linktype = filter.linktype;
    this.epochSec = io.epochSec ?? 0;
    if (opts.writeFile !== null) {
      if (!io.open) throw new Error('CaptureSession: -w needs an `open` for savefiles');
      this.writer = new RotatingPcapWriter(opts.writeFile, opts.fileSizeBytes, { linktype: this.linktype, snaplen: opts.snaplen, epochSec: this.epochSec }, io.open);
      this.printer = null;
    } else {
      this.writer = null;
      this.printer = new TcpdumpPrinter(opts.print, this.linktype);
    }
  }

  /** Compiles the filter for the interface's link type (Linux cooked on `any`), or returns tcpdump's complaint. */
  static create(opts: TcpdumpOptions, io: CaptureIo = {}): CaptureSession | FilterSyntaxError {
    const linktype = opts.interface === 'any' ? LINKTYPE_LINUX_SLL : LINKTYPE_ETHERNET;
    const filter = compileFilter(opts.filter, linktype);
    if (filter instanceof FilterSyntaxError) return filter;
    return new CaptureSession(opts, filter, io);
  }

  /** What tcpdump writes on stderr when it starts listening. */
  banner(): string {
    const iface = this.opts.interface ?? 'eth0';
    const listening = `listening on ${iface}, link-type ${linktypeDescription(this.linktype)}, snapshot length ${this.opts.snaplen} bytes`;
    if (this.writer) return `tcpdump: ${listening}\n`;
    const hint = this.opts.print.verbose ? '' : 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n';
    return `${hint}${listening}\n`;
  }

  /**
   * One packet seen by the tap on `ifname` at simulated time `tsNs`. Returns
   * true if it was captured. On TX (`Out`) a CHECKSUM_PARTIAL skb is copied
   * before the NIC fills in its L4 checksum, as a real tap sees it.
   */
  tap(skb: Skb, ifname: string, direction: CaptureDirection, tsNs: number): boolean {
    if (this.stopped) return false;
    const iface = this.opts.interface;
    if (iface !== null && iface !== 'any' && iface !== ifname) return false;
    this.received++;
    let frame = emitFrame(skb, { csumPartial: direction === 'Out' && skb.ipSummed === CHECKSUM_PARTIAL });
    const pktType = direction === 'Out' ? PACKET_OUTGOING : skb.pktType;
    if (this.linktype === LINKTYPE_LINUX_SLL) frame = ethernetToSll(frame, pktType);
    const wireLen = frame.length;
    const caplen = Math.min(wireLen, this.opts.snaplen);
    const bytes = caplen < wireLen ? frame.subarray(0, caplen) : frame;
    if (!this.filter.matches(bytes, wireLen)) return false;
    this.captured++;
    if (this.writer) {
      this.writer.writeRecord(tsNs, bytes, wireLen);
    } else if (this.printer && this.io.onLine) {
      const sec = this.epochSec + Math.floor(tsNs / NSEC_PER_SEC);
      const live = this.linktype === LINKTYPE_LINUX_SLL ? { name: ifname, ifindex: skb.ifindex, direction: SLL_DIRECTIONS[pktType] ?? '?' } : undefined;
      this.io.onLine(this.printer.format(sec, tsNs % NSEC_PER_SEC, bytes, wireLen, live));
    }
    if (this.opts.count > 0 && this.captured >= this.opts.count) this.stop();
    return true;
  }

  /** Ends the capture (-c reached, or the command's end): closes the savefile. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.writer?.close();
  }

  /** Savefiles written so far (`file`, `file1`, ... with -C). */
  get fileNames(): readonly string[] {
    return this.writer ? this.writer.fileNames : [];
  }

  /** The statistics tcpdump prints on stderr when it exits. */
  summary(): string {
    const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
    return `${plural(this.captured, 'packet')} captured\n${plural(this.received, 'packet')} received by filter\n0 packets dropped by kernel\n`;
  }
}

/** sll_pkttype_values: PACKET_HOST In, BROADCAST B, MULTICAST M, OTHERHOST P, OUTGOING Out. */
const SLL_DIRECTIONS = ['In', 'B', 'M', 'P', 'Out'];
