// `tcpdump` on a simulated host. A live capture opens an AF_PACKET tap
// (host.taps: RX in __netif_receive_skb_core after GRO, TX in
// dev_queue_xmit_nit after the qdisc and software GSO) feeding a
// CaptureSession, and keeps running as a job until -c N packets or until it
// is stopped (the end of the run, Ctrl-C in the shell). -w and -r use the
// host's filesystem. Errors are tcpdump's, with exit status 1.

import type { Host, PacketTap } from '../model/host.js';
import type { NetDevice } from '../nic/net_device.js';
import type { Skb } from '../model/skb.js';
import { hostVfs, type Vfs } from '../model/vfs.js';
import { registerTool, type CommandResult, type RunningJob } from './runner.js';
import { parseTcpdumpArgs, TcpdumpArgError, type TcpdumpOptions } from './tcpdump/options.js';
import { CaptureSession } from './tcpdump/capture.js';
import { FilterSyntaxError, compileFilter } from './tcpdump/filter.js';
import { tcpdumpRead } from './tcpdump/read.js';
import { readPcap } from './pcap/reader.js';
import { MemoryPcapSink, PcapWriter, type PcapFileOpener } from './pcap/writer.js';
import { PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC } from './pcap/format.js';
import { NSEC_PER_SEC } from '../model/time.js';

function fail(stderr: string): CommandResult {
  return { stdout: '', stderr, exitCode: 1 };
}

/** Savefiles go to the host's filesystem; each file's bytes land there when it is closed. */
function vfsOpener(vfs: Vfs): PcapFileOpener {
  return (name) => {
    const sink = new MemoryPcapSink();
    const file = vfs.openForWrite(name, () => sink.bytes());
    return {
      write: (chunk) => sink.write(chunk),
      close: () => {
        sink.close();
        file.close(sink.bytes());
      },
    };
  };
}

/** pcap_lookupdev: the first device that is not loopback. */
function defaultDevice(host: Host): NetDevice | null {
  for (const d of host.devices) if (d && d.kind !== 'loopback') return d;
  return null;
}

/** A pcap or pcapng magic number: anything else is "unknown file format" to pcap_open_offline. */
function isSavefile(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const le = v.getUint32(0, true);
  const be = v.getUint32(0, false);
  return le === PCAP_MAGIC_USEC || le === PCAP_MAGIC_NSEC || be === PCAP_MAGIC_USEC || be === PCAP_MAGIC_NSEC;
}

/** `tcpdump -r FILE`: print the matching packets, or with -w copy them to another savefile. */
function readSavefile(vfs: Vfs, o: TcpdumpOptions): CommandResult {
  const name = o.readFile!;
  const bytes = vfs.read(name);
  if (!bytes) return fail(`tcpdump: ${name}: ${vfs.isDir(name) ? 'Is a directory' : 'No such file or directory'}\n`);
  if (!isSavefile(bytes)) return fail('tcpdump: unknown file format\n');
  if (o.writeFile === null) return tcpdumpRead(o, bytes);
  const pcap = readPcap(bytes);
  if (!('records' in pcap)) return fail(`tcpdump: ${name}: ${pcap.message}\n`);
  const filter = compileFilter(o.filter, pcap.linktype);
  if (filter instanceof FilterSyntaxError) return fail(`tcpdump: ${filter.message}\n`);
  const werr = vfs.writeError(o.writeFile);
  if (werr) return fail(`tcpdump: ${o.writeFile}: ${werr}\n`);
  const out = new MemoryPcapSink();
  const w = new PcapWriter({ linktype: pcap.linktype, snaplen: pcap.snaplen, nanos: pcap.nanos }, (c) => out.write(c));
  let n = 0;
  for (const r of pcap.records) {
    if (!filter.matches(r.data, r.origLen)) continue;
    w.writeRecord(r.sec * NSEC_PER_SEC + r.nsec, r.data, r.origLen);
    if (o.count > 0 && ++n >= o.count) break;
  }
  vfs.write(o.writeFile, out.bytes());
  return { stdout: '', stderr: `reading from file ${name}, link-type ${pcap.linktype === 113 ? 'LINUX_SLL (Linux cooked v1)' : 'EN10MB (Ethernet)'}, snapshot length ${pcap.snaplen}\n`, exitCode: 0 };
}

/** The AF_PACKET socket of one live capture: hands each tapped packet to the session. */
class CaptureTap implements PacketTap, RunningJob {
  private readonly lines: string[] = [];
  private drained = 0;
  private finished = false;

  constructor(readonly host: Host, readonly ifindex: number, readonly session: CaptureSession) {}

  deliver(host: Host, skb: Skb, dev: NetDevice, outgoing: boolean, t: number): void {
    this.session.tap(skb, dev.name, outgoing ? 'Out' : 'In', t);
    if (this.session.stopped) this.detach();
  }

  onLine(text: string): void {
    this.lines.push(text);
  }

  get done(): boolean {
    return this.session.stopped;
  }

  drain(): string {
    const out = this.lines.slice(this.drained);
    this.drained = this.lines.length;
    return out.length ? out.join('\n') + '\n' : '';
  }

  finish(): CommandResult {
    if (this.finished) return { stdout: '', stderr: '', exitCode: 0 };
    this.finished = true;
    this.session.stop();
    this.detach();
    return { stdout: this.drain(), stderr: this.session.summary(), exitCode: 0 };
  }

  /** Closes the socket: a new array, so a tap loop walking the old one is undisturbed. */
  private detach(): void {
    if (this.host.taps.includes(this)) this.host.taps = this.host.taps.filter((t) => t !== this);
  }
}

/**
 * Runs `tcpdump ARGV` on the host. Savefiles go to the host's filesystem
 * unless `open` is given (the CLI's --pcap passes real files).
 */
export function tcpdump(host: Host, argv: string[], open?: PcapFileOpener): CommandResult {
  const o = parseTcpdumpArgs(argv);
  if (o instanceof TcpdumpArgError) return fail(`${o.error}\n`);
  const vfs = hostVfs(host);
  if (o.readFile !== null) return readSavefile(vfs, o);
  let ifindex = 0;
  if (o.interface === null) {
    const d = defaultDevice(host);
    if (!d) return fail('tcpdump: no suitable device found\n');
    o.interface = d.name;
    ifindex = d.ifindex;
  } else if (o.interface !== 'any') {
    const d = host.devByName.get(o.interface);
    if (!d) return fail(`tcpdump: ${o.interface}: No such device exists\n(No such device exists)\n`);
    ifindex = d.ifindex;
  }
  if (o.writeFile !== null && !open) {
    const werr = vfs.writeError(o.writeFile);
    if (werr) return fail(`tcpdump: ${o.writeFile}: ${werr}\n`);
  }
  let tap: CaptureTap | null = null;
  const session = CaptureSession.create(o, { onLine: (l) => tap!.onLine(l), open: open ?? vfsOpener(vfs), epochSec: 0 });
  if (session instanceof FilterSyntaxError) return fail(`tcpdump: ${session.message}\n`);
  tap = new CaptureTap(host, ifindex, session);
  host.taps = [...host.taps, tap];
  return { stdout: '', stderr: session.banner(), exitCode: 0, job: tap };
}

registerTool('tcpdump', (host, argv) => tcpdump(host, argv));
