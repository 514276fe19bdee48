// A process that reads every datagram arriving on a bound UDP port, spending
// `workNs` of CPU on each (a slow reader overruns its receive buffer).

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { BLOCK_RECV, Process } from '../transport/process.js';
import { UdpSock, udpBind, udpRecvmsg } from '../transport/udp.js';

export class UdpSink extends Process {
  readonly sk: UdpSock;
  received = 0;
  bytes = 0;

  constructor(host: Host, cpuId: number, addr: number, port: number, rcvbuf: number, readonly workNs: number) {
    super(host, 'udp_server', cpuId);
    this.sk = new UdpSock(rcvbuf, host.sysctl.get('net.core.wmem_default'));
    this.sk.owner = this;
    udpBind(host, this.sk, addr, port);
    this.blocked = BLOCK_RECV;
  }

  run(cpu: Cpu): void {
    for (;;) {
      const n = udpRecvmsg(this.host, cpu, this.sk);
      if (n < 0) break;
      this.received++;
      this.bytes += n;
      if (this.workNs > 0) {
        cpu.charge(this.workNs);
        // A slow reader: the next recv() happens after the work, in a later event.
        if (this.sk.receiveQueue.length > 0) {
          this.wake(cpu.now);
          return;
        }
      }
    }
    this.blocked = BLOCK_RECV;
  }
}
