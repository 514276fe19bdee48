// Sockets (struct sock): buffers charged in skb truesize against sk_rcvbuf
// and sk_sndbuf, the receive queue, drops, and the tables the L4 demux looks
// sockets up in. Lookups use numeric keys (port, or local<<16|remote port).

import { SkbQueue } from '../nic/skb_queue.js';
import type { Process } from './process.js';

/** sizeof(struct sk_buff) + shared info, as charged on top of the data buffer. */
const SKB_OVERHEAD = 256;
/** Receive buffers are half-page fragments (2048 B) holding up to this much frame. */
const RX_FRAG = 2048;
const RX_FRAG_USABLE = 1664;

/** skb->truesize of a received frame: 2304 for a 1000-byte datagram, as observed on 6.18. */
export function rxTruesize(frameLen: number): number {
  return SKB_OVERHEAD + RX_FRAG * Math.max(1, Math.ceil(frameLen / RX_FRAG_USABLE));
}

/** skb->truesize of a locally built skb: the data rounded to cache lines plus overhead. */
export function txTruesize(len: number): number {
  return SKB_OVERHEAD + ((len + 64 + 63) & ~63);
}

let nextInode = 10000;

/** Restarts socket inode numbers, so a run's output does not depend on earlier runs in the process. */
export function resetSockInodes(): void {
  nextInode = 10000;
}

export abstract class Sock {
  saddr = 0;
  sport = 0;
  daddr = 0;
  dport = 0;
  rcvbuf: number;
  sndbuf: number;
  /** sk_rmem_alloc: truesize of skbs in the receive queue. */
  rmemAlloc = 0;
  /** sk_wmem_alloc: truesize of skbs sent and not yet freed. */
  wmemAlloc = 0;
  /** sk_drops. */
  drops = 0;
  readonly receiveQueue = new SkbQueue(16);
  owner: Process | null = null;
  readonly inode = nextInode++;
  abstract readonly protocol: number;

  constructor(rcvbuf: number, sndbuf: number) {
    this.rcvbuf = rcvbuf;
    this.sndbuf = sndbuf;
  }

  /** sock_wfree: the skb's memory returns to the send buffer; a blocked writer may go on. */
  wfree(truesize: number, t: number): void {
    this.wmemAlloc -= truesize;
    if (this.owner) this.owner.onWriteSpace(this, t);
  }
}

export class SocketTables {
  /** UDP sockets by local port. */
  readonly udp = new Map<number, import('./udp.js').UdpSock[]>();
  /** TCP listeners by local port. */
  readonly tcpListen = new Map<number, import('./tcp_sock.js').TcpSock>();
  /** TCP connections by (local port << 16 | remote port). */
  readonly tcpEstab = new Map<number, import('./tcp_sock.js').TcpSock[]>();
  /** Every socket in creation order, as ss lists them. */
  readonly all: Sock[] = [];
  /** Next ephemeral port (ip_local_port_range). */
  nextEphemeral = 0;
}

export function tcpEstabKey(lport: number, rport: number): number {
  return ((lport << 16) | rport) >>> 0;
}
