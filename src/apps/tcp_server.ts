// A process that listens on a TCP port, accepts connections and reads each
// to the end, then closes it, like a simple HTTP or iperf server. `readRate`
// (bytes per second, 0 = as fast as the CPU allows) makes a slow reader.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { BLOCK_RECV, BLOCK_SLEEP, Process } from '../transport/process.js';
import { tcpAccept, tcpClose, tcpCreateSock, tcpListen, tcpRecvmsg } from '../transport/tcp.js';
import type { TcpSock } from '../transport/tcp_sock.js';
import type { Sock } from '../transport/sock.js';

/** Bytes one read() asks for. */
const READ_SIZE = 65536;

export class TcpServer extends Process {
  readonly listener: TcpSock;
  readonly conns: TcpSock[] = [];
  bytes = 0;
  private nextReadAt = 0;

  constructor(host: Host, cpuId: number, addr: number, port: number, backlog: number, readonly readRate: number, rcvbuf: number) {
    super(host, 'tcp_server', cpuId);
    this.listener = tcpCreateSock(host);
    this.listener.owner = this;
    if (rcvbuf > 0) {
      // SO_RCVBUF: a fixed size, and no receive autotuning (SOCK_RCVBUF_LOCK).
      this.listener.rcvbuf = rcvbuf;
      this.listener.rcvbufLock = true;
    }
    tcpListen(host, this.listener, addr, port, backlog);
    this.blocked = BLOCK_RECV;
  }

  override onReadable(_sk: Sock, t: number): void {
    if (this.blocked === BLOCK_RECV) this.wake(Math.max(t + this.host.lat.wakeup_ns, this.nextReadAt));
  }

  run(cpu: Cpu): void {
    const host = this.host;
    for (let c = tcpAccept(this.listener); c; c = tcpAccept(this.listener)) {
      c.owner = this;
      this.conns.push(c);
    }
    for (const c of this.conns) {
      if (c.closedByApp) continue;
      const max = this.readRate > 0 ? Math.max(1, Math.floor(READ_SIZE / 16)) : READ_SIZE;
      for (;;) {
        const n = tcpRecvmsg(host, cpu, c, max);
        if (n === 0) {
          tcpClose(host, cpu, c);
          c.closedByApp = true;
          break;
        }
        if (n < 0) break;
        this.bytes += n;
        if (this.readRate > 0) {
          // A slow reader: it reads again only after the time its rate allows.
          this.nextReadAt = cpu.now + Math.ceil((n * 1e9) / this.readRate);
          this.blocked = BLOCK_SLEEP;
          this.wake(this.nextReadAt);
          return;
        }
      }
    }
    this.blocked = BLOCK_RECV;
  }
}
