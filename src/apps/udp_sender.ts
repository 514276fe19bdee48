// A process that sends `count` UDP datagrams of `size` bytes to a
// destination, one every `intervalNs` (0: back to back, blocking while the
// send buffer is full), like `iperf -u` or a simple sendto() loop.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { BLOCK_SEND, BLOCK_SLEEP, Process } from '../transport/process.js';
import { UdpSock, udpBind, udpSendmsg, EAGAIN } from '../transport/udp.js';
import { allocEphemeralPort } from '../transport/tcp.js';

export class UdpSender extends Process {
  readonly sk: UdpSock;
  sent = 0;
  errors = 0;
  private nextAt: number;

  constructor(
    host: Host, cpuId: number, readonly daddr: number, readonly dport: number, readonly size: number,
    readonly count: number, readonly intervalNs: number, start: number, sport: number, pmtudisc: number,
  ) {
    super(host, 'udp_sender', cpuId);
    this.sk = new UdpSock(host.sysctl.get('net.core.rmem_default'), host.sysctl.get('net.core.wmem_default'));
    this.sk.owner = this;
    this.sk.pmtudisc = pmtudisc;
    udpBind(host, this.sk, 0, sport || allocEphemeralPort(host));
    this.nextAt = start;
    this.wake(start);
  }

  run(cpu: Cpu): void {
    while (this.sent + this.errors < this.count) {
      if (this.intervalNs > 0 && cpu.now < this.nextAt) {
        this.blocked = BLOCK_SLEEP;
        this.wake(this.nextAt);
        return;
      }
      const rc = udpSendmsg(this.host, cpu, this.sk, this.daddr, this.dport, this.size);
      if (rc === -EAGAIN) {
        this.blocked = BLOCK_SEND;
        return;
      }
      if (rc < 0) this.errors++;
      else this.sent++;
      this.nextAt += this.intervalNs;
      if (this.intervalNs > 0) continue;
    }
    this.exit();
  }
}
