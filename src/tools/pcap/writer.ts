// A streaming pcap writer (libpcap pcap_dump_open/pcap_dump): bytes go to a
// sink as they are produced, so the file edge (fs, a Blob, memory) is separate.
// Writes in little-endian host order, as libpcap on x86 does.

import { NSEC_PER_SEC, NSEC_PER_USEC } from '../../model/time.js';
import {
  MAXIMUM_SNAPLEN, PCAP_FILE_HDR_LEN, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PCAP_RECORD_HDR_LEN, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR,
} from './format.js';

export type PcapChunkSink = (chunk: Uint8Array) => void;

export interface PcapWriterOptions {
  /** LINKTYPE_ETHERNET or LINKTYPE_LINUX_SLL (what `-i any` writes). */
  linktype: number;
  /** Bytes kept per packet (tcpdump -s); 0 means the default 262144. */
  snaplen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  nanos?: boolean;
  /** Seconds added to every timestamp: simulated time 0 is this wall-clock second. */
  epochSec?: number;
}

export class PcapWriter {
  readonly snaplen: number;
  private readonly nanos: boolean;
  private readonly epochSec: number;
  private written = 0;

  constructor(opts: PcapWriterOptions, private readonly sink: PcapChunkSink) {
    this.snaplen = opts.snaplen && opts.snaplen > 0 ? opts.snaplen : MAXIMUM_SNAPLEN;
    this.nanos = opts.nanos ?? false;
    this.epochSec = opts.epochSec ?? 0;
    const h = new Uint8Array(PCAP_FILE_HDR_LEN);
    const v = new DataView(h.buffer);
    v.setUint32(0, this.nanos ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, true);
    v.setUint16(4, PCAP_VERSION_MAJOR, true);
    v.setUint16(6, PCAP_VERSION_MINOR, true);
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, opts.linktype, true);
    this.emit(h);
  }

  /** Bytes handed to the sink so far, header included (pcap_dump_ftell). */
  get bytesWritten(): number {
    return this.written;
  }

  /** One packet seen at simulated time `tsNs`; `frame` is cut to the snaplen, `origLen` is its length on the wire. */
  writeRecord(tsNs: number, frame: Uint8Array, origLen: number = frame.length): void {
    const caplen = Math.min(frame.length, this.snaplen);
    const rec = new Uint8Array(PCAP_RECORD_HDR_LEN + caplen);
    const v = new DataView(rec.buffer);
    const nsec = tsNs % NSEC_PER_SEC;
    v.setUint32(0, this.epochSec + Math.floor(tsNs / NSEC_PER_SEC), true);
    v.setUint32(4, this.nanos ? nsec : Math.floor(nsec / NSEC_PER_USEC), true);
    v.setUint32(8, caplen, true);
    v.setUint32(12, origLen, true);
    rec.set(frame.subarray(0, caplen), PCAP_RECORD_HDR_LEN);
    this.emit(rec);
  }

  private emit(chunk: Uint8Array): void {
    this.written += chunk.length;
    this.sink(chunk);
  }
}

/** Where a rotating writer puts each file's bytes. */
export interface PcapFileSink {
  write(chunk: Uint8Array): void;
  close(): void;
}

export type PcapFileOpener = (fileName: string) => PcapFileSink;

/**
 * tcpdump's savefile names (MakeFilename in tcpdump.c): the -w name for the
 * first file, then the name with 1, 2, ... appended (zero-padded to `digits` with -W).
 */
export function savefileName(base: string, index: number, digits = 0): string {
  if (index === 0 && digits === 0) return base;
  return base + String(index).padStart(digits, '0');
}

/**
 * `-w FILE -C SIZE`: before writing a packet, if the current file is already
 * larger than SIZE million bytes, close it and open the next
 * (dump_packet_and_trunc in tcpdump.c: `if (pcap_dump_ftell(p) > Cflag)`).
 */
export class RotatingPcapWriter {
  readonly fileNames: string[] = [];
  private writer!: PcapWriter;
  private sink!: PcapFileSink;

  /** `fileSizeBytes` 0 disables rotation. */
  constructor(
    private readonly baseName: string,
    private readonly fileSizeBytes: number,
    private readonly opts: PcapWriterOptions,
    private readonly open: PcapFileOpener,
  ) {
    this.openNext();
  }

  writeRecord(tsNs: number, frame: Uint8Array, origLen: number = frame.length): void {
    if (this.fileSizeBytes > 0 && this.writer.bytesWritten > this.fileSizeBytes) {
      this.sink.close();
      this.openNext();
    }
    this.writer.writeRecord(tsNs, frame, origLen);
  }

  close(): void {
    this.sink.close();
  }

  private openNext(): void {
    const name = savefileName(this.baseName, this.fileNames.length);
    this.fileNames.push(name);
    const sink = this.open(name);
    this.sink = sink;
    this.writer = new PcapWriter(this.opts, (chunk) => sink.write(chunk));
  }
}

/** An in-memory sink: collects chunks and joins them on demand. */
export class MemoryPcapSink implements PcapFileSink {
  private chunks: Uint8Array[] = [];
  private size = 0;
  closed = false;

  write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  close(): void {
    this.closed = true;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) { out.set(c, off); off += c.length; }
    this.chunks = [out];
    return out;
  }
}
