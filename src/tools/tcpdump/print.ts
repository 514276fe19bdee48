// tcpdump 4.99's one-packet-per-line output, decoded from the frame bytes
// (print-ether.c, print-sll.c, print-arp.c, print-ip.c, print-tcp.c,
// print-udp.c, print-icmp.c, print-domain.c, util-print.c ts_format and
// hex_and_ascii_print). Checked line for line against the real tcpdump in
// test/tools/tcpdump/real_tcpdump.test.ts.

import { formatIpv4, formatMac } from '../../model/inet.js';
import { checksumOf, onesSum, pseudoHeaderSum, readU16, readU32 } from '../../wire/checksum.js';
import { LINKTYPE_LINUX_SLL } from '../../wire/frame.js';
import { TCP_SERVICES, UDP_SERVICES } from './services.js';

/** -t, -tt, -ttt, -tttt, -ttttt, or the default time of day. */
export type TimestampFormat = 'default' | 'none' | 'epoch' | 'delta' | 'date' | 'since-first';

export interface PrintOptions {
  /** -n: no address or port names. */
  numeric: boolean;
  /** Number of -v. */
  verbose: number;
  /** -e: print the link-level header. */
  linkHeader: boolean;
  /** -X: hex and ASCII dump of the packet from the network header on. */
  hexAscii: boolean;
  timestamps: TimestampFormat;
}

export const DEFAULT_PRINT_OPTIONS: PrintOptions = { numeric: false, verbose: 0, linkHeader: false, hexAscii: false, timestamps: 'default' };

/** Live capture on `any` (LINUX_SLL2 in tcpdump 4.99): the interface and direction lead the line. */
export interface LiveInterface {
  name: string;
  ifindex: number;
  /** 'In' | 'Out' | 'B' | 'M' | 'P' (sll_pkttype_values). */
  direction: string;
}

const SLL_PKTTYPES = ['In', 'B', 'M', 'P', 'Out'];
const IP_PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 89: 'OSPF', 132: 'SCTP' };
/** getprotobynumber names tcpdump prints for a later fragment without -n. */
const NETDB_PROTO_NAMES: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 89: 'ospf', 132: 'sctp' };
const ETHERTYPE_NAMES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x8035: 'Reverse ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q' };
/** Ports whose TCP payload tcpdump hands to http_print (HTTP_PORT, HTTP_PORT_ALT, SQUID_PORT...). */
const HTTP_PORTS: ReadonlySet<number> = new Set([80, 8080, 3128]);
const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353]);
const ICMP_UNREACH: Record<number, string> = {
  5: '%s unreachable - source route failed', 6: 'net %s unreachable - unknown', 7: 'host %s unreachable - unknown',
  8: '%s unreachable - source host isolated', 9: 'net %s unreachable - admin prohibited', 10: 'host %s unreachable - admin prohibited',
  11: 'net %s unreachable - tos prohibited', 12: 'host %s unreachable - tos prohibited', 13: 'host %s unreachable - admin prohibited filter',
  14: 'host %s unreachable - host precedence violation', 15: 'host %s unreachable - precedence cutoff',
};
const ICMP_NAMES: Record<number, string> = {
  0: 'echo reply', 4: 'source quench', 8: 'echo request', 10: 'router solicitation', 13: 'time stamp request',
  14: 'time stamp reply', 15: 'information request', 16: 'information reply', 17: 'address mask request', 18: 'address mask reply',
};

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad6 = (n: number): string => String(n).padStart(6, '0');
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** A packet's IP addresses and the bytes the printer may read (the snapend). */
interface Ip {
  src: number;
  dst: number;
}

/**
 * Formats packets as tcpdump prints them. Keeps tcpdump's state: the TCP
 * conversations seen (for relative sequence numbers) and the previous and
 * first timestamps (for -ttt and -ttttt).
 */
export class TcpdumpPrinter {
  /** tcp_seq_hash: per conversation, the initial seq/ack that later packets are shown relative to. */
  private readonly tcpSeq = new Map<string, { seq: number; ack: number }>();
  private prevUs = -1;
  private firstUs = -1;
  /** Set when a decoder ran off the captured bytes (tcpdump's longjmp to ndo_early_end). */
  private ranOff = false;
  /** >0 while printing the packet quoted in an ICMP error (its cuts do not longjmp). */
  private depth = 0;

  constructor(readonly opts: PrintOptions, readonly linktype: number) {}

  /**
   * One packet's output, without the final newline (it spans several lines
   * with -v or -X). `sec`/`nsec` is its time, `bytes` what was captured,
   * `wireLen` its length on the wire; `live` gives the interface for `-i any`.
   */
  format(sec: number, nsec: number, bytes: Uint8Array, wireLen: number = bytes.length, live?: LiveInterface): string {
    const out: string[] = [this.timestamp(sec, nsec)];
    this.ranOff = false;
    this.depth = 0;
    let l3: number;
    let ethertype: number;
    const sll = this.linktype === LINKTYPE_LINUX_SLL;
    if (sll) {
      l3 = 16;
      ethertype = bytes.length >= 16 ? readU16(bytes, 14) : -1;
      if (live) out.push(`${live.name.padEnd(5)} ${live.direction.padEnd(3)} `);
      if (this.opts.linkHeader && bytes.length >= 16) {
        const pkttype = SLL_PKTTYPES[readU16(bytes, 0)] ?? '?';
        const halen = readU16(bytes, 4);
        const addr = halen === 6 ? this.mac(readMacAt(bytes, 6)) : '';
        if (live) out.push(`ifindex ${live.ifindex} ${addr} `);
        else out.push(`${pkttype.padStart(3)} ${addr} `);
        out.push(`ethertype ${ETHERTYPE_NAMES[ethertype] ?? 'Unknown'} (0x${hex4(ethertype)}), length ${wireLen}: `);
      }
    } else {
      l3 = 14;
      if (bytes.length < 14) return out.join('') + ' [|ether]';
      ethertype = readU16(bytes, 12);
      if (this.opts.linkHeader) {
        out.push(`${this.mac(readMacAt(bytes, 6))} > ${this.mac(readMacAt(bytes, 0))}, ethertype ${ETHERTYPE_NAMES[ethertype] ?? 'Unknown'} (0x${hex4(ethertype)}), length ${wireLen}: `);
      }
    }
    const payloadLen = wireLen - l3;
    if (ethertype === 0x0800) this.ip(out, bytes, l3, bytes.length, payloadLen);
    else if (ethertype === 0x0806) this.arp(out, bytes, l3, payloadLen);
    else out.push(this.opts.linkHeader ? `` : `ethertype Unknown (0x${hex4(ethertype)}), length ${wireLen}: `);
    const text = out.join('');
    if (!this.opts.hexAscii) return text;
    // A decoder that ran off the captured bytes longjmps out before the Ethernet
    // printer records its header length (ndo_ll_hdr_len), so tcpdump then dumps
    // the frame from its first byte; the cooked-header printer records it first.
    const from = !sll && this.ranOff ? 0 : l3;
    return text + hexAscii(bytes, from, bytes.length);
  }

  /** Pushes a truncation marker (nd_print_trunc) and notes the longjmp it stands for at top level. */
  private trunc(out: string[], marker: string): void {
    out.push(marker);
    if (this.depth === 0) this.ranOff = true;
  }

  /** Clears conversation and timestamp state (a new tcpdump process). */
  reset(): void {
    this.tcpSeq.clear();
    this.prevUs = -1;
    this.firstUs = -1;
  }

  private timestamp(sec: number, nsec: number): string {
    const usec = Math.floor(nsec / 1000);
    switch (this.opts.timestamps) {
      case 'none':
        return '';
      case 'epoch':
        return `${sec}.${pad6(usec)} `;
      case 'delta':
      case 'since-first': {
        const now = sec * 1_000_000 + usec;
        if (this.firstUs < 0) this.firstUs = now;
        const base = this.opts.timestamps === 'delta' ? (this.prevUs < 0 ? now : this.prevUs) : this.firstUs;
        this.prevUs = now;
        const d = now - base;
        const s = Math.floor(d / 1_000_000);
        // ts_date_hmsfrac_format after a space, as tcpdump prints deltas.
        return ` ${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}.${pad6(d % 1_000_000)} `;
      }
      case 'date': {
        const d = new Date(sec * 1000);
        return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${clock(sec)}.${pad6(usec)} `;
      }
      default:
        return `${clock(sec)}.${pad6(usec)} `;
    }
  }

  private mac(m: number): string {
    const text = formatMac(m);
    if (this.opts.numeric) return text;
    if (m === 0xffffffffffff) return 'Broadcast';
    return `${text} (oui Unknown)`;
  }

  private tcpPort(p: number): string {
    return this.opts.numeric ? String(p) : TCP_SERVICES.get(p) ?? String(p);
  }

  private udpPort(p: number): string {
    return this.opts.numeric ? String(p) : UDP_SERVICES.get(p) ?? String(p);
  }

  /** print-arp.c arp_print for Ethernet/IPv4. */
  private arp(out: string[], b: Uint8Array, off: number, length: number): void {
    if (!this.opts.linkHeader) out.push('ARP, ');
    if (b.length < off + 28) { this.trunc(out, '[|ARP]'); return; }
    if (this.opts.verbose) out.push('Ethernet (len 6), IPv4 (len 4), ');
    const op = readU16(b, off + 6);
    const sha = readMacAt(b, off + 8);
    const spa = formatIpv4(readU32(b, off + 14));
    const tha = readMacAt(b, off + 18);
    const tpa = formatIpv4(readU32(b, off + 24));
    if (op === 1) out.push(`Request who-has ${tpa}${tha !== 0 ? ` (${this.mac(tha)})` : ''} tell ${spa}`);
    else if (op === 2) out.push(`Reply ${spa} is-at ${this.mac(sha)}`);
    else out.push(`Unknown (${op})`);
    out.push(`, length ${length}`);
  }

  /**
   * print-ip.c ip_print. `end` is the snapend (the last byte the printer may
   * read). With -e the "IP " is left out, also for a packet quoted in an ICMP error.
   */
  private ip(out: string[], b: Uint8Array, off: number, end: number, length: number): void {
    if (!this.opts.linkHeader) out.push('IP ');
    if (end - off < 20) { this.trunc(out, '[|ip]'); return; }
    const hlen = (b[off]! & 0x0f) * 4;
    const tos = b[off + 1]!;
    const totLen = readU16(b, off + 2);
    const id = readU16(b, off + 4);
    const fragField = readU16(b, off + 6);
    const ttl = b[off + 8]!;
    const proto = b[off + 9]!;
    const ip: Ip = { src: readU32(b, off + 12), dst: readU32(b, off + 16) };
    const fragOffset = (fragField & 0x1fff) * 8;
    const fragmented = (fragField & 0x3fff) !== 0;
    if (length > totLen) length = totLen;
    if (this.opts.verbose) {
      let flags = '';
      if (fragField & 0x2000) flags += '+';
      if (fragField & 0x4000) flags += 'DF';
      if (fragField & 0x8000) flags += 'rsvd';
      const ecn = ['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 3];
      out.push(`(tos 0x${tos.toString(16)}${ecn}, ttl ${ttl}, id ${id}, offset ${fragOffset}, flags [${flags || 'none'}], proto ${IP_PROTO_NAMES[proto] ?? 'unknown'} (${proto}), length ${totLen}`);
      if (end - off >= hlen && checksumOf(onesSum(b, off, hlen)) !== 0) {
        const sum = readU16(b, off + 10);
        out.push(`, bad cksum ${sum.toString(16)} (->${shouldBe(sum, onesSum(b, off, hlen)).toString(16)})!`);
      }
      out.push(')\n    ');
    }
    const l4 = off + hlen;
    const l4len = totLen - hlen;
    if (fragOffset !== 0) {
      out.push(`${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)}:`);
      out.push(!this.opts.numeric && NETDB_PROTO_NAMES[proto] ? ` ${NETDB_PROTO_NAMES[proto]}` : ` ip-proto-${proto}`);
      return;
    }
    // The printer may read up to the IP datagram's end or the capture's, whichever is first.
    const snapend = Math.min(end, off + totLen);
    switch (proto) {
      case 6: this.tcp(out, b, l4, snapend, l4len, ip, fragmented); break;
      case 17: this.udp(out, b, l4, snapend, l4len, ip, fragmented); break;
      case 1: this.icmp(out, b, l4, snapend, l4len, ip, fragmented); break;
      default:
        out.push(`${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)}: ip-proto-${proto} ${l4len}`);
    }
  }

  /** print-tcp.c tcp_print. */
  private tcp(out: string[], b: Uint8Array, off: number, end: number, length: number, ip: Ip, fragmented: boolean): void {
    if (end - off < 4) { this.trunc(out, `${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)}: [|tcp]`); return; }
    const sport = readU16(b, off);
    const dport = readU16(b, off + 2);
    out.push(`${formatIpv4(ip.src)}.${this.tcpPort(sport)} > ${formatIpv4(ip.dst)}.${this.tcpPort(dport)}: `);
    if (end - off < 20) { this.trunc(out, ' [|tcp]'); return; }
    const hlen = (b[off + 12]! >> 4) * 4;
    if (hlen < 20) { out.push(` tcp ${length - hlen} [bad hdr length ${hlen} - too short, < 20]`); return; }
    let seq = readU32(b, off + 4);
    let ack = readU32(b, off + 8);
    const flags = b[off + 13]!;
    const win = readU16(b, off + 14);
    const urp = readU16(b, off + 18);
    out.push(`Flags [${tcpFlags(flags)}]`);
    let thseq = 0;
    let thack = 0;
    let rev = false;
    if (flags & 0x10) {
      // A canonical order so both directions share one entry (the smaller port first).
      rev = sport > dport || (sport === dport && ip.src > ip.dst);
      const key = rev ? `${ip.dst}:${dport}>${ip.src}:${sport}` : `${ip.src}:${sport}>${ip.dst}:${dport}`;
      const th = this.tcpSeq.get(key);
      if (!th || (flags & 0x02)) {
        const entry = rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
        this.tcpSeq.set(key, entry);
        thseq = entry.seq;
        thack = entry.ack;
      } else {
        if (rev) { seq = (seq - th.ack) >>> 0; ack = (ack - th.seq) >>> 0; }
        else { seq = (seq - th.seq) >>> 0; ack = (ack - th.ack) >>> 0; }
        thseq = th.seq;
        thack = th.ack;
      }
    }
    if (hlen > length) { out.push(` [bad hdr length ${hlen} - too long, > ${length}]`); return; }
    if (this.opts.verbose && !fragmented && end - off >= length) {
      const sum = checksumOf(onesSum(b, off, length, pseudoHeaderSum(ip.src, ip.dst, 6, length)));
      const field = readU16(b, off + 16);
      out.push(`, cksum 0x${hex4(field)}`);
      out.push(sum !== 0 ? ` (incorrect -> 0x${hex4(shouldBe(field, onesSum(b, off, length, pseudoHeaderSum(ip.src, ip.dst, 6, length))))})` : ' (correct)');
    }
    const dlen = length - hlen;
    if (this.opts.verbose > 1 || dlen > 0 || (flags & 0x07)) {
      out.push(`, seq ${seq}`);
      if (dlen > 0) out.push(`:${(seq + dlen) >>> 0}`);
    }
    if (flags & 0x10) out.push(`, ack ${ack}`);
    out.push(`, win ${win}`);
    if (flags & 0x20) out.push(`, urg ${urp}`);
    if (hlen > 20) {
      out.push(', options [');
      const opts = tcpOptions(b, off + 20, Math.min(hlen, end - off) - 20, hlen - 20, rev, thseq, thack, (flags & 0x10) !== 0);
      out.push(opts.text);
      if (opts.truncated) {
        if (!opts.text.endsWith('>') && this.depth === 0) this.ranOff = true;
        return;
      }
      out.push(']');
    }
    out.push(`, length ${dlen}`);
    if (dlen <= 0 || (flags & 0x04)) return;
    const data = off + hlen;
    if (HTTP_PORTS.has(sport) || HTTP_PORTS.has(dport)) out.push(': HTTP');
    else if ((DNS_PORTS.has(sport) || DNS_PORTS.has(dport)) && dlen > 2) { out.push(' '); dns(out, b, data + 2, end, dlen - 2); }
  }

  /** print-udp.c udp_print. */
  private udp(out: string[], b: Uint8Array, off: number, end: number, length: number, ip: Ip, fragmented: boolean): void {
    if (end - off < 8) { this.trunc(out, `${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)}: [|udp]`); return; }
    const sport = readU16(b, off);
    const dport = readU16(b, off + 2);
    let ulen = readU16(b, off + 4);
    out.push(`${formatIpv4(ip.src)}.${this.udpPort(sport)} > ${formatIpv4(ip.dst)}.${this.udpPort(dport)}: `);
    if (ulen < 8) { out.push(`truncated-udplength ${ulen}`); return; }
    ulen -= 8;
    let plen = length - 8;
    if (ulen < plen) plen = ulen;
    if (this.opts.verbose > 1 && !fragmented) {
      const field = readU16(b, off + 6);
      if (field === 0) out.push('[no cksum] ');
      else if (end - off >= ulen + 8) {
        const s = onesSum(b, off, ulen + 8, pseudoHeaderSum(ip.src, ip.dst, 17, ulen + 8));
        out.push(checksumOf(s) !== 0 ? `[bad udp cksum 0x${hex4(field)} -> 0x${hex4(shouldBe(field, s))}!] ` : '[udp sum ok] ');
      }
    }
    if (DNS_PORTS.has(sport) || DNS_PORTS.has(dport)) { dns(out, b, off + 8, end, plen); return; }
    out.push(`UDP, length ${ulen}`);
  }

  /** print-icmp.c icmp_print. */
  private icmp(out: string[], b: Uint8Array, off: number, end: number, length: number, ip: Ip, fragmented: boolean): void {
    out.push(`${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)}: `);
    if (end - off < 4) { this.trunc(out, ' [|icmp]'); return; }
    const type = b[off]!;
    const code = b[off + 1]!;
    const isError = type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
    const q = off + 8;
    const quotedDst = (): string => (end - q >= 20 ? formatIpv4(readU32(b, q + 16)) : '');
    // Errors read the quoted IP header even when not verbose; for an unreachable
    // the read is a GET_ that longjmps, for the others an ND_TCHECK that does not.
    if (isError && end - q < 20) {
      if (type === 3) this.trunc(out, ' [|icmp]');
      else out.push(' [|icmp]');
      return;
    }
    let text: string;
    if (type === 0 || type === 8) {
      text = `echo ${type === 8 ? 'request' : 'reply'}, id ${readU16(b, off + 4)}, seq ${readU16(b, off + 6)}`;
    } else if (type === 3) {
      const dst = quotedDst();
      switch (code) {
        case 0: text = `net ${dst} unreachable`; break;
        case 1: text = `host ${dst} unreachable`; break;
        case 2: text = `${dst} protocol ${b[q + 9]} unreachable`; break;
        case 3: {
          const p = b[q + 9]!;
          const qh = (b[q]! & 0x0f) * 4;
          const dport = end - (q + qh) >= 4 ? readU16(b, q + qh + 2) : 0;
          if (p === 6) text = `${dst} tcp port ${this.tcpPort(dport)} unreachable`;
          else if (p === 17) text = `${dst} udp port ${this.udpPort(dport)} unreachable`;
          else text = `${dst} protocol ${p} port ${dport} unreachable`;
          break;
        }
        case 4: {
          const mtu = readU16(b, off + 6);
          text = mtu ? `${dst} unreachable - need to frag (mtu ${mtu})` : `${dst} unreachable - need to frag`;
          break;
        }
        default:
          text = (ICMP_UNREACH[code] ?? `#${code} %s unreachable`).replace('%s', dst);
      }
    } else if (type === 11) {
      text = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
    } else {
      text = ICMP_NAMES[type] ?? `type-#${type}`;
    }
    out.push(`ICMP ${text}, length ${length}`);
    if (this.opts.verbose && !fragmented && end - off >= length) {
      const s = onesSum(b, off, length);
      if (checksumOf(s) !== 0) {
        const field = readU16(b, off + 2);
        out.push(` (wrong icmp cksum ${field.toString(16)} (->${shouldBe(field, s).toString(16)})!)`);
      }
    }
    if (this.opts.verbose && isError && end - q >= 20) {
      out.push('\n\t');
      this.depth++;
      this.ip(out, b, q, end, readU16(b, q + 2));
      this.depth--;
    }
  }
}

/** Flag letters in tcp_flag_values order: F S R P . U E W ("none" when none). */
function tcpFlags(f: number): string {
  let s = '';
  if (f & 0x01) s += 'F';
  if (f & 0x02) s += 'S';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x10) s += '.';
  if (f & 0x20) s += 'U';
  if (f & 0x40) s += 'E';
  if (f & 0x80) s += 'W';
  return s || 'none';
}

/**
 * The options list inside `options [...]`, SACK edges shown relative like
 * seq/ack. `avail` bytes were captured of the `len` the header declares; a cut
 * ends the list with " [|tcp]" (and a ">" when it fell inside an option's data,
 * as tcpdump 4.99.3 prints it).
 */
function tcpOptions(b: Uint8Array, off: number, avail: number, len: number, rev: boolean, thseq: number, thack: number, relative: boolean): { text: string; truncated: boolean } {
  let text = '';
  let p = off;
  const end = off + len;
  const cap = off + avail;
  const cut = (inData: boolean): { text: string; truncated: boolean } => ({ text: text + (inData ? ' [|tcp]>' : ' [|tcp]'), truncated: true });
  while (p < end) {
    if (p > off) text += ',';
    if (p >= cap) return cut(false);
    const kind = b[p]!;
    if (kind === 0) { text += 'eol'; break; }
    if (kind === 1) { text += 'nop'; p++; continue; }
    if (p + 1 >= cap) return cut(false);
    const olen = b[p + 1]!;
    if (olen < 2 || p + olen > end) { text += '[bad opt]'; break; }
    const need = (n: number): boolean => p + 2 + n <= cap;
    switch (kind) {
      case 2: text += 'mss'; if (!need(2)) return cut(true); text += ` ${readU16(b, p + 2)}`; break;
      case 3: text += 'wscale'; if (!need(1)) return cut(true); text += ` ${b[p + 2]}`; break;
      case 4: text += 'sackOK'; break;
      case 8: text += 'TS'; if (!need(8)) return cut(true); text += ` val ${readU32(b, p + 2)} ecr ${readU32(b, p + 6)}`; break;
      case 5: {
        text += 'sack';
        const dlen = olen - 2;
        if (dlen % 8 !== 0) { text += ' invalid sack'; break; }
        text += ` ${dlen / 8} `;
        for (let q = p + 2; q < p + olen; q += 8) {
          if (q + 8 > cap) return cut(true);
          let a = readU32(b, q);
          let z = readU32(b, q + 4);
          if (relative) {
            const base = rev ? thseq : thack;
            a = (a - base) >>> 0;
            z = (z - base) >>> 0;
          }
          text += `{${a}:${z}}`;
        }
        break;
      }
      default: {
        text += optionName(kind);
        if (olen > 2) {
          text += ' 0x';
          for (let q = p + 2; q < p + olen; q++) { if (q >= cap) return cut(true); text += b[q]!.toString(16).padStart(2, '0'); }
        }
      }
    }
    p += olen;
  }
  return { text, truncated: false };
}

function optionName(kind: number): string {
  const names: Record<number, string> = { 6: 'echo', 7: 'echoreply', 11: 'cc', 12: 'ccnew', 13: 'ccecho', 19: 'md5', 20: 'scps', 28: 'uto', 29: 'tcp-ao', 30: 'mptcp', 34: 'tfo', 254: 'exp' };
  return names[kind] ?? `unknown-${kind}`;
}

/** print-domain.c ns_print, the header summary (the question and answer names are not decoded). */
function dns(out: string[], b: Uint8Array, off: number, end: number, length: number): void {
  if (end - off < 12) { out.push(' [|domain]'); return; }
  const id = readU16(b, off);
  const flags = readU16(b, off + 2);
  const qd = readU16(b, off + 4);
  const an = readU16(b, off + 6);
  const ns = readU16(b, off + 8);
  const ar = readU16(b, off + 10);
  const opcode = (flags >> 11) & 0xf;
  const ops = ['', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD', ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef'];
  if (flags & 0x8000) {
    const rcodes = ['', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet', ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange'];
    out.push(`${id}${ops[opcode]}${rcodes[flags & 0xf]}${flags & 0x400 ? '*' : ''}${flags & 0x80 ? '' : '-'}${flags & 0x200 ? '|' : ''}${flags & 0x20 ? '$' : ''}`);
    if (qd !== 1) out.push(` [${qd}q]`);
    out.push(` ${an}/${ns}/${ar}`);
  } else {
    out.push(`${id}${ops[opcode]}${flags & 0x100 ? '+' : ''}${flags & 0x10 ? '%' : ''}`);
    if (flags & 0x6cf) out.push(` [b2&3=0x${flags.toString(16)}]`);
    if (qd !== 1) out.push(` [${qd}q]`);
    if (an) out.push(` [${an}a]`);
    if (ns) out.push(` [${ns}n]`);
    if (ar) out.push(` [${ar}au]`);
  }
  out.push(` (${length})`);
}

/** in_cksum_shouldbe: the checksum field value that would have made the sum right. */
function shouldBe(field: number, sum: number): number {
  // sum includes `field`; the right field is ~(sum without it), folded.
  let s = sum - field;
  while (s < 0) s += 0xffff;
  return checksumOf(s);
}

function clock(sec: number): string {
  const s = sec % 86400;
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

function readMacAt(b: Uint8Array, off: number): number {
  return ((b[off]! << 8) | b[off + 1]!) * 0x100000000 + readU32(b, off + 2);
}

/** hex_and_ascii_print with "\n\t" lines: `0x0000:  4500 003c ...  E..<...`. */
function hexAscii(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let line = start; line < end; line += 16) {
    const n = Math.min(16, end - line);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < n; i += 2) {
      hex += ' ' + b[line + i]!.toString(16).padStart(2, '0') + (i + 1 < n ? b[line + i + 1]!.toString(16).padStart(2, '0') : '');
    }
    for (let i = 0; i < n; i++) {
      const c = b[line + i]!;
      ascii += c > 0x20 && c < 0x7f ? String.fromCharCode(c) : '.'; // ND_ASCII_ISGRAPH: a space prints as '.'
    }
    s += `\n\t0x${hex4(line - start)}: ${hex.padEnd(40)}  ${ascii}`;
  }
  return s;
}
