// ping (iputils 20221126, ping/ping.c and ping/ping_common.c) as a process on a
// simulated host: a raw ICMP socket with IP_RECVERR sending echo requests
// through the real output path (ip_local_out, so OUTPUT, fragmentation, the
// PMTU cache and the qdisc all apply), receiving echo replies and ICMP errors
// through host.icmpErrorHandlers, and printing exactly what ping prints.
//
// Mirrored behaviour:
// - id = pid & 0xffff (raw socket), icmp_seq from 1; `-s` bytes of data, so
//   the IP datagram is size + 28.
// - IP_PMTUDISC_*: `do`/`probe` send with DF and refuse a datagram above the
//   path MTU (`probe`: the device MTU) with a local EMSGSIZE, which ping reads
//   from the error queue: "ping: local error: message too long, mtu=N" on
//   stderr, one error counted, the probe still counted as transmitted.
//   `want` sets DF when the datagram fits and fragments it otherwise; `dont`
//   never sets DF (__ip_make_skb, ip_dont_fragment).
// - Replies print `N bytes from IP: icmp_seq=S ttl=T time=X ms` with
//   ping's rounding (print_timestamp in gather_statistics); ICMP errors print
//   `From IP icmp_seq=S <pr_icmph text>`.
// - ping stops once every probe is answered or failed; otherwise it lingers
//   after the last probe for 2 × the largest RTT (at least the interval) when
//   something was received, else for -W (default 10 s): __schedule_exit.
// - finish(): the statistics block, loss with %g of a float, time rounded to
//   ms from the first probe to the last send or reply, rtt min/avg/max/mdev
//   in integer microseconds, "pipe N" when probes overlapped; exit status 1
//   when nothing was received.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import type { Scheduler } from '../model/scheduler.js';
import type { Skb } from '../model/skb.js';
import { ICMPHDR_LEN, IP, IPHDR_LEN, IPPROTO } from '../model/skb.js';
import { allocLocalSkb } from '../model/skb_alloc.js';
import { formatIpv4 } from '../model/inet.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { BLOCK_SLEEP, Process } from '../transport/process.js';
import { ipLocalOut, ipRouteOutput, routeSource } from '../routing/ip_output.js';
import type { FibRoute } from '../routing/fib.js';
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHOREPLY, ICMP_TIME_EXCEEDED, isIcmpError } from '../routing/icmp.js';
import { IP_PMTUDISC_DO, IP_PMTUDISC_DONT, IP_PMTUDISC_PROBE, IP_PMTUDISC_WANT } from '../transport/udp.js';

export { IP_PMTUDISC_DO, IP_PMTUDISC_DONT, IP_PMTUDISC_PROBE, IP_PMTUDISC_WANT };

/** MAXWAIT (ping.h): the default -W linger when nothing was received, seconds. */
export const PING_MAXWAIT_S = 10;
/** ping's default -s: 56 bytes of data (DEFDATALEN). */
export const PING_DEFDATALEN = 56;
/** sizeof(struct timeval): below this, replies carry no timestamp and print no time. */
const TIMEVAL_LEN = 16;
/** Sequence numbers are 16 bits; per-seq state is kept in a ring of that size. */
const SEQ_RING = 65536;
const EPERM = 1;

export interface PingOptions {
  /** The destination as typed (an address or a host name), printed in the banner and summary. */
  target: string;
  daddr: number;
  /** Probes to send; 0 = until interrupted. */
  count: number;
  intervalNs: number;
  size: number;
  pmtudisc: number;
  /** -W: linger after the last probe when nothing was received, ns. */
  lingerNs: number;
  /** -q: only the banner and the summary. */
  quiet: boolean;
}

/** The text pr_icmph prints for an ICMP error (ping_common.c / ping.c). */
export function pingIcmpText(type: number, code: number, info: number): string {
  if (type === ICMP_DEST_UNREACH) {
    switch (code) {
      case 0: return 'Destination Net Unreachable';
      case 1: return 'Destination Host Unreachable';
      case 2: return 'Destination Protocol Unreachable';
      case 3: return 'Destination Port Unreachable';
      case 4: return `Frag needed and DF set (mtu = ${info})`;
      case 5: return 'Source Route Failed';
      case 6: return 'Destination Net Unknown';
      case 7: return 'Destination Host Unknown';
      case 8: return 'Source Host Isolated';
      case 9: return 'Destination Net Prohibited';
      case 10: return 'Destination Host Prohibited';
      case 11: return 'Destination Net Unreachable for Type of Service';
      case 12: return 'Destination Host Unreachable for Type of Service';
      case 13: return 'Packet filtered';
      case 14: return 'Precedence Violation';
      case 15: return 'Precedence Cutoff';
      default: return `Dest Unreachable, Bad Code: ${code}`;
    }
  }
  if (type === ICMP_TIME_EXCEEDED) {
    if (code === 0) return 'Time to live exceeded';
    if (code === 1) return 'Frag reassembly time exceeded';
    return `Time exceeded, Bad Code: ${code}`;
  }
  if (type === 4) return 'Source Quench';
  if (type === 12) return 'Parameter problem';
  if (type === 5) return 'Redirect';
  return `Bad ICMP type: ${type}`;
}

/** The " time=X ms" field as gather_statistics rounds it (triptime in µs). */
export function formatTriptime(us: number): string {
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)} ms`;
  if (us >= 10000 - 5) return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)} ms`;
  if (us >= 1000) return `${Math.floor((us + 5) / 1000)}.${String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, '0')} ms`;
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')} ms`;
}

/** printf("%g") of a C float, as ping prints the loss percentage. */
export function formatLossPercent(x: number): string {
  const f = Math.fround(x);
  if (f === 0) return '0';
  let s = f.toPrecision(6);
  if (s.includes('e')) return s;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

function ms3(us: number): string {
  return `${Math.floor(us / 1000)}.${String(Math.floor(us % 1000)).padStart(3, '0')}`;
}

export class Ping extends Process {
  readonly id: number;
  ntransmitted = 0;
  nreceived = 0;
  nrepeats = 0;
  nerrors = 0;
  /** RTT statistics in µs (tmin, tmax, tsum, tsum2 in ping_common.c). */
  tmin = Infinity;
  tmax = 0;
  tsum = 0;
  tsum2 = 0;
  pipesize = 1;
  /** Set once the summary has been printed. */
  finished = false;
  exitCode = 0;
  private out = '';
  private err = '';
  private drained = 0;
  private errDrained = 0;
  private readonly sentAt = new Float64Array(SEQ_RING);
  private readonly got = new Uint8Array(SEQ_RING);
  private readonly start: number;
  private nextSend: number;
  private lastActivity: number;
  private exitArmed = false;
  private readonly onIcmp: (host: Host, cpu: Cpu, skb: Skb) => boolean;

  constructor(host: Host, cpuId: number, readonly opts: PingOptions, start: number) {
    super(host, 'ping', cpuId);
    this.id = this.pid & 0xffff;
    this.start = start;
    this.nextSend = start;
    this.lastActivity = start;
    this.out = `PING ${opts.target} (${formatIpv4(opts.daddr)}) ${opts.size}(${opts.size + IPHDR_LEN + ICMPHDR_LEN}) bytes of data.\n`;
    this.onIcmp = (h, cpu, skb) => this.icmpInput(h, cpu, skb);
    host.icmpErrorHandlers.push(this.onIcmp);
    this.wake(start);
  }

  /** Stdout not yet drained (for streaming on a terminal). */
  drainStdout(): string {
    const r = this.out.slice(this.drained);
    this.drained = this.out.length;
    return r;
  }

  /** Stderr not yet drained. */
  drainStderr(): string {
    const r = this.err.slice(this.errDrained);
    this.errDrained = this.err.length;
    return r;
  }

  /** Stops ping (SIGINT or the end of the run) if it is still running; the summary is printed once. */
  interrupt(): void {
    if (!this.finished) this.finish();
  }

  run(cpu: Cpu): void {
    if (this.finished) return;
    const count = this.opts.count;
    if (count === 0 || this.ntransmitted < count) {
      if (cpu.now >= this.nextSend) {
        this.sendProbe(cpu);
        this.nextSend += this.opts.intervalNs;
      }
    }
    if (this.finished) return;
    if (count !== 0 && this.ntransmitted >= count) {
      if (this.nreceived + this.nerrors >= count) return this.finish();
      this.scheduleExit(cpu.now);
      return;
    }
    this.blocked = BLOCK_SLEEP;
    this.wake(Math.max(this.nextSend, cpu.now));
  }

  /** ping4_send_probe: one echo request through raw_sendmsg → ip_append_data → ip_local_out. */
  private sendProbe(cpu: Cpu): void {
    const host = this.host;
    const o = this.opts;
    this.ntransmitted++;
    this.lastActivity = cpu.now;
    const seq = this.ntransmitted & 0xffff;
    cpu.charge(host.costs.syscall + host.costs.icmp_send + host.costs.copy_per_byte * o.size);
    const rt = ipRouteOutput(host, o.daddr);
    if (!rt || !rt.dev) {
      host.snmp.v[MIB.IpOutNoRoutes]++;
      this.localError('ping: sendmsg: Network is unreachable');
      return;
    }
    const ipLen = IPHDR_LEN + ICMPHDR_LEN + o.size;
    const mtu = this.fragsize(rt);
    // __ip_append_data: DO and PROBE do not ignore DF, so nothing above the MTU is built.
    if (ipLen > mtu && o.pmtudisc >= IP_PMTUDISC_DO) {
      // ip_local_error(EMSGSIZE, info = mtu), read back by ping4_receive_error_msg.
      this.localError(`ping: local error: message too long, mtu=${mtu}`);
      return;
    }
    const skb = allocLocalSkb(host, cpu, routeSource(host, rt, o.daddr), o.daddr, IPPROTO.ICMP);
    skb.icmpType = ICMP_ECHO;
    skb.icmpCode = 0;
    skb.icmpId = this.id;
    skb.icmpSeq = seq;
    skb.payloadLen = o.size;
    skb.len = ipLen;
    if (o.pmtudisc === IP_PMTUDISC_DO || o.pmtudisc === IP_PMTUDISC_PROBE || (o.pmtudisc === IP_PMTUDISC_WANT && ipLen <= mtu)) {
      skb.fragOff = IP.DF;
    }
    this.sentAt[seq] = cpu.now;
    this.got[seq] = 0;
    const mib = host.snmp.v;
    mib[MIB.IcmpOutMsgs]++;
    mib[MIB.IcmpOutEchos]++;
    host.snmp.icmpMsgOut[ICMP_ECHO]++;
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, rt.dev.name, skb, Stage.APP_SEND,
      `ping (pid ${this.pid}) sendmsg(): echo request id ${this.id} seq ${seq}, ${o.size} bytes of data${skb.fragOff & IP.DF ? ', DF' : ''}`,
      undefined, undefined, 'raw_sendmsg');
    const rc = ipLocalOut(host, cpu, skb, rt);
    if (rc === -EPERM) this.localError('ping: sendmsg: Operation not permitted');
  }

  /** cork->fragsize: the path MTU (route exception included), or the device MTU for IP_PMTUDISC_PROBE. */
  private fragsize(rt: FibRoute): number {
    const dev = rt.dev!;
    if (this.opts.pmtudisc === IP_PMTUDISC_PROBE) return dev.mtu;
    let mtu = dev.mtu;
    if (rt.mtu && rt.mtu < mtu) mtu = rt.mtu;
    const p = this.host.pmtuLookup?.(this.host, this.opts.daddr) ?? 0;
    if (p > 0 && p < mtu) mtu = p;
    return mtu;
  }

  /** A local error read back from the error queue (SO_EE_ORIGIN_LOCAL). */
  private localError(line: string): void {
    this.nerrors++;
    if (!this.opts.quiet) this.err += `${line}\n`;
  }

  /** Replies and errors for this socket: ping4_parse_reply and ping4_receive_error_msg. */
  private icmpInput(host: Host, cpu: Cpu, skb: Skb): boolean {
    if (this.finished) return false;
    if (skb.icmpType === ICMP_ECHOREPLY) {
      if (skb.icmpId !== this.id) return false;
      // The reply is read after the process wakes (sk_data_ready → recvmsg).
      const t = cpu.now + host.lat.wakeup_ns;
      const seq = skb.icmpSeq & 0xffff;
      this.lastActivity = t;
      this.acknowledge(seq);
      const dup = this.got[seq] !== 0;
      let line = `${skb.len - IPHDR_LEN} bytes from ${formatIpv4(skb.saddr)}: icmp_seq=${seq} ttl=${skb.ttl}`;
      if (dup) this.nrepeats++;
      else {
        this.nreceived++;
        this.got[seq] = 1;
      }
      if (this.opts.size >= TIMEVAL_LEN) {
        const us = Math.max(0, Math.floor((t - this.sentAt[seq]!) / 1000));
        this.tsum += us;
        this.tsum2 += us * us;
        if (us < this.tmin) this.tmin = us;
        if (us > this.tmax) this.tmax = us;
        line += ` time=${formatTriptime(us)}`;
      }
      if (dup) line += ' (DUP!)';
      if (!this.opts.quiet) this.out += `${line}\n`;
      this.maybeDone(t);
      return true;
    }
    if (!isIcmpError(skb.icmpType) || !skb.quoted) return false;
    const q = skb.quoted;
    if (q.protocol !== IPPROTO.ICMP || ((q.l4word >>> 16) & 0xffff) !== this.id || !host.isLocalAddr(q.saddr)) return false;
    const seq = q.l4word & 0xffff;
    const t = cpu.now + host.lat.wakeup_ns;
    this.nerrors++;
    this.acknowledge(seq);
    if (!this.opts.quiet) this.out += `From ${formatIpv4(skb.saddr)} icmp_seq=${seq} ${pingIcmpText(skb.icmpType, skb.icmpCode, skb.icmpSeq)}\n`;
    this.maybeDone(t);
    return true;
  }

  /** acknowledge(): pipesize is the most probes outstanding when one was answered. */
  private acknowledge(seq: number): void {
    const diff = (this.ntransmitted - seq) & 0xffff;
    if (diff <= 0x7fff && diff + 1 > this.pipesize) this.pipesize = diff + 1;
  }

  /** The main loop's "every probe answered or failed" test, run when the reader wakes. */
  private maybeDone(t: number): void {
    const count = this.opts.count;
    if (count !== 0 && this.ntransmitted >= count && this.nreceived + this.nerrors >= count) {
      this.host.sim.at(t, pingFinishEvent, this, null);
    }
  }

  /** __schedule_exit: linger after the last probe, once. */
  private scheduleExit(now: number): void {
    if (this.exitArmed) return;
    this.exitArmed = true;
    let wait: number;
    if (this.nreceived > 0) {
      wait = 2 * this.tmax * 1000;
      if (wait < this.opts.intervalNs) wait = this.opts.intervalNs;
    } else {
      wait = this.opts.lingerNs;
    }
    this.blocked = BLOCK_SLEEP;
    this.host.sim.at(now + wait, pingFinishEvent, this, null);
  }

  /** finish(): the statistics block; the process exits. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const o = this.opts;
    let s = `\n--- ${o.target} ping statistics ---\n`;
    s += `${this.ntransmitted} packets transmitted, ${this.nreceived} received`;
    if (this.nrepeats) s += `, +${this.nrepeats} duplicates`;
    if (this.nerrors) s += `, +${this.nerrors} errors`;
    if (this.ntransmitted) {
      const loss = ((this.ntransmitted - this.nreceived) * 100.0) / this.ntransmitted;
      const elapsed = Math.max(0, this.lastActivity - this.start);
      s += `, ${formatLossPercent(loss)}% packet loss, time ${Math.floor((elapsed + 500_000) / 1_000_000)}ms`;
    }
    s += '\n';
    const parts: string[] = [];
    const total = this.nreceived + this.nrepeats;
    if (this.nreceived && o.size >= TIMEVAL_LEN && total > 0) {
      const avg = Math.floor(this.tsum / total);
      const tmvar = Math.floor((this.tsum2 - Math.floor((this.tsum * this.tsum) / total)) / total);
      const mdev = Math.floor(Math.sqrt(Math.max(0, tmvar)));
      parts.push(`rtt min/avg/max/mdev = ${ms3(this.tmin)}/${ms3(avg)}/${ms3(this.tmax)}/${ms3(mdev)} ms`);
    }
    if (this.pipesize > 1) parts.push(`pipe ${this.pipesize}`);
    s += `${parts.join(', ')}\n`;
    this.out += s;
    this.exitCode = this.nreceived === 0 ? 1 : 0;
    const i = this.host.icmpErrorHandlers.indexOf(this.onIcmp);
    if (i >= 0) this.host.icmpErrorHandlers.splice(i, 1);
    this.exit();
  }

  /** Everything printed so far on stdout. */
  get stdout(): string {
    return this.out;
  }

  /** Everything printed so far on stderr. */
  get stderr(): string {
    return this.err;
  }
}

function pingFinishEvent(_sim: Scheduler, p: Ping): void {
  p.finish();
}

/** Parses a -M argument; null when it is not one ping accepts. */
export function parsePmtudisc(s: string): number | null {
  switch (s) {
    case 'do': return IP_PMTUDISC_DO;
    case 'dont': return IP_PMTUDISC_DONT;
    case 'want': return IP_PMTUDISC_WANT;
    case 'probe': return IP_PMTUDISC_PROBE;
    default: return null;
  }
}
