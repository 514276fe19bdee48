// TCP header and options (include/net/tcp.h, net/ipv4/tcp_output.c
// tcp_options_write for emit, net/ipv4/tcp_input.c tcp_parse_options for parse).

import { TCPHDR_LEN, TcpOptions, tcpOptionsLen } from '../model/skb.js';
import { readU16, readU32, writeU16, writeU32 } from './checksum.js';
import { WireError } from './error.js';

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export interface TcpRepr {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** Header length in bytes (doff * 4), options included. */
  hdrLen: number;
  flags: number;
  window: number;
  check: number;
  urgPtr: number;
  opts: TcpOptions | null;
}

/** Option bytes in tcp_options_write's layout (always a multiple of 4). */
export const tcpOptionsWireLen = tcpOptionsLen;

/** Writes options in Linux's order: mss, sackOK+TS (or nop,nop,TS), nop+wscale, nop,nop,SACK. */
function emitTcpOptions(b: Uint8Array, off: number, o: TcpOptions): number {
  let p = off;
  if (o.mss >= 0) {
    b[p] = TCPOPT_MSS; b[p + 1] = 4; writeU16(b, p + 2, o.mss); p += 4;
  }
  if (o.tsVal >= 0) {
    if (o.sackOk) { b[p] = TCPOPT_SACK_PERM; b[p + 1] = 2; } else { b[p] = TCPOPT_NOP; b[p + 1] = TCPOPT_NOP; }
    b[p + 2] = TCPOPT_TIMESTAMP; b[p + 3] = 10;
    writeU32(b, p + 4, o.tsVal); writeU32(b, p + 8, o.tsEcr < 0 ? 0 : o.tsEcr); p += 12;
  } else if (o.sackOk) {
    b[p] = TCPOPT_NOP; b[p + 1] = TCPOPT_NOP; b[p + 2] = TCPOPT_SACK_PERM; b[p + 3] = 2; p += 4;
  }
  if (o.wscale >= 0) {
    b[p] = TCPOPT_NOP; b[p + 1] = TCPOPT_WINDOW; b[p + 2] = 3; b[p + 3] = o.wscale; p += 4;
  }
  if (o.sack && o.sack.length > 0) {
    b[p] = TCPOPT_NOP; b[p + 1] = TCPOPT_NOP; b[p + 2] = TCPOPT_SACK; b[p + 3] = 2 + 4 * o.sack.length; p += 4;
    for (const edge of o.sack) { writeU32(b, p, edge); p += 4; }
  }
  return p - off;
}

/** Writes header and options with the given checksum field; returns the header length. */
export function emitTcp(b: Uint8Array, off: number, r: Omit<TcpRepr, 'hdrLen'>): number {
  const hdrLen = TCPHDR_LEN + tcpOptionsWireLen(r.opts);
  writeU16(b, off, r.sport);
  writeU16(b, off + 2, r.dport);
  writeU32(b, off + 4, r.seq);
  writeU32(b, off + 8, r.ack);
  b[off + 12] = (hdrLen / 4) << 4;
  b[off + 13] = r.flags & 0xff;
  writeU16(b, off + 14, r.window);
  writeU16(b, off + 16, r.check);
  writeU16(b, off + 18, r.urgPtr);
  if (r.opts) emitTcpOptions(b, off + TCPHDR_LEN, r.opts);
  return hdrLen;
}

/** Parses options the way tcp_parse_options does: unknown kinds are skipped, a bad length ends the walk. */
function parseTcpOptions(b: Uint8Array, off: number, len: number): TcpOptions | null {
  if (len === 0) return null;
  const o = new TcpOptions();
  let p = off;
  const end = off + len;
  while (p < end) {
    const kind = b[p]!;
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) { p++; continue; }
    if (p + 1 >= end) break;
    const olen = b[p + 1]!;
    if (olen < 2 || p + olen > end) break;
    if (kind === TCPOPT_MSS && olen === 4) o.mss = readU16(b, p + 2);
    else if (kind === TCPOPT_WINDOW && olen === 3) o.wscale = b[p + 2]!;
    else if (kind === TCPOPT_SACK_PERM && olen === 2) o.sackOk = true;
    else if (kind === TCPOPT_TIMESTAMP && olen === 10) { o.tsVal = readU32(b, p + 2); o.tsEcr = readU32(b, p + 6); }
    else if (kind === TCPOPT_SACK && olen >= 10 && (olen - 2) % 8 === 0) {
      const edges: number[] = [];
      for (let q = p + 2; q < p + olen; q += 4) edges.push(readU32(b, q));
      o.sack = edges;
    }
    p += olen;
  }
  return o;
}

export function parseTcp(b: Uint8Array, off: number): TcpRepr | WireError {
  const avail = b.length - off;
  if (avail < TCPHDR_LEN) return new WireError('Truncated', off, `TCP header needs ${TCPHDR_LEN} bytes, ${Math.max(0, avail)} remain`);
  const hdrLen = (b[off + 12]! >>> 4) * 4;
  if (hdrLen < TCPHDR_LEN) return new WireError('BadLength', off + 12, `TCP data offset ${hdrLen} is less than 20`);
  if (avail < hdrLen) return new WireError('Truncated', off + TCPHDR_LEN, `TCP options need ${hdrLen - TCPHDR_LEN} bytes, ${avail - TCPHDR_LEN} remain`);
  return {
    sport: readU16(b, off), dport: readU16(b, off + 2), seq: readU32(b, off + 4), ack: readU32(b, off + 8),
    hdrLen, flags: b[off + 13]!, window: readU16(b, off + 14), check: readU16(b, off + 16), urgPtr: readU16(b, off + 18),
    opts: parseTcpOptions(b, off + TCPHDR_LEN, hdrLen - TCPHDR_LEN),
  };
}
