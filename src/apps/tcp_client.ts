// A process that connects to a TCP server, writes `bytes` (blocking while
// the send buffer is full) and closes, like `curl --data-binary` or iperf's client.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { BLOCK_CONNECT, BLOCK_SEND, BLOCK_SLEEP, Process } from '../transport/process.js';
import { tcpClose, tcpConnect, tcpCreateSock, tcpSendmsg } from '../transport/tcp.js';
import type { TcpSock } from '../transport/tcp_sock.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_SYN_SENT } from '../transport/tcp_states.js';

export class TcpClient extends Process {
  readonly sk: TcpSock;
  written = 0;
  private started = false;

  constructor(host: Host, cpuId: number, readonly daddr: number, readonly dport: number, readonly bytes: number, start: number, sport: number) {
    super(host, 'tcp_client', cpuId);
    this.sk = tcpCreateSock(host);
    this.sk.owner = this;
    if (sport) this.sk.sport = sport;
    this.blocked = BLOCK_SLEEP;
    this.wake(start);
  }

  run(cpu: Cpu): void {
    const host = this.host;
    if (!this.started) {
      this.started = true;
      if (tcpConnect(host, cpu, this.sk, this.daddr, this.dport) < 0) return this.exit();
      this.blocked = BLOCK_CONNECT;
      return;
    }
    if (this.sk.state === TCP_SYN_SENT) {
      this.blocked = BLOCK_CONNECT;
      return;
    }
    if (this.sk.state === TCP_CLOSE) return this.exit();
    while (this.written < this.bytes && this.sk.state === TCP_ESTABLISHED) {
      const n = tcpSendmsg(host, cpu, this.sk, this.bytes - this.written);
      if (n < 0) return this.exit();
      if (n === 0) {
        this.blocked = BLOCK_SEND;
        return;
      }
      this.written += n;
    }
    tcpClose(host, cpu, this.sk);
    this.exit();
  }
}
